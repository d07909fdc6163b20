//! Who takes part in speed meetings, how many and when not: one optional row of
//! `meeting_preferences` per registration (none: takes part, no limit, always available).
//! Changed by `PATCH /registrations/{id}` in the same transaction as the registration's
//! details, whose version it bumps.

use std::collections::{HashMap, HashSet};

use matinale_domain::meeting::MeetingPreferences;
use matinale_domain::registration::{Registration, RegistrationDetails};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::credential::Credential;
use crate::database::Clocked;
use crate::database::Store;
use crate::entity::meeting_preference;
use crate::error::{corrupt, Error};
use crate::registrations::RegistrationWithHistory;

/// What a PATCH says of the preferences: each `None` keeps the current value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreferencesChange {
    /// Takes part.
    pub opt_in: Option<bool>,
    /// At most this many meetings (`Some(None)`: no limit), unchecked.
    pub max_meetings: Option<Option<i64>>,
    /// Slots the person cannot attend, unchecked.
    pub unavailable_slot_ids: Option<Vec<Uuid>>,
    /// Would meet anyone on the day.
    pub open_to_any: Option<bool>,
}

fn to_preferences(m: meeting_preference::Model, slots: &HashSet<Uuid>) -> Result<MeetingPreferences, Error> {
    let stored: Vec<Uuid> = serde_json::from_value(m.unavailable_slot_ids).map_err(|_| corrupt("unavailable slots"))?;
    Ok(MeetingPreferences {
        opt_in: m.opt_in,
        max_meetings: m.max_meetings.and_then(|n| u32::try_from(n).ok()),
        // Slots of a deleted block stay in the row; they are no longer the event's.
        unavailable_slot_ids: stored.into_iter().filter(|s| slots.contains(s)).collect(),
        open_to_any: m.open_to_any,
    })
}

/// The preferences of the registrations `ids` of `event_id` (the defaults for those without).
pub async fn of_registrations(
    db: &impl ConnectionTrait,
    event_id: Uuid,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, MeetingPreferences>, Error> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = meeting_preference::Entity::find()
        .filter(meeting_preference::Column::RegistrationId.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    let slots: HashSet<Uuid> = if rows.is_empty() {
        HashSet::new()
    } else {
        crate::meeting_blocks::slot_ids(db, event_id)
            .await?
            .into_iter()
            .collect()
    };
    let mut found = HashMap::with_capacity(ids.len());
    for row in rows {
        found.insert(row.registration_id, to_preferences(row, &slots)?);
    }
    for id in ids {
        found.entry(*id).or_default();
    }
    Ok(found)
}

/// The preferences of one registration of `event_id` (the defaults without a row).
pub async fn of_registration(db: &impl ConnectionTrait, event_id: Uuid, id: Uuid) -> Result<MeetingPreferences, Error> {
    Ok(of_registrations(db, event_id, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default())
}

/// Applies `change` to the preferences of registration `id` of `event_id`, checked against
/// the event's slots, and writes them (insert or update).
pub async fn set(
    store: &Store,
    event_id: Uuid,
    id: Uuid,
    change: PreferencesChange,
) -> Result<MeetingPreferences, Error> {
    let change = &change;
    store
        .write(|txn| Box::pin(async move { set_in(txn, event_id, id, change.clone()).await }))
        .await
}

/// [`set`] inside the caller's write.
async fn set_in(
    db: &impl Clocked,
    event_id: Uuid,
    id: Uuid,
    change: PreferencesChange,
) -> Result<MeetingPreferences, Error> {
    let current = of_registration(db, event_id, id).await?;
    let slots = crate::meeting_blocks::slot_ids(db, event_id).await?;
    let preferences = MeetingPreferences {
        open_to_any: change.open_to_any.unwrap_or(current.open_to_any),
        ..MeetingPreferences::parse(
            change.opt_in.unwrap_or(current.opt_in),
            change.max_meetings.unwrap_or(current.max_meetings.map(i64::from)),
            change.unavailable_slot_ids.unwrap_or(current.unavailable_slot_ids),
            &slots,
        )?
    };
    let row = meeting_preference::ActiveModel {
        registration_id: Set(id),
        opt_in: Set(preferences.opt_in),
        max_meetings: Set(preferences.max_meetings.map(|n| n as i32)),
        unavailable_slot_ids: Set(serde_json::json!(preferences.unavailable_slot_ids)),
        open_to_any: Set(preferences.open_to_any),
        updated_at: Set(db.now()),
    };
    meeting_preference::Entity::insert(row)
        .on_conflict(
            OnConflict::column(meeting_preference::Column::RegistrationId)
                .update_columns([
                    meeting_preference::Column::OptIn,
                    meeting_preference::Column::MaxMeetings,
                    meeting_preference::Column::UnavailableSlotIds,
                    meeting_preference::Column::OpenToAny,
                    meeting_preference::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(preferences)
}

/// `PATCH /registrations/{id}` in one transaction: the details (`change`, as
/// [`crate::registrations::update_details`] applies them, bumping the version) and, when
/// given, the meeting preferences. Returns the registration and its preferences.
pub async fn update_registration(
    store: &Store,
    id: Uuid,
    who: &Credential,
    if_match: Option<i32>,
    change: impl FnOnce(&Registration) -> Result<RegistrationDetails, matinale_domain::Error> + Send,
    meetings: Option<PreferencesChange>,
) -> Result<(RegistrationWithHistory, MeetingPreferences), Error> {
    store
        .write_once((change, meetings), |txn, (change, meetings)| {
            Box::pin(async move {
                let updated = crate::registrations::update_details_in(txn, id, who, if_match, change).await?;
                let event_id = updated.registration.event_id;
                let preferences = match meetings {
                    Some(change) => set_in(txn, event_id, id, change).await?,
                    None => of_registration(txn, event_id, id).await?,
                };
                Ok((updated, preferences))
            })
        })
        .await
}
