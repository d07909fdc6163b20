//! Who takes part in an event's speed meetings: the confirmed (or checked-in) buyers and ESS
//! structures, as the other participants may see them (organisation, and a name only with the
//! person's consent to share contact details) and as the organisers do (the opted-out too).
//!
//! Events have at most a few thousand registrations: the list is read whole, then filtered,
//! sorted and cut into a page here, which keeps the search on the *shown* name only.

use std::collections::HashMap;

use matinale_domain::event::Category;
use matinale_domain::meeting::Side;
use matinale_domain::need::NeedStatus;
use matinale_domain::page::{Page, PageRequest};
use matinale_domain::partner::Viewer;
use matinale_domain::registration::RegistrationStatus;
use matinale_domain::text;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::credential::Credential;
use crate::entity::text::Text;
use crate::entity::{need, registration};
use crate::error::{corrupt, Error};

/// Statuses of the registrations listed, and of those whose token may list.
const LIVE: [RegistrationStatus; 2] = [RegistrationStatus::Confirmed, RegistrationStatus::Attended];

/// A need of a buyer, by title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedTitle {
    /// The need.
    pub id: Uuid,
    /// Its title.
    pub title: String,
}

/// A participant of the speed meetings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    /// The registration.
    pub registration_id: Uuid,
    /// Buyer or ESS structure.
    pub side: Side,
    /// The organisation the registration names, only once its claim is confirmed.
    pub organisation_id: Option<Uuid>,
    /// Its name, likewise.
    pub organisation: Option<String>,
    /// First and last name, only if the person consented to share contact details (organisers
    /// see it always).
    pub name: Option<String>,
    /// Whether the person takes part (meeting preferences' `opt_in`).
    pub takes_part: bool,
    /// For a buyer, the open needs of its organisation at the event, oldest first.
    pub needs: Vec<NeedTitle>,
}

/// Filters of the list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParticipantFilter {
    /// One side only.
    pub side: Option<Side>,
    /// Words in the organisation or the shown name, accents and case ignored.
    pub q: Option<String>,
}

/// Whether `who` may list the participants of `event_id`, and as an organiser: a manage token
/// of a live buyer or ESS structure registration of that event (another event's: not found;
/// waitlisted, cancelled, absent, partner or visitor: forbidden), or an organiser of the event.
async fn access(db: &impl ConnectionTrait, event_id: Uuid, who: &Credential) -> Result<bool, Error> {
    match who {
        Credential::User(actor) => {
            crate::events::get_editable(db, event_id, actor).await?;
            Ok(true)
        }
        Credential::Registrant(own) => {
            let (event, category, status): (Uuid, String, String) = registration::Entity::find_by_id(*own)
                .select_only()
                .column(registration::Column::EventId)
                .column(registration::Column::Category)
                .column(registration::Column::Status)
                .into_tuple()
                .one(db)
                .await?
                .ok_or(Error::NotFound)?;
            if event != event_id {
                return Err(Error::NotFound);
            }
            let category = Category::from_db(&category).ok_or_else(|| corrupt("category"))?;
            let status = RegistrationStatus::from_db(&status).ok_or_else(|| corrupt("registration status"))?;
            if Side::of(category).is_none() || !LIVE.contains(&status) {
                return Err(Error::Forbidden);
            }
            Ok(false)
        }
    }
}

/// One page of the participants of `event_id`, by organisation then name (those showing
/// neither last), for `who` (see [`access`]). Registrants see only those who take part;
/// organisers see the opted-out too, with `takes_part: false`.
pub async fn list(
    db: &impl ConnectionTrait,
    event_id: Uuid,
    who: &Credential,
    filter: ParticipantFilter,
    page: PageRequest,
) -> Result<Page<Participant>, Error> {
    let organiser = access(db, event_id, who).await?;
    let categories: Vec<&str> = match filter.side {
        Some(Side::Buyer) => vec![Category::Buyer.as_str()],
        Some(Side::Supplier) => vec![Category::EssStructure.as_str()],
        None => vec![Category::Buyer.as_str(), Category::EssStructure.as_str()],
    };
    let rows: Vec<registration::Model> = registration::Entity::find()
        .filter(registration::Column::EventId.eq(event_id))
        .filter(registration::Column::Category.is_in(categories))
        .filter(registration::Column::Status.is_in(LIVE.map(|s| s.as_str())))
        .order_by_asc(registration::Column::QueueOrder)
        .order_by_asc(registration::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let preferences = crate::meeting_preferences::of_registrations(db, event_id, &ids).await?;
    let facts = crate::shown::Facts::load(db, &rows.iter().collect::<Vec<_>>()).await?;
    let q = filter.q.as_deref().map(text::fold).filter(|q| !q.is_empty());
    let viewer = if organiser { Viewer::Organiser } else { Viewer::Partner };

    let mut found: Vec<(String, i64, Participant)> = Vec::new();
    for r in &rows {
        let id = r.id;
        let side = Side::of(r.category.get()).ok_or_else(|| corrupt("participant category"))?;
        let takes_part = preferences.get(&id).is_none_or(|p| p.opt_in);
        if !takes_part && !organiser {
            continue;
        }
        // One rule for what is shown: a name with consent (organisers: always), an
        // organisation once its claim is confirmed.
        let shown = facts.view(r, viewer);
        let organisation = shown.confirmed_organisation().map(str::to_owned);
        let organisation_id = r.organisation_id.filter(|_| organisation.is_some());
        let name = shown.name;
        let queue_order = r.queue_order;
        let folded = |v: &Option<String>| v.as_deref().map(text::fold).unwrap_or_default();
        let (folded_org, folded_name) = (folded(&organisation), folded(&name));
        if let Some(q) = &q {
            if !folded_org.contains(q.as_str()) && !folded_name.contains(q.as_str()) {
                continue;
            }
        }
        // Sorted by what is shown first; nothing shown sorts last.
        let key = match (folded_org.is_empty(), folded_name.is_empty()) {
            (false, _) => format!("0{folded_org}\u{0}{folded_name}"),
            (true, false) => format!("0{folded_name}"),
            (true, true) => "1".to_owned(),
        };
        found.push((
            key,
            queue_order,
            Participant {
                registration_id: id,
                side,
                organisation_id,
                organisation,
                name,
                takes_part,
                needs: Vec::new(),
            },
        ));
    }
    found.sort_by(|a, b| (&a.0, a.1, a.2.registration_id).cmp(&(&b.0, b.1, b.2.registration_id)));
    let total = found.len() as u64;
    let offset = usize::try_from(page.offset()).unwrap_or(usize::MAX);
    let per_page = usize::try_from(page.per_page).unwrap_or(usize::MAX);
    let mut items: Vec<Participant> = found.into_iter().skip(offset).take(per_page).map(|f| f.2).collect();

    let buyers: Vec<Uuid> = items
        .iter()
        .filter(|p| p.side == Side::Buyer)
        .filter_map(|p| p.organisation_id)
        .collect();
    let needs = open_needs(db, event_id, buyers).await?;
    for p in items.iter_mut().filter(|p| p.side == Side::Buyer) {
        if let Some(needs) = p.organisation_id.and_then(|o| needs.get(&o)) {
            p.needs = needs.clone();
        }
    }
    Ok(Page {
        items,
        request: page,
        total,
    })
}

/// The open needs at `event_id` of the organisations `ids`, oldest first, by organisation.
async fn open_needs(
    db: &impl ConnectionTrait,
    event_id: Uuid,
    mut ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, Vec<NeedTitle>>, Error> {
    ids.sort();
    ids.dedup();
    let mut by_organisation: HashMap<Uuid, Vec<NeedTitle>> = HashMap::new();
    if ids.is_empty() {
        return Ok(by_organisation);
    }
    let rows: Vec<(Uuid, Uuid, String)> = need::Entity::find()
        .select_only()
        .column(need::Column::Id)
        .column(need::Column::OrganisationId)
        .column(need::Column::Title)
        .filter(need::Column::EventId.eq(event_id))
        .filter(need::Column::EventAcceptedAt.is_not_null())
        .filter(need::Column::Status.eq(Text(NeedStatus::Open)))
        .filter(need::Column::OrganisationId.is_in(ids))
        .order_by_asc(need::Column::CreatedAt)
        .order_by_asc(need::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    for (id, organisation_id, title) in rows {
        by_organisation
            .entry(organisation_id)
            .or_default()
            .push(NeedTitle { id, title });
    }
    Ok(by_organisation)
}
