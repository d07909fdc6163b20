//! A registration's claim to speak for the organisation it names: confirmed by an approval
//! (kept on its row), a member account's e-mail, or a verified mail domain.

use matinale_domain::registration::{organisation_claim_confirmed, Registration};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::error::Error;

/// Which of `claims`, each the (organisation, e-mail) of a registration nobody approved, the
/// other evidence confirms: a member account's e-mail, a verified mail domain. One answer per
/// claim, in order.
pub(crate) async fn confirmed_by_evidence(
    db: &impl ConnectionTrait,
    claims: &[(Uuid, &str)],
) -> Result<Vec<bool>, Error> {
    if claims.is_empty() {
        return Ok(Vec::new());
    }
    let mut organisations: Vec<Uuid> = claims.iter().map(|(organisation, _)| *organisation).collect();
    organisations.sort();
    organisations.dedup();
    let evidence = crate::organisations::claim_evidence(db, organisations).await?;
    Ok(claims
        .iter()
        .map(|(organisation, email)| {
            evidence
                .get(organisation)
                .is_some_and(|e| organisation_claim_confirmed(email, false, &e.member_emails, &e.verified_domains))
        })
        .collect())
}

/// Completes `organisation_confirmed` of registrations read from their rows (which know only
/// of approvals) with the other evidence: a member account's e-mail, a verified mail domain.
pub(crate) async fn settle_claims(db: &impl ConnectionTrait, registrations: &mut [Registration]) -> Result<(), Error> {
    let open: Vec<(usize, Uuid)> = registrations
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.organisation_confirmed)
        .filter_map(|(i, r)| r.details.organisation_id.map(|o| (i, o)))
        .collect();
    let claims: Vec<(Uuid, &str)> = open
        .iter()
        .map(|&(i, organisation)| (organisation, registrations[i].email.as_str()))
        .collect();
    let confirmed = confirmed_by_evidence(db, &claims).await?;
    for ((i, _), confirmed) in open.into_iter().zip(confirmed) {
        registrations[i].organisation_confirmed = confirmed;
    }
    Ok(())
}
