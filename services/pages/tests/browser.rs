//! The pages in a real browser: headless Chromium driven through chromedriver (Debian's `chromium` and
//! `chromium-driver`; `scripts/test` installs them), one journey per kind of user, axe-core run on every
//! page visited (serious or critical violations fail the test), and a screenshot of each page saved under
//! the build's `target/tmp/screenshots/`, or `docs/screenshots/` with `UPDATE_SCREENSHOTS=1`.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use shared::accounts::Role;
use shared::test_support::{TestApp, TestUser};
use warp::Filter;

/// axe-core 4 (MPL-2.0, from npm `axe-core`; see `vendor/axe-core-LICENSE`).
const AXE: &str = include_str!("vendor/axe.min.js");

/// Every service's API and the pages over one search index, as `commonground` serves them.
async fn app() -> TestApp {
    TestApp::spawn(|context| {
        let index = directory::search_index(&context);
        let (directory, mut openapi) = directory::service_over(context.clone(), index.clone());
        let (summits, summits_api) = summits::service(context.clone());
        let (capacity, capacity_api) = capacity::service(context.clone());
        openapi.merge(summits_api);
        openapi.merge(capacity_api);
        let pages = pages::service(context, index);
        let routes = directory
            .or(summits)
            .unify()
            .or(capacity)
            .unify()
            .or(pages)
            .unify()
            .boxed();
        (routes, openapi)
    })
    .await
}

/// A chromedriver of our own on a free port, stopped when dropped.
struct Driver {
    process: Child,
    url: String,
}

impl Driver {
    fn start() -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let process = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| {
                panic!(
                    "cannot start chromedriver ({error}). The browser tests need Debian's `chromium` and \
                     `chromium-driver`: run `apt-get install -y chromium chromium-driver` (scripts/test does \
                     this when run as root)"
                )
            });
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Driver {
            process,
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    /// A new browser with its own profile (so its own cookies).
    async fn browser(&self) -> Client {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1280,1000", "--lang=en-GB"]
            }),
        );
        ClientBuilder::rustls()
            .expect("TLS roots")
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .expect("a Chromium session (is Debian's `chromium` installed?)")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// Where screenshots go: the build's scratch folder, so that a test run leaves the checkout as it was, or
/// `docs/screenshots/` of the repository with `UPDATE_SCREENSHOTS=1`.
fn screenshot_path(name: &str) -> PathBuf {
    let folder = if std::env::var_os("UPDATE_SCREENSHOTS").is_some_and(|value| value == "1") {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots")
    } else {
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots")
    };
    std::fs::create_dir_all(&folder).unwrap();
    folder.join(format!("{name}.png"))
}

/// Checks the page in front of `browser` with axe-core (failing on serious and critical violations) and
/// saves its screenshot as `name`.
async fn check_page(browser: &Client, name: &str) {
    let loaded: Value = browser
        .execute(&format!("{AXE}\n;return typeof axe;"), vec![])
        .await
        .expect("injecting axe-core");
    assert_eq!(loaded, json!("object"), "axe-core did not load on {name}");
    let violations = browser
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] }).then(result => done(
               result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at ' +
                      v.nodes.map(n => n.target.join(' ')).join(', '))
             ), error => done(['axe failed: ' + error]));",
            vec![],
        )
        .await
        .expect("running axe-core");
    assert_eq!(violations, json!([]), "accessibility violations on {name}");
    let png = browser.screenshot().await.expect("a screenshot");
    std::fs::write(screenshot_path(name), png).unwrap();
}

/// The browser's address for a path: `localhost`, which browsers treat as a secure origin, so the
/// `Secure` session cookie works over plain HTTP in tests.
fn at(app: &TestApp, path: &str) -> String {
    app.url(path).replace("127.0.0.1", "localhost")
}

async fn text_of(browser: &Client, css: &str) -> String {
    match browser.find(Locator::Css(css)).await {
        Ok(element) => element.text().await.unwrap(),
        Err(error) => {
            let url = browser.current_url().await.unwrap();
            let page = browser
                .find(Locator::Css("main"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            panic!("no {css} on {url}: {error}\n{page}")
        }
    }
}

async fn fill(browser: &Client, id: &str, value: &str) {
    let field = browser
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("no field {id}: {e}"));
    field.clear().await.unwrap();
    field.send_keys(value).await.unwrap();
}

/// Clicks and waits until the browser has loaded the next page.
async fn click_through(browser: &Client, css: &str) {
    browser
        .execute("window.stillTheOldPage = true;", vec![])
        .await
        .unwrap();
    browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("nothing to click at {css}: {e}"))
        .click()
        .await
        .unwrap();
    wait_for_next_page(browser, css).await;
}

/// Waits until the page that set `window.stillTheOldPage` is replaced by a loaded one.
async fn wait_for_next_page(browser: &Client, what: &str) {
    let started = Instant::now();
    loop {
        let loaded = browser
            .execute(
                "return window.stillTheOldPage === undefined && document.readyState === 'complete';",
                vec![],
            )
            .await;
        if loaded.is_ok_and(|v| v == json!(true)) {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(15), "{what} led nowhere");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `path` of the API, read with `user`'s token.
async fn api_json(app: &TestApp, user: &TestUser, path: &str) -> Value {
    let response = app
        .http
        .get(app.url(path))
        .bearer_auth(&user.token)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{path}: {}", response.status());
    response.json().await.unwrap()
}

/// Clicks something that stays on the page (a disclosure, a tab).
async fn click(browser: &Client, css: &str) {
    browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("nothing to click at {css}: {e}"))
        .click()
        .await
        .unwrap();
}

/// Waits until the browser is at `path` (after redirects or a script moved it on).
async fn arrives_at(browser: &Client, path: &str) {
    let started = Instant::now();
    while browser.current_url().await.unwrap().path() != path {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "never arrived at {path}; at {}",
            browser.current_url().await.unwrap()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    wait_for_next_page(browser, path).await;
}

async fn submit(browser: &Client, form_css: &str) {
    click_through(browser, &format!("{form_css} button[type=submit]")).await;
}

async fn sign_in(app: &TestApp, browser: &Client, user: &TestUser, next: &str) {
    let query = serde_urlencoded::to_string([("next", next)]).unwrap();
    browser
        .goto(&at(app, &format!("/sign-in?{query}")))
        .await
        .unwrap();
    fill(browser, "email", &user.viewer.email).await;
    fill(browser, "password", &user.password).await;
    submit(browser, "main form").await;
    assert_eq!(browser.current_url().await.unwrap().path(), next);
}

async fn create_organisation(app: &TestApp, admin: &TestUser, body: Value) -> String {
    let response = app
        .http
        .post(app.url("/api/v1/organisations"))
        .bearer_auth(&admin.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn organisation(name: &str, town: &str, precision: &str, themes: &[&str], communities: &[&str]) -> Value {
    let place = shared::places::find(town).unwrap();
    json!({
        "name": name, "themes": themes, "communities": communities, "languages": ["ti", "en"],
        "membership": "member", "description": format!("{name} works with refugees in {town}."),
        "visibility": {"profile": "public", "contact": "network", "locations": "public", "membership": "public"},
        "contact": {"email": "hello@example.org"},
        "locations": [{"label": "drop-in", "town": town, "latitude": place.latitude, "longitude": place.longitude,
                       "precision": precision}]
    })
}

/// Waits until the search index holds `count` organisations.
async fn indexed(app: &TestApp, count: u64) {
    let started = Instant::now();
    loop {
        let response = app
            .http
            .get(app.url("/api/v1/organisations/search"))
            .send()
            .await
            .unwrap();
        if response.status() == 200 && response.json::<Value>().await.unwrap()["total"] == json!(count) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the index did not catch up"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn journey_a_find_allies_near_coventry_on_the_map() {
    let app = app().await;
    let admin = app.user(Role::Admin).await;
    let coventry = create_organisation(
        &app,
        &admin,
        organisation(
            "Coventry Refugee Housing",
            "Coventry",
            "exact",
            &["housing", "legal aid"],
            &["Eritrean"],
        ),
    )
    .await;
    create_organisation(
        &app,
        &admin,
        organisation(
            "Kenilworth Tenants Together",
            "Kenilworth",
            "area",
            &["housing"],
            &["Eritrean"],
        ),
    )
    .await;
    create_organisation(
        &app,
        &admin,
        organisation(
            "Birmingham Eritrean Network",
            "Birmingham",
            "exact",
            &["housing"],
            &["Eritrean"],
        ),
    )
    .await;
    create_organisation(
        &app,
        &admin,
        organisation(
            "Glasgow Housing Voices",
            "Glasgow",
            "exact",
            &["housing"],
            &["Kurdish"],
        ),
    )
    .await;
    indexed(&app, 4).await;

    let driver = Driver::start();
    let browser = driver.browser().await;
    browser.goto(&at(&app, "/")).await.unwrap();
    assert_eq!(text_of(&browser, "h1").await, "Find organisations");
    check_page(&browser, "directory-search").await;

    // Near Coventry, within 25 km: Coventry and Kenilworth, not Birmingham (about 30 km) nor Glasgow.
    fill(&browser, "town", "Coventry").await;
    browser
        .find(Locator::Id("radius_km"))
        .await
        .unwrap()
        .select_by_value("25")
        .await
        .unwrap();
    submit(&browser, "form.search .search-fields").await;
    let results = text_of(&browser, "ol.results").await;
    assert!(results.contains("Coventry Refugee Housing"), "{results}");
    assert!(results.contains("Kenilworth Tenants Together"), "{results}");
    assert!(!results.contains("Glasgow"), "{results}");
    assert!(text_of(&browser, ".facets").await.contains("housing (2)"));
    // The map shows both: Coventry as a point, Kenilworth (approximate) as an area, and no pin anywhere.
    let map = browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("[data-map][data-drawn]"))
        .await
        .expect("the map is drawn");
    assert_eq!(map.attr("data-drawn").await.unwrap().as_deref(), Some("2"));
    assert_eq!(
        browser
            .find_all(Locator::Css(".leaflet-interactive"))
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(browser
        .find_all(Locator::Css(".leaflet-marker-icon"))
        .await
        .unwrap()
        .is_empty());
    let area = browser
        .find(Locator::Css(
            "[data-point][data-name='Kenilworth Tenants Together']",
        ))
        .await
        .unwrap();
    assert!(area.attr("data-radius").await.unwrap().is_some());
    check_page(&browser, "directory-search-near-coventry").await;

    // The same search works at phone width.
    browser.set_window_size(390, 844).await.unwrap();
    check_page(&browser, "directory-search-phone").await;
    browser.set_window_size(1280, 1000).await.unwrap();

    // The organisation's page, then its allies, on a map.
    click_through(
        &browser,
        &format!("ol.results a[href='/organisations/{coventry}']"),
    )
    .await;
    assert_eq!(
        browser.current_url().await.unwrap().path(),
        format!("/organisations/{coventry}")
    );
    assert_eq!(text_of(&browser, "h1").await, "Coventry Refugee Housing");
    // Anonymous visitors do not see the contact details, which are for the network.
    assert!(!browser.source().await.unwrap().contains("hello@example.org"));
    check_page(&browser, "organisation").await;
    click_through(&browser, "a[href$='/allies']").await;
    let allies = text_of(&browser, "ol.allies").await;
    assert!(allies.contains("Kenilworth Tenants Together") && allies.contains("Birmingham Eritrean Network"));
    assert!(allies.contains("shares housing"), "{allies}");
    let map = browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("[data-map][data-drawn]"))
        .await
        .expect("the allies map is drawn");
    let drawn: usize = map.attr("data-drawn").await.unwrap().unwrap().parse().unwrap();
    assert!(
        drawn >= 3,
        "the organisation and its allies are on the map: {drawn}"
    );
    check_page(&browser, "allies").await;

    // Arabic: right to left, the navigation translated, still accessible.
    browser
        .goto(&at(&app, "/?lang=ar&town=Coventry&radius_km=25"))
        .await
        .unwrap();
    let html = browser.find(Locator::Css("html")).await.unwrap();
    assert_eq!(html.attr("dir").await.unwrap().as_deref(), Some("rtl"));
    assert_eq!(html.attr("lang").await.unwrap().as_deref(), Some("ar"));
    assert!(text_of(&browser, "header").await.contains("ابحث عن المنظمات"));
    check_page(&browser, "directory-search-arabic").await;
    // The choice is remembered by a cookie.
    browser.goto(&at(&app, "/sign-in")).await.unwrap();
    assert_eq!(text_of(&browser, "h1").await, "تسجيل الدخول");
    browser.close().await.unwrap();
}

#[tokio::test]
async fn journey_b_edit_a_profile_and_hit_a_conflict() {
    let app = app().await;
    let admin = app.user(Role::Admin).await;
    let amina = app.user(Role::Member).await;
    let bashir = app.user(Role::Member).await;
    let id = create_organisation(
        &app,
        &admin,
        organisation(
            "Coventry Refugee Housing",
            "Coventry",
            "exact",
            &["housing"],
            &["Eritrean"],
        ),
    )
    .await;
    for editor in [&amina, &bashir] {
        let response = app
            .http
            .post(app.url(&format!("/api/v1/organisations/{id}/editors")))
            .bearer_auth(&admin.token)
            .json(&json!({"email": editor.viewer.email}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
    }
    let edit = format!("/organisations/{id}/edit");

    let driver = Driver::start();
    let first = driver.browser().await;
    let second = driver.browser().await;
    // Amina signs in from "my organisation", which leads to her organisation's form.
    first.goto(&at(&app, "/my-organisation")).await.unwrap();
    assert_eq!(first.current_url().await.unwrap().path(), "/sign-in");
    check_page(&first, "sign-in").await;
    fill(&first, "email", &amina.viewer.email).await;
    fill(&first, "password", "not the password").await;
    submit(&first, "main form").await;
    assert!(text_of(&first, ".error-summary").await.contains("not right"));
    fill(&first, "password", &amina.password).await;
    submit(&first, "main form").await;
    assert_eq!(first.current_url().await.unwrap().path(), edit);
    check_page(&first, "organisation-edit").await;
    // Bashir opens the same form in his own browser.
    sign_in(&app, &second, &bashir, &edit).await;

    // An invalid website comes back with the message beside the field.
    fill(&first, "website", "ftp://example.org").await;
    submit(&first, "main form").await;
    assert!(text_of(&first, ".error-summary").await.contains("https://"));
    let website_error = text_of(&first, "#website-error").await;
    assert!(website_error.contains("https://"), "{website_error}");
    check_page(&first, "organisation-edit-invalid").await;

    // Amina saves first.
    fill(&first, "website", "https://coventry-housing.example.org").await;
    fill(
        &first,
        "description",
        "Amina's description: drop-in every Tuesday.",
    )
    .await;
    submit(&first, "main form").await;
    assert_eq!(
        first.current_url().await.unwrap().path(),
        format!("/organisations/{id}")
    );
    assert!(text_of(&first, ".notice").await.contains("saved"));

    // Bashir, still on the old version, saves his own change: he sees both versions, nothing lost.
    fill(&second, "description", "Bashir's description: open on Saturdays.").await;
    submit(&second, "main form").await;
    let conflict = text_of(&second, ".conflict").await;
    assert!(conflict.contains("Someone else saved first"), "{conflict}");
    assert!(conflict.contains("Amina's description") && conflict.contains("Bashir's description"));
    let differing = text_of(&second, ".conflict tr.differs").await;
    assert!(differing.contains("Description"), "{differing}");
    // The form holds Amina's version with Bashir's change on top.
    let value = |id: &'static str| {
        let second = &second;
        async move {
            second
                .find(Locator::Id(id))
                .await
                .unwrap()
                .prop("value")
                .await
                .unwrap()
        }
    };
    assert_eq!(
        value("description").await.as_deref(),
        Some("Bashir's description: open on Saturdays.")
    );
    assert_eq!(
        value("website").await.as_deref(),
        Some("https://coventry-housing.example.org")
    );
    check_page(&second, "organisation-edit-conflict").await;
    // Having compared, he saves again on top of the newer version.
    submit(&second, "main form").await;
    assert_eq!(
        second.current_url().await.unwrap().path(),
        format!("/organisations/{id}")
    );
    let description = text_of(&second, ".description").await;
    assert_eq!(description, "Bashir's description: open on Saturdays.");
    assert!(text_of(&second, ".facts")
        .await
        .contains("https://coventry-housing.example.org"));

    // Locations: make the drop-in approximate and add one by town only.
    first
        .goto(&at(&app, &format!("/organisations/{id}/locations")))
        .await
        .unwrap();
    check_page(&first, "organisation-locations").await;
    first
        .find(Locator::Id("precision_0"))
        .await
        .unwrap()
        .select_by_value("area")
        .await
        .unwrap();
    fill(&first, "label_1", "Saturday advice").await;
    fill(&first, "town_1", "Nuneaton").await;
    submit(&first, "main form").await;
    assert_eq!(
        first.current_url().await.unwrap().path(),
        format!("/organisations/{id}")
    );
    let places = text_of(&first, "ul.locations").await;
    assert!(
        places.contains("Saturday advice") && places.contains("Nuneaton"),
        "{places}"
    );

    // Editors and API tokens.
    first
        .goto(&at(&app, &format!("/organisations/{id}/editors")))
        .await
        .unwrap();
    assert!(text_of(&first, "table").await.contains(&bashir.viewer.email));
    fill(&first, "email", "nobody@example.org").await;
    submit(&first, "main form[action$='/editors']").await;
    assert!(text_of(&first, "#email-error").await.contains("no account"));
    check_page(&first, "organisation-editors").await;
    first.goto(&at(&app, "/account/tokens")).await.unwrap();
    fill(&first, "name", "spreadsheet sync").await;
    submit(&first, "main form[action='/account/tokens']").await;
    let secret = text_of(&first, ".secret").await;
    assert!(secret.starts_with("cg_"), "{secret}");
    let me = app
        .http
        .get(app.url("/api/v1/me"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200, "the new token works on the API");
    check_page(&first, "api-tokens").await;

    // Signing out ends the session.
    click_through(&first, "form[action='/sign-out'] button").await;
    first.goto(&at(&app, &edit)).await.unwrap();
    assert_eq!(first.current_url().await.unwrap().path(), "/sign-in");
    first.close().await.unwrap();
    second.close().await.unwrap();
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused_and_pages_carry_a_strict_policy() {
    let app = app().await;
    let member = app.user(Role::Member).await;
    let page = app.http.get(app.url("/sign-in")).send().await.unwrap();
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"),
        "{policy}"
    );
    let cookie = page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let html = page.text().await.unwrap();
    let token = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let form = |csrf: &str| {
        serde_urlencoded::to_string([
            ("csrf", csrf),
            ("email", member.viewer.email.as_str()),
            ("password", member.password.as_str()),
            ("next", "/"),
        ])
        .unwrap()
    };
    let post = |body: String, cookie: Option<&str>| {
        let mut request = app
            .http
            .post(app.url("/sign-in"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        request.send()
    };
    // No token, a wrong token, or the right token without its cookie: 403, and no session.
    for (body, cookie) in [
        (form(""), Some(cookie.as_str())),
        (form("forged"), Some(cookie.as_str())),
        (form(token), None),
    ] {
        let response = post(body, cookie).await.unwrap();
        assert_eq!(response.status(), 403);
        assert!(response
            .headers()
            .get("set-cookie")
            .is_none_or(|c| !c.to_str().unwrap().contains("cg_session=")));
    }
    let signed_in = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.url("/sign-in"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", &cookie)
        .body(form(token))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 303);
    assert!(signed_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("HttpOnly"));

    // Bad form input is a page with messages, never a server error; an unknown page is a 404 page.
    let bad = app
        .http
        .get(app.url("/?radius_km=lots&town=Atlantis"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("error-summary"));
    let missing = app
        .http
        .get(app.url("/organisations/not-an-id"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert!(missing.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
}

#[tokio::test]
async fn journey_c_build_solve_and_publish_an_agenda_and_download_a_personal_ics() {
    let app = app().await;
    let planner = app.user(Role::Planner).await;
    let member = app.user(Role::Member).await;
    // The plan is built through the API (as a planner's tools do): two rooms, two slots, four sessions.
    let summit: Value = app
        .http
        .post(app.url("/api/v1/summits"))
        .bearer_auth(&planner.token)
        .json(&json!({"name": "Solidarity Summit", "starts_on": "2026-09-12", "ends_on": "2026-09-12"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = summit["id"].as_str().unwrap().to_string();
    let plan = json!({
        "timezone": "Europe/London",
        "slots": [{"id": "morning", "day": "2026-09-12", "start": "10:00", "end": "11:30"},
                  {"id": "afternoon", "day": "2026-09-12", "start": "13:00", "end": "14:30"}],
        "rooms": [{"id": "Hall", "capacity": 40, "features": ["step_free", "hearing_loop"]},
                  {"id": "Library", "capacity": 2, "features": []}],
        "sessions": [
            {"id": "housing", "title": "Housing rights", "theme": "housing", "length": 1, "facilitators": ["amal"]},
            {"id": "organising", "title": "Organising tenants", "theme": "organising", "length": 1},
            {"id": "legal", "title": "Legal aid clinic", "theme": "legal aid", "length": 1},
            {"id": "media", "title": "Telling our stories", "theme": "media", "length": 1}],
        "people": [{"id": "amal"}],
        "attendees": [{"id": "a1", "wishes": ["media", "housing"]}, {"id": "a2", "wishes": ["media"]}]
    });
    let saved = app
        .http
        .put(app.url(&format!("/api/v1/summits/{id}/plan")))
        .bearer_auth(&planner.token)
        .json(&plan)
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 200, "{}", saved.text().await.unwrap());

    let driver = Driver::start();
    let attendee = driver.browser().await;
    let organiser = driver.browser().await;
    // The member registers with ranked wishes and an access need.
    sign_in(&app, &attendee, &member, "/summits").await;
    assert!(text_of(&attendee, "main").await.contains("Solidarity Summit"));
    check_page(&attendee, "summits").await;
    click_through(&attendee, &format!("a[href='/summits/{id}']")).await;
    attendee
        .find(Locator::Id("wish_1"))
        .await
        .unwrap()
        .select_by_value("housing")
        .await
        .unwrap();
    attendee
        .find(Locator::Id("wish_2"))
        .await
        .unwrap()
        .select_by_value("legal")
        .await
        .unwrap();
    let step_free = attendee
        .find(Locator::Css("input[name=needs][value=step_free]"))
        .await
        .unwrap();
    step_free.click().await.unwrap();
    submit(&attendee, "form.registration").await;
    assert!(text_of(&attendee, "#register ~ .notice")
        .await
        .contains("registered"));
    let wish = attendee
        .find(Locator::Id("wish_2"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(wish.as_deref(), Some("legal"));
    check_page(&attendee, "summit-registration").await;

    // The planner solves the plan, reads the grid and the report, and publishes.
    sign_in(&app, &organiser, &planner, &format!("/summits/{id}")).await;
    submit(&organiser, &format!("form[action='/summits/{id}/agendas']")).await;
    // The solve runs in the background; its progress page goes to the agenda once it is made.
    arrives_at(&organiser, &format!("/summits/{id}/agendas/1")).await;
    let grid = text_of(&organiser, "table.agenda-grid").await;
    for title in [
        "Housing rights",
        "Organising tenants",
        "Legal aid clinic",
        "Telling our stories",
    ] {
        assert!(grid.contains(title), "{title} is not in the grid: {grid}");
    }
    assert!(grid.contains("wished"), "demand is shown inline: {grid}");
    let report = text_of(&organiser, ".report").await;
    assert!(report.contains("Every hard constraint met\nyes"), "{report}");
    check_page(&organiser, "agenda-grid").await;

    // A long solve (as at conference scale) shows its step, progress and best lost wishes so far, and the
    // page moves on by itself when the agenda is made. The solve is recorded as another server would.
    let long_solve = uuid::Uuid::now_v7();
    let client = app.pool.get().await.unwrap();
    let summit_id: uuid::Uuid = id.parse().unwrap();
    client
        .execute(
            "INSERT INTO summits.solves (id, summit_id, step, done, lost_wishes) VALUES ($1, $2, 'placing', 0.4, 3)",
            &[&long_solve, &summit_id],
        )
        .await
        .unwrap();
    organiser
        .goto(&at(&app, &format!("/summits/{id}/solves/{long_solve}")))
        .await
        .unwrap();
    let progress = text_of(&organiser, ".solve").await;
    assert!(
        progress.contains("Placing sessions in rooms and slots · the best agenda so far loses 3 wishes"),
        "{progress}"
    );
    let shown = organiser
        .find(Locator::Id("solve-progress"))
        .await
        .unwrap()
        .attr("value")
        .await
        .unwrap();
    assert_eq!(shown.as_deref(), Some("40"));
    check_page(&organiser, "solve-progress").await;
    client
        .execute(
            "UPDATE summits.solves SET done = 0.9, lost_wishes = 2, updated_at = now() WHERE id = $1",
            &[&long_solve],
        )
        .await
        .unwrap();
    let started = Instant::now();
    while !text_of(&organiser, "#solve-step")
        .await
        .contains("loses 2 wishes")
    {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the progress was not refreshed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    client
        .execute(
            "UPDATE summits.solves SET state = 'done', done = 1, agenda_number = 1 WHERE id = $1",
            &[&long_solve],
        )
        .await
        .unwrap();
    arrives_at(&organiser, &format!("/summits/{id}/agendas/1")).await;

    // The planner moves sessions from the grid: each move pins the session there and solves again. Moving
    // "Telling our stories" into the Hall too cannot hold (the Library has no step-free access, so the
    // sessions a step-free attendee wishes for need the Hall already): refused with the reason, no pin kept.
    let agenda = |number: u32| {
        let (app, planner, id) = (&app, &planner, &id);
        async move {
            let path = format!("/api/v1/summits/{id}/agendas/{number}");
            let agenda = api_json(app, planner, &path).await;
            agenda["solution"]["assignments"].as_array().unwrap().clone()
        }
    };
    let move_to = |session: &'static str, slot: String, room: &'static str| {
        let organiser = &organiser;
        async move {
            click(organiser, &format!("details:has(#move-{session}) summary")).await;
            for (select, value) in [("slot", slot.as_str()), ("room", room)] {
                organiser
                    .find(Locator::Id(&format!("move-{session}-{select}")))
                    .await
                    .unwrap()
                    .select_by_value(value)
                    .await
                    .unwrap();
            }
            submit(organiser, &format!("#move-{session}")).await;
        }
    };
    move_to("media", "afternoon".into(), "Hall").await;
    assert!(text_of(&organiser, ".error-summary, main")
        .await
        .contains("fit only room(s) Hall"));
    let pins = api_json(&app, &planner, &format!("/api/v1/summits/{id}/pins")).await;
    assert_eq!(pins, json!([]), "a move that cannot hold leaves no pin");

    // Moving "Housing rights" to the other slot works: agenda 2 has it there.
    organiser
        .goto(&at(&app, &format!("/summits/{id}/agendas/1")))
        .await
        .unwrap();
    let housing_slot = agenda(1)
        .await
        .iter()
        .find(|a| a["session"] == "housing")
        .unwrap()["slot"]
        .as_str()
        .unwrap()
        .to_string();
    let other_slot = if housing_slot == "morning" {
        "afternoon"
    } else {
        "morning"
    };
    move_to("housing", other_slot.to_string(), "Hall").await;
    assert_eq!(
        organiser.current_url().await.unwrap().path(),
        format!("/summits/{id}/agendas/2"),
        "{}",
        text_of(&organiser, "main").await
    );
    let housing = agenda(2)
        .await
        .into_iter()
        .find(|a| a["session"] == "housing")
        .unwrap();
    assert_eq!(
        (&housing["slot"], &housing["room"]),
        (&json!(other_slot), &json!("Hall"))
    );

    // With a mouse, the same move is a drag: "Organising tenants" dropped on the Library's other slot
    // fills in its form and solves again into agenda 3.
    let organising_slot = agenda(2)
        .await
        .into_iter()
        .find(|a| a["session"] == "organising")
        .unwrap()["slot"]
        .as_str()
        .unwrap()
        .to_string();
    let drop_slot = if organising_slot == "morning" {
        "afternoon"
    } else {
        "morning"
    };
    organiser
        .execute(
            "const [session, cell] = [document.getElementById('session-organising'), document.querySelector(arguments[0])];
             const transfer = new DataTransfer();
             window.stillTheOldPage = true;
             for (const [target, type] of [[session, 'dragstart'], [cell, 'dragover'], [cell, 'drop']]) {
               target.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
             }",
            vec![json!(format!("td[data-slot='{drop_slot}'][data-room='Library']"))],
        )
        .await
        .unwrap();
    wait_for_next_page(&organiser, "the drop").await;
    assert_eq!(
        organiser.current_url().await.unwrap().path(),
        format!("/summits/{id}/agendas/3")
    );
    let organising = agenda(3)
        .await
        .into_iter()
        .find(|a| a["session"] == "organising")
        .unwrap();
    assert_eq!(
        (&organising["slot"], &organising["room"]),
        (&json!(drop_slot), &json!("Library"))
    );
    submit(&organiser, "form[action$='/publish']").await;
    assert!(text_of(&organiser, ".notice").await.contains("Published"));

    // The attendee reads their own agenda and downloads it as iCalendar.
    attendee
        .goto(&at(&app, &format!("/summits/{id}/agendas/3")))
        .await
        .unwrap();
    let mine = text_of(&attendee, ".personal").await;
    assert!(mine.contains("Housing rights"), "{mine}");
    check_page(&attendee, "personal-agenda").await;
    let ics = attendee
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(document.querySelector('a[download]').href).then(r => r.text()).then(done, e => done(String(e)));",
            vec![],
        )
        .await
        .unwrap();
    let ics = ics.as_str().unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR"), "{ics}");
    assert!(ics.contains("Housing rights"), "{ics}");
    attendee.close().await.unwrap();
    organiser.close().await.unwrap();
}

#[tokio::test]
async fn journey_d_record_an_assessment_and_see_the_chart() {
    let app = app().await;
    let admin = app.user(Role::Admin).await;
    let id = create_organisation(
        &app,
        &admin,
        organisation(
            "Coventry Refugee Housing",
            "Coventry",
            "exact",
            &["housing"],
            &["Eritrean"],
        ),
    )
    .await;
    let dashboard = format!("/organisations/{id}/capacity");
    let driver = Driver::start();
    let browser = driver.browser().await;
    sign_in(&app, &browser, &admin, &dashboard).await;
    assert!(text_of(&browser, "main")
        .await
        .contains("No final assessment yet"));

    // A form without a rater comes back with the message beside the field.
    submit(&browser, "form.assessment").await;
    assert!(text_of(&browser, "#rater-error")
        .await
        .contains("role or initials"));

    // Two facilitated assessments: everything at 2 in January, everything at 4 now.
    for (date, score) in [("2026-01-10", "2"), ("", "4")] {
        if !date.is_empty() {
            browser
                .execute(
                    "document.getElementById('assessed_on').value = arguments[0];",
                    vec![json!(date)],
                )
                .await
                .unwrap();
        }
        fill(&browser, "rater", "facilitator").await;
        browser
            .find(Locator::Id("method"))
            .await
            .unwrap()
            .select_by_value("facilitated")
            .await
            .unwrap();
        for select in browser
            .find_all(Locator::Css("select[id^='score_']"))
            .await
            .unwrap()
        {
            select.select_by_value(score).await.unwrap();
        }
        submit(&browser, "form.assessment").await;
        assert_eq!(browser.current_url().await.unwrap().path(), dashboard);
    }
    let scores = text_of(&browser, "table.scores").await;
    assert!(
        scores.contains("2.0") && scores.contains("4.0") && scores.contains("+2.0"),
        "{scores}"
    );
    // The radar chart loads (an SVG from the capacity service) and has a text alternative.
    let started = Instant::now();
    loop {
        let width = browser
            .execute("const img = document.querySelector('.chart img'); return img.complete ? img.naturalWidth : -1;", vec![])
            .await
            .unwrap();
        if width.as_i64().is_some_and(|w| w > 0) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the radar chart did not load: {width}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let alt = browser
        .find(Locator::Css(".chart img"))
        .await
        .unwrap()
        .attr("alt")
        .await
        .unwrap();
    assert!(alt.is_some_and(|alt| alt.contains("Radar chart")));
    check_page(&browser, "capacity-dashboard").await;

    // The network report counts the assessments, and shows the mean change as a chart and a table.
    click_through(&browser, "a[href='/capacity/network']").await;
    let figures = text_of(&browser, "dl.facts").await;
    assert!(figures.contains("Final assessments\n2"), "{figures}");
    assert!(text_of(&browser, "table.scores").await.contains("+2.0"));
    check_page(&browser, "network-report").await;
    browser.close().await.unwrap();
}

#[tokio::test]
async fn staff_decide_mentoring_proposals_and_set_a_match_by_hand() {
    let app = app().await;
    let admin = app.user(Role::Admin).await;
    let post = |path: &'static str, body: Value| {
        let (app, admin) = (&app, &admin);
        async move {
            let response = app
                .http
                .post(app.url(path))
                .bearer_auth(&admin.token)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert!(response.status().is_success(), "{path}: {}", response.status());
            response.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        }
    };
    // Two mentors and two mentees who share Arabic and Monday evenings, all safeguarded.
    for (name, role) in [
        ("Farida", "mentor"),
        ("Yusuf", "mentor"),
        ("Amina", "mentee"),
        ("Selam", "mentee"),
    ] {
        let person = post(
            "/api/v1/capacity/people",
            json!({"name": name, "consents": ["mentoring"]}),
        )
        .await;
        post(
            "/api/v1/capacity/mentoring/profiles",
            json!({"person_id": person, "role": role, "languages": ["arabic"], "availability": ["mon_evening"],
                   "latitude": 52.4066, "longitude": -1.5122, "capacity": 1,
                   "safeguarding_checked_on": "2026-01-05"}),
        )
        .await;
    }
    let driver = Driver::start();
    let browser = driver.browser().await;
    sign_in(&app, &browser, &admin, "/capacity/mentoring").await;
    assert!(text_of(&browser, "main").await.contains("No proposal to decide"));
    submit(&browser, "form[action='/capacity/mentoring/proposals']").await;
    let rows = || async {
        browser
            .find_all(Locator::Css("table.proposals tbody tr"))
            .await
            .unwrap()
            .len()
    };
    assert_eq!(rows().await, 2);
    check_page(&browser, "mentoring-proposals").await;

    // Rejecting needs a reason, said beside the field; with one, the proposal goes.
    submit(&browser, "form.reject").await;
    let error = text_of(&browser, "form.reject .field-error").await;
    assert!(error.contains("say why"), "{error}");
    browser
        .find(Locator::Css("form.reject input[type=text]"))
        .await
        .unwrap()
        .send_keys("they already work together")
        .await
        .unwrap();
    submit(&browser, "form.reject").await;
    assert_eq!(rows().await, 1);

    // Accepting makes the other one active.
    submit(&browser, "table.proposals form.inline").await;
    assert!(text_of(&browser, "main").await.contains("No proposal to decide"));
    assert_eq!(
        browser
            .find_all(Locator::Css("ul.active-matches li"))
            .await
            .unwrap()
            .len(),
        1
    );

    // The rejected pair, set by hand with a reason after all.
    let rejected = api_json(&app, &admin, "/api/v1/capacity/mentoring/matches?status=rejected").await;
    let rejected = &rejected["items"][0];
    for (select, value) in [
        ("mentor_id", &rejected["mentor_id"]),
        ("mentee_id", &rejected["mentee_id"]),
    ] {
        browser
            .find(Locator::Id(select))
            .await
            .unwrap()
            .select_by_value(value.as_str().unwrap())
            .await
            .unwrap();
    }
    fill(
        &browser,
        "reason",
        "they asked for each other at the Coventry workshop",
    )
    .await;
    submit(&browser, "form.by-hand").await;
    let active = text_of(&browser, "ul.active-matches").await;
    assert_eq!(active.lines().count(), 2, "{active}");
    browser.close().await.unwrap();
}
