//! The report as one self-contained SVG chart, for a SPASER slide: the meetings funnel
//! (planned → held → quote → contract) and the euros by ESS kind. Drawn with the `svg` crate
//! (no dependencies, text and attributes escaped); every figure is a `<text>` with a
//! `data-key`, so that a reader (or a test) finds it. In French by default (ESS kinds by their
//! names, amounts as `12 500,50 €`), in English when asked (`?lang=en`, or `Accept-Language`
//! preferring English).

use actix_web::http::header;
use actix_web::HttpRequest;
use matinale_domain::organisation::EssKind;
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

/// The language of the chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// French, the default.
    Fr,
    /// English.
    En,
}

impl Language {
    /// `?lang=fr|en` if given, else the first of French and English in `Accept-Language` (in
    /// the order of preference), else French.
    pub fn of_request(req: &HttpRequest) -> Language {
        let by_tag = |tag: &str| match tag
            .trim()
            .split(['-', '_'])
            .next()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("fr") => Some(Language::Fr),
            Some("en") => Some(Language::En),
            _ => None,
        };
        let asked = req
            .query_string()
            .split('&')
            .find_map(|pair| match pair.split_once('=') {
                Some(("lang", value)) => by_tag(value),
                _ => None,
            });
        if let Some(language) = asked {
            return language;
        }
        let accepted = req
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let mut ranked: Vec<(f32, usize, Language)> = accepted
            .split(',')
            .enumerate()
            .filter_map(|(i, item)| {
                let mut parts = item.split(';');
                let language = by_tag(parts.next()?)?;
                let q = parts
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                (q > 0.0).then_some((q, i, language))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked.first().map_or(Language::Fr, |r| r.2)
    }

    fn pick(self, fr: &'static str, en: &'static str) -> &'static str {
        match self {
            Language::Fr => fr,
            Language::En => en,
        }
    }

    /// An amount as written in the language: `12 500,50 €` or `€12,500.50`.
    pub fn euros(self, amount: AmountCents) -> String {
        let cents = amount.cents();
        let (units, rest) = (cents.unsigned_abs() / 100, cents.unsigned_abs() % 100);
        let digits = units.to_string();
        let separator = self.pick(" ", ",");
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push_str(separator);
            }
            grouped.push(c);
        }
        let sign = if cents < 0 { "-" } else { "" };
        match self {
            Language::Fr => format!("{sign}{grouped},{rest:02} €"),
            Language::En => format!("{sign}€{grouped}.{rest:02}"),
        }
    }

    /// An ESS kind by its name (its code if unknown).
    fn kind(self, code: &str) -> String {
        match EssKind::from_db(code) {
            Some(kind) => self.pick(kind.name_fr(), kind.name_en()).to_owned(),
            None => code.to_owned(),
        }
    }
}

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

/// The chart of `report`, in `language`.
pub fn render(report: &ReportResponse, language: Language) -> String {
    let f = &report.funnel;
    let l = language;
    let funnel = [
        (
            l.pick("Rendez-vous planifiés", "Meetings planned"),
            f.planned,
            "funnel.planned",
        ),
        (l.pick("Tenus", "Held"), f.held, "funnel.held"),
        (l.pick("Devis demandés", "Quotes requested"), f.quote, "funnel.quote"),
        (l.pick("Contrats", "Contracts"), f.contract, "funnel.contract"),
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
            label: l.kind(&g.name),
            value: g.amount_cents as f64,
            shown: l.euros(AmountCents::from_cents(g.amount_cents)),
            key: format!("by_ess_kind.{}", g.name),
        })
        .collect();
    let heading = format!(
        "{} — {}",
        report.title,
        l.pick("bilan des rendez-vous d'affaires", "business meetings report")
    );
    let (funnel_group, after_funnel) = panel(
        l.pick("Du rendez-vous au contrat", "From meeting to contract"),
        50,
        &funnel,
        &FUNNEL_COLOURS,
    );
    let (euro_group, after_euros) = panel(
        l.pick("Montants (€) par famille de l'ESS", "Amounts (€) by ESS kind"),
        after_funnel + 20,
        &euros,
        &[EURO_COLOUR],
    );
    let height = after_euros + 30;
    let total = format!(
        "{} {} · {} {}",
        l.pick("Total :", "Total:"),
        l.euros(AmountCents::from_cents(report.outcomes.amount_cents)),
        l.pick("dont marchés réservés :", "of which reserved markets:"),
        l.euros(AmountCents::from_cents(report.outcomes.reserved_markets.amount_cents))
    );
    Document::new()
        .set("lang", l.pick("fr", "en"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_written_as_in_the_language() {
        let amount = AmountCents::from_cents(1_250_050);
        assert_eq!(Language::Fr.euros(amount), "12 500,50 €");
        assert_eq!(Language::En.euros(amount), "€12,500.50");
        assert_eq!(Language::Fr.euros(AmountCents::from_cents(5)), "0,05 €");
        assert_eq!(
            Language::Fr.euros(AmountCents::from_cents(12_345_678_900)),
            "123 456 789,00 €"
        );
    }

    #[test]
    fn the_language_is_asked_by_query_or_accept_language() {
        use actix_web::test::TestRequest;
        let of = |uri: &str, accept: Option<&str>| {
            let mut req = TestRequest::get().uri(uri);
            if let Some(a) = accept {
                req = req.insert_header((header::ACCEPT_LANGUAGE, a));
            }
            Language::of_request(&req.to_http_request())
        };
        assert_eq!(of("/r", None), Language::Fr);
        assert_eq!(of("/r", Some("en-GB,en;q=0.9")), Language::En);
        assert_eq!(of("/r", Some("de, en;q=0.5, fr;q=0.8")), Language::Fr);
        assert_eq!(of("/r?lang=fr", Some("en")), Language::Fr);
        assert_eq!(of("/r?x=1&lang=en", None), Language::En);
        assert_eq!(of("/r", Some("fr;q=0, en;q=0.1")), Language::En);
    }
}
