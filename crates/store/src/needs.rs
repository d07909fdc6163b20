//! Buyer needs, the expressions of interest of ESS structures, the wishes they imply for the
//! scheduler, and suggestions of structures for a need.

use std::collections::BTreeMap;

use chrono::Utc;
use matinale_domain::need::{
    interest_registration, may_edit_need, suggest, CpvCode, InterestWish, Need, NeedCategory, NeedFields, NeedStatus,
    ReservedMarket, Suggestion, INTEREST_WISH_PRIORITY,
};
use matinale_domain::organisation::{EssKind, Organisation, OrganisationKind};
use matinale_domain::page::{Page, PageRequest};
use matinale_domain::stand::StandKind;
use matinale_domain::text;
use matinale_domain::user::Actor;
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use crate::credential::Credential;
use crate::database::Store;
use crate::entity::{need, need_interest, organisation_member};
use crate::error::{corrupt, Error};
use crate::organisations::SuggestionCriteria;

/// Filters of the public list of needs; all optional and combined with AND.
#[derive(Debug, Clone, Default)]
pub struct NeedFilter {
    /// Presented at this event.
    pub event: Option<Uuid>,
    /// Of this category.
    pub category: Option<NeedCategory>,
    /// With this commune in its perimeter (accents and case ignored).
    pub city: Option<String>,
    /// With this reserved-market status.
    pub reserved_market: Option<ReservedMarket>,
    /// Published by this organisation.
    pub organisation: Option<Uuid>,
    /// In this status; `draft` only for signed-in callers, who see the drafts they may edit.
    pub status: Option<NeedStatus>,
    /// Free text in title, description, category, cities and CPV codes (accents and case ignored).
    pub q: Option<String>,
}

fn invalid(field: &str, code: &str, message: &str) -> Error {
    matinale_domain::Error::field(field, code, message).into()
}

fn to_need(m: need::Model) -> Result<Need, Error> {
    let cpv: Vec<String> = serde_json::from_str(&m.cpv_codes).map_err(|_| corrupt("CPV codes"))?;
    let cpv_codes = cpv
        .iter()
        .map(|c| CpvCode::parse("cpv_codes", c).map_err(|_| corrupt("CPV code")))
        .collect::<Result<Vec<_>, _>>()?;
    let cities: Vec<String> = serde_json::from_str(&m.cities).map_err(|_| corrupt("cities"))?;
    Ok(Need {
        id: m.id,
        fields: NeedFields {
            organisation_id: m.organisation_id,
            event_id: m.event_id,
            stand_id: m.stand_id,
            title: m.title,
            description: m.description,
            category: NeedCategory::from_db(&m.category).ok_or_else(|| corrupt("need category"))?,
            cpv_codes,
            amount_min_eur: m.amount_min_eur,
            amount_max_eur: m.amount_max_eur,
            expected_tender_on: m.expected_tender_on,
            reserved_market: ReservedMarket::from_db(&m.reserved_market).ok_or_else(|| corrupt("reserved market"))?,
            social_clause: m.social_clause,
            environmental_criterion: m.environmental_criterion,
            cities,
        },
        status: NeedStatus::from_db(&m.status).ok_or_else(|| corrupt("need status"))?,
        created_by: m.created_by,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

fn set_fields(am: &mut need::ActiveModel, f: &NeedFields) {
    let cpv: Vec<&str> = f.cpv_codes.iter().map(CpvCode::as_str).collect();
    let folded: String = f.cities.iter().map(|c| format!("|{}", text::fold(c))).collect();
    am.organisation_id = Set(f.organisation_id);
    am.event_id = Set(f.event_id);
    am.stand_id = Set(f.stand_id);
    am.title = Set(f.title.clone());
    am.description = Set(f.description.clone());
    am.category = Set(f.category.as_str().to_owned());
    am.cpv_codes = Set(serde_json::json!(cpv).to_string());
    am.amount_min_eur = Set(f.amount_min_eur);
    am.amount_max_eur = Set(f.amount_max_eur);
    am.expected_tender_on = Set(f.expected_tender_on);
    am.reserved_market = Set(f.reserved_market.as_str().to_owned());
    am.social_clause = Set(f.social_clause);
    am.environmental_criterion = Set(f.environmental_criterion);
    am.cities = Set(serde_json::json!(f.cities).to_string());
    am.cities_folded = Set(format!("{folded}|"));
    am.search_text = Set(f.search_text());
}

/// Checks that the references of a need exist and fit: a public buyer, an event the caller
/// may see, an inverted stand of that buyer at that event.
async fn check_references(db: &impl ConnectionTrait, fields: &NeedFields, actor: &Actor) -> Result<(), Error> {
    let org = match crate::organisations::get(db, fields.organisation_id).await {
        Err(Error::NotFound) => return Err(invalid("organisation_id", "unknown", "no organisation has this id")),
        other => other?,
    };
    if org.fields.kind != OrganisationKind::PublicBuyer {
        return Err(invalid(
            "organisation_id",
            "invalid",
            "needs are published by public buyers",
        ));
    }
    if let Some(event_id) = fields.event_id {
        if let Err(e) = crate::events::get_visible(db, event_id, Some(actor)).await {
            return Err(match e {
                Error::NotFound => invalid("event_id", "unknown", "no event has this id"),
                other => other,
            });
        }
    }
    if let Some(stand_id) = fields.stand_id {
        let stand = match crate::stands::get(db, stand_id).await {
            Err(Error::NotFound) => return Err(invalid("stand_id", "unknown", "no stand has this id")),
            other => other?,
        };
        if stand.stand.kind != StandKind::Inverted || stand.stand.organisation_id != fields.organisation_id {
            return Err(invalid(
                "stand_id",
                "invalid",
                "must be an inverted stand of the same organisation",
            ));
        }
        if fields.event_id != Some(stand.event_id) {
            return Err(invalid("stand_id", "invalid", "the stand belongs to another event"));
        }
    }
    Ok(())
}

/// Whether `actor` may edit a need with these references: a member of the buyer, an organiser
/// of the event, or an admin.
async fn may_edit_fields(db: &impl ConnectionTrait, fields: &NeedFields, actor: &Actor) -> Result<bool, Error> {
    let members = match crate::organisations::get(db, fields.organisation_id).await {
        Ok(org) => org.members,
        Err(Error::NotFound) => Vec::new(),
        Err(e) => return Err(e),
    };
    let mut organisers = Vec::new();
    if let Some(event_id) = fields.event_id {
        match crate::events::get(db, event_id).await {
            Ok(event) => {
                organisers.push(event.created_by);
                organisers.extend(event.co_organisers);
            }
            Err(Error::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(may_edit_need(actor, &members, &organisers))
}

async fn may_edit(db: &impl ConnectionTrait, need: &Need, actor: Option<&Actor>) -> Result<bool, Error> {
    match actor {
        Some(actor) => may_edit_fields(db, &need.fields, actor).await,
        None => Ok(false),
    }
}

/// Publishes a need: by a member of the buyer, an organiser of its event, or an admin.
pub async fn create(store: &Store, actor: &Actor, fields: NeedFields, status: NeedStatus) -> Result<Need, Error> {
    NeedStatus::Draft.transition_to(status)?;
    let fields = &fields;
    store
        .write(|txn| {
            Box::pin(async move {
                check_references(txn, fields, actor).await?;
                if !may_edit_fields(txn, fields, actor).await? {
                    return Err(Error::Forbidden);
                }
                let now = Utc::now();
                let mut am = need::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    status: Set(status.as_str().to_owned()),
                    created_by: Set(actor.user_id),
                    version: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                };
                set_fields(&mut am, fields);
                let model = am.insert(txn).await?;
                to_need(model)
            })
        })
        .await
}

async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<Need, Error> {
    to_need(need::Entity::find_by_id(id).one(db).await?.ok_or(Error::NotFound)?)
}

/// One need: open, closed and awarded ones to anyone, drafts to those who may edit them.
pub async fn get_visible(db: &impl ConnectionTrait, id: Uuid, actor: Option<&Actor>) -> Result<Need, Error> {
    let need = get(db, id).await?;
    if need.status.is_public() || may_edit(db, &need, actor).await? {
        Ok(need)
    } else {
        Err(Error::NotFound)
    }
}

/// Changes a need in one transaction: checks access (404 for a hidden draft, 403 otherwise)
/// and `If-Match`, lets `change` compute the new fields and status, and checks that the caller
/// may also edit the need under its new references.
pub async fn update<F>(store: &Store, id: Uuid, actor: &Actor, if_match: Option<i32>, change: F) -> Result<Need, Error>
where
    F: Send + FnOnce(&Need) -> Result<(NeedFields, Option<NeedStatus>), Error>,
{
    let mut change = Some(change);
    store
        .write(|txn| {
            let change = change.take();
            Box::pin(async move {
                let change = crate::database::once(change)?;
                let current = get(txn, id).await?;
                if !may_edit(txn, &current, Some(actor)).await? {
                    return Err(if current.status.is_public() {
                        Error::Forbidden
                    } else {
                        Error::NotFound
                    });
                }
                if if_match.is_some_and(|v| v != current.version) {
                    return Err(Error::Stale);
                }
                let (fields, status) = change(&current)?;
                let status = match status {
                    Some(s) => current.status.transition_to(s)?,
                    None => current.status,
                };
                check_references(txn, &fields, actor).await?;
                if !may_edit_fields(txn, &fields, actor).await? {
                    return Err(Error::Forbidden);
                }
                let mut am = need::ActiveModel {
                    status: Set(status.as_str().to_owned()),
                    version: Set(current.version + 1),
                    updated_at: Set(Utc::now()),
                    ..Default::default()
                };
                set_fields(&mut am, &fields);
                let written = need::Entity::update_many()
                    .set(am)
                    .filter(need::Column::Id.eq(id))
                    .filter(need::Column::Version.eq(current.version))
                    .exec(txn)
                    .await?;
                if written.rows_affected != 1 {
                    return Err(Error::Stale);
                }
                let updated = get(txn, id).await?;
                Ok(updated)
            })
        })
        .await
}

fn like(folded: &str) -> LikeExpr {
    LikeExpr::new(text::like_pattern(folded)).escape('\\')
}

/// The drafts `actor` may edit: all of them for an admin; else those of a buyer it is a
/// member of, and those presented at an event it organises (the rule of [`may_edit_need`]).
fn editable_drafts(actor: &Actor) -> Condition {
    let draft = Condition::all().add(need::Column::Status.eq(NeedStatus::Draft.as_str()));
    if actor.is_admin() {
        return draft;
    }
    let member_of = Query::select()
        .column(organisation_member::Column::OrganisationId)
        .from(organisation_member::Entity)
        .and_where(organisation_member::Column::UserId.eq(actor.user_id))
        .to_owned();
    draft.add(
        Condition::any()
            .add(Expr::col(need::Column::OrganisationId).in_subquery(member_of))
            .add(crate::events::organised_by(need::Column::EventId, actor)),
    )
}

/// Needs matching the filter, newest first: the public ones (open, closed, awarded) and, for
/// a signed-in `viewer`, the drafts it may edit. `status: draft` lists only those drafts, and
/// is refused (422 on `status`) to anonymous callers.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &NeedFilter,
    viewer: Option<&Actor>,
    page: PageRequest,
) -> Result<Page<Need>, Error> {
    let public_statuses: Vec<&str> = NeedStatus::ALL
        .iter()
        .filter(|s| s.is_public())
        .map(|s| s.as_str())
        .collect();
    let public = Condition::all().add(need::Column::Status.is_in(public_statuses));
    let mut cond = match (filter.status, viewer) {
        (Some(NeedStatus::Draft), Some(actor)) => Condition::all().add(editable_drafts(actor)),
        (Some(NeedStatus::Draft), None) => {
            return Err(invalid(
                "status",
                "not_allowed",
                "drafts are listed to their editors only: sign in",
            ))
        }
        (Some(s), _) => Condition::all().add(need::Column::Status.eq(s.as_str())),
        (None, Some(actor)) => Condition::all().add(Condition::any().add(public).add(editable_drafts(actor))),
        (None, None) => public,
    };
    if let Some(event) = filter.event {
        cond = cond.add(need::Column::EventId.eq(event));
    }
    if let Some(category) = filter.category {
        cond = cond.add(need::Column::Category.eq(category.as_str()));
    }
    if let Some(city) = filter.city.as_deref().map(text::fold).filter(|c| !c.is_empty()) {
        cond = cond.add(Expr::col(need::Column::CitiesFolded).like(like(&format!("|{city}|"))));
    }
    if let Some(market) = filter.reserved_market {
        cond = cond.add(need::Column::ReservedMarket.eq(market.as_str()));
    }
    if let Some(org) = filter.organisation {
        cond = cond.add(need::Column::OrganisationId.eq(org));
    }
    if let Some(q) = filter.q.as_deref().map(text::fold).filter(|q| !q.is_empty()) {
        cond = cond.add(Expr::col(need::Column::SearchText).like(like(&q)));
    }
    let query = need::Entity::find().filter(cond);
    let total = query.clone().count(db).await?;
    let rows = query
        .order_by_desc(need::Column::CreatedAt)
        .order_by_desc(need::Column::Id)
        .offset(page.offset())
        .limit(page.per_page)
        .all(db)
        .await?;
    Ok(Page {
        items: rows.into_iter().map(to_need).collect::<Result<_, _>>()?,
        request: page,
        total,
    })
}

/// An expression of interest of an ESS structure in a need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interest {
    /// Identifier.
    pub id: Uuid,
    /// The need.
    pub need_id: Uuid,
    /// The ESS structure.
    pub organisation_id: Uuid,
    /// Its name.
    pub organisation_name: String,
    /// The registration it came through (manage-token path); `None` for a member's interest.
    pub registration_id: Option<Uuid>,
    /// Message to the buyer.
    pub message: String,
    /// When.
    pub created_at: chrono::DateTime<Utc>,
}

/// Records that the ESS structure `organisation_id`, of which `actor` is a member, is interested
/// in an open need; one interest per structure and need (409 for a second one).
pub async fn add_interest(
    store: &Store,
    need_id: Uuid,
    actor: &Actor,
    organisation_id: Uuid,
    message: String,
) -> Result<Interest, Error> {
    let message = &message;
    store
        .write(|txn| {
            Box::pin(async move {
                let need = get_visible(txn, need_id, Some(actor)).await?;
                let org = match crate::organisations::get(txn, organisation_id).await {
                    Err(Error::NotFound) => {
                        return Err(invalid("organisation_id", "unknown", "no organisation has this id"))
                    }
                    other => other?,
                };
                if org.fields.kind != OrganisationKind::EssStructure {
                    return Err(invalid(
                        "organisation_id",
                        "invalid",
                        "interests come from ESS structures",
                    ));
                }
                if !crate::organisations::may_edit(&org, actor) {
                    return Err(Error::Forbidden);
                }
                let interest = insert_interest(txn, &need, org, None, Some(actor.user_id), message.clone()).await?;
                Ok(interest)
            })
        })
        .await
}

/// Records the interest of the ESS structure a registration speaks for (its
/// `organisation_id`, confirmed: else a 422 on `registration_id`, so that nobody can take the
/// structure's place by typing its id) in an open need of the registration's event. `who` is
/// the holder of the registration's manage token, or an organiser of its event; anyone else
/// gets 404. Member and registrant interests share one rule: one per structure and need (409).
pub async fn add_registrant_interest(
    store: &Store,
    need_id: Uuid,
    who: &Credential,
    registration_id: Uuid,
    message: String,
) -> Result<Interest, Error> {
    let message = &message;
    store
        .write(|txn| {
            Box::pin(async move {
                let need = get_visible(txn, need_id, who.actor()).await?;
                let mut registration = crate::credential::authorised(txn, registration_id, who)
                    .await?
                    .into_registration(None);
                crate::claims::settle_claims(txn, std::slice::from_mut(&mut registration)).await?;
                let organisation_id = interest_registration(&registration, need.fields.event_id)?;
                let org = match crate::organisations::get(txn, organisation_id).await {
                    Err(Error::NotFound) => {
                        return Err(invalid(
                            "registration_id",
                            "no_organisation",
                            "the registration's organisation no longer exists",
                        ))
                    }
                    other => other?,
                };
                if org.fields.kind != OrganisationKind::EssStructure {
                    return Err(invalid(
                        "registration_id",
                        "organisation_kind",
                        "the registration's organisation is not an ESS structure",
                    ));
                }
                let created_by = who.actor().map(|a| a.user_id);
                let interest =
                    insert_interest(txn, &need, org, Some(registration_id), created_by, message.clone()).await?;
                Ok(interest)
            })
        })
        .await
}

/// Writes an interest of `org` in `need` once the caller's right to speak for `org` is settled:
/// the need must be open and the structure not yet interested.
async fn insert_interest(
    txn: &impl ConnectionTrait,
    need: &Need,
    org: Organisation,
    registration_id: Option<Uuid>,
    created_by: Option<Uuid>,
    message: String,
) -> Result<Interest, Error> {
    if need.status != NeedStatus::Open {
        return Err(Error::Conflict(format!("the need is {}, not open", need.status)));
    }
    let taken = need_interest::Entity::find()
        .filter(need_interest::Column::NeedId.eq(need.id))
        .filter(need_interest::Column::OrganisationId.eq(org.id))
        .one(txn)
        .await?
        .is_some();
    let already = || Error::Conflict("this structure has already expressed interest in this need".into());
    if taken {
        return Err(already());
    }
    let model = need_interest::ActiveModel {
        id: Set(Uuid::now_v7()),
        need_id: Set(need.id),
        organisation_id: Set(org.id),
        registration_id: Set(registration_id),
        created_by: Set(created_by),
        message: Set(message),
        created_at: Set(Utc::now()),
    }
    .insert(txn)
    .await
    .map_err(|e| match Error::from(e) {
        // Two requests at once: the unique index decides.
        Error::Conflict(_) => already(),
        other => other,
    })?;
    Ok(Interest {
        id: model.id,
        need_id: need.id,
        organisation_id: org.id,
        organisation_name: org.fields.name,
        registration_id: model.registration_id,
        message: model.message,
        created_at: model.created_at,
    })
}

/// Withdraws an interest in a need: by its author (the manage token of the registration it
/// came through), a member of its structure, or an organiser of the need's event (or an
/// admin); anyone else, or an interest of another need, is not found.
pub async fn withdraw_interest(store: &Store, need_id: Uuid, interest_id: Uuid, who: &Credential) -> Result<(), Error> {
    store
        .write(|txn| {
            Box::pin(async move {
                let interest = need_interest::Entity::find_by_id(interest_id)
                    .filter(need_interest::Column::NeedId.eq(need_id))
                    .one(txn)
                    .await?
                    .ok_or(Error::NotFound)?;
                let allowed = match who {
                    Credential::Registrant(own) => interest.registration_id == Some(*own),
                    Credential::User(actor) => {
                        let member = match crate::organisations::get(txn, interest.organisation_id).await {
                            Ok(org) => crate::organisations::may_edit(&org, actor),
                            Err(Error::NotFound) => false,
                            Err(e) => return Err(e),
                        };
                        let organiser = match get(txn, need_id).await?.fields.event_id {
                            Some(event_id) => crate::events::get(txn, event_id).await?.is_organised_by(actor),
                            None => actor.is_admin(),
                        };
                        member || organiser
                    }
                };
                if !allowed {
                    return Err(Error::NotFound);
                }
                need_interest::Entity::delete_by_id(interest_id).exec(txn).await?;
                Ok(())
            })
        })
        .await
}

/// The interests in a need, oldest first; for those who may edit the need (the buyer side).
pub async fn interests(db: &impl ConnectionTrait, need_id: Uuid, actor: &Actor) -> Result<Vec<Interest>, Error> {
    let need = get_visible(db, need_id, Some(actor)).await?;
    if !may_edit(db, &need, Some(actor)).await? {
        return Err(Error::Forbidden);
    }
    let rows = need_interest::Entity::find()
        .filter(need_interest::Column::NeedId.eq(need_id))
        .order_by_asc(need_interest::Column::CreatedAt)
        .order_by_asc(need_interest::Column::Id)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let org = crate::organisations::get(db, row.organisation_id).await?;
        out.push(Interest {
            id: row.id,
            need_id: row.need_id,
            organisation_id: row.organisation_id,
            organisation_name: org.fields.name,
            registration_id: row.registration_id,
            message: row.message,
            created_at: row.created_at,
        });
    }
    Ok(out)
}

/// The meeting wishes implied by interests in the needs of an event: from each interested ESS
/// structure (and the registration the interest came through, if any) to the buyer, at
/// priority 2. The scheduler reads them beside explicit wishes.
pub async fn wishes_for_event(db: &impl ConnectionTrait, event_id: Uuid) -> Result<Vec<InterestWish>, Error> {
    let needs: BTreeMap<Uuid, Uuid> = need::Entity::find()
        .filter(need::Column::EventId.eq(event_id))
        .all(db)
        .await?
        .into_iter()
        .map(|n| (n.id, n.organisation_id))
        .collect();
    let rows = need_interest::Entity::find()
        .filter(need_interest::Column::NeedId.is_in(needs.keys().copied().collect::<Vec<_>>()))
        .order_by_asc(need_interest::Column::CreatedAt)
        .order_by_asc(need_interest::Column::Id)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            needs.get(&row.need_id).map(|buyer| InterestWish {
                need_id: row.need_id,
                from_organisation_id: row.organisation_id,
                from_registration_id: row.registration_id,
                to_organisation_id: *buyer,
                priority: INTEREST_WISH_PRIORITY,
            })
        })
        .collect())
}

/// At most this many ESS structures are suggested for a need.
pub const MAX_SUGGESTIONS: usize = 50;

/// The [`MAX_SUGGESTIONS`] ESS structures best ranked for a visible need, with the reasons:
/// the directory is filtered in SQL (structures meeting a criterion), not read whole.
pub async fn suggestions(
    db: &impl ConnectionTrait,
    need_id: Uuid,
    actor: Option<&Actor>,
) -> Result<Vec<Suggestion>, Error> {
    let need = get_visible(db, need_id, actor).await?;
    let f = &need.fields;
    let criteria = SuggestionCriteria {
        sector_keywords: f.category.sector_keywords().iter().map(|k| text::fold(k)).collect(),
        cities: f.cities.iter().map(|c| text::fold(c)).collect(),
        eligible_kinds: match f.reserved_market {
            ReservedMarket::None => None,
            market => Some(EssKind::ALL.iter().copied().filter(|k| market.admits(&[*k])).collect()),
        },
    };
    let candidates = crate::organisations::best_suggestions(db, &criteria, MAX_SUGGESTIONS).await?;
    let mut ranked = suggest(f, candidates);
    ranked.truncate(MAX_SUGGESTIONS);
    Ok(ranked)
}
