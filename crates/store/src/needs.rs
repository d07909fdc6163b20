//! Buyer needs, the expressions of interest of ESS structures (module `interests`), the
//! wishes they imply for the scheduler, and suggestions of structures for a need.

use chrono::Utc;
use matinale_domain::need::{
    may_edit_need, placed_at_event, posted_by_outsider, suggest, CpvCode, Need, NeedFields, NeedFilter, NeedStatus,
    ReservedMarket, Suggestion,
};
use matinale_domain::organisation::{EssKind, OrganisationKind};
use matinale_domain::page::{Page, PageRequest};
use matinale_domain::stand::StandKind;
use matinale_domain::text;
use matinale_domain::user::Actor;
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use crate::database::Store;
use crate::entity::text::Text;
use crate::entity::{need, organisation_member};
use crate::error::{corrupt, Error};
use crate::organisations::SuggestionCriteria;
use crate::paging::page_of;
use crate::versioned::{self, expect_version};

mod interests;
pub use interests::{add_interest, add_registrant_interest, interests, wishes_for_event, withdraw_interest};

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
            category: m.category.get(),
            cpv_codes,
            amount_min_eur: m.amount_min_eur,
            amount_max_eur: m.amount_max_eur,
            expected_tender_on: m.expected_tender_on,
            reserved_market: m.reserved_market.get(),
            social_clause: m.social_clause,
            environmental_criterion: m.environmental_criterion,
            cities,
        },
        status: m.status.get(),
        created_by: m.created_by,
        event_accepted: m.event_id.is_some() && m.event_accepted_at.is_some(),
        posted_by_organiser: m.posted_by_organiser,
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
    am.category = Set(Text(f.category));
    am.cpv_codes = Set(serde_json::json!(cpv).to_string());
    am.amount_min_eur = Set(f.amount_min_eur);
    am.amount_max_eur = Set(f.amount_max_eur);
    am.expected_tender_on = Set(f.expected_tender_on);
    am.reserved_market = Set(Text(f.reserved_market));
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

/// The members of a need's buyer and the organisers of its event (none without one).
struct NeedPeople {
    buyer_members: Vec<Uuid>,
    event_organisers: Vec<Uuid>,
}

async fn people_of(db: &impl ConnectionTrait, fields: &NeedFields) -> Result<NeedPeople, Error> {
    let buyer_members = match crate::organisations::get(db, fields.organisation_id).await {
        Ok(org) => org.members,
        Err(Error::NotFound) => Vec::new(),
        Err(e) => return Err(e),
    };
    let mut event_organisers = Vec::new();
    if let Some(event_id) = fields.event_id {
        match crate::events::get(db, event_id).await {
            Ok(event) => {
                event_organisers.push(event.created_by);
                event_organisers.extend(event.co_organisers);
            }
            Err(Error::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(NeedPeople {
        buyer_members,
        event_organisers,
    })
}

/// Whether `actor` may edit a need with these references: a member of the buyer, an organiser
/// of the event, or an admin.
async fn may_edit_fields(db: &impl ConnectionTrait, fields: &NeedFields, actor: &Actor) -> Result<bool, Error> {
    let people = people_of(db, fields).await?;
    Ok(may_edit_need(actor, &people.buyer_members, &people.event_organisers))
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
                let people = people_of(txn, fields).await?;
                if !may_edit_need(actor, &people.buyer_members, &people.event_organisers) {
                    return Err(Error::Forbidden);
                }
                let accepted = fields.event_id.is_some() && placed_at_event(actor, &people.event_organisers);
                let mut am = need::ActiveModel {
                    status: Set(Text(status)),
                    event_accepted_at: Set(accepted.then(Utc::now)),
                    posted_by_organiser: Set(posted_by_outsider(actor, &people.buyer_members)),
                    ..Default::default()
                };
                set_fields(&mut am, fields);
                to_need(versioned::insert::<need::Entity>(txn, am, Uuid::now_v7(), actor.user_id).await?)
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
    store
        .write_once(change, |txn, change| {
            Box::pin(async move {
                let current = get(txn, id).await?;
                if !may_edit(txn, &current, Some(actor)).await? {
                    return Err(if current.status.is_public() {
                        Error::Forbidden
                    } else {
                        Error::NotFound
                    });
                }
                expect_version(if_match, current.version)?;
                let (fields, status) = change(&current)?;
                let status = match status {
                    Some(s) => current.status.transition_to(s)?,
                    None => current.status,
                };
                check_references(txn, &fields, actor).await?;
                let people = people_of(txn, &fields).await?;
                if !may_edit_need(actor, &people.buyer_members, &people.event_organisers) {
                    return Err(Error::Forbidden);
                }
                let mut am = need::ActiveModel {
                    status: Set(Text(status)),
                    ..Default::default()
                };
                // Attached to or moved onto an event: shown there only if its organisers place
                // it; a buyer's member only proposes it. Staying at its event keeps the consent.
                if fields.event_id != current.fields.event_id {
                    let accepted = fields.event_id.is_some() && placed_at_event(actor, &people.event_organisers);
                    am.event_accepted_at = Set(accepted.then(Utc::now));
                }
                set_fields(&mut am, &fields);
                versioned::update::<need::Entity>(txn, am, id, current.version).await?;
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
    let draft = Condition::all().add(need::Column::Status.eq(Text(NeedStatus::Draft)));
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
        (Some(s), _) => Condition::all().add(need::Column::Status.eq(Text(s))),
        (None, Some(actor)) => Condition::all().add(Condition::any().add(public).add(editable_drafts(actor))),
        (None, None) => public,
    };
    if let Some(event) = filter.event {
        // An event shows the needs its organisers consented to; proposals are listed apart.
        cond = cond.add(need::Column::EventId.eq(event));
        cond = cond.add(if filter.proposed == Some(true) {
            need::Column::EventAcceptedAt.is_null()
        } else {
            need::Column::EventAcceptedAt.is_not_null()
        });
    }
    if let Some(category) = filter.category {
        cond = cond.add(need::Column::Category.eq(Text(category)));
    }
    if let Some(city) = filter.city.as_deref().map(text::fold).filter(|c| !c.is_empty()) {
        cond = cond.add(Expr::col(need::Column::CitiesFolded).like(like(&format!("|{city}|"))));
    }
    if let Some(market) = filter.reserved_market {
        cond = cond.add(need::Column::ReservedMarket.eq(Text(market)));
    }
    if let Some(org) = filter.organisation {
        cond = cond.add(need::Column::OrganisationId.eq(org));
    }
    if let Some(q) = filter.q.as_deref().map(text::fold).filter(|q| !q.is_empty()) {
        cond = cond.add(Expr::col(need::Column::SearchText).like(like(&q)));
    }
    let query = need::Entity::find()
        .filter(cond)
        .order_by_desc(need::Column::CreatedAt)
        .order_by_desc(need::Column::Id);
    page_of(db, query, page).await?.try_map(to_need)
}

/// Accepts a need proposed for its event by its buyer: it shows on the event's inverted
/// stands from then on. For the organisers of that event (and admins); others get 404 for a
/// hidden draft and 403 otherwise. Accepting again changes nothing; a need without an event is
/// a 422 on `event_id`.
pub async fn accept_at_event(store: &Store, id: Uuid, actor: &Actor) -> Result<Need, Error> {
    store
        .write(|txn| {
            Box::pin(async move {
                let current = get(txn, id).await?;
                let people = people_of(txn, &current.fields).await?;
                let editor = may_edit_need(actor, &people.buyer_members, &people.event_organisers);
                let refused = || {
                    if current.status.is_public() || editor {
                        Error::Forbidden
                    } else {
                        Error::NotFound
                    }
                };
                if current.fields.event_id.is_none() {
                    if !editor {
                        return Err(refused());
                    }
                    return Err(invalid(
                        "event_id",
                        "required",
                        "the need names no event to accept it at",
                    ));
                }
                if !placed_at_event(actor, &people.event_organisers) {
                    return Err(refused());
                }
                if !current.event_accepted {
                    let now = txn.now();
                    need::Entity::update_many()
                        .col_expr(need::Column::EventAcceptedAt, Expr::val(now))
                        .col_expr(need::Column::Version, Expr::col(need::Column::Version).add(1))
                        .col_expr(need::Column::UpdatedAt, Expr::val(now))
                        .filter(need::Column::Id.eq(id))
                        .exec(txn)
                        .await?;
                }
                get(txn, id).await
            })
        })
        .await
}

/// The open needs at `event_id` of the organisations `ids`.
pub(crate) async fn open_at_event(
    db: &impl ConnectionTrait,
    event_id: Uuid,
    ids: Vec<Uuid>,
) -> Result<Vec<Need>, Error> {
    need::Entity::find()
        .filter(need::Column::EventId.eq(event_id))
        .filter(need::Column::EventAcceptedAt.is_not_null())
        .filter(need::Column::Status.eq(Text(NeedStatus::Open)))
        .filter(need::Column::OrganisationId.is_in(ids))
        .order_by_asc(need::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(to_need)
        .collect()
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
