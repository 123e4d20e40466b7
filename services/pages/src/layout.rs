//! The frame of every page: language and direction, skip link, navigation, the sign-out form, the language
//! switcher; and the headers every page carries (a strict Content-Security-Policy, cookies, HTML type).

use maud::{html, Markup, DOCTYPE};
use warp::http::{header, HeaderValue, StatusCode};
use warp::reply::Response;

use crate::assets;
use crate::visit::Visit;

/// Which scripts a page needs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Scripts {
    /// The small progressive-enhancement script only.
    Plain,
    /// Leaflet too, for a map.
    Map,
}

/// A page: the frame around `content`, with `title` as its heading.
pub fn page(visit: &Visit, title: &str, scripts: Scripts, content: Markup) -> Response {
    let language = visit.language;
    let markup = html! {
        (DOCTYPE)
        html lang=(language.code()) dir=(language.direction()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (visit.text("site.name")) }
                @if scripts == Scripts::Map {
                    link rel="stylesheet" href=(assets::url("leaflet.css"));
                    script src=(assets::url("leaflet.js")) defer {}
                }
                link rel="stylesheet" href=(assets::url("app.css"));
                script src=(assets::url("app.js")) defer {}
            }
            body {
                a class="skip-link" href="#content" { (visit.text("nav.skip")) }
                header class="site-header" {
                    a class="brand" href="/" { (visit.text("site.name")) }
                    nav aria-label=(visit.text("nav.main")) {
                        ul {
                            li { a href="/" { (visit.text("nav.directory")) } }
                            li { a href="/summits" { (visit.text("nav.summits")) } }
                            @if let Some(viewer) = &visit.viewer {
                                li { a href="/my-organisation" { (visit.text("nav.my_organisation")) } }
                                li { a href="/capacity/network" { (visit.text("nav.network")) } }
                                @if viewer.is_admin() {
                                    li { a href="/capacity/mentoring" { (visit.text("nav.mentoring")) } }
                                }
                                li { a href="/account/tokens" { (visit.text("nav.tokens")) } }
                                li {
                                    form method="post" action="/sign-out" class="inline" {
                                        (csrf_field(visit))
                                        button type="submit" class="link"
                                            title=(visit.format("nav.signed_in_as", &[("name", &viewer.display_name)])) {
                                            (visit.text("nav.sign_out"))
                                        }
                                    }
                                }
                            } @else {
                                li { a href="/sign-in" { (visit.text("nav.sign_in")) } }
                            }
                        }
                    }
                    nav aria-label=(visit.text("nav.language")) class="languages" {
                        ul {
                            @for other in crate::messages::Language::ALL {
                                li {
                                    @if other == language {
                                        span lang=(other.code()) aria-current="true" { (other.own_name()) }
                                    } @else {
                                        a lang=(other.code()) hreflang=(other.code()) href=(with_language(&visit.here, other.code())) {
                                            (other.own_name())
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                main id="content" tabindex="-1" {
                    h1 { (title) }
                    (content)
                }
                footer class="site-footer" { p { (visit.text("footer.text")) } }
            }
        }
    };
    let mut response = Response::new(markup.into_string().into());
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(policy) = HeaderValue::from_str(&content_security_policy(visit.map_tiles.as_deref())) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    with_cookies(visit, response)
}

/// The hidden field every form carries.
pub fn csrf_field(visit: &Visit) -> Markup {
    html! { input type="hidden" name="csrf" value=(visit.csrf_token()); }
}

/// A `303 See Other` to `location` (after a form, or to sign in).
pub fn redirect(visit: &Visit, location: &str) -> Response {
    let mut response = Response::new(Default::default());
    *response.status_mut() = StatusCode::SEE_OTHER;
    if let Ok(location) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    with_cookies(visit, response)
}

fn with_cookies(visit: &Visit, mut response: Response) -> Response {
    for cookie in &visit.set_cookies {
        if let Ok(value) = HeaderValue::from_str(cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// Scripts and styles from this server only, no inline code, no framing; map tiles from their own origin.
fn content_security_policy(map_tiles: Option<&str>) -> String {
    let tiles = map_tiles
        .and_then(origin)
        .map(|o| format!(" {o}"))
        .unwrap_or_default();
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:{tiles}; \
         connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
}

/// `https://host[:port]` of a URL template such as `https://tile.example.org/{z}/{x}/{y}.png`.
fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split('/').next()?;
    let allowed = |c: char| c.is_ascii_alphanumeric() || ".-:{}".contains(c);
    (matches!(scheme, "https" | "http") && !host.is_empty() && host.chars().all(allowed))
        .then(|| format!("{scheme}://{}", host.replace("{s}", "*")))
}

/// The same page in another language.
fn with_language(here: &str, code: &str) -> String {
    let (path, query) = here.split_once('?').unwrap_or((here, ""));
    let mut pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    pairs.retain(|(key, _)| key != "lang");
    pairs.push(("lang".into(), code.into()));
    format!(
        "{path}?{}",
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    )
}

/// Sets a response's status.
pub trait WithStatus {
    fn with_status(self, status: StatusCode) -> Response;
}

impl WithStatus for Response {
    fn with_status(mut self, status: StatusCode) -> Response {
        *self.status_mut() = status;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_only_this_server_and_the_tile_origin() {
        let policy = content_security_policy(Some("https://{s}.tile.example.org/{z}/{x}/{y}.png"));
        assert!(policy.contains("script-src 'self';"));
        assert!(policy.contains("img-src 'self' data: https://*.tile.example.org;"));
        assert!(!policy.contains("unsafe-inline"));
        assert_eq!(
            content_security_policy(Some("javascript:alert(1)")),
            content_security_policy(None)
        );
    }

    #[test]
    fn the_language_switcher_keeps_the_rest_of_the_query() {
        assert_eq!(with_language("/?q=housing&lang=en", "ar"), "/?q=housing&lang=ar");
        assert_eq!(with_language("/sign-in", "ar"), "/sign-in?lang=ar");
    }
}
