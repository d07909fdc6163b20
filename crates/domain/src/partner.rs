//! What one person of a meeting may be shown of another: **one rule** for every view (JSON
//! answers, the participant's page, mails, `.ics`, CSV sheets, reports).
//!
//! - A **name** travels only with the person's consent (`consents.share_contact`); organisers
//!   (and the person themself) see it always.
//! - An **organisation** is shown as that organisation only once the registration's claim to it
//!   is confirmed ([`crate::registration::organisation_claim_confirmed`]); until then, to
//!   anyone, the registration is "organisation non confirmée" where a label is needed.
//! - Without a name to show, a partner is their confirmed organisation, or else their category
//!   ("un acheteur public", "une structure de l'ESS").

use serde::{Deserialize, Serialize};

use crate::event::Category;
use crate::registration::Locale;

/// What is known of one registration, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartyFacts<'a> {
    /// First name.
    pub first_name: &'a str,
    /// Last name.
    pub last_name: &'a str,
    /// Consent to share contact details (the name, the e-mail) with the people met.
    pub share_contact: bool,
    /// The registration's category.
    pub category: Category,
    /// The name of the organisation the registration names, if any.
    pub organisation: Option<&'a str>,
    /// Whether its claim to that organisation is confirmed.
    pub organisation_confirmed: bool,
}

/// Who looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// The other side of a meeting, another participant of the event.
    Partner,
    /// An organiser of the event, an admin, or the person themself.
    Organiser,
}

/// How the organisation of a registration may be shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state", content = "name")]
pub enum ShownOrganisation {
    /// The registration names none.
    None,
    /// It names one whose claim is not confirmed: never shown as that organisation.
    Unconfirmed,
    /// A confirmed organisation, by name.
    Confirmed(String),
}

/// A registration as one viewer may see it: the result of [`shown_to`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyView {
    /// First and last name, when the viewer may see it.
    pub name: Option<String>,
    /// The organisation, as it may be shown.
    pub organisation: ShownOrganisation,
    /// The registration's category.
    pub category: Category,
}

/// What `viewer` may see of the registration `facts` describes: the name with the person's
/// consent (always for an organiser), the organisation only once confirmed.
pub fn shown_to(facts: PartyFacts<'_>, viewer: Viewer) -> PartyView {
    let full = format!("{} {}", facts.first_name.trim(), facts.last_name.trim())
        .trim()
        .to_owned();
    let name = match viewer {
        Viewer::Organiser => Some(full),
        Viewer::Partner => facts.share_contact.then_some(full),
    }
    .filter(|n| !n.is_empty());
    let organisation = match (facts.organisation, facts.organisation_confirmed) {
        (None, _) => ShownOrganisation::None,
        (Some(_), false) => ShownOrganisation::Unconfirmed,
        (Some(o), true) => ShownOrganisation::Confirmed(o.to_owned()),
    };
    PartyView {
        name,
        organisation,
        category: facts.category,
    }
}

/// Shorthand: what the other side of a meeting may see of `facts`.
pub fn shown_to_partner(facts: PartyFacts<'_>) -> PartyView {
    shown_to(facts, Viewer::Partner)
}

/// Whether a partner (the buyer whose need a registration expressed interest in) may be given
/// the registration's contact details (name, e-mail, phone): only where [`shown_to_partner`]
/// shows both the name (the person consented, `consents.share_contact`) and the organisation
/// as confirmed, so that nobody's details reach a buyer through a claim not yet confirmed.
pub fn contact_shown_to_partner(facts: PartyFacts<'_>) -> bool {
    let view = shown_to_partner(facts);
    view.name.is_some() && view.confirmed_organisation().is_some()
}

/// "un acheteur public", "une structure de l'ESS"… in `locale`: how someone is named when
/// neither their name nor a confirmed organisation may be shown.
pub fn category_label(category: Category, locale: Locale) -> &'static str {
    match (category, locale) {
        (Category::Buyer, Locale::Fr) => "un acheteur public",
        (Category::Buyer, Locale::En) => "a public buyer",
        (Category::EssStructure, Locale::Fr) => "une structure de l'ESS",
        (Category::EssStructure, Locale::En) => "an ESS structure",
        (Category::Partner | Category::Visitor, Locale::Fr) => "un participant",
        (Category::Partner | Category::Visitor, Locale::En) => "a participant",
    }
}

/// "organisation non confirmée" / "organisation not confirmed".
pub fn unconfirmed_label(locale: Locale) -> &'static str {
    match locale {
        Locale::Fr => "organisation non confirmée",
        Locale::En => "organisation not confirmed",
    }
}

impl PartyView {
    /// The confirmed organisation's name, if any.
    pub fn confirmed_organisation(&self) -> Option<&str> {
        match &self.organisation {
            ShownOrganisation::Confirmed(name) => Some(name),
            _ => None,
        }
    }

    /// The organisation as a label: its name once confirmed, "organisation non confirmée"
    /// for a claim not confirmed, nothing when the registration names none.
    pub fn organisation_label(&self, locale: Locale) -> Option<String> {
        match &self.organisation {
            ShownOrganisation::None => None,
            ShownOrganisation::Unconfirmed => Some(unconfirmed_label(locale).to_owned()),
            ShownOrganisation::Confirmed(name) => Some(name.clone()),
        }
    }

    /// Who this is, in one line: the name, else the confirmed organisation, else the category.
    pub fn who(&self, locale: Locale) -> String {
        self.name
            .clone()
            .or_else(|| self.confirmed_organisation().map(str::to_owned))
            .unwrap_or_else(|| category_label(self.category, locale).to_owned())
    }

    /// Who this is, with where they come from: "Rejoué (Awa Diallo)", "Awa Diallo
    /// (organisation non confirmée)", "Rejoué", or the category ("une structure de l'ESS").
    pub fn label(&self, locale: Locale) -> String {
        match (&self.name, &self.organisation) {
            (Some(name), ShownOrganisation::Confirmed(organisation)) => format!("{organisation} ({name})"),
            (Some(name), ShownOrganisation::Unconfirmed) => format!("{name} ({})", unconfirmed_label(locale)),
            (Some(name), ShownOrganisation::None) => name.clone(),
            (None, _) => self.who(locale),
        }
    }

    /// The shortest name for a heading: the confirmed organisation, else the name, else the
    /// category.
    pub fn short(&self, locale: Locale) -> String {
        self.confirmed_organisation()
            .map(str::to_owned)
            .or_else(|| self.name.clone())
            .unwrap_or_else(|| category_label(self.category, locale).to_owned())
    }

    /// The organisation shown where a column or a heading needs one: the confirmed name, else
    /// "organisation non confirmée", else the category.
    pub fn organisation_or_category(&self, locale: Locale) -> String {
        self.organisation_label(locale)
            .unwrap_or_else(|| category_label(self.category, locale).to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(share_contact: bool, organisation: Option<&'static str>, confirmed: bool) -> PartyFacts<'static> {
        PartyFacts {
            first_name: " Awa ",
            last_name: "Diallo",
            share_contact,
            category: Category::EssStructure,
            organisation,
            organisation_confirmed: confirmed,
        }
    }

    #[test]
    fn contact_details_need_consent_and_a_confirmed_claim() {
        assert!(contact_shown_to_partner(facts(true, Some("Rejoué"), true)));
        assert!(!contact_shown_to_partner(facts(false, Some("Rejoué"), true)));
        assert!(!contact_shown_to_partner(facts(true, Some("Rejoué"), false)));
        assert!(!contact_shown_to_partner(facts(true, None, false)));
    }

    #[test]
    fn a_partner_sees_a_name_only_with_consent() {
        let shown = shown_to_partner(facts(true, Some("Rejoué"), true));
        assert_eq!(shown.name.as_deref(), Some("Awa Diallo"));
        assert_eq!(shown.label(Locale::Fr), "Rejoué (Awa Diallo)");
        assert_eq!(shown.short(Locale::Fr), "Rejoué");
        let hidden = shown_to_partner(facts(false, Some("Rejoué"), true));
        assert_eq!(hidden.name, None);
        assert_eq!(hidden.label(Locale::Fr), "Rejoué");
        assert_eq!(hidden.who(Locale::En), "Rejoué");
    }

    #[test]
    fn an_unconfirmed_claim_is_never_shown_as_the_organisation() {
        for viewer in [Viewer::Partner, Viewer::Organiser] {
            let shown = shown_to(facts(true, Some("Ville d'Orly"), false), viewer);
            assert_eq!(shown.organisation, ShownOrganisation::Unconfirmed);
            assert_eq!(shown.confirmed_organisation(), None);
            let label = shown.label(Locale::Fr);
            assert_eq!(label, "Awa Diallo (organisation non confirmée)");
            assert!(!label.contains("Orly"));
        }
        let hidden = shown_to_partner(facts(false, Some("Ville d'Orly"), false));
        assert_eq!(hidden.label(Locale::Fr), "une structure de l'ESS");
        assert_eq!(hidden.label(Locale::En), "an ESS structure");
        assert_eq!(
            hidden.organisation_or_category(Locale::En),
            "organisation not confirmed"
        );
        assert_eq!(hidden.short(Locale::En), "an ESS structure");
    }

    #[test]
    fn without_consent_nor_organisation_a_partner_is_its_category() {
        let mut buyer = facts(false, None, false);
        buyer.category = Category::Buyer;
        let shown = shown_to_partner(buyer);
        assert_eq!(shown.label(Locale::Fr), "un acheteur public");
        assert_eq!(shown.label(Locale::En), "a public buyer");
        assert_eq!(shown.organisation_label(Locale::Fr), None);
    }

    #[test]
    fn organisers_see_the_name_whatever_the_consent() {
        let shown = shown_to(facts(false, Some("Rejoué"), true), Viewer::Organiser);
        assert_eq!(shown.name.as_deref(), Some("Awa Diallo"));
        assert_eq!(shown.label(Locale::Fr), "Rejoué (Awa Diallo)");
    }

    #[test]
    fn an_erased_name_falls_back_to_what_else_may_be_shown() {
        let mut erased = facts(true, None, false);
        erased.first_name = "";
        erased.last_name = " ";
        assert_eq!(
            shown_to(erased, Viewer::Organiser).label(Locale::Fr),
            "une structure de l'ESS"
        );
    }
}
