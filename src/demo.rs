//! `matinale seed-demo`: a matinale like the fourth edition (Orly, 25 November 2026), dated from
//! the day it is loaded, so that a new user sees a realistic event at once and can register.
//! Names are those of the territory's reports and public directories; no SIRET is invented.

use anyhow::Context;
use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Europe::Paris;
use matinale_domain::event::Category;
use matinale_domain::event::{
    EventDraft, EventFields, EventKind, EventStatus, NewProgrammeItem, ProgrammeItemKind, VenueDraft,
};
use matinale_domain::meeting::{MeetingBlockDraft, WishPriority};
use matinale_domain::need::{NeedCategory, NeedDraft, NeedFields, NeedStatus, ReservedMarket};
use matinale_domain::organisation::Organisation;
use matinale_domain::organisation::{EssKind, OrganisationDraft, OrganisationFields, OrganisationKind};
use matinale_domain::page::PageRequest;
use matinale_domain::registration::{Consents, Locale, NewRegistration, Person};
use matinale_domain::series::NewSeries;
use matinale_domain::stand::{NewStand, StandKind};
use matinale_domain::user::{Actor, NewUser, Role};
use matinale_store::events::EventFilter;
use matinale_store::registrations::{Credential, Outcome};
use matinale_store::wishes::NewWish;
use matinale_store::Store;
use uuid::Uuid;

/// The demo organiser's login, printed by `make run`.
pub const ORGANISER_EMAIL: &str = "organisatrice@grand-orly.demo";
/// The demo organiser's password.
pub const ORGANISER_PASSWORD: &str = "matinale-demo-2026";
/// The year of the fourth matinale (Orly, 25 November 2026), the first the demo shows.
const FIRST_EDITION_YEAR: i32 = 2026;

/// Name, ESS kinds, sectors, cities served, description.
type EssStructure = (
    &'static str,
    &'static [EssKind],
    &'static [&'static str],
    &'static [&'static str],
    &'static str,
);

const ESS_STRUCTURES: &[EssStructure] = &[
    (
        "Rejoué",
        &[EssKind::Siae, EssKind::Aci],
        &["jouets", "réemploi"],
        &["Vitry-sur-Seine"],
        "Jouets et jeux de société collectés, remis en état et revendus.",
    ),
    (
        "La Ressourcerie du spectacle",
        &[EssKind::Association],
        &["réemploi", "événementiel"],
        &["Vitry-sur-Seine"],
        "Réemploi de matériel scénique et de décors.",
    ),
    (
        "Med Arcades",
        &[EssKind::Esus],
        &["réemploi", "événementiel"],
        &["Ivry-sur-Seine"],
        "Bornes d'arcade reconditionnées pour vos événements.",
    ),
    (
        "Q-Tanné",
        &[EssKind::Association],
        &["ateliers", "textile"],
        &["Vitry-sur-Seine"],
        "Ateliers de maroquinerie et de travail du cuir.",
    ),
    (
        "Les Imparfaites",
        &[EssKind::Esus],
        &["restauration", "anti-gaspillage"],
        &["Ivry-sur-Seine"],
        "Confitures anti-gaspillage à partir de fruits déclassés.",
    ),
    (
        "Jus de Mama",
        &[EssKind::Esus],
        &["restauration"],
        &["Arcueil"],
        "Jus de fruits en bouteilles consignées.",
    ),
    (
        "Café Bulbe",
        &[EssKind::Association],
        &["restauration", "événementiel"],
        &["Gentilly"],
        "Food truck pour vos événements.",
    ),
    (
        "ANRH Ivry-sur-Seine",
        &[EssKind::Ea],
        &["mobilité", "cycles"],
        &["Ivry-sur-Seine"],
        "Entreprise adaptée : entretien et réparation de vélos.",
    ),
    (
        "Adopte un Bureau",
        &[EssKind::Esus],
        &["mobilier", "réemploi"],
        &["Orly", "Rungis"],
        "Mobilier de bureau de seconde main.",
    ),
    (
        "Etudes et Chantiers",
        &[EssKind::Siae, EssKind::Aci],
        &["espaces verts", "bâtiment"],
        &["Choisy-le-Roi", "Orly"],
        "Chantiers d'insertion : espaces verts, second œuvre.",
    ),
    (
        "Confluences",
        &[EssKind::Siae, EssKind::Ei],
        &["bâtiment", "nettoyage"],
        &["Villeneuve-Saint-Georges"],
        "Insertion par l'activité économique.",
    ),
    (
        "EA Jardins de la Sellerie",
        &[EssKind::Ea],
        &["espaces verts"],
        &["Thiais", "Orly"],
        "Entreprise adaptée d'entretien des espaces verts.",
    ),
    (
        "Cyclofficine",
        &[EssKind::Association],
        &["mobilité", "cycles"],
        &["Ivry-sur-Seine"],
        "Ateliers vélo participatifs.",
    ),
    (
        "Ecoreso Autonomie Val-de-Marne",
        &[EssKind::Association],
        &["réemploi", "santé"],
        &["Valenton"],
        "Aides techniques médicales reconditionnées.",
    ),
    (
        "Emmaüs Liberté",
        &[EssKind::Association, EssKind::Siae],
        &["réemploi", "mobilier"],
        &["Ivry-sur-Seine"],
        "Collecte, tri et revente solidaire.",
    ),
    (
        "La Pagaille",
        &[EssKind::Association],
        &["réemploi", "ateliers"],
        &["Vitry-sur-Seine"],
        "Ressourcerie et ateliers.",
    ),
    (
        "La Mine",
        &[EssKind::Association],
        &["réemploi"],
        &["Arcueil"],
        "Ressourcerie et tiers-lieu.",
    ),
    (
        "Chic ! On ressource",
        &[EssKind::Association],
        &["réemploi", "textile"],
        &["Juvisy-sur-Orge"],
        "Ressourcerie.",
    ),
    (
        "Ressourcerie de la RIVED",
        &[EssKind::Association],
        &["réemploi"],
        &["Viry-Châtillon"],
        "Ressourcerie.",
    ),
    (
        "La Recyclerie des Portes de l'Essonne",
        &[EssKind::Association],
        &["réemploi"],
        &["Athis-Mons", "Juvisy-sur-Orge"],
        "Recyclerie.",
    ),
];

const BUYERS: &[(&str, &[&str])] = &[
    (
        "Établissement public territorial Grand-Orly Seine Bièvre",
        &["Vitry-sur-Seine"],
    ),
    ("Ville d'Orly", &["Orly"]),
    ("Ville de Vitry-sur-Seine", &["Vitry-sur-Seine"]),
    ("Ville d'Ivry-sur-Seine", &["Ivry-sur-Seine"]),
    ("Ville de Villejuif", &["Villejuif"]),
    ("Ville de Choisy-le-Roi", &["Choisy-le-Roi"]),
];

/// A buyer need of the fourth matinale, presented on the inverted stand of the buyer of the same
/// rank in `BUYERS`. Amounts and dates are illustrative.
struct DemoNeed {
    title: &'static str,
    description: &'static str,
    category: NeedCategory,
    cpv: &'static str,
    amounts: (i64, i64),
    tender_month: u32,
    reserved_market: ReservedMarket,
    social_clause: bool,
}

const NEEDS: [DemoNeed; 6] = [
    DemoNeed {
        title: "Mobilier en réemploi",
        description: "Bureaux, sièges et rangements de seconde main pour les services du territoire.",
        category: NeedCategory::MobilierReemploi,
        cpv: "39130000-2",
        amounts: (20_000, 80_000),
        tender_month: 3,
        reserved_market: ReservedMarket::L2113_13,
        social_clause: false,
    },
    DemoNeed {
        title: "Impressions durables",
        description: "Impression des supports de communication sur papier recyclé, encres végétales.",
        category: NeedCategory::ImpressionsDurables,
        cpv: "79800000-2",
        amounts: (15_000, 40_000),
        tender_month: 2,
        reserved_market: ReservedMarket::None,
        social_clause: true,
    },
    DemoNeed {
        title: "Événementiel responsable",
        description: "Traiteur, décors et matériel en réemploi pour les événements de la ville.",
        category: NeedCategory::EvenementielResponsable,
        cpv: "79952000-2",
        amounts: (10_000, 30_000),
        tender_month: 4,
        reserved_market: ReservedMarket::None,
        social_clause: true,
    },
    DemoNeed {
        title: "Matériel informatique reconditionné",
        description: "Postes de travail et écrans reconditionnés pour les écoles et les services.",
        category: NeedCategory::InformatiqueReconditionnee,
        cpv: "30200000-1",
        amounts: (30_000, 120_000),
        tender_month: 5,
        reserved_market: ReservedMarket::L2113_12,
        social_clause: false,
    },
    DemoNeed {
        title: "Collecte des biodéchets",
        description: "Collecte et valorisation des biodéchets des restaurants scolaires.",
        category: NeedCategory::CollecteBiodechets,
        cpv: "90500000-2",
        amounts: (40_000, 150_000),
        tender_month: 6,
        reserved_market: ReservedMarket::L2113_13,
        social_clause: false,
    },
    DemoNeed {
        title: "Travaux des bâtiments",
        description: "Second œuvre et rénovation dans les équipements municipaux, avec clause d'insertion.",
        category: NeedCategory::TravauxBatiment,
        cpv: "45000000-7",
        amounts: (100_000, 500_000),
        tender_month: 9,
        reserved_market: ReservedMarket::None,
        social_clause: true,
    },
];

/// The demo matinale's day: the fourth Thursday of the coming November, at least three weeks
/// after `today`, so that a new user can always register.
pub fn matinale_day(today: NaiveDate) -> NaiveDate {
    let fourth_thursday = |year: i32| NaiveDate::from_weekday_of_month_opt(year, 11, Weekday::Thu, 4).unwrap_or(today);
    let this_year = fourth_thursday(today.year());
    if this_year >= today + Days::new(21) {
        this_year
    } else {
        fourth_thursday(today.year() + 1)
    }
}

/// A time of `day` in Paris.
fn paris(day: NaiveDate, hour: u32, minute: u32) -> anyhow::Result<DateTime<FixedOffset>> {
    let local = day.and_hms_opt(hour, minute, 0).context("demo time")?;
    Ok(Paris
        .from_local_datetime(&local)
        .single()
        .context("demo time in Paris")?
        .fixed_offset())
}

/// The series "Mois de l'ESS {year}".
async fn series_of(db: &Store, actor: &Actor, year: i32) -> anyhow::Result<matinale_domain::series::Series> {
    Ok(matinale_store::series::create(
        db,
        actor,
        NewSeries::parse(
            &format!("mois-ess-{year}"),
            &format!("Mois de l'ESS {year}"),
            NaiveDate::from_ymd_opt(year, 11, 1).context("date")?,
            NaiveDate::from_ymd_opt(year, 11, 30).context("date")?,
            "Le Mois de l'économie sociale et solidaire sur le territoire de Grand-Orly Seine Bièvre.",
        )?,
    )
    .await?)
}

/// The fields of the matinale of `day`, its `edition`-th.
fn matinale_fields(
    series_id: Uuid,
    edition: i32,
    day: NaiveDate,
    registration_opens_at: DateTime<FixedOffset>,
) -> anyhow::Result<EventFields> {
    let before = day.pred_opt().context("date")?;
    Ok(EventFields::parse(EventDraft {
        series_id: Some(series_id),
        kind: EventKind::Matinale,
        title: format!("{edition}e matinale des achats responsables"),
        description: "Acheteurs publics et structures de l'ESS se rencontrent : quiz, point juridique sur le \
critère environnemental obligatoire, témoignages, stands inversés où les acheteurs présentent leurs besoins, \
et speed meetings."
            .into(),
        starts_at: paris(day, 8, 30)?,
        ends_at: paris(day, 12, 30)?,
        timezone: "Europe/Paris".into(),
        venue: Some(VenueDraft {
            name: "Centre culturel Aragon-Triolet".into(),
            address: "1 place du Fer-à-Cheval".into(),
            postcode: "94310".into(),
            city: "Orly".into(),
        }),
        online_url: None,
        capacity: 100,
        quotas: [Some(25), Some(55), Some(10), Some(10)],
        registration_opens_at: Some(registration_opens_at),
        registration_closes_at: Some(paris(before, 18, 0)?),
        follow_up_days: None,
    })?)
}

/// Loads the demo unless its organiser exists; prints the organiser's credentials either way.
///
/// The coming matinale is dated from `today` ([`matinale_day`]), with registrations open now;
/// the editions since the fourth (Orly, 25 November 2026) that are already past stay in their
/// own year's series, closed.
pub async fn seed(db: &Store, today: NaiveDate, public_url: &str) -> anyhow::Result<()> {
    let existing = matinale_store::accounts::user_by_email(db, ORGANISER_EMAIL).await?;
    if existing.is_some() {
        print_credentials("already loaded");
        let coming = matinale_store::events::list_public(
            db,
            &EventFilter {
                kind: Some(EventKind::Matinale),
                from: Some(Utc::now()),
                ..EventFilter::default()
            },
            PageRequest { page: 1, per_page: 1 },
        )
        .await?;
        print_addresses(public_url, coming.items.first().map(|e| e.id));
        return Ok(());
    }
    let organiser = matinale_store::accounts::create_user(
        db,
        NewUser::parse(
            ORGANISER_EMAIL,
            "Organisatrice Grand-Orly Seine Bièvre",
            Role::Organiser,
            ORGANISER_PASSWORD,
        )?,
    )
    .await?;
    let actor = Actor {
        user_id: organiser.id,
        role: Role::Organiser,
    };
    let day = matinale_day(today);
    for year in FIRST_EDITION_YEAR..day.year() {
        let past_day = if year == FIRST_EDITION_YEAR {
            NaiveDate::from_ymd_opt(2026, 11, 25).context("date")?
        } else {
            NaiveDate::from_weekday_of_month_opt(year, 11, Weekday::Thu, 4).context("date")?
        };
        let series = series_of(db, &actor, year).await?;
        let opens = paris(past_day - Days::new(60), 9, 0)?;
        let fields = matinale_fields(series.id, 4 + year - FIRST_EDITION_YEAR, past_day, opens)?;
        let past = matinale_store::events::create(db, &actor, fields, EventStatus::Published, &[]).await?;
        matinale_store::events::transition(db, past.id, &actor, EventStatus::Closed).await?;
    }
    let series = series_of(db, &actor, day.year()).await?;
    let opens = paris(today.pred_opt().context("date")?, 9, 0)?;
    let fields = matinale_fields(series.id, 4 + day.year() - FIRST_EDITION_YEAR, day, opens)?;
    let event = matinale_store::events::create(db, &actor, fields, EventStatus::Published, &[]).await?;
    let programme = [
        ((8, 30), (9, 0), "Accueil café", ProgrammeItemKind::Break, vec![]),
        (
            (9, 0),
            (9, 20),
            "Quiz : les achats responsables, vrai ou faux ?",
            ProgrammeItemKind::Quiz,
            vec![],
        ),
        (
            (9, 20),
            (9, 45),
            "Le critère environnemental obligatoire dans tous les marchés publics",
            ProgrammeItemKind::Talk,
            vec!["Juriste en commande publique".to_owned()],
        ),
        (
            (9, 45),
            (10, 5),
            "Témoignages d'acheteurs et de structures de l'ESS",
            ProgrammeItemKind::Testimony,
            vec![],
        ),
        (
            (10, 5),
            (10, 30),
            "Forum des stands inversés",
            ProgrammeItemKind::Stands,
            vec![],
        ),
        (
            (10, 30),
            (12, 0),
            "Speed meetings acheteurs – ESS",
            ProgrammeItemKind::SpeedMeetings,
            vec![],
        ),
        (
            (12, 0),
            (12, 30),
            "Cocktail de clôture",
            ProgrammeItemKind::Break,
            vec![],
        ),
    ];
    for (starts, ends, title, kind, speakers) in programme {
        let (starts, ends) = (paris(day, starts.0, starts.1)?, paris(day, ends.0, ends.1)?);
        matinale_store::events::add_programme_item(db, event.id, &actor, |e| {
            NewProgrammeItem::parse(&e.fields, starts, ends, title, kind, &speakers)
        })
        .await?;
    }
    let mut structures = Vec::new();
    for (name, kinds, sectors, cities, description) in ESS_STRUCTURES {
        let fields = OrganisationFields::parse(OrganisationDraft {
            kind: Some(OrganisationKind::EssStructure),
            name: (*name).into(),
            ess_kinds: kinds.to_vec(),
            sectors: sectors.iter().map(|s| (*s).to_owned()).collect(),
            cities: cities.iter().map(|s| (*s).to_owned()).collect(),
            description: (*description).into(),
            ..Default::default()
        })?;
        structures.push(matinale_store::organisations::create(db, &actor, fields).await?);
    }
    let mut buyers = Vec::new();
    for (name, cities) in BUYERS {
        let fields = OrganisationFields::parse(OrganisationDraft {
            kind: Some(OrganisationKind::PublicBuyer),
            name: (*name).into(),
            cities: cities.iter().map(|s| (*s).to_owned()).collect(),
            ..Default::default()
        })?;
        buyers.push(matinale_store::organisations::create(db, &actor, fields).await?);
    }
    for (i, (buyer, need)) in buyers.iter().zip(NEEDS).enumerate() {
        let stand = matinale_store::stands::create(db, event.id, &actor, buyer.id, |holder| {
            NewStand::parse(
                StandKind::Inverted,
                buyer.id,
                holder,
                &format!("{} : {}", buyer.fields.name, need.title),
                &format!("Forum des stands inversés, stand {}", i + 1),
            )
        })
        .await?;
        let fields = NeedFields::parse(NeedDraft {
            organisation_id: buyer.id,
            event_id: Some(event.id),
            stand_id: Some(stand.id),
            title: need.title.into(),
            description: need.description.into(),
            category: need.category,
            cpv_codes: vec![need.cpv.to_owned()],
            amount_min_eur: Some(need.amounts.0),
            amount_max_eur: Some(need.amounts.1),
            expected_tender_on: NaiveDate::from_ymd_opt(day.year() + 1, need.tender_month, 1),
            reserved_market: need.reserved_market,
            social_clause: need.social_clause,
            environmental_criterion: true,
            cities: buyer.fields.cities.clone(),
        })?;
        matinale_store::needs::create(db, &actor, fields, NeedStatus::Open).await?;
    }
    speed_meetings(db, &actor, event.id, day, &buyers, &structures).await?;
    print_credentials("loaded");
    println!("demo event: {} ({})", event.fields.title, event.id);
    print_addresses(public_url, Some(event.id));
    Ok(())
}

/// People who register for the demo matinale: first and last name.
const PEOPLE: [(&str, &str); 18] = [
    ("Camille", "Martin"),
    ("Karim", "Benali"),
    ("Sophie", "Lefèvre"),
    ("Julien", "Moreau"),
    ("Aïcha", "Traoré"),
    ("Thomas", "Petit"),
    ("Léa", "Dubois"),
    ("Mamadou", "Diallo"),
    ("Chloé", "Bernard"),
    ("Nicolas", "Roux"),
    ("Inès", "Haddad"),
    ("Hugo", "Fontaine"),
    ("Manon", "Girard"),
    ("Yacine", "Cherif"),
    ("Pauline", "Mercier"),
    ("Antoine", "Lambert"),
    ("Sarah", "Cohen"),
    ("Lucas", "Garnier"),
];

/// Wishes of the demo: (structure rank, buyer rank, priority) from a structure to a buyer, and
/// two from buyers to structures.
const STRUCTURE_WISHES: [(usize, usize, i64); 10] = [
    (0, 0, 3),
    (0, 2, 2),
    (1, 2, 3),
    (2, 2, 2),
    (3, 1, 2),
    (4, 3, 3),
    (5, 3, 2),
    (6, 4, 3),
    (7, 5, 2),
    (8, 1, 1),
];
const BUYER_WISHES: [(usize, usize, i64); 2] = [(0, 9, 3), (4, 10, 2)];

/// The speed meetings of the demo matinale: a block 10:30–12:00 (10-minute slots, 2-minute
/// breaks, one labelled table per buyer), the six buyers and twelve structures registered (confirmed),
/// and a dozen wishes, so that one `POST /events/{id}/schedule` shows a timetable.
async fn speed_meetings(
    db: &Store,
    actor: &Actor,
    event_id: Uuid,
    day: NaiveDate,
    buyers: &[Organisation],
    structures: &[Organisation],
) -> anyhow::Result<()> {
    let labels = buyers
        .iter()
        .enumerate()
        .map(|(i, b)| format!("Table {} – {}", i + 1, b.fields.name))
        .collect();
    matinale_store::meeting_blocks::create(
        db,
        event_id,
        actor,
        MeetingBlockDraft {
            starts_at: paris(day, 10, 30)?.with_timezone(&Utc),
            ends_at: paris(day, 12, 0)?.with_timezone(&Utc),
            slot_minutes: 10,
            break_minutes: 2,
            tables: i64::try_from(buyers.len())?,
            table_labels: Some(labels),
        },
    )
    .await?;
    let mut people = PEOPLE.iter();
    let mut register = async |category: Category, organisation: &Organisation| -> anyhow::Result<Uuid> {
        let (first, last) = people.next().context("enough demo people")?;
        let domain: String = deunicode_slug(&organisation.fields.name);
        let new = NewRegistration {
            category,
            person: Person::parse(
                first,
                last,
                &format!("{}.{}@{domain}.demo", deunicode_slug(first), deunicode_slug(last)),
                None,
            )?,
            organisation_id: Some(organisation.id),
            locale: Locale::Fr,
            accessibility_needs: None,
            consents: Consents { share_contact: true },
            email_proven: false,
        };
        let id = match matinale_store::registrations::register(db, event_id, new, None).await? {
            Outcome::Created(r) => r.registration.id,
            Outcome::Replayed { .. } => anyhow::bail!("a replay without an idempotency key"),
        };
        // The organiser knows these people: their organisations are confirmed.
        matinale_store::registrations::approve_organisation(db, id, actor).await?;
        Ok(id)
    };
    let mut buyer_registrations = Vec::new();
    for buyer in buyers {
        buyer_registrations.push(register(Category::Buyer, buyer).await?);
    }
    let mut structure_registrations = Vec::new();
    for structure in structures.iter().take(12) {
        structure_registrations.push(register(Category::EssStructure, structure).await?);
    }
    let as_organiser = Credential::User(*actor);
    let wishes = STRUCTURE_WISHES
        .iter()
        .map(|&(s, b, p)| (structure_registrations[s], buyer_registrations[b], p))
        .chain(
            BUYER_WISHES
                .iter()
                .map(|&(b, s, p)| (buyer_registrations[b], structure_registrations[s], p)),
        );
    for (from, to, priority) in wishes {
        let wish = NewWish {
            from_registration_id: from,
            to_registration_id: to,
            priority: WishPriority::parse(priority)?,
        };
        matinale_store::wishes::make(db, event_id, &as_organiser, wish).await?;
    }
    Ok(())
}

/// Lower-case ASCII letters and digits, other characters as `-`: "Ville d'Orly" → "ville-d-orly".
fn deunicode_slug(text: &str) -> String {
    let mut slug = String::new();
    for c in matinale_domain::text::fold(text).chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}

/// Where to look once `serve` runs: the demo's event page, the console, the API's documentation.
fn print_addresses(public_url: &str, event: Option<Uuid>) {
    if let Some(id) = event {
        println!("event page:    {public_url}/e/{id}");
    }
    println!("coming events: {public_url}/");
    println!("console:       {public_url}/console/");
    println!("API docs:      {public_url}/docs/");
}

fn print_credentials(state: &str) {
    println!("demo data {state}");
    println!("demo organiser: {ORGANISER_EMAIL} / {ORGANISER_PASSWORD}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a date")
    }

    #[test]
    fn the_demo_matinale_is_the_fourth_thursday_of_a_november_at_least_three_weeks_ahead() {
        assert_eq!(matinale_day(date(2026, 1, 10)), date(2026, 11, 26));
        assert_eq!(matinale_day(date(2026, 11, 5)), date(2026, 11, 26));
        assert_eq!(matinale_day(date(2026, 11, 6)), date(2027, 11, 25));
        assert_eq!(matinale_day(date(2026, 12, 2)), date(2027, 11, 25));
        for day in [date(2026, 12, 2), date(2031, 3, 1), date(2040, 11, 30)] {
            let matinale = matinale_day(day);
            assert_eq!(matinale.weekday(), Weekday::Thu);
            assert!(matinale >= day + Days::new(21));
        }
    }
}
