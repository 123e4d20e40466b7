//! The directory's search page: words, facet filters with their counts, a distance around a town or a
//! point, results as a list and on a map. A plain GET form, so it works without JavaScript and every
//! search has an address to share.

use std::sync::Arc;

use deadpool_postgres::Pool;
use directory::indexer::SearchIndex;
use directory::search::{self, SearchAnswer, SearchHit, SearchParams};
use maud::{html, Markup};
use shared::ApiError;
use warp::http::StatusCode;

use crate::forms::{Field, FieldErrors};
use crate::layout::{self, Scripts, WithStatus};
use crate::map::{self, Point};
use crate::visit::{PageResult, Visit};

/// The facets shown as filters, in order, with their heading's message key.
const FACETS: [(&str, &str); 5] = [
    ("theme", "search.facet.theme"),
    ("community", "search.facet.community"),
    ("language", "search.facet.language"),
    ("membership", "search.facet.membership"),
    ("nation", "search.facet.nation"),
];
/// Facet values offered per facet (the selected ones are always offered too).
const FACET_VALUES_SHOWN: usize = 8;
const RADII_KM: [u32; 6] = [5, 10, 25, 50, 100, 250];

/// What the search form holds, read from the query string.
struct SearchForm {
    pairs: Vec<(String, String)>,
}

impl SearchForm {
    fn one(&self, name: &str) -> &str {
        self.pairs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .unwrap_or("")
    }

    fn all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(key, value)| key == name && !value.trim().is_empty())
            .map(|(_, value)| value.as_str())
            .collect()
    }

    /// The directory's search parameters: lists joined with commas, empty fields left out.
    fn params(&self) -> SearchParams {
        let one = |name: &str| Some(self.one(name).trim().to_string()).filter(|v| !v.is_empty());
        let all = |name: &str| Some(self.all(name).join(",")).filter(|v| !v.is_empty());
        SearchParams {
            q: one("q"),
            theme: all("theme"),
            community: all("community"),
            language: all("language"),
            membership: all("membership"),
            nation: all("nation"),
            near: one("near"),
            town: one("town"),
            radius_km: one("radius_km"),
            sort: one("sort"),
            cursor: one("cursor"),
            ..SearchParams::default()
        }
    }

    /// This search's address with the cursor of the next page.
    fn next_page(&self, cursor: &str) -> String {
        let mut pairs: Vec<(&str, &str)> = self
            .pairs
            .iter()
            .filter(|(key, _)| key != "cursor" && key != "lang")
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        pairs.push(("cursor", cursor));
        format!("/?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
    }
}

/// `GET /`: the search page (with no words and no filters, the whole directory).
pub async fn show(visit: Visit, query: String, index: Arc<SearchIndex>, pool: Pool) -> PageResult {
    let form = SearchForm {
        pairs: serde_urlencoded::from_str(&query).unwrap_or_default(),
    };
    let (answer, errors, status) = match search::run(index, pool, visit.credentials.clone(), form.params())
        .await
    {
        Ok(answer) => (Some(answer), FieldErrors::none(), StatusCode::OK),
        Err(ApiError::Validation(errors)) => (None, FieldErrors(errors), StatusCode::UNPROCESSABLE_ENTITY),
        Err(ApiError::BadRequest(message)) => (
            None,
            FieldErrors(vec![shared::FieldError::new("cursor", message)]),
            StatusCode::BAD_REQUEST,
        ),
        Err(ApiError::Unavailable | ApiError::Starting(_)) => {
            (None, FieldErrors::none(), StatusCode::SERVICE_UNAVAILABLE)
        }
        Err(other) => return Err(other.into()),
    };
    let content = html! {
        form method="get" action="/" class="search" role="search" {
            (errors.summary(&visit, |field| field.to_string()))
            div class="search-fields" {
                (Field::text("q", visit.text("search.words"), form.one("q"))
                    .kind("search").hint(visit.text("search.words_hint")).errors(errors.messages("q")).input())
                (Field::text("town", visit.text("search.town"), form.one("town"))
                    .hint(visit.text("search.town_hint")).errors(errors.messages("town")).input())
                (Field::text("near", visit.text("search.point"), form.one("near"))
                    .hint(visit.text("search.point_hint")).errors(errors.messages("near")).input())
                (radius_field(&visit, form.one("radius_km"), errors.messages("radius_km")))
                (Field::text("sort", visit.text("search.sort"), form.one("sort")).errors(errors.messages("sort")).select(&[
                    ("relevance", visit.text("search.sort_relevance")),
                    ("distance", visit.text("search.sort_distance")),
                ]))
                button type="submit" { (visit.text("search.submit")) }
            }
            div class="search-layout" {
                @if let Some(answer) = &answer {
                    (facet_filters(&visit, &form, answer))
                }
                section class="search-results" aria-labelledby="results-heading" {
                    h2 id="results-heading" { (visit.text("search.results")) }
                    @match &answer {
                        Some(answer) => (results(&visit, &form, answer)),
                        None if status == StatusCode::SERVICE_UNAVAILABLE => p role="status" { (visit.text("search.index_building")) },
                        None => {},
                    }
                }
            }
        }
    };
    Ok(layout::page(&visit, visit.text("search.title"), Scripts::Map, content).with_status(status))
}

fn radius_field(visit: &Visit, selected: &str, errors: Vec<&str>) -> Markup {
    let labels: Vec<(String, String)> = RADII_KM
        .iter()
        .map(|km| {
            (
                km.to_string(),
                visit.format("search.radius_km", &[("km", &km.to_string())]),
            )
        })
        .collect();
    let mut options: Vec<(&str, &str)> = vec![("", visit.text("search.radius_any"))];
    options.extend(
        labels
            .iter()
            .map(|(value, label)| (value.as_str(), label.as_str())),
    );
    Field::text("radius_km", visit.text("search.radius"), selected)
        .errors(errors)
        .select(&options)
}

fn facet_filters(visit: &Visit, form: &SearchForm, answer: &SearchAnswer) -> Markup {
    html! {
        section class="facets" aria-labelledby="filters-heading" {
            h2 id="filters-heading" { (visit.text("search.filters")) }
            @for (facet, heading) in FACETS {
                @let selected = form.all(facet);
                @let values = answer.facets.get(facet).map(Vec::as_slice).unwrap_or(&[]);
                @let shown: Vec<_> = values.iter().enumerate()
                    .filter(|(i, v)| *i < FACET_VALUES_SHOWN || selected.contains(&v.value.as_str()))
                    .map(|(_, v)| v).collect();
                @if !shown.is_empty() {
                    fieldset {
                        legend { (visit.text(heading)) }
                        @for (i, value) in shown.iter().enumerate() {
                            @let id = format!("{facet}-{i}");
                            div class="checkbox" {
                                input type="checkbox" id=(id) name=(facet) value=(value.value)
                                    checked[selected.contains(&value.value.as_str())];
                                label for=(id) { (value.value) " " span class="count" { "(" (value.count) ")" } }
                            }
                        }
                    }
                }
            }
            button type="submit" class="secondary" { (visit.text("search.submit")) }
        }
    }
}

fn results(visit: &Visit, form: &SearchForm, answer: &SearchAnswer) -> Markup {
    html! {
        p role="status" { (visit.format("search.total", &[("count", &answer.total.to_string())])) }
        @if answer.items.is_empty() {
            p { (visit.text("search.none")) }
        } @else {
            (map::container(visit, "search.map"))
            ol class="results" {
                @for hit in &answer.items { (result(visit, hit)) }
            }
        }
        @if let Some(cursor) = &answer.next_cursor {
            p { a href=(form.next_page(cursor)) rel="next" { (visit.text("search.next")) } }
        }
    }
}

fn result(visit: &Visit, hit: &SearchHit) -> Markup {
    let href = format!("/organisations/{}", hit.id);
    html! {
        li class="result" {
            h3 { a href=(href) { (hit.name) } }
            @if let Some(location) = &hit.matched_location {
                p class="where" {
                    (location.town)
                    @if let Some(km) = location.distance_km {
                        " · " (visit.format("search.km_away", &[("km", &format!("{km:.1}"))]))
                    }
                    @if location.approximate { " · " (visit.text("search.approximate")) }
                }
                (Point { latitude: location.latitude, longitude: location.longitude,
                         approximate: location.approximate, name: &hit.name, href: &href }.attributes())
            }
            @if let Some(snippet) = &hit.snippets.description { p class="snippet" { (highlighted(snippet)) } }
        }
    }
}

/// A search-index snippet (HTML-escaped text with matches in `<b>`) shown with `<mark>`: the text is
/// unescaped and escaped again by the template, so nothing but the marks is ever taken as markup.
fn highlighted(snippet: &str) -> Markup {
    let unescape = |text: &str| {
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#x27;", "'")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    };
    html! {
        @for (i, part) in snippet.split("<b>").enumerate() {
            @if i == 0 {
                (unescape(part))
            } @else {
                @let (marked, rest) = part.split_once("</b>").unwrap_or((part, ""));
                mark { (unescape(marked)) } (unescape(rest))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn snippets_keep_their_marks_and_nothing_else_as_markup() {
        let html = super::highlighted("Advice on <b>housing</b> &lt;script&gt; &amp; more").into_string();
        assert_eq!(html, "Advice on <mark>housing</mark> &lt;script&gt; &amp; more");
    }
}
