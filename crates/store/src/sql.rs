//! Raw SQL where SeaORM's builder would cost round trips or locks (the statement of the
//! registration rush, written once per backend; the outbox's claim), and the one binder that
//! fills their `:name` parameters by name. Nothing else of the store is below this module.

use sea_orm::{DbBackend, Statement, Value};

/// Binds the `:name` parameters of `sql` to the values of `params` by name, numbering them
/// `$1`, `$2`… in their order of appearance: PostgreSQL reads `$n`, and SQLite reads `$n` as
/// a named parameter, so every statement of a SQLite batch binds its own names and none is
/// left unbound. A `::` cast and anything inside quotes are not parameters.
///
/// A name of `sql` that `params` lacks is a bug of the statement: it panics in tests (debug
/// builds) and binds NULL otherwise.
pub(crate) fn bind(backend: DbBackend, sql: &str, params: &[(&str, Value)]) -> Statement {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut names: Vec<&str> = Vec::new();
    let bytes = sql.as_bytes();
    let mut quoted = false;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let starts_name = |j: usize| bytes.get(j).is_some_and(|b| b.is_ascii_lowercase() || *b == b'_');
        if c == b'\'' {
            quoted = !quoted;
        } else if !quoted && c == b':' && (i == 0 || bytes[i - 1] != b':') && starts_name(i + 1) {
            let end = (i + 1..bytes.len())
                .find(|&j| !(bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_'))
                .unwrap_or(bytes.len());
            let name = &sql[i + 1..end];
            let n = match names.iter().position(|known| *known == name) {
                Some(p) => p + 1,
                None => {
                    names.push(name);
                    names.len()
                }
            };
            out.push('$');
            out.push_str(&n.to_string());
            i = end;
            continue;
        }
        // A multi-byte character is copied byte by byte, whole.
        let len = utf8_len(c);
        out.push_str(&sql[i..i + len]);
        i += len;
    }
    let values = names
        .iter()
        .map(|name| match params.iter().find(|(known, _)| known == name) {
            Some((_, value)) => value.clone(),
            None => {
                debug_assert!(false, "the statement names :{name}, which is not bound");
                Value::String(None)
            }
        })
        .collect::<Vec<_>>();
    debug_assert!(
        params.iter().all(|(name, _)| names.contains(name)),
        "a parameter is bound that the statement does not name"
    );
    Statement::from_sql_and_values(backend, out, values)
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// The registration rush on PostgreSQL: one statement. It claims the first free seat of the
/// pool (concurrent claims skip each other's locked rows; only when every free row looked
/// locked does the second sub-select wait for them, since a claim that rolls back elsewhere
/// must not send anybody to the waiting list); without a seat, it takes the next ticket of the
/// waiting list of its event and category and its place (`queue`: the row's `issued` and
/// `waiting` after adding itself). It then writes the row with its final status and ticket,
/// its history and its first mail, and returns the row with its place. Every part writes only
/// while the event still has the version read (`:event_version`), under the key-share lock the
/// foreign key takes anyway, so it waits for an event change in progress and then reads the
/// version it committed.
///
/// The place is exact under concurrency: the upsert of `queue` locks the waiting list's row
/// until this statement commits, and one that waited for it updates (and returns) the row as
/// the other committed it, not as the snapshot saw it. Only waitlisted registrants of one
/// event and category wait for each other, each for the commit of the one before.
pub(crate) const REGISTER_POSTGRES: &str = "\
WITH seat AS (UPDATE seats SET registration_id = :id WHERE event_id = :event_id AND pool = :pool AND seat_no = \
COALESCE((SELECT seat_no FROM seats WHERE event_id = :event_id AND pool = :pool AND registration_id IS NULL \
ORDER BY seat_no LIMIT 1 FOR UPDATE SKIP LOCKED), (SELECT seat_no FROM seats WHERE event_id = :event_id AND \
pool = :pool AND registration_id IS NULL ORDER BY seat_no LIMIT 1 FOR UPDATE)) AND EXISTS (SELECT 1 FROM events \
WHERE id = :event_id AND version = :event_version FOR KEY SHARE) RETURNING 1), \
queue AS (INSERT INTO waitlist_queues AS q (event_id, category, issued, waiting) SELECT :event_id, :category, 1, 1 \
WHERE NOT EXISTS (SELECT 1 FROM seat) AND EXISTS (SELECT 1 FROM events WHERE id = :event_id AND \
version = :event_version FOR KEY SHARE) ON CONFLICT (event_id, category) DO UPDATE SET issued = q.issued + 1, \
waiting = q.waiting + 1 RETURNING q.issued, q.waiting), \
reg AS (INSERT INTO registrations AS reg (id, event_id, category, pool, status, first_name, last_name, email, \
phone, organisation_id, locale, accessibility_needs, share_contact, manage_token_hash, feed_token_hash, version, \
queue_order, waitlist_ticket, created_at, updated_at, email_verification_hash, email_verified_at) SELECT :id, \
:event_id, :category, :pool, CASE WHEN EXISTS (SELECT 1 FROM seat) THEN :confirmed ELSE :waitlisted END, \
:first_name, :last_name, :email, :phone, :organisation_id, :locale, :accessibility_needs, :share_contact, \
:manage_token_hash, NULL, 1, :queue_order, (SELECT issued FROM queue), :now, :now, :email_verification_hash, \
:email_verified_at WHERE EXISTS (SELECT 1 FROM events WHERE id = :event_id AND version = :event_version FOR KEY \
SHARE) RETURNING *, (SELECT waiting FROM queue) AS waitlist_position), \
history AS (INSERT INTO registration_history (id, registration_id, at, actor, from_status, to_status, reason) \
SELECT :history_id, reg.id, reg.created_at, 'registrant', NULL, reg.status, CASE WHEN reg.status = :confirmed \
THEN :confirmed_reason ELSE :waitlisted_reason END FROM reg), \
mail AS (INSERT INTO outbox (id, kind, to_email, locale, payload, status, attempts, next_attempt_at, last_error, \
registration_id, created_at, lease_until, event_id, sent_at) SELECT :mail_id, CASE WHEN reg.status = :confirmed \
THEN :confirmed_mail ELSE :waitlisted_mail END, reg.email, reg.locale, \
(:payload::jsonb || jsonb_build_object('waitlist_position', reg.waitlist_position))::json, :queued, 0, \
reg.created_at, NULL, reg.id, reg.created_at, NULL, reg.event_id, NULL FROM reg) \
SELECT * FROM reg";

/// The registration rush on SQLite, which has no data-modifying `WITH`: the same steps as one
/// batch of statements inside the caller's write transaction (a group commit). The claim comes
/// first, so the row is written once with its final status; without a seat, the waiting list's
/// row of its event and category gives the next ticket and counts it (one writer: the place is
/// exact); `reg` is the new row once it is there; its place is read once, for the mail, and
/// read back from it. A savepoint may be put in front ([`register_sqlite`]).
///
/// The free seat is looked up `INDEXED BY ix_seats_free`: without statistics SQLite's planner
/// otherwise takes the unique index on `registration_id` for `registration_id IS NULL`, reads
/// every free seat and sorts them, which made each registration at an event of 100,000 seats
/// cost ~40 ms instead of well under one.
const REGISTER_SQLITE: &str = "\
UPDATE seats SET registration_id = :id WHERE event_id = :event_id AND pool = :pool AND seat_no = \
(SELECT seat_no FROM seats INDEXED BY ix_seats_free WHERE event_id = :event_id AND pool = :pool AND \
registration_id IS NULL ORDER BY seat_no LIMIT 1 ) AND EXISTS (SELECT 1 FROM events WHERE id = :event_id AND version = :event_version); \
INSERT INTO waitlist_queues (event_id, category, issued, waiting) SELECT :event_id, :category, 1, 1 \
WHERE NOT EXISTS (SELECT 1 FROM seats WHERE registration_id = :id) AND EXISTS (SELECT 1 FROM events \
WHERE id = :event_id AND version = :event_version) ON CONFLICT (event_id, category) DO UPDATE SET \
issued = issued + 1, waiting = waiting + 1; \
INSERT INTO registrations (id, event_id, category, pool, status, first_name, last_name, email, \
phone, organisation_id, locale, accessibility_needs, share_contact, manage_token_hash, feed_token_hash, version, \
queue_order, waitlist_ticket, created_at, updated_at, email_verification_hash, email_verified_at) SELECT :id, \
:event_id, :category, :pool, CASE WHEN EXISTS (SELECT 1 FROM seats WHERE registration_id = :id) THEN :confirmed \
ELSE :waitlisted END, :first_name, :last_name, :email, :phone, :organisation_id, :locale, :accessibility_needs, \
:share_contact, :manage_token_hash, NULL, 1, :queue_order, CASE WHEN NOT EXISTS (SELECT 1 FROM seats WHERE \
registration_id = :id) THEN (SELECT issued FROM waitlist_queues WHERE event_id = :event_id AND category = \
:category) END, :now, :now, :email_verification_hash, :email_verified_at WHERE EXISTS \
(SELECT 1 FROM events WHERE id = :event_id AND version = :event_version); \
INSERT INTO registration_history (id, registration_id, at, actor, from_status, to_status, reason) \
SELECT :history_id, reg.id, reg.created_at, 'registrant', NULL, reg.status, CASE WHEN reg.status = :confirmed \
THEN :confirmed_reason ELSE :waitlisted_reason END FROM (SELECT * FROM registrations WHERE id = :id) AS reg; \
INSERT INTO outbox (id, kind, to_email, locale, payload, status, attempts, next_attempt_at, last_error, \
registration_id, created_at, lease_until, event_id, sent_at) SELECT :mail_id, CASE WHEN reg.status = :confirmed \
THEN :confirmed_mail ELSE :waitlisted_mail END, reg.email, reg.locale, json_set(:payload, '$.waitlist_position', \
CASE WHEN reg.status = :waitlisted THEN (SELECT q.waiting FROM waitlist_queues q WHERE q.event_id = reg.event_id \
AND q.category = reg.category) END), :queued, 0, reg.created_at, NULL, reg.id, reg.created_at, NULL, reg.event_id, \
NULL FROM (SELECT * FROM registrations WHERE id = :id) AS reg; \
SELECT reg.*, json_extract(outbox.payload, '$.waitlist_position') AS waitlist_position \
FROM (SELECT * FROM registrations WHERE id = :id) AS reg JOIN outbox ON outbox.id = :mail_id";

/// [`REGISTER_SQLITE`], beginning with `SAVEPOINT savepoint` when given, so that the caller can
/// roll back what the batch did when one of its statements fails.
pub(crate) fn register_sqlite(savepoint: Option<&str>) -> String {
    match savepoint {
        Some(name) => format!("SAVEPOINT {name}; {REGISTER_SQLITE}"),
        None => REGISTER_SQLITE.to_owned(),
    }
}

/// The first free seat of each pool where someone waits, one row at most: from the pools where
/// someone waits to their first free seat (by the index of free seats), not from every free
/// seat (the event is held meanwhile, and registrations wait for it). On SQLite the free seats'
/// index is named, as in [`REGISTER_SQLITE`].
pub(crate) fn free_seat_for_waiting(backend: DbBackend) -> String {
    let index = if backend == DbBackend::Sqlite {
        " INDEXED BY ix_seats_free"
    } else {
        ""
    };
    format!("{FREE_SEAT_FOR_WAITING_HEAD}{index}{FREE_SEAT_FOR_WAITING_TAIL}")
}

const FREE_SEAT_FOR_WAITING_HEAD: &str = "\
SELECT pool, seat_no FROM (SELECT w.pool AS pool, (SELECT MIN(s.seat_no) FROM seats s";
const FREE_SEAT_FOR_WAITING_TAIL: &str = " \
WHERE s.event_id = :event_id AND s.pool = w.pool AND s.registration_id IS NULL) AS seat_no \
FROM (SELECT DISTINCT r.pool AS pool FROM registrations r WHERE r.event_id = :event_id \
AND r.status = :waitlisted) w) free WHERE seat_no IS NOT NULL LIMIT 1";

/// The first waitlisted registration of a pool, of `:category` first, by ticket (the order its
/// place was told in; the `open` pool, shared by categories, takes them by ticket too, so
/// each category's first before any category's second); PostgreSQL skips rows another
/// promotion holds.
pub(crate) fn first_waiting(backend: DbBackend) -> String {
    let lock = if backend == DbBackend::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    format!(
        "SELECT id, category FROM registrations WHERE event_id = :event_id AND pool = :pool AND status = :waitlisted \
         ORDER BY CASE WHEN category = :category THEN 0 ELSE 1 END, waitlist_ticket, queue_order, id LIMIT 1{lock}"
    )
}

#[cfg(test)]
mod tests {
    use sea_orm::{DbBackend, Value};

    use super::{bind, register_sqlite, REGISTER_POSTGRES};

    #[test]
    fn names_are_numbered_in_order_of_appearance_and_bound_once() {
        let s = bind(
            DbBackend::Postgres,
            "SELECT :b, :a, :b",
            &[("a", Value::from(1)), ("b", Value::from(2))],
        );
        assert_eq!(s.sql, "SELECT $1, $2, $1");
        assert_eq!(s.values.map(|v| v.0), Some(vec![Value::from(2), Value::from(1)]));
    }

    #[test]
    fn casts_strings_and_json_paths_are_not_parameters() {
        let s = bind(
            DbBackend::Sqlite,
            "SELECT :p::jsonb, ':q', json_extract(x, '$.a'), 'é:x' || :p",
            &[("p", Value::from("{}"))],
        );
        assert_eq!(s.sql, "SELECT $1::jsonb, ':q', json_extract(x, '$.a'), 'é:x' || $1");
    }

    #[test]
    fn the_rush_statements_bind_the_same_28_names_on_both_backends() {
        let names = "id event_id pool category first_name last_name email phone organisation_id locale \
            accessibility_needs share_contact manage_token_hash queue_order now confirmed waitlisted history_id \
            confirmed_reason waitlisted_reason mail_id confirmed_mail waitlisted_mail payload queued event_version \
            email_verification_hash email_verified_at";
        let params: Vec<(&str, Value)> = names.split_whitespace().map(|n| (n, Value::from(n))).collect();
        // `bind` asserts (in tests) that every name is bound and every binding named.
        let postgres = bind(DbBackend::Postgres, REGISTER_POSTGRES, &params);
        let sqlite = bind(DbBackend::Sqlite, &register_sqlite(Some("registration")), &params);
        assert_eq!(postgres.values.map(|v| v.0.len()), Some(28));
        assert_eq!(sqlite.values.map(|v| v.0.len()), Some(28));
        assert!(sqlite.sql.starts_with("SAVEPOINT registration; UPDATE seats"));
    }

    /// SQLite's plan for a statement of the store, one line per step.
    async fn plan(db: &crate::Store, sql: &str, params: &[(&str, Value)]) -> Vec<String> {
        use sea_orm::ConnectionTrait;
        let statement = bind(DbBackend::Sqlite, &format!("EXPLAIN QUERY PLAN {sql}"), params);
        db.query_all_raw(statement)
            .await
            .expect("explained")
            .iter()
            .map(|row| row.try_get::<String>("", "detail").expect("detail"))
            .collect()
    }

    #[tokio::test]
    async fn sqlite_finds_a_free_seat_by_the_free_seats_index_not_by_reading_every_free_seat() {
        let db = crate::connect("sqlite::memory:").await.unwrap();
        crate::migrate(&db).await.unwrap();
        // The batch's first statement claims the seat.
        let batch = register_sqlite(None);
        let claim = batch.split(';').next().unwrap();
        let params = [
            ("id", Value::from("r")),
            ("event_id", Value::from("e")),
            ("pool", Value::from("open")),
            ("event_version", Value::from(1)),
        ];
        let steps = plan(&db, claim, &params).await;
        assert!(steps.iter().any(|s| s.contains("ix_seats_free")), "{steps:#?}");
        assert!(
            !steps.iter().any(|s| s.contains("ux_seats_registration_id")),
            "{steps:#?}"
        );

        let params = [
            ("event_id", Value::from("e")),
            ("waitlisted", Value::from("waitlisted")),
        ];
        let steps = plan(&db, &super::free_seat_for_waiting(DbBackend::Sqlite), &params).await;
        assert!(steps.iter().any(|s| s.contains("ix_seats_free")), "{steps:#?}");
    }
}
