//! The web pages of Common Ground: server-rendered HTML for visitors, members and partner organisations,
//! built on the same service code as the API, with progressive enhancement (every page works without
//! JavaScript; the map is the list's enhancement), message catalogues (English, and Arabic right to left),
//! CSRF protection on every form and a strict Content-Security-Policy.

mod api_tokens_page;
mod assets;
mod capacity_dashboard;
mod editors_page;
mod forms;
mod layout;
mod map;
mod mentoring_page;
mod messages;
mod organisation_page;
mod profile_editing;
mod search_page;
mod sign_in;
mod summit_pages;
mod visit;

use std::sync::Arc;

use directory::indexer::SearchIndex;
use shared::server::ServiceContext;
use warp::filters::BoxedFilter;
use warp::reply::Response;
use warp::Filter;

use crate::visit::{answer, visit, Visit};

/// The environment variable with the map tile URL template, e.g.
/// `https://tile.openstreetmap.org/{z}/{x}/{y}.png`; unset, maps show their markers on a blank background.
pub const MAP_TILES_VARIABLE: &str = "COMMONGROUND_MAP_TILES";

/// Every page route, searching `index` (the process's directory index).
pub fn service(context: ServiceContext, index: Arc<SearchIndex>) -> BoxedFilter<(Response,)> {
    let map_tiles: Option<Arc<str>> = std::env::var(MAP_TILES_VARIABLE)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(Arc::from);
    routes(context, index, map_tiles)
}

fn routes(
    context: ServiceContext,
    index: Arc<SearchIndex>,
    map_tiles: Option<Arc<str>>,
) -> BoxedFilter<(Response,)> {
    let pool = context.pool;
    let with_pool = {
        let pool = pool.clone();
        move || {
            let pool = pool.clone();
            warp::any().map(move || pool.clone())
        }
    };
    let with_index = move || {
        let index = index.clone();
        warp::any().map(move || index.clone())
    };
    let visit = || visit(pool.clone(), map_tiles.clone());
    let form = || warp::body::content_length_limit(forms::FORM_LIMIT_BYTES).and(warp::body::bytes());
    let query = shared::http::raw_query;
    // `/organisations/{id}` followed by `tail` (no `warp::path!`: that macro is kept for the API, whose
    // routes the OpenAPI test finds by it).
    let organisation = |tail: &'static str| {
        let path = warp::path("organisations").and(warp::path::param::<String>());
        match tail {
            "" => path.and(warp::path::end()).boxed(),
            tail => path.and(warp::path(tail)).and(warp::path::end()).boxed(),
        }
    };

    let assets = warp::path("assets")
        .and(warp::path::param::<String>())
        .and(warp::path::param::<String>())
        .and(warp::path::end())
        .and(warp::get())
        .map(assets::serve)
        .boxed();
    let search = warp::path::end()
        .and(warp::get())
        .and(visit())
        .and(query())
        .and(with_index())
        .and(with_pool())
        .then(|v: Visit, q, index, pool| answer(v.clone(), search_page::show(v, q, index, pool)))
        .boxed();
    let sign_in_path = || warp::path("sign-in").and(warp::path::end());
    let show_sign_in = sign_in_path()
        .and(warp::get())
        .and(visit())
        .and(query())
        .then(|v: Visit, q| answer(v.clone(), sign_in::show(v, q)))
        .boxed();
    let submit_sign_in = sign_in_path()
        .and(warp::post())
        .and(visit())
        .and(with_pool())
        .and(form())
        .then(|v: Visit, pool, body| answer(v.clone(), sign_in::submit(v, pool, body)))
        .boxed();
    let sign_out = warp::path("sign-out")
        .and(warp::path::end())
        .and(warp::post())
        .and(visit())
        .and(with_pool())
        .and(form())
        .then(|v: Visit, pool, body| answer(v.clone(), sign_in::sign_out(v, pool, body)))
        .boxed();
    let show_organisation = organisation("")
        .and(warp::get())
        .and(visit())
        .and(query())
        .and(with_pool())
        .then(|id, v: Visit, q, pool| answer(v.clone(), organisation_page::show(v, id, q, pool)))
        .boxed();
    let allies = organisation("allies")
        .and(warp::get())
        .and(visit())
        .and(query())
        .and(with_index())
        .and(with_pool())
        .then(|id, v: Visit, q, index, pool| {
            answer(v.clone(), organisation_page::allies(v, id, q, index, pool))
        })
        .boxed();
    let mine = warp::path("my-organisation")
        .and(warp::path::end())
        .and(warp::get())
        .and(visit())
        .and(with_pool())
        .then(|v: Visit, pool| answer(v.clone(), profile_editing::mine(v, pool)))
        .boxed();
    let edit = organisation("edit")
        .and(warp::get())
        .and(visit())
        .and(with_pool())
        .then(|id, v: Visit, pool| answer(v.clone(), profile_editing::edit(v, id, pool)))
        .boxed();
    let save_profile = organisation("edit")
        .and(warp::post())
        .and(visit())
        .and(with_index())
        .and(with_pool())
        .and(form())
        .then(|id, v: Visit, index, pool, body| {
            answer(v.clone(), profile_editing::save_profile(v, id, index, pool, body))
        })
        .boxed();
    let locations = organisation("locations")
        .and(warp::get())
        .and(visit())
        .and(with_pool())
        .then(|id, v: Visit, pool| answer(v.clone(), profile_editing::locations(v, id, pool)))
        .boxed();
    let save_locations = organisation("locations")
        .and(warp::post())
        .and(visit())
        .and(with_index())
        .and(with_pool())
        .and(form())
        .then(|id, v: Visit, index, pool, body| {
            answer(
                v.clone(),
                profile_editing::save_locations(v, id, index, pool, body),
            )
        })
        .boxed();
    let editors = organisation("editors")
        .and(warp::get())
        .and(visit())
        .and(with_pool())
        .then(|id, v: Visit, pool| answer(v.clone(), editors_page::show(v, id, pool)))
        .boxed();
    let add_editor = organisation("editors")
        .and(warp::post())
        .and(visit())
        .and(with_pool())
        .and(form())
        .then(|id, v: Visit, pool, body| answer(v.clone(), editors_page::add(v, id, pool, body)))
        .boxed();
    let remove_editor = warp::path("organisations")
        .and(warp::path::param::<String>())
        .and(warp::path("editors"))
        .and(warp::path::param::<String>())
        .and(warp::path("remove"))
        .and(warp::path::end())
        .and(warp::post())
        .and(visit())
        .and(with_pool())
        .and(form())
        .then(|id, user, v: Visit, pool, body| {
            answer(v.clone(), editors_page::remove(v, id, user, pool, body))
        })
        .boxed();
    let tokens_path = || warp::path("account").and(warp::path("tokens"));
    let tokens = tokens_path()
        .and(warp::path::end())
        .and(warp::get())
        .and(visit())
        .and(with_pool())
        .then(|v: Visit, pool| answer(v.clone(), api_tokens_page::show(v, pool)))
        .boxed();
    let create_token = tokens_path()
        .and(warp::path::end())
        .and(warp::post())
        .and(visit())
        .and(with_pool())
        .and(form())
        .then(|v: Visit, pool, body| answer(v.clone(), api_tokens_page::create(v, pool, body)))
        .boxed();
    let revoke_token = tokens_path()
        .and(warp::path::param::<String>())
        .and(warp::path("revoke"))
        .and(warp::path::end())
        .and(warp::post())
        .and(visit())
        .and(with_pool())
        .and(form())
        .then(|id, v: Visit, pool, body| answer(v.clone(), api_tokens_page::revoke(v, id, pool, body)))
        .boxed();
    let summit = |tail: &'static str| {
        let path = warp::path("summits").and(warp::path::param::<String>());
        match tail {
            "" => path.and(warp::path::end()).boxed(),
            tail => path.and(warp::path(tail)).and(warp::path::end()).boxed(),
        }
    };
    let agenda = || {
        warp::path("summits")
            .and(warp::path::param::<String>())
            .and(warp::path("agendas"))
            .and(warp::path::param::<String>())
    };
    let summits = warp::path("summits")
        .and(warp::path::end())
        .and(warp::get())
        .and(visit())
        .and(with_pool())
        .then(|v: Visit, pool| answer(v.clone(), summit_pages::list_summits(v, pool)))
        .boxed();
    let show_summit = summit("")
        .and(warp::get())
        .and(visit())
        .and(with_pool())
        .then(|id, v: Visit, pool| answer(v.clone(), summit_pages::show(v, id, pool)))
        .boxed();
    let register = summit("registration")
        .and(warp::post())
        .and(visit())
        .and(with_pool())
        .and(form())
        .then(|id, v: Visit, pool, body| answer(v.clone(), summit_pages::register(v, id, pool, body)))
        .boxed();
    let solve = summit("agendas")
        .and(warp::post())
        .and(visit())
        .and(with_pool())
        .and(form())
        .then(|id, v: Visit, pool, body| answer(v.clone(), summit_pages::solve(v, id, pool, body)))
        .boxed();
    let solve_progress = warp::path("summits")
        .and(warp::path::param::<String>())
        .and(warp::path("solves"))
        .and(warp::path::param::<String>())
        .and(warp::path::end())
        .and(warp::get())
        .and(visit())
        .and(with_pool())
        .then(|id, solve, v: Visit, pool| answer(v.clone(), summit_pages::solve_progress(v, id, solve, pool)))
        .boxed();
    let show_agenda = agenda()
        .and(warp::path::end())
        .and(warp::get())
        .and(visit())
        .and(with_pool())
        .then(|id, number, v: Visit, pool| answer(v.clone(), summit_pages::agenda(v, id, number, pool)))
        .boxed();
    let publish = agenda()
        .and(warp::path("publish"))
        .and(warp::path::end())
        .and(warp::post())
        .and(visit())
        .and(with_pool())
        .and(form())
        .then(|id, number, v: Visit, pool, body| {
            answer(v.clone(), summit_pages::publish(v, id, number, pool, body))
        })
        .boxed();
    let move_session = agenda()
        .and(warp::path("move"))
        .and(warp::path::end())
        .and(warp::post())
        .and(visit())
        .and(with_pool())
        .and(form())
        .then(|id, number, v: Visit, pool, body| {
            answer(v.clone(), summit_pages::move_session(v, id, number, pool, body))
        })
        .boxed();
    let summit_pages = summits
        .or(show_summit)
        .unify()
        .or(register)
        .unify()
        .or(solve)
        .unify()
        .or(solve_progress)
        .unify()
        .or(show_agenda)
        .unify()
        .or(publish)
        .unify()
        .or(move_session)
        .unify()
        .boxed();
    let capacity = organisation("capacity")
        .and(warp::get())
        .and(visit())
        .and(with_pool())
        .then(|id, v: Visit, pool| answer(v.clone(), capacity_dashboard::show(v, id, pool)))
        .boxed();
    let record_assessment = organisation("capacity")
        .and(warp::post())
        .and(visit())
        .and(with_pool())
        .and(form())
        .then(|id, v: Visit, pool, body| answer(v.clone(), capacity_dashboard::record(v, id, pool, body)))
        .boxed();
    let network_report = warp::path("capacity")
        .and(warp::path("network"))
        .and(warp::path::end())
        .and(warp::get())
        .and(visit())
        .and(with_pool())
        .then(|v: Visit, pool| answer(v.clone(), capacity_dashboard::network(v, pool)))
        .boxed();
    let mentoring_path = || warp::path("capacity").and(warp::path("mentoring"));
    let mentoring = mentoring_path()
        .and(warp::path::end())
        .and(warp::get())
        .and(visit())
        .and(with_pool())
        .then(|v: Visit, pool| answer(v.clone(), mentoring_page::show(v, pool)))
        .boxed();
    let propose_matches = mentoring_path()
        .and(warp::path("proposals"))
        .and(warp::path::end())
        .and(warp::post())
        .and(visit())
        .and(with_pool())
        .and(form())
        .then(|v: Visit, pool, body| answer(v.clone(), mentoring_page::propose_matches(v, pool, body)))
        .boxed();
    let set_match = mentoring_path()
        .and(warp::path("matches"))
        .and(warp::path::end())
        .and(warp::post())
        .and(visit())
        .and(with_pool())
        .and(form())
        .then(|v: Visit, pool, body| answer(v.clone(), mentoring_page::set_match(v, pool, body)))
        .boxed();
    let decide_match = mentoring_path()
        .and(warp::path("matches"))
        .and(warp::path::param::<String>())
        .and(warp::path::end())
        .and(warp::post())
        .and(visit())
        .and(with_pool())
        .and(form())
        .then(|id, v: Visit, pool, body| answer(v.clone(), mentoring_page::decide_match(v, id, pool, body)))
        .boxed();
    let mentoring_pages = mentoring
        .or(propose_matches)
        .unify()
        .or(set_match)
        .unify()
        .or(decide_match)
        .unify()
        .boxed();
    assets
        .or(mentoring_pages)
        .unify()
        .or(capacity)
        .unify()
        .or(network_report)
        .unify()
        .or(record_assessment)
        .unify()
        .or(summit_pages)
        .unify()
        .or(search)
        .unify()
        .or(show_sign_in)
        .unify()
        .or(submit_sign_in)
        .unify()
        .or(sign_out)
        .unify()
        .or(show_organisation)
        .unify()
        .or(allies)
        .unify()
        .or(mine)
        .unify()
        .or(edit)
        .unify()
        .or(save_profile)
        .unify()
        .or(locations)
        .unify()
        .or(save_locations)
        .unify()
        .or(editors)
        .unify()
        .or(add_editor)
        .unify()
        .or(remove_editor)
        .unify()
        .or(tokens)
        .unify()
        .or(create_token)
        .unify()
        .or(revoke_token)
        .unify()
        .boxed()
}
