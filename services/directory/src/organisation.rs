//! An organisation of the directory as editors write it and as each viewer may read it: its field groups,
//! their visibility, its locations and how precisely each may be shown, and the validation of every field.

pub use search_index::{FieldVisibility, Precision, Visibility};
use serde::{Deserialize, Deserializer, Serialize};
use shared::FieldError;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// Where an organisation stands in the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Membership {
    Member,
    Associate,
    Applicant,
    Former,
}

/// How to reach an organisation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    #[schema(max_length = 200)]
    pub name: Option<String>,
    #[schema(max_length = 254, pattern = "@")]
    pub email: Option<String>,
    /// Digits, spaces and `+ ( ) -`.
    #[schema(max_length = 40, pattern = r"^[0-9 +()-]*$")]
    pub phone: Option<String>,
}

/// A place where an organisation works, as its editors write it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationInput {
    /// e.g. "Tuesday drop-in"
    #[serde(default)]
    #[schema(max_length = 300)]
    pub label: String,
    #[schema(max_length = 300)]
    pub address: Option<String>,
    #[schema(max_length = 300)]
    pub postcode: Option<String>,
    #[schema(max_length = 300)]
    pub town: Option<String>,
    #[schema(minimum = -90.0, maximum = 90.0)]
    pub latitude: f64,
    #[schema(minimum = -180.0, maximum = 180.0)]
    pub longitude: f64,
    pub precision: Precision,
}

/// Everything an editor writes about an organisation: the body of `POST`, and the whole after a `PATCH`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationInput {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub description: String,
    /// Up to 20, each of 1 to 60 characters.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub themes: Vec<String>,
    /// Up to 20, each of 1 to 60 characters.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub communities: Vec<String>,
    /// ISO 639 codes, e.g. `ti`, `ar`, `pl`, `rom`.
    #[serde(default)]
    pub languages: Vec<String>,
    #[schema(max_length = 300, pattern = "^https?://")]
    pub website: Option<String>,
    #[serde(default)]
    pub contact: Contact,
    #[serde(default)]
    #[schema(max_items = 20)]
    pub locations: Vec<LocationInput>,
    pub membership: Membership,
    #[serde(default)]
    pub visibility: FieldVisibility,
}

/// A partial change: only the fields present change; `null` clears an optional field.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationPatch {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: Option<String>,
    #[schema(max_length = 5000)]
    pub description: Option<String>,
    #[schema(max_items = 20)]
    pub themes: Option<Vec<String>>,
    #[schema(max_items = 20)]
    pub communities: Option<Vec<String>>,
    pub languages: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 300, pattern = "^https?://")]
    pub website: Option<Option<String>>,
    pub contact: Option<Contact>,
    /// Replaces every location.
    #[schema(max_items = 20)]
    pub locations: Option<Vec<LocationInput>>,
    pub membership: Option<Membership>,
    pub visibility: Option<FieldVisibility>,
}

/// Tells a field sent as `null` (`Some(None)`) from a field left out (`None`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

impl OrganisationPatch {
    /// The organisation after this patch.
    pub fn apply(self, mut current: OrganisationInput) -> OrganisationInput {
        macro_rules! take {
            ($($field:ident),*) => { $( if let Some(value) = self.$field { current.$field = value; } )* };
        }
        take!(
            name,
            description,
            themes,
            communities,
            languages,
            website,
            contact,
            locations,
            membership,
            visibility
        );
        current
    }
}

const MAX_NAME: usize = 200;
const MAX_DESCRIPTION: usize = 5_000;
const MAX_TAG: usize = 60;
const MAX_TAGS: usize = 20;
const MAX_LOCATIONS: usize = 20;
const MAX_SHORT_TEXT: usize = 300;

impl OrganisationInput {
    /// Trims text, drops empty optionals, and checks every field; all failures are reported together.
    pub fn validated(mut self) -> Result<OrganisationInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        self.name = self.name.trim().to_string();
        if self.name.is_empty() || self.name.chars().count() > MAX_NAME {
            errors.push(FieldError::new(
                "name",
                format!("enter a name of 1 to {MAX_NAME} characters"),
            ));
        }
        self.description = self.description.trim().to_string();
        if self.description.chars().count() > MAX_DESCRIPTION {
            errors.push(FieldError::new(
                "description",
                format!("keep it under {MAX_DESCRIPTION} characters"),
            ));
        }
        for (field, tags) in [
            ("themes", &mut self.themes),
            ("communities", &mut self.communities),
        ] {
            check_tags(field, tags, &mut errors);
        }
        self.languages = self
            .languages
            .iter()
            .map(|l| l.trim().to_ascii_lowercase())
            .collect();
        for (i, language) in self.languages.iter().enumerate() {
            if !(2..=3).contains(&language.len()) || !language.bytes().all(|b| b.is_ascii_lowercase()) {
                errors.push(FieldError::new(
                    format!("languages[{i}]"),
                    "use an ISO 639 code of 2 or 3 letters, such as ti, ar or rom",
                ));
            }
        }
        self.website = clean(self.website.take());
        if let Some(website) = &self.website {
            if !(website.starts_with("https://") || website.starts_with("http://"))
                || website.len() > MAX_SHORT_TEXT
            {
                errors.push(FieldError::new(
                    "website",
                    "enter a web address starting with https://",
                ));
            }
        }
        self.contact.name = clean(self.contact.name.take());
        self.contact.email = clean(self.contact.email.take());
        self.contact.phone = clean(self.contact.phone.take());
        if let Some(email) = &self.contact.email {
            if !email.contains('@') || email.len() > 254 {
                errors.push(FieldError::new(
                    "contact.email",
                    "enter an email address such as hello@example.org",
                ));
            }
        }
        if let Some(phone) = &self.contact.phone {
            let allowed = |c: char| c.is_ascii_digit() || " +()-".contains(c);
            if phone.len() > 40 || !phone.chars().all(allowed) {
                errors.push(FieldError::new(
                    "contact.phone",
                    "use digits, spaces and + ( ) - only",
                ));
            }
        }
        if self
            .contact
            .name
            .as_ref()
            .is_some_and(|n| n.chars().count() > MAX_NAME)
        {
            errors.push(FieldError::new(
                "contact.name",
                format!("keep it under {MAX_NAME} characters"),
            ));
        }
        if self.locations.len() > MAX_LOCATIONS {
            errors.push(FieldError::new(
                "locations",
                format!("at most {MAX_LOCATIONS} locations"),
            ));
        }
        for (i, location) in self.locations.iter_mut().enumerate() {
            location.label = location.label.trim().to_string();
            location.address = clean(location.address.take());
            location.postcode = clean(location.postcode.take());
            location.town = clean(location.town.take());
            if !(-90.0..=90.0).contains(&location.latitude) {
                errors.push(FieldError::new(
                    format!("locations[{i}].latitude"),
                    "must be between -90 and 90",
                ));
            }
            if !(-180.0..=180.0).contains(&location.longitude) {
                errors.push(FieldError::new(
                    format!("locations[{i}].longitude"),
                    "must be between -180 and 180",
                ));
            }
            let texts = [
                Some(&location.label),
                location.address.as_ref(),
                location.postcode.as_ref(),
                location.town.as_ref(),
            ];
            if texts
                .into_iter()
                .flatten()
                .any(|t| t.chars().count() > MAX_SHORT_TEXT)
            {
                errors.push(FieldError::new(
                    format!("locations[{i}]"),
                    format!("keep each text under {MAX_SHORT_TEXT} characters"),
                ));
            }
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }
}

fn clean(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

fn check_tags(field: &str, tags: &mut Vec<String>, errors: &mut Vec<FieldError>) {
    let mut seen = std::collections::HashSet::new();
    *tags = tags
        .iter()
        .map(|t| t.trim().to_string())
        .filter(|t| seen.insert(t.to_lowercase()))
        .collect();
    if tags.len() > MAX_TAGS {
        errors.push(FieldError::new(field, format!("at most {MAX_TAGS}")));
    }
    for (i, tag) in tags.iter().enumerate() {
        if tag.is_empty() || tag.chars().count() > MAX_TAG {
            errors.push(FieldError::new(
                format!("{field}[{i}]"),
                format!("use 1 to {MAX_TAG} characters"),
            ));
        }
    }
}

/// A stored organisation: what an editor wrote plus what the directory keeps about it.
#[derive(Debug, Clone)]
pub struct Organisation {
    pub id: Uuid,
    pub input: OrganisationInput,
    pub location_ids: Vec<Uuid>,
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// A location as one viewer may see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LocationView {
    pub id: Uuid,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    pub town: Option<String>,
    pub latitude: f64,
    pub longitude: f64,
    pub precision: Precision,
    /// True when the coordinates are the centre of a ~2 km area, not the real point.
    pub approximate: bool,
}

/// An organisation as one viewer may see it: groups they may not see are left out and named in
/// `hidden_fields`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganisationView {
    pub id: Uuid,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub themes: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub communities: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub languages: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locations: Option<Vec<LocationView>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub membership: Option<Membership>,
    /// Shown to the organisation's editors and staff only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visibility: Option<FieldVisibility>,
    /// Field groups left out because this viewer may not see them.
    pub hidden_fields: Vec<&'static str>,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> OrganisationInput {
        serde_json::from_value(serde_json::json!({
            "name": "  Coventry Refugee Voices ",
            "membership": "member",
            "languages": ["TI", "ar"],
            "locations": [{"latitude": 52.4, "longitude": -1.5, "precision": "area", "address": " "}]
        }))
        .unwrap()
    }

    #[test]
    fn validation_trims_and_normalises() {
        let valid = sample().validated().unwrap();
        assert_eq!(valid.name, "Coventry Refugee Voices");
        assert_eq!(valid.languages, vec!["ti", "ar"]);
        assert_eq!(valid.locations[0].address, None);
        assert_eq!(valid.visibility, FieldVisibility::default());
    }

    #[test]
    fn validation_reports_every_bad_field_by_path() {
        let mut bad = sample();
        bad.name = " ".into();
        bad.languages = vec!["english".into()];
        bad.locations[0].latitude = 91.0;
        bad.website = Some("ftp://x".into());
        let fields: Vec<String> = bad
            .validated()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            vec!["name", "languages[0]", "website", "locations[0].latitude"]
        );
    }

    #[test]
    fn a_patch_changes_only_what_it_names_and_null_clears() {
        let mut current = sample();
        current.website = Some("https://example.org".into());
        let patch: OrganisationPatch =
            serde_json::from_value(serde_json::json!({"description": "Drop-in", "website": null})).unwrap();
        let after = patch.apply(current.clone());
        assert_eq!(after.description, "Drop-in");
        assert_eq!(after.website, None);
        assert_eq!(after.name, current.name);
        assert!(serde_json::from_value::<OrganisationPatch>(serde_json::json!({"nmae": "x"})).is_err());
    }
}
