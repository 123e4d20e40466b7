//! "My organisation": the profile and the locations forms for an organisation's editors, saved through the
//! same code as `PATCH /api/v1/organisations/{id}` with the version the form was shown at, so when someone
//! else saved first the editor sees both versions instead of silently overwriting theirs.

use std::sync::Arc;

use deadpool_postgres::Pool;
use directory::api::{self, save_changes};
use directory::indexer::SearchIndex;
use directory::organisation::{
    Contact, FieldVisibility, LocationInput, Membership, Organisation, OrganisationInput, OrganisationPatch,
    Precision, Visibility,
};
use directory::store;
use maud::{html, Markup};
use shared::http::etag_for;
use shared::{ApiError, FieldError};
use uuid::Uuid;
use warp::http::StatusCode;

use crate::forms::{list, Field, FieldErrors, Form};
use crate::layout::{self, csrf_field, redirect, Scripts, WithStatus};
use crate::organisation_page::organisation_id;
use crate::visit::{PageError, PageResult, Visit};

/// The organisation, if the visitor may edit it.
async fn editable(visit: &Visit, pool: &Pool, id: Uuid) -> Result<Organisation, PageError> {
    let viewer = visit.signed_in()?;
    let client = pool.get().await.map_err(ApiError::from)?;
    let organisation = store::find(&client, id, false).await?;
    api::may_edit(&client, viewer, id).await?;
    Ok(organisation)
}

/// `GET /my-organisation`: the organisation the visitor edits (or a choice, when they edit several).
pub async fn mine(visit: Visit, pool: Pool) -> PageResult {
    let viewer = visit.signed_in()?;
    let client = pool.get().await.map_err(ApiError::from)?;
    let edited: Vec<Uuid> = store::edited_by(&client, viewer.id).await?.into_iter().collect();
    let mut organisations = store::load_many(&client, &edited).await?;
    organisations.sort_by(|a, b| a.input.name.cmp(&b.input.name));
    if let [only] = organisations.as_slice() {
        return Ok(redirect(&visit, &format!("/organisations/{}/edit", only.id)));
    }
    let content = html! {
        @if organisations.is_empty() {
            p { (visit.text("mine.none")) }
        } @else {
            p { (visit.text("mine.choose")) }
            ul { @for o in &organisations { li { a href={ "/organisations/" (o.id) "/edit" } { (o.input.name) } } } }
        }
    };
    Ok(layout::page(
        &visit,
        visit.text("mine.title"),
        Scripts::Plain,
        content,
    ))
}

/// How saving a form ended.
enum Saved {
    Done,
    Invalid(FieldErrors),
    /// Someone else saved first: the version now stored.
    Conflict(Box<Organisation>),
}

/// Saves `patch` if the organisation is still at `version`.
async fn save(
    visit: &Visit,
    index: &SearchIndex,
    pool: &Pool,
    id: Uuid,
    version: &str,
    patch: OrganisationPatch,
) -> Result<Saved, PageError> {
    let viewer = visit.signed_in()?;
    let if_match = version.trim().parse::<i64>().map(etag_for).ok();
    match save_changes(
        index,
        pool,
        viewer,
        id,
        Some(if_match.as_deref().unwrap_or("\"\"")),
        Ok(patch),
    )
    .await
    {
        Ok(_) => Ok(Saved::Done),
        Err(ApiError::Validation(errors)) => Ok(Saved::Invalid(FieldErrors(errors))),
        Err(ApiError::PreconditionFailed { .. }) => {
            let client = pool.get().await.map_err(ApiError::from)?;
            Ok(Saved::Conflict(Box::new(store::find(&client, id, false).await?)))
        }
        Err(other) => Err(other.into()),
    }
}

/// The form's name for a field path of the directory's validation (`contact.email` → `contact_email`).
fn field_id(path: &str) -> String {
    path.split('[').next().unwrap_or(path).replace('.', "_")
}

fn enum_value<T: serde::de::DeserializeOwned>(raw: &str) -> Option<T> {
    serde_urlencoded::from_str::<Vec<(String, T)>>(&format!("v={raw}"))
        .ok()?
        .pop()
        .map(|(_, v)| v)
}

/// The profile as the form sent it (locations are edited on their own page), with the problems found in
/// choices the directory would not even parse.
fn profile_from(
    visit: &Visit,
    form: &Form,
    locations: Vec<LocationInput>,
) -> (OrganisationInput, Vec<FieldError>) {
    let mut errors = Vec::new();
    let mut choice = |name: &str| -> Visibility {
        enum_value(form.get(name)).unwrap_or_else(|| {
            errors.push(FieldError::new(name, visit.text("edit.unknown_choice")));
            Visibility::Private
        })
    };
    let visibility = FieldVisibility {
        profile: choice("visibility_profile"),
        contact: choice("visibility_contact"),
        locations: choice("visibility_locations"),
        membership: choice("visibility_membership"),
    };
    let membership = enum_value(form.get("membership")).unwrap_or_else(|| {
        errors.push(FieldError::new("membership", visit.text("edit.unknown_choice")));
        Membership::Applicant
    });
    let input = OrganisationInput {
        name: form.get("name").to_string(),
        description: form.get("description").to_string(),
        themes: list(form.get("themes")),
        communities: list(form.get("communities")),
        languages: list(form.get("languages")),
        website: form.optional("website"),
        contact: Contact {
            name: form.optional("contact_name"),
            email: form.optional("contact_email"),
            phone: form.optional("contact_phone"),
        },
        locations,
        membership,
        visibility,
    };
    (input, errors)
}

fn whole(input: OrganisationInput) -> OrganisationPatch {
    OrganisationPatch {
        name: Some(input.name),
        description: Some(input.description),
        themes: Some(input.themes),
        communities: Some(input.communities),
        languages: Some(input.languages),
        website: Some(input.website),
        contact: Some(input.contact),
        locations: Some(input.locations),
        membership: Some(input.membership),
        visibility: Some(input.visibility),
    }
}

fn visibility_options(visit: &Visit) -> [(&'static str, &'static str); 3] {
    [
        ("public", visit.text("visibility.public")),
        ("network", visit.text("visibility.network")),
        ("private", visit.text("visibility.private")),
    ]
}

/// The profile's fields as text, for the form and for comparing two versions.
fn profile_fields(visit: &Visit, input: &OrganisationInput) -> Vec<(&'static str, &'static str, String)> {
    let v = &input.visibility;
    vec![
        ("name", visit.text("edit.name"), input.name.clone()),
        (
            "description",
            visit.text("edit.description"),
            input.description.clone(),
        ),
        ("themes", visit.text("edit.themes"), input.themes.join(", ")),
        (
            "communities",
            visit.text("edit.communities"),
            input.communities.join(", "),
        ),
        (
            "languages",
            visit.text("edit.languages"),
            input.languages.join(", "),
        ),
        (
            "website",
            visit.text("edit.website"),
            input.website.clone().unwrap_or_default(),
        ),
        (
            "contact_name",
            visit.text("edit.contact_name"),
            input.contact.name.clone().unwrap_or_default(),
        ),
        (
            "contact_email",
            visit.text("edit.contact_email"),
            input.contact.email.clone().unwrap_or_default(),
        ),
        (
            "contact_phone",
            visit.text("edit.contact_phone"),
            input.contact.phone.clone().unwrap_or_default(),
        ),
        (
            "membership",
            visit.text("edit.membership"),
            store::name_of(&input.membership),
        ),
        (
            "visibility_profile",
            visit.text("edit.visibility_profile"),
            store::name_of(&v.profile),
        ),
        (
            "visibility_contact",
            visit.text("edit.visibility_contact"),
            store::name_of(&v.contact),
        ),
        (
            "visibility_locations",
            visit.text("edit.visibility_locations"),
            store::name_of(&v.locations),
        ),
        (
            "visibility_membership",
            visit.text("edit.visibility_membership"),
            store::name_of(&v.membership),
        ),
    ]
}

/// Their saved version beside the editor's, field by field, the differing ones marked.
fn comparison(visit: &Visit, theirs: &[(&str, &str, String)], yours: &[(&str, &str, String)]) -> Markup {
    html! {
        section class="conflict" role="alert" aria-labelledby="conflict-heading" tabindex="-1" {
            h2 id="conflict-heading" { (visit.text("conflict.title")) }
            p { (visit.format("conflict.body", &[("who", visit.text("conflict.someone"))])) }
            div class="table-scroll" {
                table {
                    thead { tr { th scope="col" { (visit.text("conflict.field")) } th scope="col" { (visit.text("conflict.theirs")) } th scope="col" { (visit.text("conflict.yours")) } } }
                    tbody {
                        @for ((_, label, their), (_, _, your)) in theirs.iter().zip(yours) {
                            tr class=[(their != your).then_some("differs")] {
                                th scope="row" { (label) }
                                td { (their) }
                                td { (your) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The prefix of the hidden fields that hold the values the form was first shown with.
const SHOWN: &str = "shown_";

/// The profile form showing `input`; `shown` are the values the editor started from (at `version`), kept
/// in hidden fields so that when someone else saves first, only what this editor changed is kept as theirs.
#[allow(clippy::too_many_arguments)]
fn profile_page(
    visit: &Visit,
    organisation: &Organisation,
    input: &OrganisationInput,
    shown: &OrganisationInput,
    version: i64,
    errors: &FieldErrors,
    conflict: Option<Markup>,
) -> warp::reply::Response {
    let fields = profile_fields(visit, input);
    let value = |id: &str| {
        fields
            .iter()
            .find(|(f, _, _)| *f == id)
            .map(|(_, _, v)| v.as_str())
            .unwrap_or("")
    };
    let text = |id: &'static str, key: &'static str| {
        Field::text(id, visit.text(key), value(id)).errors(errors.messages(&id.replace('_', ".")))
    };
    let memberships: Vec<(&str, &str)> = ["member", "associate", "applicant", "former"]
        .into_iter()
        .map(|m| (m, visit.text(&format!("membership.{m}"))))
        .collect();
    let content = html! {
        @if let Some(conflict) = conflict { (conflict) }
        (errors.summary(visit, field_id))
        form method="post" action={ "/organisations/" (organisation.id) "/edit" } novalidate {
            (csrf_field(visit))
            input type="hidden" name="version" value=(version);
            @for (id, _, value) in profile_fields(visit, shown) {
                input type="hidden" name={ (SHOWN) (id) } value=(value);
            }
            (text("name", "edit.name").autocomplete("organization").input())
            (text("description", "edit.description").textarea())
            (text("themes", "edit.themes").hint(visit.text("form.comma_separated")).input())
            (text("communities", "edit.communities").hint(visit.text("form.comma_separated")).input())
            (text("languages", "edit.languages").hint(visit.text("edit.languages_hint")).input())
            (text("website", "edit.website").kind("url").input())
            (text("contact_name", "edit.contact_name").input())
            (text("contact_email", "edit.contact_email").kind("email").input())
            (text("contact_phone", "edit.contact_phone").kind("tel").input())
            (text("membership", "edit.membership").select(&memberships))
            fieldset {
                legend { (visit.text("edit.visibility")) }
                @for id in ["visibility_profile", "visibility_contact", "visibility_locations", "visibility_membership"] {
                    @let key = format!("edit.{id}");
                    (Field::text(id, visit.text(&key), value(id)).errors(errors.messages(id)).select(&visibility_options(visit)))
                }
            }
            button type="submit" { (visit.text("form.save")) }
        }
    };
    let title = visit.format("edit.title", &[("name", &organisation.input.name)]);
    layout::page(visit, &title, Scripts::Plain, content)
}

/// `GET /organisations/{id}/edit`: the profile form.
pub async fn edit(visit: Visit, id: String, pool: Pool) -> PageResult {
    let organisation = editable(&visit, &pool, organisation_id(&id)?).await?;
    Ok(profile_page(
        &visit,
        &organisation,
        &organisation.input,
        &organisation.input,
        organisation.version,
        &FieldErrors::none(),
        None,
    ))
}

/// `POST /organisations/{id}/edit`: saves the profile; invalid fields or a newer version come back as the
/// form with messages.
pub async fn save_profile(
    visit: Visit,
    id: String,
    index: Arc<SearchIndex>,
    pool: Pool,
    body: bytes::Bytes,
) -> PageResult {
    let form = Form::checked(&visit, &body)?;
    let organisation = editable(&visit, &pool, organisation_id(&id)?).await?;
    let (input, choice_errors) = profile_from(&visit, &form, organisation.input.locations.clone());
    let version = form.get("version");
    let outcome = if choice_errors.is_empty() {
        save(
            &visit,
            &index,
            &pool,
            organisation.id,
            version,
            whole(input.clone()),
        )
        .await?
    } else {
        Saved::Invalid(FieldErrors(choice_errors))
    };
    let shown_version = version.trim().parse().unwrap_or(organisation.version);
    let (shown, _) = profile_from(
        &visit,
        &form.prefixed(SHOWN),
        organisation.input.locations.clone(),
    );
    Ok(match outcome {
        Saved::Done => redirect(&visit, &format!("/organisations/{}?saved=1", organisation.id)),
        Saved::Invalid(errors) => profile_page(
            &visit,
            &organisation,
            &input,
            &shown,
            shown_version,
            &errors,
            None,
        )
        .with_status(StatusCode::UNPROCESSABLE_ENTITY),
        Saved::Conflict(current) => {
            let theirs = profile_fields(&visit, &current.input);
            let yours = profile_fields(&visit, &input);
            // Their version with this editor's changes on top: a field they did not touch takes theirs.
            let merged: Vec<(String, String)> = profile_fields(&visit, &shown)
                .into_iter()
                .zip(theirs.iter().zip(&yours))
                .map(|((id, _, started), ((_, _, their), (_, _, your)))| {
                    let value = if *your == started { their } else { your };
                    (id.to_string(), value.clone())
                })
                .collect();
            let (merged, _) = profile_from(
                &visit,
                &Form::from_fields(merged),
                current.input.locations.clone(),
            );
            let compared = comparison(&visit, &theirs, &yours);
            profile_page(
                &visit,
                &current,
                &merged,
                &current.input,
                current.version,
                &FieldErrors::none(),
                Some(compared),
            )
            .with_status(StatusCode::CONFLICT)
        }
    })
}

/// The locations as the form sent them: every row not marked for removal, and a new one when filled in.
/// A row without coordinates is placed at the centre of its town.
fn locations_from(visit: &Visit, form: &Form) -> (Vec<LocationInput>, Vec<FieldError>) {
    let rows: usize = form.get("rows").parse().unwrap_or(0).min(50);
    let mut locations = Vec::new();
    let mut errors = Vec::new();
    for row in 0..=rows {
        let field = |name: &str| form.get(&format!("{name}_{row}")).trim().to_string();
        let is_new = row == rows;
        let filled = ["label", "address", "postcode", "town", "latitude", "longitude"]
            .iter()
            .any(|name| !field(name).is_empty());
        if form.ticked(&format!("remove_{row}")) || (is_new && !filled) {
            continue;
        }
        let path = format!("locations[{}]", locations.len());
        let town = Some(field("town")).filter(|t| !t.is_empty());
        let coordinate = |name: &str, errors: &mut Vec<FieldError>| match field(name).as_str() {
            "" => None,
            raw => raw.parse::<f64>().ok().or_else(|| {
                errors.push(FieldError::new(
                    format!("{path}.{name}"),
                    visit.text("locations.not_a_number"),
                ));
                Some(0.0)
            }),
        };
        let latitude = coordinate("latitude", &mut errors);
        let longitude = coordinate("longitude", &mut errors);
        let (latitude, longitude) = match (latitude, longitude) {
            (Some(latitude), Some(longitude)) => (latitude, longitude),
            _ => match town.as_deref().and_then(shared::places::find) {
                Some(place) => (place.latitude, place.longitude),
                None => {
                    errors.push(FieldError::new(
                        format!("{path}.town"),
                        visit.text("locations.unknown_town"),
                    ));
                    (0.0, 0.0)
                }
            },
        };
        let precision = enum_value(&field("precision")).unwrap_or_else(|| {
            errors.push(FieldError::new(
                format!("{path}.precision"),
                visit.text("edit.unknown_choice"),
            ));
            Precision::Hidden
        });
        locations.push(LocationInput {
            label: field("label"),
            address: Some(field("address")),
            postcode: Some(field("postcode")),
            town,
            latitude,
            longitude,
            precision,
        });
    }
    (locations, errors)
}

fn locations_page(
    visit: &Visit,
    organisation: &Organisation,
    locations: &[LocationInput],
    version: i64,
    errors: &FieldErrors,
    conflict: Option<Markup>,
) -> warp::reply::Response {
    let precisions = [
        ("exact", visit.text("precision.exact")),
        ("area", visit.text("precision.area")),
        ("hidden", visit.text("precision.hidden")),
    ];
    let row = |number: usize, location: Option<&LocationInput>| {
        let path = format!("locations[{number}]");
        let id = |name: &str| format!("{name}_{number}");
        let value = |get: fn(&LocationInput) -> String| location.map(get).unwrap_or_default();
        let ids = [
            id("label"),
            id("address"),
            id("postcode"),
            id("town"),
            id("latitude"),
            id("longitude"),
            id("precision"),
        ];
        let messages = |name: &str| errors.messages(&format!("{path}.{name}"));
        html! {
            fieldset class="location" id={ "location-" (number) } {
                legend { @if location.is_some() { (visit.format("locations.location", &[("number", &(number + 1).to_string())])) } @else { (visit.text("locations.new")) } }
                @let own: Vec<&str> = errors.0.iter().filter(|e| e.field == path).map(|e| e.message.as_str()).collect();
                @if !own.is_empty() { p class="field-error" { @for m in own { (m) " " } } }
                (Field::text(&ids[0], visit.text("locations.label"), &value(|l| l.label.clone())).hint(visit.text("locations.label_hint")).errors(messages("label")).input())
                (Field::text(&ids[1], visit.text("locations.address"), &value(|l| l.address.clone().unwrap_or_default())).errors(messages("address")).input())
                (Field::text(&ids[2], visit.text("locations.postcode"), &value(|l| l.postcode.clone().unwrap_or_default())).errors(messages("postcode")).input())
                (Field::text(&ids[3], visit.text("locations.town"), &value(|l| l.town.clone().unwrap_or_default())).errors(messages("town")).input())
                div class="pair" {
                    (Field::text(&ids[4], visit.text("locations.latitude"), &value(|l| l.latitude.to_string())).hint(visit.text("locations.coordinates_hint")).errors(messages("latitude")).input())
                    (Field::text(&ids[5], visit.text("locations.longitude"), &value(|l| l.longitude.to_string())).errors(messages("longitude")).input())
                }
                (Field::text(&ids[6], visit.text("locations.precision"), &value(|l| store::name_of(&l.precision))).errors(messages("precision")).select(&precisions))
                @if location.is_some() {
                    div class="checkbox" {
                        input type="checkbox" id=(id("remove")) name=(id("remove")) value="1";
                        label for=(id("remove")) { (visit.text("locations.remove")) }
                    }
                }
            }
        }
    };
    let content = html! {
        @if let Some(conflict) = conflict { (conflict) }
        p { (visit.text("locations.intro")) }
        (errors.summary(visit, |path| {
            let (row, name) = path.trim_start_matches("locations[").split_once("].").unwrap_or((path, "label"));
            format!("{name}_{row}")
        }))
        form method="post" action={ "/organisations/" (organisation.id) "/locations" } novalidate {
            (csrf_field(visit))
            input type="hidden" name="version" value=(version);
            input type="hidden" name="rows" value=(locations.len());
            @for (number, location) in locations.iter().enumerate() { (row(number, Some(location))) }
            (row(locations.len(), None))
            button type="submit" { (visit.text("form.save")) }
        }
    };
    let title = visit.format("locations.title", &[("name", &organisation.input.name)]);
    layout::page(visit, &title, Scripts::Plain, content)
}

/// `GET /organisations/{id}/locations`: the locations form.
pub async fn locations(visit: Visit, id: String, pool: Pool) -> PageResult {
    let organisation = editable(&visit, &pool, organisation_id(&id)?).await?;
    Ok(locations_page(
        &visit,
        &organisation,
        &organisation.input.locations,
        organisation.version,
        &FieldErrors::none(),
        None,
    ))
}

/// `POST /organisations/{id}/locations`: saves every location at once.
pub async fn save_locations(
    visit: Visit,
    id: String,
    index: Arc<SearchIndex>,
    pool: Pool,
    body: bytes::Bytes,
) -> PageResult {
    let form = Form::checked(&visit, &body)?;
    let organisation = editable(&visit, &pool, organisation_id(&id)?).await?;
    let (locations, row_errors) = locations_from(&visit, &form);
    let version = form.get("version");
    let outcome = if row_errors.is_empty() {
        let patch = OrganisationPatch {
            locations: Some(locations.clone()),
            ..OrganisationPatch::default()
        };
        save(&visit, &index, &pool, organisation.id, version, patch).await?
    } else {
        Saved::Invalid(FieldErrors(row_errors))
    };
    let shown_version = version.trim().parse().unwrap_or(organisation.version);
    Ok(match outcome {
        Saved::Done => redirect(&visit, &format!("/organisations/{}?saved=1", organisation.id)),
        Saved::Invalid(errors) => {
            locations_page(&visit, &organisation, &locations, shown_version, &errors, None)
                .with_status(StatusCode::UNPROCESSABLE_ENTITY)
        }
        Saved::Conflict(current) => {
            let describe = |locations: &[LocationInput]| -> Vec<(&'static str, &'static str, String)> {
                locations
                    .iter()
                    .map(|l| {
                        (
                            "location",
                            visit.text("locations.town"),
                            format!(
                                "{} {} ({:.4}, {:.4}) {}",
                                l.label,
                                l.town.clone().unwrap_or_default(),
                                l.latitude,
                                l.longitude,
                                store::name_of(&l.precision)
                            ),
                        )
                    })
                    .collect()
            };
            let compared = comparison(&visit, &describe(&current.input.locations), &describe(&locations));
            locations_page(
                &visit,
                &current,
                &locations,
                current.version,
                &FieldErrors::none(),
                Some(compared),
            )
            .with_status(StatusCode::CONFLICT)
        }
    })
}
