//! Checking what people send: each problem becomes a field error a person can act on, all reported at once.

use shared::error::{ApiError, FieldError};

/// The longest free text accepted (evidence, notes).
pub const LONG_TEXT: usize = 4000;
/// The longest name or title accepted.
pub const SHORT_TEXT: usize = 200;

/// Field errors collected while reading one request.
#[derive(Debug, Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `message` for `field` unless `ok`.
    pub fn require(&mut self, ok: bool, field: impl Into<String>, message: impl Into<String>) {
        if !ok {
            self.0.push(FieldError::new(field, message));
        }
    }

    /// `value` trimmed; it must hold 1 to `max` characters.
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        let value = value.trim();
        self.require(
            !value.is_empty() && value.chars().count() <= max,
            field,
            format!("enter 1 to {max} characters"),
        );
        value.to_string()
    }

    /// `value` trimmed; it may be empty but holds at most `max` characters.
    pub fn optional_text(&mut self, field: &str, value: &str, max: usize) -> String {
        let value = value.trim();
        self.require(
            value.chars().count() <= max,
            field,
            format!("use at most {max} characters"),
        );
        value.to_string()
    }

    /// Lower-case words joined by `_`, such as `housing` or `governance_leadership`.
    pub fn key(&mut self, field: &str, value: &str) {
        let ok = (1..=64).contains(&value.len())
            && value.starts_with(|c: char| c.is_ascii_lowercase())
            && value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        self.require(
            ok,
            field,
            "use lower-case letters, digits and _, starting with a letter",
        );
    }

    /// A list of short labels (languages, skills): each 1 to 64 characters, at most 50 of them; lower-cased.
    pub fn labels(&mut self, field: &str, values: &[String]) -> Vec<String> {
        self.require(values.len() <= 50, field, "use at most 50 entries");
        let mut labels: Vec<String> = values.iter().map(|v| v.trim().to_lowercase()).collect();
        self.require(
            labels.iter().all(|l| (1..=64).contains(&l.chars().count())),
            field,
            "each entry holds 1 to 64 characters",
        );
        labels.sort();
        labels.dedup();
        labels
    }

    /// Ok, or 422 with every problem found.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut checks = Checks::new();
        assert_eq!(checks.text("title", "  Budget  ", 10), "Budget");
        checks.text("owner", "   ", 10);
        checks.key("category", "Housing Advice");
        let labels = checks.labels("languages", &["Arabic ".into(), "arabic".into(), "".into()]);
        assert_eq!(labels, vec!["", "arabic"]);
        match checks.finish() {
            Err(ApiError::Validation(errors)) => {
                let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(fields, vec!["owner", "category", "languages"]);
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }
}
