//! What can be wrong with input, always with the field at fault.

use serde::Serialize;

/// One invalid field: its JSON path, a stable machine code and a human message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// JSON path of the field, such as `venue.postcode` or `quotas.buyer`.
    pub field: String,
    /// Stable code: `required`, `invalid`, `too_long`, `out_of_range`, `order`, `unknown_field`…
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
}

impl FieldError {
    /// A new field error.
    pub fn new(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

/// Errors of the domain layer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// One or more fields hold invalid values.
    #[error("invalid input: {}", .0.iter().map(|e| e.field.as_str()).collect::<Vec<_>>().join(", "))]
    Invalid(Vec<FieldError>),
    /// The request contradicts the current state (e.g. publishing a cancelled event).
    #[error("{0}")]
    Conflict(String),
}

impl Error {
    /// A single invalid field.
    pub fn field(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Error::Invalid(vec![FieldError::new(field, code, message)])
    }
}

/// Collects field errors while a request is parsed, so that all of them are reported at once.
#[derive(Debug, Default)]
pub struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    /// An empty checker.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records an error.
    pub fn push(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    /// Records the errors of a nested parse, and returns its value when it succeeded.
    pub fn take<T>(&mut self, result: Result<T, Error>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(Error::Invalid(errors)) => {
                self.errors.extend(errors);
                None
            }
            Err(Error::Conflict(message)) => {
                self.errors.push(FieldError::new("", "conflict", message));
                None
            }
        }
    }

    /// Records an error unless `ok` holds.
    pub fn ensure(&mut self, ok: bool, field: &str, code: &str, message: &str) {
        if !ok {
            self.push(FieldError::new(field, code, message));
        }
    }

    /// Whether nothing was recorded.
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }

    /// Every recorded error; call when a nested parse gave no value (so one was recorded).
    pub fn into_error(self) -> Error {
        Error::Invalid(self.errors)
    }

    /// `Ok(value)` if nothing was recorded, else every recorded error.
    pub fn finish<T>(self, value: impl FnOnce() -> T) -> Result<T, Error> {
        if self.errors.is_empty() {
            Ok(value())
        } else {
            Err(Error::Invalid(self.errors))
        }
    }
}

/// A trimmed, non-empty text of at most `max` characters.
pub fn required_text(field: &str, value: &str, max: usize) -> Result<String, Error> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Error::field(field, "required", "must not be empty"));
    }
    bounded_text(field, trimmed, max)
}

/// A text of at most `max` characters (trimmed; may be empty) that may span lines: of the
/// control characters it keeps line breaks only (LF, CR); a tab or any other one is refused.
pub fn bounded_text(field: &str, value: &str, max: usize) -> Result<String, Error> {
    let trimmed = value.trim();
    if trimmed.chars().count() > max {
        return Err(Error::field(
            field,
            "too_long",
            format!("must be at most {max} characters"),
        ));
    }
    if trimmed.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
        return Err(Error::field(
            field,
            "invalid",
            "must not contain control characters other than line breaks",
        ));
    }
    Ok(trimmed.to_owned())
}

/// An optional text (empty means none).
pub fn optional_text(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>, Error> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => bounded_text(field, text, max).map(Some),
    }
}

/// Whether `c` may not appear in a one-line text: a control character (tab, CR and LF
/// included) or a Unicode line or paragraph separator.
pub fn breaks_a_line(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// A one-line text of at most `max` characters (trimmed; may be empty): names, titles,
/// labels. One-line texts go into mail headers, calendar lines, CSV cells and page headings,
/// where a line break or another control character could forge a header or a line: none is
/// accepted.
pub fn bounded_line(field: &str, value: &str, max: usize) -> Result<String, Error> {
    let text = value.trim();
    if text.chars().any(breaks_a_line) {
        return Err(Error::field(
            field,
            "invalid",
            "must be on one line, without control characters",
        ));
    }
    bounded_text(field, text, max)
}

/// A trimmed, non-empty one-line text of at most `max` characters ([`bounded_line`]).
pub fn required_line(field: &str, value: &str, max: usize) -> Result<String, Error> {
    if value.trim().is_empty() {
        return Err(Error::field(field, "required", "must not be empty"));
    }
    bounded_line(field, value, max)
}

/// An optional one-line text (empty means none; [`bounded_line`]).
pub fn optional_line(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>, Error> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => bounded_line(field, text, max).map(Some),
    }
}

/// An absolute `http(s)` URL.
pub fn url(field: &str, value: &str) -> Result<String, Error> {
    use validator::ValidateUrl;
    let trimmed = value.trim();
    let scheme_ok = trimmed.starts_with("https://") || trimmed.starts_with("http://");
    if !scheme_ok || !trimmed.validate_url() || trimmed.len() > 2000 {
        return Err(Error::field(field, "invalid", "must be an http(s) URL"));
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checker_reports_every_field() {
        let mut check = Checker::new();
        check.take(required_text("title", " ", 10));
        check.take(required_text("name", "x".repeat(11).as_str(), 10));
        let err = check.finish(|| ()).unwrap_err();
        let Error::Invalid(errors) = err else {
            panic!("expected invalid")
        };
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].field, "title");
        assert_eq!(errors[0].code, "required");
        assert_eq!(errors[1].code, "too_long");
    }

    #[test]
    fn control_characters_are_refused() {
        assert!(bounded_text("t", "a\u{0}b", 10).is_err());
        assert!(bounded_text("t", "a\nb", 10).is_ok());
        assert!(bounded_text("t", "a\r\nb", 10).is_ok());
        assert!(bounded_text("t", "a\tb", 10).is_err());
    }

    #[test]
    fn a_one_line_text_refuses_every_control_character() {
        for bad in ["a\tb", "a\nb", "a\rb", "a\u{7}b", "a\u{85}b", "a\u{2028}b", "a\u{7f}b"] {
            let Err(Error::Invalid(errors)) = required_line("title", bad, 10) else {
                panic!("{bad:?} accepted")
            };
            assert_eq!(errors[0].field, "title");
        }
        assert_eq!(required_line("title", "  Réemploi ", 10).unwrap(), "Réemploi");
        assert_eq!(optional_line("location", Some(" "), 10).unwrap(), None);
        assert!(bounded_line("location", "Salle\t2", 10).is_err());
    }

    #[test]
    fn urls_need_a_scheme() {
        assert!(url("u", "https://example.org/x").is_ok());
        assert!(url("u", "javascript:alert(1)").is_err());
        assert!(url("u", "example.org").is_err());
    }
}
