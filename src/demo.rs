//! `matinale seed-demo`: a matinale like the fourth edition (Orly, 25 November 2026), so that a
//! new user sees a realistic event at once. Names are those of SPEC.md; no SIRET is invented.

use anyhow::Context;
use chrono::{DateTime, FixedOffset, NaiveDate};
use matinale_domain::event::{
    EventDraft, EventFields, EventKind, EventStatus, NewProgrammeItem, ProgrammeItemKind, VenueDraft,
};
use matinale_domain::organisation::{EssKind, OrganisationDraft, OrganisationFields, OrganisationKind};
use matinale_domain::series::NewSeries;
use matinale_domain::user::{Actor, NewUser, Role};
use matinale_store::Db;

/// The demo organiser's login, printed by `make run`.
pub const ORGANISER_EMAIL: &str = "organisatrice@grand-orly.demo";
/// The demo organiser's password.
pub const ORGANISER_PASSWORD: &str = "matinale-demo-2026";
const SERIES_SLUG: &str = "mois-ess-2026";

fn at(text: &str) -> anyhow::Result<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(text).with_context(|| format!("bad demo time {text}"))
}

// (name, ESS kinds, sectors, cities, description)
type EssStructureRow = (
    &'static str,
    &'static [EssKind],
    &'static [&'static str],
    &'static [&'static str],
    &'static str,
);

const ESS_STRUCTURES: &[EssStructureRow] = &[
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

/// Loads the demo unless its series exists; prints the organiser's credentials either way.
pub async fn seed(db: &Db) -> anyhow::Result<()> {
    let existing = matinale_store::accounts::user_by_email(db, ORGANISER_EMAIL).await?;
    if existing.is_some() {
        print_credentials("already loaded");
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
    let series = matinale_store::series::create(
        db,
        &actor,
        NewSeries::parse(
            SERIES_SLUG,
            "Mois de l'ESS 2026",
            NaiveDate::from_ymd_opt(2026, 11, 1).context("date")?,
            NaiveDate::from_ymd_opt(2026, 11, 30).context("date")?,
            "Le Mois de l'économie sociale et solidaire sur le territoire de Grand-Orly Seine Bièvre.",
        )?,
    )
    .await?;
    let fields = EventFields::parse(EventDraft {
        series_id: Some(series.id),
        kind: EventKind::Matinale,
        title: "4e matinale des achats responsables".into(),
        description: "Acheteurs publics et structures de l'ESS se rencontrent : quiz, point juridique sur le \
critère environnemental obligatoire, témoignages, stands inversés où les acheteurs présentent leurs besoins, \
et speed meetings."
            .into(),
        starts_at: at("2026-11-25T08:30:00+01:00")?,
        ends_at: at("2026-11-25T12:30:00+01:00")?,
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
        registration_opens_at: Some(at("2026-10-01T09:00:00+02:00")?),
        registration_closes_at: Some(at("2026-11-24T18:00:00+01:00")?),
    })?;
    let event = matinale_store::events::create(db, &actor, fields, EventStatus::Published, &[]).await?;
    let programme = [
        (
            "2026-11-25T08:30:00+01:00",
            "2026-11-25T09:00:00+01:00",
            "Accueil café",
            ProgrammeItemKind::Break,
            vec![],
        ),
        (
            "2026-11-25T09:00:00+01:00",
            "2026-11-25T09:20:00+01:00",
            "Quiz : les achats responsables, vrai ou faux ?",
            ProgrammeItemKind::Quiz,
            vec![],
        ),
        (
            "2026-11-25T09:20:00+01:00",
            "2026-11-25T09:50:00+01:00",
            "Le critère environnemental obligatoire dans tous les marchés publics en 2026",
            ProgrammeItemKind::Talk,
            vec!["Juriste en commande publique".to_owned()],
        ),
        (
            "2026-11-25T09:50:00+01:00",
            "2026-11-25T10:20:00+01:00",
            "Témoignages d'acheteurs et de structures de l'ESS",
            ProgrammeItemKind::Testimony,
            vec![],
        ),
        (
            "2026-11-25T10:20:00+01:00",
            "2026-11-25T11:20:00+01:00",
            "Forum des stands inversés",
            ProgrammeItemKind::Stands,
            vec![],
        ),
        (
            "2026-11-25T11:20:00+01:00",
            "2026-11-25T12:30:00+01:00",
            "Speed meetings acheteurs – ESS",
            ProgrammeItemKind::SpeedMeetings,
            vec![],
        ),
    ];
    for (starts, ends, title, kind, speakers) in programme {
        let (starts, ends) = (at(starts)?, at(ends)?);
        matinale_store::events::add_programme_item(db, event.id, &actor, |e| {
            NewProgrammeItem::parse(&e.fields, starts, ends, title, kind, &speakers)
        })
        .await?;
    }
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
        matinale_store::organisations::create(db, &actor, fields).await?;
    }
    for (name, cities) in BUYERS {
        let fields = OrganisationFields::parse(OrganisationDraft {
            kind: Some(OrganisationKind::PublicBuyer),
            name: (*name).into(),
            cities: cities.iter().map(|s| (*s).to_owned()).collect(),
            ..Default::default()
        })?;
        matinale_store::organisations::create(db, &actor, fields).await?;
    }
    print_credentials("loaded");
    println!("demo event: {} ({})", event.fields.title, event.id);
    Ok(())
}

fn print_credentials(state: &str) {
    println!("demo data {state}");
    println!("demo organiser: {ORGANISER_EMAIL} / {ORGANISER_PASSWORD}");
}
