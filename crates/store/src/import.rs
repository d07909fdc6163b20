//! The directory import: a file of organisations read line by line inside one transaction,
//! each line creating, updating or leaving one organisation (one per SIRET, else per name and
//! postcode, else per name and commune), or refused with its field and reason.

use matinale_domain::directory::{ColumnMap, CsvLines, DirectoryIndex, ImportReport, RejectedLine};
use matinale_domain::organisation::OrganisationKind;
use matinale_domain::register::RegisterEntries;
use matinale_domain::siret::Siret;
use matinale_domain::user::Actor;
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use uuid::Uuid;

use crate::database::{Store, Txn};
use crate::entity::{organisation, organisation_tag};
use crate::error::Error;
use crate::organisations::{self, OrganisationFilter};
use crate::versioned;

/// Rows written by one `INSERT` (under SQLite's and PostgreSQL's limits on parameters).
const BATCH: usize = 400;

/// An import asked for.
#[derive(Debug, Clone, Copy)]
pub struct ImportRequest<'a> {
    /// The file, decoded.
    pub text: &'a str,
    /// `field:column` pairs for headers of other names.
    pub mapping: Option<&'a str>,
    /// The kind of new organisations without a kind column (`ess_structure` when not given);
    /// given, it also applies to the organisations the file updates.
    pub kind: Option<OrganisationKind>,
    /// Answer the same report and write nothing.
    pub dry_run: bool,
    /// What the public company register says of the SIRETs of lines that lack something,
    /// asked before the transaction (no network inside it); empty when the look-up is off.
    pub register: Option<&'a RegisterEntries>,
}

/// Imports organisations in one transaction (read-only in a dry run). A header without a
/// name column or a bad mapping is refused as a whole (422); bad lines are reported.
pub async fn import(store: &Store, actor: &Actor, request: ImportRequest<'_>) -> Result<ImportReport, Error> {
    let (header, _) = CsvLines::open(request.text)?;
    ColumnMap::from_header(header.iter().map(String::as_str), request.mapping)?;
    store
        .write(|txn| Box::pin(async move { import_in(txn, actor, request).await }))
        .await
}

/// New organisations waiting for their `INSERT`.
#[derive(Default)]
struct Pending {
    rows: Vec<organisation::ActiveModel>,
    tags: Vec<organisation_tag::ActiveModel>,
}

impl Pending {
    async fn flush(&mut self, db: &impl ConnectionTrait) -> Result<(), Error> {
        if !self.rows.is_empty() {
            organisation::Entity::insert_many(std::mem::take(&mut self.rows))
                .exec_without_returning(db)
                .await?;
        }
        for chunk in std::mem::take(&mut self.tags).chunks(BATCH * 2) {
            organisation_tag::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(db)
                .await?;
        }
        Ok(())
    }
}

async fn import_in(txn: &Txn<'_>, actor: &Actor, request: ImportRequest<'_>) -> Result<ImportReport, Error> {
    let (header, mut lines) = CsvLines::open(request.text)?;
    let columns = ColumnMap::from_header(header.iter().map(String::as_str), request.mapping)?;
    let default_kind = request.kind.unwrap_or(OrganisationKind::EssStructure);
    let kind_given = request.kind.is_some();
    // The directory as it is, by key: what each line is compared with.
    let stored = organisations::every_by_id(txn, &OrganisationFilter::default()).await?;
    let mut index: DirectoryIndex<usize> = DirectoryIndex::default();
    for (i, (_, _, fields)) in stored.iter().enumerate() {
        index.insert(fields, i);
    }
    // The organisations the file has already spoken of, with the first line that did.
    let mut seen: DirectoryIndex<u64> = DirectoryIndex::default();
    let mut report = ImportReport::default();
    let mut pending = Pending::default();
    let now = txn.now();
    while let Some(next) = lines.next() {
        let (line, record) = match next {
            Ok(read) => read,
            Err(rejected) => {
                report.rejected.push(rejected);
                continue;
            }
        };
        let row = columns.row(record.iter());
        if let Some(first) = seen.find(&row) {
            let field = if row.siret.is_some() { "siret" } else { "name" };
            report.rejected.push(RejectedLine {
                line,
                field: field.into(),
                reason: format!("the same organisation as line {first}"),
            });
            continue;
        }
        let current = index.find(&row).map(|i| &stored[i]);
        let entry = match (request.register, row.siret.as_deref()) {
            (Some(register), Some(siret)) => Siret::parse("siret", siret).ok().and_then(|s| register.get(s.as_str())),
            _ => None,
        };
        let fields = match row.fields(current.map(|(_, _, f)| f), default_kind, kind_given, entry) {
            Ok(fields) => fields,
            Err(errors) => {
                report.rejected.extend(errors.into_iter().map(|e| RejectedLine {
                    line,
                    field: e.field,
                    reason: e.message,
                }));
                continue;
            }
        };
        seen.insert(&fields, line);
        if let Some((_, _, was)) = current {
            seen.insert(was, line);
        }
        match current {
            Some((_, _, was)) if *was == fields => report.unchanged += 1,
            Some(&(id, version, _)) => {
                report.updated += 1;
                if !request.dry_run {
                    let mut am = <organisation::ActiveModel as Default>::default();
                    organisations::set_fields(&mut am, &fields);
                    versioned::update::<organisation::Entity>(txn, am, id, version).await?;
                    organisations::write_tags(txn, id, &fields).await?;
                }
            }
            None => {
                report.created += 1;
                if !request.dry_run {
                    let id = Uuid::now_v7();
                    let mut am = organisation::ActiveModel {
                        id: Set(id),
                        version: Set(1),
                        created_by: Set(actor.user_id),
                        created_at: Set(now),
                        updated_at: Set(now),
                        ..Default::default()
                    };
                    organisations::set_fields(&mut am, &fields);
                    pending.rows.push(am);
                    pending.tags.extend(organisations::tag_rows(id, &fields));
                    if pending.rows.len() >= BATCH {
                        pending.flush(txn).await?;
                    }
                }
            }
        }
    }
    pending.flush(txn).await?;
    Ok(report)
}

/// Who an import from the command line acts as: the account of `email` (an organiser or an
/// admin), or else the first admin created.
pub async fn command_line_actor(db: &impl ConnectionTrait, email: Option<&str>) -> Result<Actor, Error> {
    use crate::entity::text::Text;
    use crate::entity::user;
    use matinale_domain::user::Role;
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    let found = match email {
        Some(email) => crate::accounts::user_by_email(db, email).await?.map(|u| Actor {
            user_id: u.id,
            role: u.role,
        }),
        None => user::Entity::find()
            .filter(user::Column::Role.eq(Text(Role::Admin)))
            .order_by_asc(user::Column::CreatedAt)
            .order_by_asc(user::Column::Id)
            .one(db)
            .await?
            .map(|u| Actor {
                user_id: u.id,
                role: u.role.get(),
            }),
    };
    match found {
        Some(actor) if actor.may_organise() => Ok(actor),
        _ => Err(Error::Invalid(matinale_domain::Error::field(
            "as",
            "unknown",
            "no organiser or admin account to import as (create one with create-admin, or name one with --as)",
        ))),
    }
}
