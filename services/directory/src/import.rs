//! CSV import of organisations: every row validated, a report of errors per row, and all-or-nothing unless
//! asked to import the valid rows only. One location per row; a known UK town stands in for missing
//! coordinates, and imported locations are shown as an area unless the file says otherwise.
//!
//! Columns (a header row; only `name` is required, in any order): `name`, `description`, `themes`,
//! `communities`, `languages` (lists separated by `;`), `website`, `contact_name`, `contact_email`,
//! `contact_phone`, `membership` (default `member`), `profile_visibility`, `contact_visibility`,
//! `locations_visibility`, `membership_visibility`, `location_label`, `address`, `postcode`, `town`,
//! `latitude`, `longitude`, `precision` (`exact`, `area` (default) or `hidden`).

use serde::de::DeserializeOwned;
use serde::Deserialize;
use shared::FieldError;

use crate::organisation::{Contact, FieldVisibility, LocationInput, OrganisationInput, Precision};

/// The columns a file may have.
pub const COLUMNS: &[&str] = &[
    "name",
    "description",
    "themes",
    "communities",
    "languages",
    "website",
    "contact_name",
    "contact_email",
    "contact_phone",
    "membership",
    "profile_visibility",
    "contact_visibility",
    "locations_visibility",
    "membership_visibility",
    "location_label",
    "address",
    "postcode",
    "town",
    "latitude",
    "longitude",
    "precision",
];

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Row {
    name: String,
    description: String,
    themes: String,
    communities: String,
    languages: String,
    website: String,
    contact_name: String,
    contact_email: String,
    contact_phone: String,
    membership: String,
    profile_visibility: String,
    contact_visibility: String,
    locations_visibility: String,
    membership_visibility: String,
    location_label: String,
    address: String,
    postcode: String,
    town: String,
    latitude: String,
    longitude: String,
    precision: String,
}

/// The organisations read from a file and the problems found, each named `rows[N].field` (N counts data
/// rows from 1; the header is not a row).
#[derive(Debug, Default)]
pub struct Parsed {
    pub organisations: Vec<OrganisationInput>,
    pub errors: Vec<FieldError>,
    pub rows: usize,
}

fn list(raw: &str) -> Vec<String> {
    raw.split(';')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(String::from)
        .collect()
}

fn optional(raw: String) -> Option<String> {
    Some(raw).filter(|v| !v.trim().is_empty())
}

/// A snake_case value of an enum, or its default when the cell is empty.
fn choice<T: DeserializeOwned>(raw: &str, default: T, field: &str, errors: &mut Vec<FieldError>) -> T {
    if raw.trim().is_empty() {
        return default;
    }
    serde_json::from_value(serde_json::Value::String(raw.trim().to_lowercase())).unwrap_or_else(|_| {
        errors.push(FieldError::new(
            field,
            format!("`{raw}` is not one of the allowed values"),
        ));
        default
    })
}

fn organisation(row: Row, errors: &mut Vec<FieldError>) -> OrganisationInput {
    let defaults = FieldVisibility::default();
    let visibility = FieldVisibility {
        profile: choice(
            &row.profile_visibility,
            defaults.profile,
            "profile_visibility",
            errors,
        ),
        contact: choice(
            &row.contact_visibility,
            defaults.contact,
            "contact_visibility",
            errors,
        ),
        locations: choice(
            &row.locations_visibility,
            defaults.locations,
            "locations_visibility",
            errors,
        ),
        membership: choice(
            &row.membership_visibility,
            defaults.membership,
            "membership_visibility",
            errors,
        ),
    };
    let membership = choice(
        &row.membership,
        crate::organisation::Membership::Member,
        "membership",
        errors,
    );
    let precision = choice(&row.precision, Precision::Area, "precision", errors);
    let coordinates = match (row.latitude.trim(), row.longitude.trim()) {
        ("", "") => shared::places::find(&row.town).map(|place| (place.latitude, place.longitude)),
        (latitude, longitude) => match (latitude.parse::<f64>(), longitude.parse::<f64>()) {
            (Ok(latitude), Ok(longitude)) => Some((latitude, longitude)),
            _ => {
                errors.push(FieldError::new(
                    "latitude",
                    "give both latitude and longitude as numbers",
                ));
                None
            }
        },
    };
    if coordinates.is_none() && !row.town.trim().is_empty() && row.latitude.trim().is_empty() {
        errors.push(FieldError::new(
            "town",
            format!(
                "`{}` is not a known UK town: add latitude and longitude",
                row.town
            ),
        ));
    }
    OrganisationInput {
        name: row.name,
        description: row.description,
        themes: list(&row.themes),
        communities: list(&row.communities),
        languages: list(&row.languages),
        website: optional(row.website),
        contact: Contact {
            name: optional(row.contact_name),
            email: optional(row.contact_email),
            phone: optional(row.contact_phone),
        },
        locations: coordinates
            .map(|(latitude, longitude)| LocationInput {
                label: row.location_label,
                address: optional(row.address),
                postcode: optional(row.postcode),
                town: optional(row.town),
                latitude,
                longitude,
                precision,
            })
            .into_iter()
            .collect(),
        membership,
        visibility,
    }
}

/// Reads and validates a whole file; `progress` hears how many rows are done.
pub fn parse(file: impl std::io::Read, mut progress: impl FnMut(usize)) -> Parsed {
    let mut parsed = Parsed::default();
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(file);
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(error) => {
            parsed.errors.push(FieldError::new(
                "header",
                format!("the file cannot be read as CSV: {error}"),
            ));
            return parsed;
        }
    };
    let unknown: Vec<&str> = headers.iter().filter(|h| !COLUMNS.contains(h)).collect();
    if !unknown.is_empty() || !headers.iter().any(|h| h == "name") {
        parsed.errors.push(FieldError::new(
            "header",
            format!(
                "unknown columns {unknown:?} or no `name` column; the columns are {}",
                COLUMNS.join(", ")
            ),
        ));
        return parsed;
    }
    for (index, record) in reader.deserialize::<Row>().enumerate() {
        let number = index + 1;
        parsed.rows = number;
        let mut errors = Vec::new();
        match record {
            Ok(row) => {
                let organisation = organisation(row, &mut errors);
                match organisation.validated() {
                    Ok(valid) if errors.is_empty() => parsed.organisations.push(valid),
                    Ok(_) => {}
                    Err(invalid) => errors.extend(invalid),
                }
            }
            Err(error) => errors.push(FieldError::new("", format!("the row cannot be read: {error}"))),
        }
        parsed.errors.extend(errors.into_iter().map(|e| {
            let field = if e.field.is_empty() {
                format!("rows[{number}]")
            } else {
                format!("rows[{number}].{}", e.field)
            };
            FieldError::new(field, e.message)
        }));
        if number % 1_000 == 0 {
            progress(number);
        }
    }
    progress(parsed.rows);
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_organisations_and_each_bad_cell_is_named() {
        let file = "name,themes,languages,town,latitude,longitude,precision,membership\n\
                    Coventry Refugee Voices,housing; legal aid,ti;ar,Coventry,,,,\n\
                    ,youth,english,Nowhere-on-Sea,,,sometimes,\n\
                    Luton Kitchen,food,en,,51.88,-0.42,exact,associate\n\
                    Bad Coordinates,,,,north,west,,\n";
        let parsed = parse(file.as_bytes(), |_| {});
        assert_eq!(parsed.rows, 4);
        assert_eq!(parsed.organisations.len(), 2);
        let coventry = &parsed.organisations[0];
        assert_eq!(coventry.themes, vec!["housing", "legal aid"]);
        assert_eq!(
            coventry.locations[0].precision,
            Precision::Area,
            "imported places are areas by default"
        );
        assert!(
            (coventry.locations[0].latitude - 52.40656).abs() < 1e-6,
            "the town stands in for coordinates"
        );
        let fields: Vec<&str> = parsed.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "rows[2].precision",
                "rows[2].town",
                "rows[2].name",
                "rows[2].languages[0]",
                "rows[4].latitude"
            ]
        );
    }

    #[test]
    fn unknown_columns_stop_the_import_before_any_row() {
        let parsed = parse("name,colour\nA,red\n".as_bytes(), |_| {});
        assert!(parsed.organisations.is_empty());
        assert_eq!(parsed.errors[0].field, "header");
        assert!(parsed.errors[0].message.contains("colour"));
    }
}
