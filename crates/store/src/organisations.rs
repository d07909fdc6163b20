//! Organisations (buyers, ESS structures, partners, companies), their tags and members.

use std::collections::BTreeMap;

use matinale_domain::organisation::{EssKind, Organisation, OrganisationFields, OrganisationKind};
use matinale_domain::page::{Page, PageRequest};
use matinale_domain::siret::Siret;
use matinale_domain::text;
use matinale_domain::user::{Actor, Role};
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use crate::database::Store;
use crate::entity::text::Text;
use crate::entity::{organisation, organisation_member, organisation_tag, user};
use crate::error::{corrupt, Error};
use crate::paging::page_of;
use crate::versioned::{self, expect_version};

/// Filters of the organisation directory; all optional and combined with AND.
#[derive(Debug, Clone, Default)]
pub struct OrganisationFilter {
    /// Of this kind.
    pub kind: Option<OrganisationKind>,
    /// Active in this sector (accents and case ignored).
    pub sector: Option<String>,
    /// Serving this commune (accents and case ignored).
    pub city: Option<String>,
    /// Free text in name, description, sectors, cities and labels.
    pub q: Option<String>,
}

const SECTOR: &str = "sector";
const CITY: &str = "city";
const ESS_KIND: &str = "ess_kind";
const LABEL: &str = "label";
const VERIFIED_DOMAIN: &str = "verified_domain";

pub(crate) fn tag_rows(id: Uuid, f: &OrganisationFields) -> Vec<organisation_tag::ActiveModel> {
    let ess: Vec<String> = f.ess_kinds.iter().map(|k| k.as_str().to_owned()).collect();
    let facets: [(&str, &[String]); 5] = [
        (SECTOR, &f.sectors),
        (CITY, &f.cities),
        (ESS_KIND, &ess),
        (LABEL, &f.labels),
        (VERIFIED_DOMAIN, &f.verified_domains),
    ];
    facets
        .into_iter()
        .flat_map(|(facet, values)| {
            values
                .iter()
                .enumerate()
                .map(move |(i, v)| organisation_tag::ActiveModel {
                    organisation_id: Set(id),
                    facet: Set(facet.to_owned()),
                    value: Set(v.clone()),
                    folded: Set(text::fold(v)),
                    position: Set(i as i32),
                })
        })
        .collect()
}

pub(crate) async fn write_tags(db: &impl ConnectionTrait, id: Uuid, f: &OrganisationFields) -> Result<(), Error> {
    organisation_tag::Entity::delete_many()
        .filter(organisation_tag::Column::OrganisationId.eq(id))
        .exec(db)
        .await?;
    organisation_tag::Entity::insert_many(tag_rows(id, f)).exec(db).await?;
    Ok(())
}

pub(crate) fn set_fields(am: &mut organisation::ActiveModel, f: &OrganisationFields) {
    am.kind = Set(Text(f.kind));
    am.name = Set(f.name.clone());
    am.siret = Set(f.siret.as_ref().map(|s| s.as_str().to_owned()));
    am.postcode = Set(f.postcode.clone());
    am.website = Set(f.website.clone());
    am.description = Set(f.description.clone());
    am.search_text = Set(f.search_text());
}

/// The organisations `ids` that exist, each with its tags and members (four queries).
pub(crate) async fn get_many(db: &impl ConnectionTrait, ids: Vec<Uuid>) -> Result<Vec<Organisation>, Error> {
    let rows = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(ids))
        .all(db)
        .await?;
    assemble(db, rows).await
}

/// Rebuilds organisations from their rows, their tags and their members (three queries).
async fn assemble(db: &impl ConnectionTrait, rows: Vec<organisation::Model>) -> Result<Vec<Organisation>, Error> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut tags: BTreeMap<Uuid, Vec<organisation_tag::Model>> = BTreeMap::new();
    for tag in organisation_tag::Entity::find()
        .filter(organisation_tag::Column::OrganisationId.is_in(ids.clone()))
        .order_by_asc(organisation_tag::Column::Position)
        .all(db)
        .await?
    {
        tags.entry(tag.organisation_id).or_default().push(tag);
    }
    let mut members: BTreeMap<Uuid, Vec<Uuid>> = BTreeMap::new();
    for m in organisation_member::Entity::find()
        .filter(organisation_member::Column::OrganisationId.is_in(ids))
        .order_by_asc(organisation_member::Column::UserId)
        .all(db)
        .await?
    {
        members.entry(m.organisation_id).or_default().push(m.user_id);
    }
    rows.into_iter()
        .map(|row| {
            let id = row.id;
            let version = row.version;
            let tags = tags.remove(&id).unwrap_or_default();
            Ok(Organisation {
                id,
                fields: fields_of(row, &tags)?,
                version,
                members: members.remove(&id).unwrap_or_default(),
            })
        })
        .collect()
}

/// The fields of an organisation from its row and its tags (in position order).
pub(crate) fn fields_of(
    row: organisation::Model,
    tags: &[organisation_tag::Model],
) -> Result<OrganisationFields, Error> {
    let of = |facet: &str| -> Vec<String> {
        tags.iter()
            .filter(|t| t.facet == facet)
            .map(|t| t.value.clone())
            .collect()
    };
    let ess_kinds = of(ESS_KIND)
        .iter()
        .map(|k| EssKind::from_db(k).ok_or_else(|| corrupt("ESS kind")))
        .collect::<Result<Vec<_>, _>>()?;
    let siret = match &row.siret {
        Some(s) => Some(Siret::parse("siret", s).map_err(|_| corrupt("SIRET"))?),
        None => None,
    };
    Ok(OrganisationFields {
        kind: row.kind.get(),
        name: row.name,
        siret,
        postcode: row.postcode,
        ess_kinds,
        sectors: of(SECTOR),
        cities: of(CITY),
        website: row.website,
        description: row.description,
        labels: of(LABEL),
        verified_domains: of(VERIFIED_DOMAIN),
    })
}

/// Creates an organisation; its creator becomes its first member.
pub async fn create(store: &Store, actor: &Actor, fields: OrganisationFields) -> Result<Organisation, Error> {
    let fields = &fields;
    store
        .write(|txn| {
            Box::pin(async move {
                let id = Uuid::now_v7();
                let mut am = <organisation::ActiveModel as Default>::default();
                set_fields(&mut am, fields);
                versioned::insert::<organisation::Entity>(txn, am, id, actor.user_id).await?;
                write_tags(txn, id, fields).await?;
                organisation_member::ActiveModel {
                    organisation_id: Set(id),
                    user_id: Set(actor.user_id),
                }
                .insert(txn)
                .await?;
                let created = get(txn, id).await?;
                Ok(created)
            })
        })
        .await
}

/// One organisation.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<Organisation, Error> {
    let row = organisation::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    assemble(db, vec![row]).await?.pop().ok_or(Error::NotFound)
}

/// Whether `actor` may change this organisation: an admin or one of its members.
pub fn may_edit(org: &Organisation, actor: &Actor) -> bool {
    actor.is_admin() || org.members.contains(&actor.user_id)
}

/// Changes an organisation in one transaction, checking membership and `If-Match`.
pub async fn update<F>(
    store: &Store,
    id: Uuid,
    actor: &Actor,
    if_match: Option<i32>,
    change: F,
) -> Result<Organisation, Error>
where
    F: Send + FnOnce(&Organisation) -> Result<OrganisationFields, Error>,
{
    store
        .write_once(change, |txn, change| {
            Box::pin(async move {
                let current = get(txn, id).await?;
                if !may_edit(&current, actor) {
                    return Err(Error::Forbidden);
                }
                expect_version(if_match, current.version)?;
                let fields = change(&current)?;
                let mut am = <organisation::ActiveModel as Default>::default();
                set_fields(&mut am, &fields);
                versioned::update::<organisation::Entity>(txn, am, id, current.version).await?;
                write_tags(txn, id, &fields).await?;
                let updated = get(txn, id).await?;
                Ok(updated)
            })
        })
        .await
}

fn has_tag(facet: &'static str, value: &str) -> sea_orm::sea_query::SimpleExpr {
    Expr::col(organisation::Column::Id).in_subquery(
        Query::select()
            .column(organisation_tag::Column::OrganisationId)
            .from(organisation_tag::Entity)
            .and_where(organisation_tag::Column::Facet.eq(facet))
            .and_where(organisation_tag::Column::Folded.eq(text::fold(value)))
            .to_owned(),
    )
}

/// The directory, filtered, by name.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &OrganisationFilter,
    page: PageRequest,
) -> Result<Page<Organisation>, Error> {
    let query = organisation::Entity::find()
        .filter(condition(filter))
        .order_by_asc(organisation::Column::Name)
        .order_by_asc(organisation::Column::Id);
    let rows = page_of(db, query, page).await?;
    Ok(Page {
        items: assemble(db, rows.items).await?,
        request: page,
        total: rows.total,
    })
}

/// Every organisation passing `filter`, by name (accents and case ignored), with its id and
/// version: the CSV export.
pub async fn every(
    db: &impl ConnectionTrait,
    filter: &OrganisationFilter,
) -> Result<Vec<(Uuid, i32, OrganisationFields)>, Error> {
    let mut out = every_by_id(db, filter).await?;
    out.sort_by_cached_key(|(id, _, fields)| (text::fold(&fields.name), *id));
    Ok(out)
}

/// Every organisation passing `filter`, by id. Read by pages of ids with their tags by id
/// range, so that neither a list of ids (past the database's limit on parameters) nor the whole
/// tag table's rows are ever held at once.
pub(crate) async fn every_by_id(
    db: &impl ConnectionTrait,
    filter: &OrganisationFilter,
) -> Result<Vec<(Uuid, i32, OrganisationFields)>, Error> {
    const PAGE: u64 = 2000;
    let mut out: Vec<(Uuid, i32, OrganisationFields)> = Vec::new();
    let mut after: Option<Uuid> = None;
    loop {
        let mut query = organisation::Entity::find()
            .filter(condition(filter))
            .order_by_asc(organisation::Column::Id)
            .limit(PAGE);
        if let Some(after) = after {
            query = query.filter(organisation::Column::Id.gt(after));
        }
        let rows = query.all(db).await?;
        let (Some(first), Some(last)) = (rows.first().map(|r| r.id), rows.last().map(|r| r.id)) else {
            break;
        };
        let mut tags: BTreeMap<Uuid, Vec<organisation_tag::Model>> = BTreeMap::new();
        for tag in organisation_tag::Entity::find()
            .filter(organisation_tag::Column::OrganisationId.between(first, last))
            .order_by_asc(organisation_tag::Column::Position)
            .all(db)
            .await?
        {
            tags.entry(tag.organisation_id).or_default().push(tag);
        }
        let full = rows.len() as u64 == PAGE;
        for row in rows {
            let (id, version) = (row.id, row.version);
            let tags = tags.remove(&id).unwrap_or_default();
            out.push((id, version, fields_of(row, &tags)?));
        }
        after = Some(last);
        if !full {
            break;
        }
    }
    Ok(out)
}

fn condition(filter: &OrganisationFilter) -> Condition {
    let mut cond = Condition::all();
    if let Some(kind) = filter.kind {
        cond = cond.add(organisation::Column::Kind.eq(Text(kind)));
    }
    if let Some(sector) = &filter.sector {
        cond = cond.add(has_tag(SECTOR, sector));
    }
    if let Some(city) = &filter.city {
        cond = cond.add(has_tag(CITY, city));
    }
    if let Some(q) = filter.q.as_deref().map(text::fold).filter(|q| !q.is_empty()) {
        cond = cond
            .add(Expr::col(organisation::Column::SearchText).like(LikeExpr::new(text::like_pattern(&q)).escape('\\')));
    }
    cond
}

/// What makes an ESS structure worth suggesting for a need (see `matinale_domain::need::suggest`).
#[derive(Debug, Clone, Default)]
pub struct SuggestionCriteria {
    /// Folded keywords, one of which a sector of the structure contains (scores 3).
    pub sector_keywords: Vec<String>,
    /// Folded communes, one of which the structure serves (scores 2).
    pub cities: Vec<String>,
    /// For a reserved market: the kinds that may bid, one of which the structure must be.
    pub eligible_kinds: Option<Vec<EssKind>>,
}

/// A subquery: organisations with a tag of `facet` whose folded value passes `matches`.
fn tag_where(facet: &'static str, matches: Condition) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(organisation_tag::Column::OrganisationId)
        .from(organisation_tag::Entity)
        .and_where(organisation_tag::Column::Facet.eq(facet))
        .cond_where(matches)
        .to_owned()
}

/// The `limit` ESS structures that best meet `criteria`, best first (ties by folded name),
/// selected in SQL: only structures meeting at least one criterion are read (and only those
/// eligible, for a reserved market), and only the best `limit` are loaded whole.
pub async fn best_suggestions(
    db: &impl ConnectionTrait,
    criteria: &SuggestionCriteria,
    limit: usize,
) -> Result<Vec<Organisation>, Error> {
    let sector = (!criteria.sector_keywords.is_empty()).then(|| {
        let any = criteria.sector_keywords.iter().fold(Condition::any(), |any, keyword| {
            any.add(
                Expr::col(organisation_tag::Column::Folded)
                    .like(LikeExpr::new(text::like_pattern(keyword)).escape('\\')),
            )
        });
        Expr::col(organisation::Column::Id).in_subquery(tag_where(SECTOR, any))
    });
    let city = (!criteria.cities.is_empty()).then(|| {
        let any = Condition::all().add(organisation_tag::Column::Folded.is_in(criteria.cities.clone()));
        Expr::col(organisation::Column::Id).in_subquery(tag_where(CITY, any))
    });
    let mut cond = Condition::all().add(organisation::Column::Kind.eq(Text(OrganisationKind::EssStructure)));
    let mut score = Expr::val(0);
    let mut any_criterion = Condition::any();
    for (matches, points) in [(sector, 3), (city, 2)] {
        if let Some(matches) = matches {
            score = score.add(Expr::case(matches.clone(), points).finally(0));
            any_criterion = any_criterion.add(matches);
        }
    }
    match &criteria.eligible_kinds {
        // An eligible structure always has a reason: the reserved market.
        Some(kinds) => {
            let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
            let any = Condition::all().add(organisation_tag::Column::Value.is_in(kinds));
            cond = cond.add(Expr::col(organisation::Column::Id).in_subquery(tag_where(ESS_KIND, any)));
        }
        None if any_criterion.is_empty() => return Ok(Vec::new()),
        None => cond = cond.add(any_criterion),
    }
    let mut ranked: Vec<(Uuid, String, i32)> = organisation::Entity::find()
        .select_only()
        .column(organisation::Column::Id)
        .column(organisation::Column::Name)
        .column_as(score, "score")
        .filter(cond)
        .into_tuple()
        .all(db)
        .await?;
    let mut ranked: Vec<(i32, String, Uuid)> = ranked
        .drain(..)
        .map(|(id, name, score)| (score, text::fold(&name), id))
        .collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)).then_with(|| a.2.cmp(&b.2)));
    let best: Vec<Uuid> = ranked.into_iter().take(limit).map(|(_, _, id)| id).collect();
    let rows = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(best))
        .all(db)
        .await?;
    assemble(db, rows).await
}

/// An account to add to an organisation: by id, or by login e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberRef {
    /// The account's id.
    Id(Uuid),
    /// Its login e-mail (case and surrounding spaces ignored).
    Email(String),
}

/// Adds an account to the members of an organisation; `actor` must be a member or an admin
/// (checked before the account is looked up, so that nobody else learns which e-mails have
/// an account). Adding a member twice changes nothing.
pub async fn add_member(store: &Store, id: Uuid, actor: &Actor, account: MemberRef) -> Result<(), Error> {
    let account = &account;
    store
        .write(|txn| {
            Box::pin(async move {
                let org = get(txn, id).await?;
                if !may_edit(&org, actor) {
                    return Err(Error::Forbidden);
                }
                let user_id = match account {
                    MemberRef::Id(user_id) => {
                        if !crate::accounts::user_exists(txn, *user_id).await? {
                            return Err(
                                matinale_domain::Error::field("user_id", "unknown", "no account has this id").into(),
                            );
                        }
                        *user_id
                    }
                    MemberRef::Email(email) => match crate::accounts::user_by_email(txn, email).await? {
                        Some(user) => user.id,
                        None => {
                            return Err(matinale_domain::Error::field(
                                "email",
                                "unknown",
                                "no account has this e-mail address",
                            )
                            .into())
                        }
                    },
                };
                if !org.members.contains(&user_id) {
                    organisation_member::ActiveModel {
                        organisation_id: Set(id),
                        user_id: Set(user_id),
                    }
                    .insert(txn)
                    .await?;
                }
                Ok(())
            })
        })
        .await
}

/// What confirms a registration's claim to speak for an organisation, other than an approval:
/// the login e-mails of its members and its verified mail domains.
#[derive(Debug, Clone, Default)]
pub(crate) struct ClaimEvidence {
    /// Login e-mails of the members.
    pub member_emails: Vec<String>,
    /// Verified mail domains.
    pub verified_domains: Vec<String>,
}

/// The [`ClaimEvidence`] of each of `ids` (two queries).
pub(crate) async fn claim_evidence(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<BTreeMap<Uuid, ClaimEvidence>, Error> {
    let mut out: BTreeMap<Uuid, ClaimEvidence> = BTreeMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let members: Vec<(Uuid, Uuid)> = organisation_member::Entity::find()
        .filter(organisation_member::Column::OrganisationId.is_in(ids.clone()))
        .select_only()
        .column(organisation_member::Column::OrganisationId)
        .column(organisation_member::Column::UserId)
        .into_tuple()
        .all(db)
        .await?;
    let emails: BTreeMap<Uuid, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(members.iter().map(|(_, u)| *u).collect::<Vec<_>>()))
        .select_only()
        .column(user::Column::Id)
        .column(user::Column::Email)
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    for (org, member) in members {
        if let Some(email) = emails.get(&member) {
            out.entry(org).or_default().member_emails.push(email.clone());
        }
    }
    let domains: Vec<(Uuid, String)> = organisation_tag::Entity::find()
        .filter(organisation_tag::Column::OrganisationId.is_in(ids))
        .filter(organisation_tag::Column::Facet.eq(VERIFIED_DOMAIN))
        .select_only()
        .column(organisation_tag::Column::OrganisationId)
        .column(organisation_tag::Column::Value)
        .into_tuple()
        .all(db)
        .await?;
    for (org, domain) in domains {
        out.entry(org).or_default().verified_domains.push(domain);
    }
    Ok(out)
}

/// A member of an organisation, as its members, organisers and admins see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The account.
    pub user_id: Uuid,
    /// Its display name.
    pub name: String,
    /// Its login address.
    pub email: String,
    /// Its role.
    pub role: Role,
}

/// Whether `actor` may list the members of this organisation: one of them, or any organiser
/// or admin (who invite members to events and stands).
pub fn may_see_members(org: &Organisation, actor: &Actor) -> bool {
    actor.may_organise() || org.members.contains(&actor.user_id)
}

/// The members of an organisation by name, for its members, organisers and admins.
pub async fn members(db: &impl ConnectionTrait, id: Uuid, actor: &Actor) -> Result<Vec<Member>, Error> {
    let org = get(db, id).await?;
    if !may_see_members(&org, actor) {
        return Err(Error::Forbidden);
    }
    user::Entity::find()
        .filter(user::Column::Id.is_in(org.members))
        .order_by_asc(user::Column::Name)
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|u| {
            Ok(Member {
                user_id: u.id,
                role: u.role.get(),
                name: u.name,
                email: u.email,
            })
        })
        .collect()
}

/// Removes `user_id` from the members of an organisation; `actor` must be a member (it may
/// remove itself) or an admin. The last member stays (409): without one, only admins could
/// edit the organisation again. Not a member: 404.
pub async fn remove_member(store: &Store, id: Uuid, actor: &Actor, user_id: Uuid) -> Result<(), Error> {
    let org = get(store, id).await?;
    if !may_edit(&org, actor) {
        return Err(Error::Forbidden);
    }
    if !org.members.contains(&user_id) {
        return Err(Error::NotFound);
    }
    store
        .write(|txn| {
            Box::pin(async move {
                if txn.get_database_backend() == DbBackend::Postgres {
                    // Two removals at once must not both see "another member is left".
                    organisation::Entity::find_by_id(id).lock_exclusive().one(txn).await?;
                }
                // One statement that deletes only while another member remains (on SQLite the first
                // statement of the transaction is this write, so the writer lock is taken at once).
                let others = Query::select()
                    .expr(Expr::val(1))
                    .from(organisation_member::Entity)
                    .and_where(organisation_member::Column::OrganisationId.eq(id))
                    .and_where(organisation_member::Column::UserId.ne(user_id))
                    .to_owned();
                let removed = organisation_member::Entity::delete_many()
                    .filter(organisation_member::Column::OrganisationId.eq(id))
                    .filter(organisation_member::Column::UserId.eq(user_id))
                    .filter(Expr::exists(others))
                    .exec(txn)
                    .await?;
                if removed.rows_affected == 1 {
                    return Ok(());
                }
                let still = organisation_member::Entity::find()
                    .filter(organisation_member::Column::OrganisationId.eq(id))
                    .filter(organisation_member::Column::UserId.eq(user_id))
                    .one(txn)
                    .await?;
                Err(match still {
                    Some(_) => Error::Conflict(
                        "this is the organisation's last member; add another member before removing it".into(),
                    ),
                    None => Error::NotFound,
                })
            })
        })
        .await
}
