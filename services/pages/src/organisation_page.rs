//! An organisation's page as the visitor may see it (the same view the API gives them), and its allies
//! page: the groups it could work with, why, and where they are on a map.

use std::sync::Arc;

use deadpool_postgres::Pool;
use directory::allies::{self, AlliesParams};
use directory::audience::{searching_audience, view};
use directory::indexer::SearchIndex;
use directory::organisation::{LocationView, OrganisationView};
use directory::{api, store};
use maud::{html, Markup};
use shared::ApiError;
use uuid::Uuid;
use warp::http::StatusCode;

use crate::forms::Field;
use crate::layout::{self, Scripts, WithStatus};
use crate::map::{self, Point};
use crate::visit::{PageError, PageResult, Visit};

/// The id in a page's path; a malformed one is a page that does not exist.
pub fn organisation_id(raw: &str) -> Result<Uuid, PageError> {
    Uuid::parse_str(raw).map_err(|_| PageError::NotFound)
}

/// The organisation as the visitor may see it, and whether they may edit it.
async fn seen(visit: &Visit, pool: &Pool, id: Uuid) -> Result<(OrganisationView, bool), PageError> {
    let client = pool.get().await.map_err(ApiError::from)?;
    let organisation = store::find(&client, id, false).await?;
    let audience = api::audience_for(&client, visit.viewer.as_ref(), id).await?;
    let may_edit = match &visit.viewer {
        Some(viewer) => api::may_edit(&client, viewer, id).await.is_ok(),
        None => false,
    };
    Ok((view(&organisation, audience), may_edit))
}

/// A location in words: its label, address as far as it may be shown, and how precise it is.
fn location_line(visit: &Visit, location: &LocationView) -> Markup {
    let parts: Vec<&str> = [
        Some(location.label.as_str()),
        location.address.as_deref(),
        location.postcode.as_deref(),
        location.town.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter(|part| !part.is_empty())
    .collect();
    html! {
        (parts.join(", "))
        @if location.approximate { " · " (visit.text("search.approximate")) }
    }
}

fn tags(visit: &Visit, key: &str, values: &Option<Vec<String>>) -> Markup {
    html! {
        @if let Some(values) = values.as_ref().filter(|v| !v.is_empty()) {
            dt { (visit.text(key)) }
            dd { ul class="tags" { @for value in values { li { (value) } } } }
        }
    }
}

/// `GET /organisations/{id}`: the organisation's page.
pub async fn show(visit: Visit, id: String, query: String, pool: Pool) -> PageResult {
    let id = organisation_id(&id)?;
    let (organisation, may_edit) = seen(&visit, &pool, id).await?;
    let href = format!("/organisations/{id}");
    let locations = organisation.locations.clone().unwrap_or_default();
    let content = html! {
        @if query.split('&').any(|pair| pair == "saved=1") {
            p class="notice" role="status" { (visit.text("organisation.saved")) }
        }
        nav class="actions" aria-label=(organisation.name) {
            a href={ (href) "/allies" } { (visit.text("organisation.allies")) }
            @if may_edit {
                a href={ (href) "/edit" } { (visit.text("organisation.edit")) }
                a href={ (href) "/locations" } { (visit.text("organisation.edit_locations")) }
                a href={ (href) "/editors" } { (visit.text("organisation.editors")) }
                a href={ (href) "/capacity" } { (visit.text("organisation.capacity")) }
            }
        }
        @if let Some(description) = organisation.description.as_ref().filter(|d| !d.is_empty()) {
            h2 { (visit.text("organisation.about")) }
            p class="description" { (description) }
        }
        dl class="facts" {
            (tags(&visit, "organisation.themes", &organisation.themes))
            (tags(&visit, "organisation.communities", &organisation.communities))
            (tags(&visit, "organisation.languages", &organisation.languages))
            @if let Some(website) = &organisation.website {
                dt { (visit.text("organisation.website")) }
                dd { a href=(website) rel="nofollow noopener" { (website) } }
            }
            @if let Some(contact) = &organisation.contact {
                @let lines: Vec<&String> = [&contact.name, &contact.email, &contact.phone].into_iter().flatten().collect();
                @if !lines.is_empty() {
                    dt { (visit.text("organisation.contact")) }
                    dd { @for line in lines { (line) br; } }
                }
            }
            @if let Some(membership) = organisation.membership {
                dt { (visit.text("organisation.membership")) }
                dd { (visit.text(&format!("membership.{}", store::name_of(&membership)))) }
            }
        }
        h2 { (visit.text("organisation.locations")) }
        @if locations.is_empty() {
            p { (visit.text("organisation.no_locations")) }
        } @else {
            (map::container(&visit, "organisation.map"))
            ul class="locations" {
                @for location in &locations {
                    li {
                        (location_line(&visit, location))
                        (Point { latitude: location.latitude, longitude: location.longitude,
                                 approximate: location.approximate, name: &organisation.name, href: &href }.attributes())
                    }
                }
            }
        }
        @if !organisation.hidden_fields.is_empty() && visit.viewer.is_none() {
            p class="hint" {
                (visit.format("organisation.hidden", &[("audience", visit.text("organisation.hidden_network"))]))
            }
        }
    };
    Ok(layout::page(&visit, &organisation.name, Scripts::Map, content))
}

/// `GET /organisations/{id}/allies?radius_km=`: the groups this organisation could work with.
pub async fn allies(
    visit: Visit,
    id: String,
    query: String,
    index: Arc<SearchIndex>,
    pool: Pool,
) -> PageResult {
    let id = organisation_id(&id)?;
    let (organisation, _) = seen(&visit, &pool, id).await?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&query).unwrap_or_default();
    let radius = pairs
        .iter()
        .find(|(key, _)| key == "radius_km")
        .map(|(_, value)| value.trim().to_string())
        .unwrap_or_default();
    let mut errors = Vec::new();
    let radius_km = match radius.as_str() {
        "" => None,
        raw => match raw.parse::<f64>() {
            Ok(km) => Some(km),
            Err(_) => {
                errors.push(visit.text("locations.not_a_number").to_string());
                None
            }
        },
    };
    let params = AlliesParams {
        radius_km,
        limit: Some(20),
    };
    let (allies, status) = if errors.is_empty() {
        match allies::ranked(&index, &pool, visit.viewer.as_ref(), id, &params).await {
            Ok(allies) => (allies, StatusCode::OK),
            Err(ApiError::Validation(problems)) => {
                errors.extend(problems.into_iter().map(|p| p.message));
                (Vec::new(), StatusCode::UNPROCESSABLE_ENTITY)
            }
            Err(other) => return Err(other.into()),
        }
    } else {
        (Vec::new(), StatusCode::UNPROCESSABLE_ENTITY)
    };
    // Where each ally is, as this visitor may see it.
    let client = pool.get().await.map_err(ApiError::from)?;
    let ids: Vec<Uuid> = allies.iter().map(|a| a.id).collect();
    let places: Vec<OrganisationView> = store::load_many(&client, &ids)
        .await?
        .iter()
        .map(|o| view(o, searching_audience(visit.viewer.as_ref())))
        .collect();
    let first_place = |ally_id: Uuid| {
        places
            .iter()
            .find(|p| p.id == ally_id)
            .and_then(|p| p.locations.as_ref()?.first().cloned())
    };
    let href = format!("/organisations/{id}");
    let anchor_place = organisation.locations.as_ref().and_then(|l| l.first().cloned());
    let radius_options: Vec<(String, String)> = [10u32, 25, 50, 100]
        .iter()
        .map(|km| {
            (
                km.to_string(),
                visit.format("search.radius_km", &[("km", &km.to_string())]),
            )
        })
        .collect();
    let mut options: Vec<(&str, &str)> = vec![("", visit.text("allies.radius_any"))];
    options.extend(radius_options.iter().map(|(v, l)| (v.as_str(), l.as_str())));
    let content = html! {
        p { (visit.format("allies.intro", &[("name", &organisation.name)])) }
        p { a href=(href) { (visit.format("allies.back", &[("name", &organisation.name)])) } }
        form method="get" action={ (href) "/allies" } class="inline-form" {
            (Field::text("radius_km", visit.text("allies.radius"), &radius)
                .errors(errors.iter().map(String::as_str).collect()).select(&options))
            button type="submit" { (visit.text("allies.submit")) }
        }
        @if allies.is_empty() {
            p { (visit.text("allies.none")) }
        } @else {
            (map::container(&visit, "allies.map"))
            @if let Some(place) = &anchor_place {
                (Point { latitude: place.latitude, longitude: place.longitude, approximate: place.approximate,
                         name: &organisation.name, href: &href }.attributes())
            }
            ol class="results allies" {
                @for ally in &allies {
                    @let ally_href = format!("/organisations/{}", ally.id);
                    li class="result" {
                        h2 { a href=(ally_href) { (ally.name) } }
                        p { (ally.why) }
                        @if let Some(place) = first_place(ally.id) {
                            (Point { latitude: place.latitude, longitude: place.longitude,
                                     approximate: place.approximate, name: &ally.name, href: &ally_href }.attributes())
                        }
                    }
                }
            }
        }
    };
    let title = visit.format("allies.title", &[("name", &organisation.name)]);
    Ok(layout::page(&visit, &title, Scripts::Map, content).with_status(status))
}
