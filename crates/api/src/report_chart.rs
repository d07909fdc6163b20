//! The report as one self-contained SVG chart, for a SPASER slide: the meetings funnel
//! (planned → held → quote → contract) and the euros by ESS kind. Drawn with the `svg` crate
//! (no dependencies, text and attributes escaped); every figure is a `<text>` with a
//! `data-key`, so that a reader (or a test) finds it.

use matinale_domain::outcome::AmountCents;
use svg::node::element::{Group, Line, Rectangle, Text, Title};
use svg::Document;

use crate::dto::reports::ReportResponse;

const WIDTH: u32 = 800;
const LABEL_WIDTH: u32 = 220;
const BAR_MAX: f64 = 440.0;
const BAR_HEIGHT: u32 = 28;
const ROW: u32 = 40;
const FUNNEL_COLOURS: [&str; 4] = ["#4e79a7", "#59a14f", "#f28e2b", "#e15759"];
const EURO_COLOUR: &str = "#76b7b2";

/// One bar: label, length, shown value, `data-key`.
struct Bar {
    label: String,
    value: f64,
    shown: String,
    key: String,
}

fn panel(title: &str, top: u32, bars: &[Bar], colours: &[&str]) -> (Group, u32) {
    let max = bars.iter().map(|b| b.value).fold(0.0_f64, f64::max);
    let mut group = Group::new().add(
        Text::new(title)
            .set("x", 20)
            .set("y", top + 20)
            .set("font-size", 18)
            .set("font-weight", "bold"),
    );
    let mut y = top + 36;
    for (i, bar) in bars.iter().enumerate() {
        let length = if max > 0.0 { bar.value / max * BAR_MAX } else { 0.0 };
        let colour = colours.get(i % colours.len().max(1)).copied().unwrap_or(EURO_COLOUR);
        group = group
            .add(
                Text::new(bar.label.as_str())
                    .set("x", LABEL_WIDTH - 10)
                    .set("y", y + BAR_HEIGHT / 2 + 5)
                    .set("text-anchor", "end")
                    .set("font-size", 14),
            )
            .add(
                Rectangle::new()
                    .set("x", LABEL_WIDTH)
                    .set("y", y)
                    .set("width", format!("{length:.1}"))
                    .set("height", BAR_HEIGHT)
                    .set("fill", colour),
            )
            .add(
                Text::new(bar.shown.as_str())
                    .set("x", format!("{:.1}", f64::from(LABEL_WIDTH) + length + 8.0))
                    .set("y", y + BAR_HEIGHT / 2 + 5)
                    .set("font-size", 14)
                    .set("class", "value")
                    .set("data-key", bar.key.as_str()),
            );
        y += ROW;
    }
    if bars.is_empty() {
        group = group.add(
            Text::new("—")
                .set("x", LABEL_WIDTH)
                .set("y", y + BAR_HEIGHT / 2)
                .set("font-size", 14),
        );
        y += ROW;
    }
    (group, y)
}

/// The chart of `report`.
pub fn render(report: &ReportResponse) -> String {
    let f = &report.funnel;
    let funnel = [
        ("Rendez-vous planifiés", f.planned, "funnel.planned"),
        ("Tenus", f.held, "funnel.held"),
        ("Devis demandés", f.quote, "funnel.quote"),
        ("Contrats", f.contract, "funnel.contract"),
    ]
    .map(|(label, n, key)| Bar {
        label: label.to_owned(),
        value: n as f64,
        shown: n.to_string(),
        key: key.to_owned(),
    });
    let euros: Vec<Bar> = report
        .by_ess_kind
        .iter()
        .map(|g| Bar {
            label: g.name.to_uppercase(),
            value: g.amount_cents as f64,
            shown: format!("{} €", AmountCents::from_cents(g.amount_cents).to_decimal_string()),
            key: format!("by_ess_kind.{}", g.name),
        })
        .collect();
    let heading = format!("{} — bilan des rendez-vous d'affaires", report.title);
    let (funnel_group, after_funnel) = panel("Du rendez-vous au contrat", 50, &funnel, &FUNNEL_COLOURS);
    let (euro_group, after_euros) = panel(
        "Montants (€) par famille de l'ESS",
        after_funnel + 20,
        &euros,
        &[EURO_COLOUR],
    );
    let height = after_euros + 30;
    let total = format!(
        "Total : {} € · dont marchés réservés : {} €",
        report.outcomes.amount_eur,
        AmountCents::from_cents(report.outcomes.reserved_markets.amount_cents).to_decimal_string()
    );
    Document::new()
        .set("viewBox", (0, 0, WIDTH, height))
        .set("width", WIDTH)
        .set("height", height)
        .set("font-family", "Marianne, Arial, Helvetica, sans-serif")
        .add(Title::new(heading.as_str()))
        .add(
            Rectangle::new()
                .set("width", "100%")
                .set("height", "100%")
                .set("fill", "#ffffff"),
        )
        .add(
            Text::new(heading.as_str())
                .set("x", 20)
                .set("y", 30)
                .set("font-size", 20)
                .set("font-weight", "bold"),
        )
        .add(funnel_group)
        .add(
            Line::new()
                .set("x1", 20)
                .set("x2", WIDTH - 20)
                .set("y1", after_funnel + 5)
                .set("y2", after_funnel + 5)
                .set("stroke", "#cccccc"),
        )
        .add(euro_group)
        .add(
            Text::new(total.as_str())
                .set("x", 20)
                .set("y", after_euros + 10)
                .set("font-size", 14)
                .set("class", "value")
                .set("data-key", "outcomes.amount_eur"),
        )
        .to_string()
}
