//! Text folding for search that ignores accents and case on every database.

/// Folds text for accent- and case-insensitive search: "Réemploi  Œuvre" → "reemploi oeuvre".
///
/// Stored beside searchable rows and applied to queries, so that a plain `LIKE` finds
/// "réemploi" from "reemploi" on SQLite and PostgreSQL alike.
pub fn fold(text: &str) -> String {
    let ascii = deunicode::deunicode(text).to_lowercase();
    ascii.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub fn like_pattern(folded: &str) -> String {
    let mut out = String::with_capacity(folded.len() + 2);
    out.push('%');
    for c in folded.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_and_case_fold_away() {
        assert_eq!(fold("Mobilier en RÉEMPLOI"), "mobilier en reemploi");
        assert_eq!(fold("L'Haÿ-les-Roses"), "l'hay-les-roses");
        assert_eq!(fold("  Chic !   On ressource "), "chic ! on ressource");
    }

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(like_pattern("50%_a"), "%50\\%\\_a%");
    }
}
