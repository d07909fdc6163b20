//! People who would meet anyone on the day (`meetings.open_to_any`): the pairs they make, ranked
//! by the suggestion rules (how well the structure suits the buyer's open needs at the event,
//! `matinale_domain::need::suggest`), and the second pass of the scheduler that seats them
//! only where both would otherwise sit idle, with every meeting already placed fixed, so that
//! no wish is given up for them.

use std::collections::{HashMap, HashSet};

use matinale_domain::need::{suggest, Need};
use matinale_scheduler::{self as scheduler, Instance, InstanceError, KeptMeeting, Side, Wish};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::entity::{meeting_preference, registration};
use crate::error::Error;

/// The weight (1 to 3) of an open-to-anyone pair whose best suggestion score is `score`: 1
/// when the structure suits none of the buyer's needs, 3 when it suits one on two counts.
fn weight_of(score: u32) -> i64 {
    match score {
        0 => 1,
        1..=4 => 2,
        _ => 3,
    }
}

/// The pairs (buyer → structure) of participants of `instance` who both would meet anyone and
/// have not met (`met`, either order), each weighted by [`weight_of`] its best suggestion score
/// over the buyer's open needs at `event_id`.
pub(crate) async fn open_pairs(
    db: &impl ConnectionTrait,
    event_id: Uuid,
    instance: &Instance,
    met: &HashSet<(String, String)>,
) -> Result<Vec<Wish>, Error> {
    let ids: Vec<Uuid> = instance
        .participants
        .iter()
        .filter_map(|p| Uuid::parse_str(&p.id).ok())
        .collect();
    let open: HashSet<Uuid> = meeting_preference::Entity::find()
        .filter(meeting_preference::Column::RegistrationId.is_in(ids))
        .filter(meeting_preference::Column::OpenToAny.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.registration_id)
        .collect();
    if open.is_empty() {
        return Ok(Vec::new());
    }
    let org_of: HashMap<Uuid, Option<Uuid>> = registration::Entity::find()
        .filter(registration::Column::Id.is_in(open.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.organisation_id))
        .collect();
    let side_of = |side: Side| -> Vec<(String, Option<Uuid>)> {
        instance
            .participants
            .iter()
            .filter(|p| p.side == side)
            .filter_map(|p| {
                let id = Uuid::parse_str(&p.id).ok()?;
                open.contains(&id)
                    .then(|| (p.id.clone(), org_of.get(&id).copied().flatten()))
            })
            .collect()
    };
    let (buyers, suppliers) = (side_of(Side::Buyer), side_of(Side::Supplier));
    let buyer_orgs: Vec<Uuid> = buyers.iter().filter_map(|b| b.1).collect();
    let mut needs: HashMap<Uuid, Vec<Need>> = HashMap::new();
    for need in crate::needs::open_at_event(db, event_id, buyer_orgs).await? {
        needs.entry(need.fields.organisation_id).or_default().push(need);
    }
    let structures: HashMap<Uuid, _> =
        crate::organisations::get_many(db, suppliers.iter().filter_map(|s| s.1).collect())
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
    let mut scores: HashMap<(Uuid, Uuid), u32> = HashMap::new();
    let mut pairs = Vec::new();
    for (buyer, buyer_org) in &buyers {
        for (supplier, supplier_org) in &suppliers {
            if met.contains(&(buyer.clone(), supplier.clone())) || met.contains(&(supplier.clone(), buyer.clone())) {
                continue;
            }
            let score = match (buyer_org, supplier_org.and_then(|o| structures.get(&o))) {
                (Some(b), Some(structure)) => *scores.entry((*b, structure.id)).or_insert_with(|| {
                    needs
                        .get(b)
                        .into_iter()
                        .flatten()
                        .filter_map(|n| suggest(&n.fields, vec![structure.clone()]).first().map(|s| s.score))
                        .max()
                        .unwrap_or(0)
                }),
                _ => 0,
            };
            pairs.push(Wish {
                from: buyer.clone(),
                to: supplier.clone(),
                weight: weight_of(score),
            });
        }
    }
    Ok(pairs)
}

/// The meetings the scheduler adds to `placed` for the `open` pairs of `instance`, every
/// placed meeting kept fixed (so no wish met is given up) and no pair placed again.
pub(crate) fn fill_idle(
    instance: &Instance,
    placed: &[scheduler::Meeting],
    open: Vec<Wish>,
) -> Result<Vec<scheduler::Meeting>, InstanceError> {
    let placed_pairs: HashSet<(&str, &str)> = placed.iter().map(|m| (m.buyer.as_str(), m.supplier.as_str())).collect();
    let wishes: Vec<Wish> = open
        .into_iter()
        .filter(|w| !placed_pairs.contains(&(w.from.as_str(), w.to.as_str())))
        .collect();
    if wishes.is_empty() {
        return Ok(Vec::new());
    }
    let second = Instance {
        wishes,
        kept: placed
            .iter()
            .map(|m| KeptMeeting {
                buyer: m.buyer.clone(),
                supplier: m.supplier.clone(),
                slot: m.slot.clone(),
                table: m.table,
            })
            .collect(),
        ..instance.clone()
    };
    let solution = scheduler::schedule(&second)?;
    let placed_keys: HashSet<(&str, &str, &str)> = placed
        .iter()
        .map(|m| (m.buyer.as_str(), m.supplier.as_str(), m.slot.as_str()))
        .collect();
    Ok(solution
        .meetings
        .into_iter()
        .filter(|m| !placed_keys.contains(&(m.buyer.as_str(), m.supplier.as_str(), m.slot.as_str())))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use matinale_scheduler::{MeetingSlot, Participant};

    fn person(id: &str, side: Side) -> Participant {
        Participant {
            id: id.into(),
            side,
            available: None,
            max_meetings: None,
            table: None,
        }
    }

    #[test]
    fn open_pairs_fill_only_idle_places_and_keep_every_meeting() {
        let slot = |id: &str, h: u32| MeetingSlot {
            id: id.into(),
            starts_at: format!("2099-11-25T{h:02}:00:00Z"),
            ends_at: format!("2099-11-25T{h:02}:10:00Z"),
            tables: 1,
        };
        let instance = Instance {
            coverage_bonus: 5,
            slots: vec![slot("t1", 9), slot("t2", 10)],
            participants: vec![
                person("b1", Side::Buyer),
                person("b2", Side::Buyer),
                person("s1", Side::Supplier),
                person("s2", Side::Supplier),
            ],
            wishes: vec![],
            kept: vec![],
        };
        let placed = vec![scheduler::Meeting {
            buyer: "b1".into(),
            supplier: "s1".into(),
            slot: "t1".into(),
            table: 1,
            score: 2,
        }];
        let open = vec![
            Wish {
                from: "b1".into(),
                to: "s1".into(),
                weight: 3,
            },
            Wish {
                from: "b2".into(),
                to: "s2".into(),
                weight: 1,
            },
            Wish {
                from: "b2".into(),
                to: "s1".into(),
                weight: 2,
            },
        ];
        let added = fill_idle(&instance, &placed, open).expect("solved");
        // One table a slot: t1 is taken by the kept meeting, so the one place left is t2.
        assert_eq!(added.len(), 1, "{added:?}");
        assert_eq!(added[0].slot, "t2");
        assert_eq!(added[0].buyer, "b2");
        assert!(added.iter().all(|m| !(m.buyer == "b1" && m.supplier == "s1")));
    }

    #[test]
    fn a_structure_suiting_a_need_weighs_more() {
        assert_eq!(weight_of(0), 1);
        assert_eq!(weight_of(3), 2);
        assert_eq!(weight_of(5), 3);
    }
}
