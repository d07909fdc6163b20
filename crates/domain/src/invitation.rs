//! Invitations (issue 25): an organiser's list of people to invite to an event, read from a
//! CSV file (`email`, and optionally `first_name`, `last_name`, `organisation_siret`,
//! `category`, `locale`), line by line; and where each invitation stands. No I/O.

use serde::Serialize;

use crate::directory::{header_key, CsvLines};
use crate::error::optional_line;
use crate::event::Category;
use crate::registration::Locale;
use crate::siret::Siret;
use crate::user::Email;
use crate::Error;

text_enum! {
    /// Where an invitation stands, most telling first: the person registered, or asked for no
    /// more invitations; else where its mail is (`sending` counts as `queued`). No tracking
    /// pixel: whether it was read is not known.
    InvitationStatus {
        /// The mail waits for the worker.
        Queued => "queued",
        /// The mail server accepted it.
        Sent => "sent",
        /// The mail could not be delivered.
        Failed => "failed",
        /// The address is registered for the event.
        Registered => "registered",
        /// The address asked for no more invitations (for every event).
        Unsubscribed => "unsubscribed",
    }
}

/// Which column of an invitations file holds what (by header, without regard to case,
/// accents or punctuation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvitationColumns {
    email: usize,
    first_name: Option<usize>,
    last_name: Option<usize>,
    siret: Option<usize>,
    category: Option<usize>,
    locale: Option<usize>,
}

impl InvitationColumns {
    /// Finds the columns of `header`; a file without an `email` column is refused (field
    /// `email`).
    pub fn from_header<'h>(header: impl IntoIterator<Item = &'h str>) -> Result<Self, Error> {
        let keys: Vec<String> = header.into_iter().map(header_key).collect();
        let find = |names: &[&str]| keys.iter().position(|k| names.contains(&k.as_str()));
        let email = find(&["email", "mail", "courriel", "adressemail", "adresseemail"])
            .ok_or_else(|| Error::field("email", "required", "the file has no email column"))?;
        Ok(Self {
            email,
            first_name: find(&["firstname", "prenom"]),
            last_name: find(&["lastname", "nom"]),
            siret: find(&["organisationsiret", "organizationsiret", "siret"]),
            category: find(&["category", "categorie"]),
            locale: find(&["locale", "langue", "language", "lang"]),
        })
    }
}

/// One line of an invitations file, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationLine {
    /// The address, lower-cased.
    pub email: Email,
    /// First name (may be empty).
    pub first_name: String,
    /// Last name (may be empty).
    pub last_name: String,
    /// The organisation named, by SIRET (the store looks it up).
    pub siret: Option<Siret>,
    /// The category to pre-fill.
    pub category: Option<Category>,
    /// The language of the mail, if the line says.
    pub locale: Option<Locale>,
}

/// A line not invited, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SkippedLine {
    /// Line of the file (the header is line 1).
    pub line: u64,
    /// The address as written.
    pub email: String,
    /// Why: `invalid e-mail`, `already invited to this event`, `unsubscribed`,
    /// `already registered`, `unknown SIRET`, `bad category`, …
    pub reason: String,
}

/// What sending an invitations file did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct InvitationReport {
    /// Invitations queued (one mail each).
    pub queued: u64,
    /// Lines not invited.
    pub skipped: Vec<SkippedLine>,
}

impl InvitationLine {
    /// Reads the cells of one line: the address as written (for the report) and the line, or
    /// why it is skipped.
    pub fn parse(columns: &InvitationColumns, cells: &csv::StringRecord) -> (String, Result<Self, String>) {
        let cell = |i: Option<usize>| i.and_then(|i| cells.get(i)).map(str::trim).filter(|c| !c.is_empty());
        let written = cell(Some(columns.email)).unwrap_or("").to_owned();
        let parsed = (|| -> Result<Self, String> {
            let email = Email::parse("email", &written).map_err(|_| "invalid e-mail".to_owned())?;
            let name = |i, field| {
                optional_line(field, cell(i), 100)
                    .map(Option::unwrap_or_default)
                    .map_err(|_| format!("bad {field}: one line of at most 100 characters"))
            };
            let first_name = name(columns.first_name, "first_name")?;
            let last_name = name(columns.last_name, "last_name")?;
            let siret = cell(columns.siret)
                .map(|s| Siret::parse("organisation_siret", s).map_err(|_| "bad SIRET".to_owned()))
                .transpose()?;
            let category = cell(columns.category)
                .map(|c| Category::from_db(&c.to_lowercase()).ok_or_else(|| "bad category".to_owned()))
                .transpose()?;
            let locale = cell(columns.locale)
                .map(|l| Locale::from_db(&l.to_lowercase()).ok_or_else(|| "bad locale".to_owned()))
                .transpose()?;
            Ok(Self {
                email,
                first_name,
                last_name,
                siret,
                category,
                locale,
            })
        })();
        (written, parsed)
    }
}

/// Invitations counted: in all, registered, unsubscribed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct InvitationTally {
    /// Invitations.
    pub invited: u64,
    /// Of which the address is registered for the event.
    pub registered: u64,
    /// Of which the address asked for no more invitations (and is not registered).
    pub unsubscribed: u64,
}

/// The tally of one category (`null`: lines without a category).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CategoryTally {
    /// The category the list gave.
    pub category: Option<Category>,
    /// Invitations.
    pub invited: u64,
    /// Of which registered.
    pub registered: u64,
    /// Of which unsubscribed (and not registered).
    pub unsubscribed: u64,
}

/// The counts of an event's invitations.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct InvitationCounts {
    /// Invitations.
    pub invited: u64,
    /// Of which the address is registered for the event.
    pub registered: u64,
    /// Of which the address asked for no more invitations (and is not registered).
    pub unsubscribed: u64,
    /// By category, in the order of the categories, then those without one.
    pub by_category: Vec<CategoryTally>,
}

/// Counts invitations, each given as (its category, whether its address is registered for
/// the event, whether it unsubscribed): a registered address counts as registered only.
pub fn count(invitations: impl IntoIterator<Item = (Option<Category>, bool, bool)>) -> InvitationCounts {
    let mut all = InvitationTally::default();
    let mut by: std::collections::HashMap<Option<Category>, InvitationTally> = std::collections::HashMap::new();
    for (category, registered, unsubscribed) in invitations {
        let out = unsubscribed && !registered;
        for tally in [&mut all, by.entry(category).or_default()] {
            tally.invited += 1;
            tally.registered += u64::from(registered);
            tally.unsubscribed += u64::from(out);
        }
    }
    let order = Category::ALL.iter().map(|c| Some(*c)).chain([None]);
    InvitationCounts {
        invited: all.invited,
        registered: all.registered,
        unsubscribed: all.unsubscribed,
        by_category: order
            .filter_map(|c| {
                by.get(&c).map(|t| CategoryTally {
                    category: c,
                    invited: t.invited,
                    registered: t.registered,
                    unsubscribed: t.unsubscribed,
                })
            })
            .collect(),
    }
}

/// Opens an invitations file: its columns and its lines (see [`CsvLines`]).
pub fn open(text: &str) -> Result<(InvitationColumns, CsvLines<'_>), Error> {
    let (header, lines) = CsvLines::open(text)?;
    let columns = InvitationColumns::from_header(header.iter().map(String::as_str))?;
    Ok((columns, lines))
}

/// The status of an invitation: registered first, then unsubscribed, then its mail's.
pub fn status(registered: bool, unsubscribed: bool, mail: Option<crate::mail::MailStatus>) -> InvitationStatus {
    use crate::mail::MailStatus;
    if registered {
        InvitationStatus::Registered
    } else if unsubscribed {
        InvitationStatus::Unsubscribed
    } else {
        match mail {
            Some(MailStatus::Sent) => InvitationStatus::Sent,
            Some(MailStatus::Failed) => InvitationStatus::Failed,
            _ => InvitationStatus::Queued,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::MailStatus;

    fn lines(text: &str) -> Vec<(u64, String, Result<InvitationLine, String>)> {
        let (columns, mut lines) = open(text).unwrap();
        let mut out = Vec::new();
        while let Some(next) = lines.next() {
            let (line, record) = next.unwrap();
            let (email, parsed) = InvitationLine::parse(&columns, record);
            out.push((line, email, parsed));
        }
        out
    }

    #[test]
    fn a_file_is_read_with_its_optional_columns_in_any_case() {
        let read =
            lines("Courriel;Prénom;NOM;Catégorie;organisation_siret\nAwa@Rejoue.org;Awa;Diallo;Buyer;\nbad;;;;\n");
        assert_eq!(read.len(), 2);
        let (line, _, first) = &read[0];
        assert_eq!(*line, 2);
        let first = first.as_ref().unwrap();
        assert_eq!(first.email.as_str(), "awa@rejoue.org");
        assert_eq!(first.category, Some(Category::Buyer));
        assert_eq!(first.siret, None);
        assert_eq!(read[1].2, Err("invalid e-mail".to_owned()));
        assert_eq!(read[1].1, "bad");
    }

    #[test]
    fn bad_cells_are_named() {
        let read = lines("email,category,siret,locale\na@b.fr,chef,,\nc@d.fr,,12345678901234,\ne@f.fr,,,de\n");
        assert_eq!(read[0].2, Err("bad category".to_owned()));
        assert_eq!(read[1].2, Err("bad SIRET".to_owned()));
        assert_eq!(read[2].2, Err("bad locale".to_owned()));
    }

    #[test]
    fn a_file_without_an_email_column_is_refused() {
        assert!(open("name,siret\nA,1\n").is_err());
    }

    #[test]
    fn counts_go_by_category_and_a_registered_address_is_not_counted_unsubscribed() {
        let counts = count([
            (Some(Category::Visitor), false, true),
            (Some(Category::Buyer), true, true),
            (None, false, false),
            (Some(Category::Buyer), false, false),
        ]);
        assert_eq!((counts.invited, counts.registered, counts.unsubscribed), (4, 1, 1));
        let order: Vec<Option<Category>> = counts.by_category.iter().map(|c| c.category).collect();
        assert_eq!(order, [Some(Category::Buyer), Some(Category::Visitor), None]);
        assert_eq!(counts.by_category[0].invited, 2);
        assert_eq!(counts.by_category[0].unsubscribed, 0);
    }

    #[test]
    fn registered_wins_then_unsubscribed_then_the_mail() {
        assert_eq!(
            status(true, true, Some(MailStatus::Failed)),
            InvitationStatus::Registered
        );
        assert_eq!(
            status(false, true, Some(MailStatus::Sent)),
            InvitationStatus::Unsubscribed
        );
        assert_eq!(
            status(false, false, Some(MailStatus::Sending)),
            InvitationStatus::Queued
        );
        assert_eq!(status(false, false, Some(MailStatus::Sent)), InvitationStatus::Sent);
        assert_eq!(status(false, false, None), InvitationStatus::Queued);
    }
}
