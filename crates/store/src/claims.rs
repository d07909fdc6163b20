//! A registration's claim to speak for the organisation it names: confirmed by an approval
//! (kept on its row), or, once its e-mail is proven (`email_verified_at`), by a member
//! account's e-mail or a verified mail domain.

use matinale_domain::registration::{
    email_proven_by_account, organisation_claim_confirmed, NewRegistration, Registration,
};
use matinale_domain::user::Actor;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::error::Error;

/// Which of `claims`, each the (organisation, e-mail, e-mail proven) of a registration nobody
/// approved, the other evidence confirms: a member account's e-mail, a verified mail domain,
/// either only for a proven e-mail. One answer per claim, in order.
pub(crate) async fn confirmed_by_evidence(
    db: &impl ConnectionTrait,
    claims: &[(Uuid, &str, bool)],
) -> Result<Vec<bool>, Error> {
    if claims.iter().all(|(_, _, verified)| !verified) {
        return Ok(vec![false; claims.len()]);
    }
    let mut organisations: Vec<Uuid> = claims
        .iter()
        .filter(|(_, _, verified)| *verified)
        .map(|(organisation, _, _)| *organisation)
        .collect();
    organisations.sort();
    organisations.dedup();
    let evidence = crate::organisations::claim_evidence(db, organisations).await?;
    Ok(claims
        .iter()
        .map(|(organisation, email, verified)| {
            evidence.get(organisation).is_some_and(|e| {
                organisation_claim_confirmed(email, *verified, false, &e.member_emails, &e.verified_domains)
            })
        })
        .collect())
}

/// Completes `organisation_confirmed` of registrations read from their rows (which know only
/// of approvals) with the other evidence: a member account's e-mail, a verified mail domain,
/// for a proven e-mail only.
pub(crate) async fn settle_claims(db: &impl ConnectionTrait, registrations: &mut [Registration]) -> Result<(), Error> {
    let open: Vec<(usize, Uuid)> = registrations
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.organisation_confirmed)
        .filter_map(|(i, r)| r.details.organisation_id.map(|o| (i, o)))
        .collect();
    let claims: Vec<(Uuid, &str, bool)> = open
        .iter()
        .map(|&(i, organisation)| {
            let r = &registrations[i];
            (organisation, r.email.as_str(), r.email_verified)
        })
        .collect();
    let confirmed = confirmed_by_evidence(db, &claims).await?;
    for ((i, _), confirmed) in open.into_iter().zip(confirmed) {
        registrations[i].organisation_confirmed = confirmed;
    }
    Ok(())
}

/// Whether registering `new` signed in as `actor` proves its e-mail by itself
/// ([`email_proven_by_account`]): the account's e-mail is the registered one and the account
/// is a member of the organisation the registration names. An unknown organisation proves
/// nothing (the registration then fails on it anyway).
pub async fn email_proven_by(db: &impl ConnectionTrait, new: &NewRegistration, actor: &Actor) -> Result<bool, Error> {
    let Some(organisation) = new.organisation_id else {
        return Ok(false);
    };
    let Some(account) = crate::accounts::user_by_id(db, actor.user_id).await? else {
        return Ok(false);
    };
    let member = match crate::organisations::get(db, organisation).await {
        Ok(o) => o.members.contains(&actor.user_id),
        Err(Error::NotFound) => false,
        Err(e) => return Err(e),
    };
    Ok(email_proven_by_account(
        new.person.email.as_str(),
        Some(account.email.as_str()),
        member,
    ))
}
