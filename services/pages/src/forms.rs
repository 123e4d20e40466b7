//! Submitted forms: the URL-encoded fields, accepted only with the visit's CSRF token; and how field errors
//! are shown beside their fields.

use maud::{html, Markup};
use shared::FieldError;

use crate::visit::{PageError, Visit};

/// The largest form body accepted.
pub const FORM_LIMIT_BYTES: u64 = 64 * 1024;

/// The fields of a submitted form, in order.
pub struct Form {
    fields: Vec<(String, String)>,
}

impl Form {
    /// Parses `body`, refusing it (403) unless it carries this visit's CSRF token.
    pub fn checked(visit: &Visit, body: &[u8]) -> Result<Form, PageError> {
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
            .map_err(|_| PageError::BadRequest("the form could not be read".into()))?;
        let form = Form { fields };
        let expected = visit.csrf_token();
        let sent = form.get("csrf");
        // Compared in constant time, so timing reveals nothing of the token.
        let same = sent.len() == expected.len()
            && sent
                .bytes()
                .zip(expected.bytes())
                .fold(0u8, |difference, (a, b)| difference | (a ^ b))
                == 0;
        if same {
            Ok(form)
        } else {
            Err(PageError::Csrf)
        }
    }

    /// A form made of `fields` (a merge of two versions, say).
    pub fn from_fields(fields: Vec<(String, String)>) -> Form {
        Form { fields }
    }

    /// The fields named `prefix` + name, as a form of their own, without the prefix.
    pub fn prefixed(&self, prefix: &str) -> Form {
        let fields = self
            .fields
            .iter()
            .filter_map(|(key, value)| Some((key.strip_prefix(prefix)?.to_string(), value.clone())))
            .collect();
        Form { fields }
    }

    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .unwrap_or("")
    }

    /// Every value of `name` (ticked checkboxes sharing a name).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .collect()
    }

    /// The trimmed value of `name`, or `None` when empty.
    pub fn optional(&self, name: &str) -> Option<String> {
        Some(self.get(name).trim().to_string()).filter(|v| !v.is_empty())
    }

    /// Whether a checkbox named `name` was ticked.
    pub fn ticked(&self, name: &str) -> bool {
        self.fields.iter().any(|(key, _)| key == name)
    }
}

/// Splits a comma-separated list, dropping empty items.
pub fn list(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_string)
        .collect()
}

/// The errors of one form, found by field.
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn none() -> FieldErrors {
        FieldErrors(Vec::new())
    }

    /// The messages for `field` and its items (`themes` also finds `themes[2]`).
    pub fn messages(&self, field: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|e| {
                e.field == field
                    || e.field
                        .strip_prefix(field)
                        .is_some_and(|rest| rest.starts_with('[') || rest.starts_with('.'))
            })
            .map(|e| e.message.as_str())
            .collect()
    }

    /// The summary at the top of a form that failed: each message links to its field.
    pub fn summary(&self, visit: &Visit, field_id: impl Fn(&str) -> String) -> Markup {
        html! {
            @if !self.0.is_empty() {
                div class="error-summary" role="alert" tabindex="-1" {
                    h2 { (visit.text("form.errors_heading")) }
                    ul {
                        @for error in &self.0 {
                            li { a href={ "#" (field_id(&error.field)) } { (error.message) } }
                        }
                    }
                }
            }
        }
    }
}

/// A labelled text input with its hint and inline errors, tied together for screen readers.
pub struct Field<'a> {
    pub id: &'a str,
    pub label: &'a str,
    pub value: &'a str,
    pub hint: Option<&'a str>,
    pub errors: Vec<&'a str>,
    pub kind: &'a str,
    pub autocomplete: Option<&'a str>,
}

impl<'a> Field<'a> {
    pub fn text(id: &'a str, label: &'a str, value: &'a str) -> Field<'a> {
        Field {
            id,
            label,
            value,
            hint: None,
            errors: Vec::new(),
            kind: "text",
            autocomplete: None,
        }
    }

    pub fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }

    pub fn errors(mut self, errors: Vec<&'a str>) -> Self {
        self.errors = errors;
        self
    }

    pub fn kind(mut self, kind: &'a str) -> Self {
        self.kind = kind;
        self
    }

    pub fn autocomplete(mut self, autocomplete: &'a str) -> Self {
        self.autocomplete = Some(autocomplete);
        self
    }

    /// The `aria-describedby` of the field: its hint and its errors.
    fn described_by(&self) -> Option<String> {
        let mut ids = Vec::new();
        if self.hint.is_some() {
            ids.push(format!("{}-hint", self.id));
        }
        if !self.errors.is_empty() {
            ids.push(format!("{}-error", self.id));
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }

    fn around(&self, control: Markup) -> Markup {
        html! {
            div class={ "field" @if !self.errors.is_empty() { " field-invalid" } } {
                label for=(self.id) { (self.label) }
                @if let Some(hint) = self.hint { p class="hint" id={ (self.id) "-hint" } { (hint) } }
                @if !self.errors.is_empty() {
                    p class="field-error" id={ (self.id) "-error" } {
                        @for error in &self.errors { span { (error) } " " }
                    }
                }
                (control)
            }
        }
    }

    pub fn input(&self) -> Markup {
        self.around(html! {
            input type=(self.kind) id=(self.id) name=(self.id) value=(self.value)
                autocomplete=[self.autocomplete]
                aria-describedby=[self.described_by()]
                aria-invalid=[(!self.errors.is_empty()).then_some("true")];
        })
    }

    pub fn textarea(&self) -> Markup {
        self.around(html! {
            textarea id=(self.id) name=(self.id) rows="6"
                aria-describedby=[self.described_by()]
                aria-invalid=[(!self.errors.is_empty()).then_some("true")] { (self.value) }
        })
    }

    /// A `select` of `(value, label)` options with `self.value` selected.
    pub fn select(&self, options: &[(&str, &str)]) -> Markup {
        self.around(html! {
            select id=(self.id) name=(self.id)
                aria-describedby=[self.described_by()]
                aria-invalid=[(!self.errors.is_empty()).then_some("true")] {
                @for (value, label) in options {
                    option value=(value) selected[*value == self.value] { (label) }
                }
            }
        })
    }
}
