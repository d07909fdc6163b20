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

/// A text of at most `max` characters (trimmed; may be empty).
pub fn bounded_text(field: &str, value: &str, max: usize) -> Result<String, Error> {
    let trimmed = value.trim();
    if trimmed.chars().count() > max {
        return Err(Error::field(
            field,
            "too_long",
            format!("must be at most {max} characters"),
        ));
    }
    if trimmed
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(Error::field(field, "invalid", "must not contain control characters"));
    }
    Ok(trimmed.to_owned())
}

/// An optional text: `None` or blank gives `None`.
pub fn optional_text(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>, Error> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => bounded_text(field, text, max).map(Some),
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
    }

    #[test]
    fn urls_need_a_scheme() {
        assert!(url("u", "https://example.org/x").is_ok());
        assert!(url("u", "javascript:alert(1)").is_err());
        assert!(url("u", "example.org").is_err());
    }
}
