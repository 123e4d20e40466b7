//! The directory's HTTP API under `/api/v1/organisations`: filters extract the request, handlers check who
//! may do what and answer.

use deadpool_postgres::Pool;
use serde::Deserialize;
use shared::accounts::{credentials, signed_in, viewer, Credentials, Viewer};
use shared::audit::AuditEvent;
use shared::error::{respond, ApiError, ApiResult, Problem};
use shared::http::{
    body_bytes, etag_for, json, json_with_etag, no_content, parse_id, parse_json, parse_query, raw_query,
    version_from_if_match,
};
use shared::pagination::{Page, PageParams};
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;
use warp::filters::BoxedFilter;
use warp::http::{header, HeaderValue, StatusCode};
use warp::reply::Response;
use warp::Filter;

use std::sync::Arc;

use crate::audience::{audience_of, view, Audience};
use crate::indexer::SearchIndex;
use crate::organisation::{
    Contact, FieldVisibility, LocationInput, LocationView, Membership, Organisation, OrganisationInput,
    OrganisationPatch, OrganisationView, Precision, Visibility,
};
use crate::store::{self, Editor};
use crate::{allies, exports, index_check, links, regions, search};

/// Every directory route, each boxed so the route tree's type stays small (and compiles fast). Paths come
/// before methods, so an unknown path is a 404 and a known path with
/// the wrong method a 405.
pub fn routes(pool: Pool, index: Arc<SearchIndex>) -> BoxedFilter<(Response,)> {
    let pool = warp::any().map(move || pool.clone());
    let index = warp::any().map(move || index.clone());
    let collection = || warp::path!("api" / "v1" / "organisations");
    // `/organisations/search` and `/organisations/import` are resources of their own, never organisation ids
    // (so `PATCH` there is a 405).
    let one = || {
        warp::path!("api" / "v1" / "organisations" / String).and_then(|id: String| async move {
            if id == "search" || id == "import" {
                Err(warp::reject::not_found())
            } else {
                Ok(id)
            }
        })
    };
    let editors = || warp::path!("api" / "v1" / "organisations" / String / "editors");
    let list = collection()
        .and(warp::get())
        .and(raw_query())
        .and(pool.clone())
        .and(credentials())
        .then(list)
        .map(respond)
        .boxed();
    let create = collection()
        .and(warp::post())
        .and(index.clone())
        .and(pool.clone())
        .and(credentials())
        .and(body_bytes())
        .then(create)
        .map(respond)
        .boxed();
    let search_path = || warp::path!("api" / "v1" / "organisations" / "search");
    let search = search_path()
        .and(warp::get())
        .and(raw_query())
        .and(index.clone())
        .and(pool.clone())
        .and(credentials())
        .then(search::search)
        .map(respond)
        .boxed();
    let search_within = search_path()
        .and(warp::post())
        .and(index.clone())
        .and(pool.clone())
        .and(credentials())
        .and(body_bytes())
        .then(search::search_within)
        .map(respond)
        .boxed();
    let regions = || warp::path!("api" / "v1" / "regions");
    let list_regions = regions()
        .and(warp::get())
        .and(pool.clone())
        .then(regions::list)
        .map(respond)
        .boxed();
    let create_region = regions()
        .and(warp::post())
        .and(pool.clone())
        .and(credentials())
        .and(body_bytes())
        .then(regions::create)
        .map(respond)
        .boxed();
    let links = || warp::path!("api" / "v1" / "organisations" / String / "links");
    let list_links = links()
        .and(warp::get())
        .and(pool.clone())
        .and(credentials())
        .then(links::list)
        .map(respond)
        .boxed();
    let create_link = links()
        .and(warp::post())
        .and(pool.clone())
        .and(credentials())
        .and(body_bytes())
        .then(links::create)
        .map(respond)
        .boxed();
    let delete_link = warp::path!("api" / "v1" / "organisations" / String / "links" / String)
        .and(warp::delete())
        .and(pool.clone())
        .and(credentials())
        .then(links::delete)
        .map(respond)
        .boxed();
    let allies = warp::path!("api" / "v1" / "organisations" / String / "allies")
        .and(warp::get())
        .and(raw_query())
        .and(index.clone())
        .and(pool.clone())
        .and(credentials())
        .then(allies::allies)
        .map(respond)
        .boxed();
    let hsds_export = warp::path!("api" / "v1" / "exports" / "organisations.hsds.json")
        .and(warp::get())
        .and(pool.clone())
        .and(credentials())
        .then(exports::hsds_export)
        .map(respond)
        .boxed();
    let geojson_export = warp::path!("api" / "v1" / "exports" / "organisations.geojson")
        .and(warp::get())
        .and(pool.clone())
        .and(credentials())
        .then(exports::geojson_export)
        .map(respond)
        .boxed();
    let search_csv = warp::path!("api" / "v1" / "exports" / "search.csv")
        .and(warp::get())
        .and(raw_query())
        .and(index.clone())
        .and(pool.clone())
        .and(credentials())
        .then(exports::search_csv)
        .map(respond)
        .boxed();
    let index_check = warp::path!("api" / "v1" / "search-index")
        .and(warp::get())
        .and(index.clone())
        .and(pool.clone())
        .and(credentials())
        .then(index_check::check)
        .map(respond)
        .boxed();
    let import = warp::path!("api" / "v1" / "organisations" / "import")
        .and(warp::post())
        .and(raw_query())
        .and(index.clone())
        .and(pool.clone())
        .and(credentials())
        .and(warp::body::content_length_limit(exports::IMPORT_LIMIT_BYTES))
        .and(warp::body::bytes())
        .then(exports::import)
        .map(respond)
        .boxed();
    let get = one()
        .and(warp::get())
        .and(pool.clone())
        .and(credentials())
        .then(get)
        .map(respond)
        .boxed();
    let patch = one()
        .and(warp::patch())
        .and(index.clone())
        .and(pool.clone())
        .and(credentials())
        .and(warp::header::optional::<String>("if-match"))
        .and(body_bytes())
        .then(patch)
        .map(respond)
        .boxed();
    let delete = one()
        .and(warp::delete())
        .and(index.clone())
        .and(pool.clone())
        .and(credentials())
        .then(delete)
        .map(respond)
        .boxed();
    let history = warp::path!("api" / "v1" / "organisations" / String / "history")
        .and(warp::get())
        .and(raw_query())
        .and(pool.clone())
        .and(credentials())
        .then(history)
        .map(respond)
        .boxed();
    let list_editors = editors()
        .and(warp::get())
        .and(pool.clone())
        .and(credentials())
        .then(list_editors)
        .map(respond)
        .boxed();
    let add_editor = editors()
        .and(warp::post())
        .and(pool.clone())
        .and(credentials())
        .and(body_bytes())
        .then(add_editor)
        .map(respond)
        .boxed();
    let remove_editor = warp::path!("api" / "v1" / "organisations" / String / "editors" / String)
        .and(warp::delete())
        .and(pool)
        .and(credentials())
        .then(remove_editor)
        .map(respond)
        .boxed();
    // The search routes come before `/{id}`, which would otherwise take "search" for an id.
    list.or(create)
        .unify()
        .or(search)
        .unify()
        .or(search_within)
        .unify()
        .or(import)
        .unify()
        .or(hsds_export)
        .unify()
        .or(geojson_export)
        .unify()
        .or(search_csv)
        .unify()
        .or(list_regions)
        .unify()
        .or(create_region)
        .unify()
        .or(get)
        .unify()
        .or(patch)
        .unify()
        .or(delete)
        .unify()
        .or(history)
        .unify()
        .or(list_editors)
        .unify()
        .or(add_editor)
        .unify()
        .or(remove_editor)
        .unify()
        .or(list_links)
        .unify()
        .or(create_link)
        .unify()
        .or(delete_link)
        .unify()
        .or(allies)
        .unify()
        .or(index_check)
        .unify()
        .boxed()
}

/// The OpenAPI description of the directory.
#[derive(OpenApi)]
#[openapi(
    paths(
        list, create, get, patch, delete, history, list_editors, add_editor, remove_editor, search::search,
        search::search_within, regions::list, regions::create, links::list, links::create, links::delete,
        allies::allies, exports::hsds_export, exports::geojson_export, exports::search_csv, exports::import,
        index_check::check
    ),
    components(schemas(
        OrganisationInput, OrganisationPatch, OrganisationView, LocationInput, LocationView, Contact,
        FieldVisibility, Visibility, Precision, Membership, Editor, NewEditor, AuditEvent,
        shared::audit::FieldChange, Page<OrganisationView>, Page<AuditEvent>, search::SearchParams,
        search::SearchAnswer, search::SearchHit, search::MatchedLocation, search::Snippets, search::FacetValue,
        regions::Region, regions::NewRegion, links::Link, links::NewLink, links::LinkKind,
        links::LinkVisibility, allies::Ally, exports::ImportReport, index_check::IndexCheck
    )),
    tags((name = "directory", description = "Grassroots organisations, their locations and editors"))
)]
pub struct DirectoryApi;

/// Fails with 403 unless `viewer` is staff or edits `organisation`.
pub async fn may_edit(
    client: &impl deadpool_postgres::GenericClient,
    viewer: &Viewer,
    organisation: Uuid,
) -> Result<(), ApiError> {
    if viewer.is_admin() || store::is_editor(client, organisation, viewer.id).await? {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// How `viewer` sees `organisation`.
pub async fn audience_for(
    client: &impl deadpool_postgres::GenericClient,
    viewer: Option<&Viewer>,
    organisation: Uuid,
) -> Result<Audience, ApiError> {
    let edits = match viewer {
        Some(v) if !v.is_admin() => store::is_editor(client, organisation, v.id).await?,
        _ => false,
    };
    Ok(audience_of(viewer, edits))
}

fn privileged_view(organisation: &Organisation) -> OrganisationView {
    view(organisation, Audience::Privileged)
}

/// `GET /api/v1/organisations`: a page of organisations, each as the viewer may see it.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "directory", params(PageParams),
    responses((status = 200, body = Page<OrganisationView>), (status = 400, body = Problem)))]
async fn list(query: String, pool: Pool, credentials: Credentials) -> ApiResult {
    let page = parse_query::<PageParams>(&query)?.validate()?;
    let viewer = viewer(&pool, &credentials).await?;
    let client = pool.get().await?;
    let edited = match &viewer {
        Some(v) => store::edited_by(&client, v.id).await?,
        None => Default::default(),
    };
    let organisations = store::list(&client, page.after()?, page.fetch()).await?;
    let views = organisations
        .iter()
        .map(|o| view(o, audience_of(viewer.as_ref(), edited.contains(&o.id))))
        .collect();
    Ok(json(
        &Page::from_rows(views, &page, |o: &OrganisationView| o.id.to_string()),
        StatusCode::OK,
    ))
}

/// `POST /api/v1/organisations`: add an organisation to the directory (network staff).
#[utoipa::path(post, path = "/api/v1/organisations", tag = "directory", request_body = OrganisationInput,
    responses((status = 201, body = OrganisationView), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn create(
    index: Arc<SearchIndex>,
    pool: Pool,
    credentials: Credentials,
    body: bytes::Bytes,
) -> ApiResult {
    let viewer = signed_in(&pool, &credentials).await?;
    if !viewer.is_admin() {
        return Err(ApiError::Forbidden);
    }
    let input = parse_json::<OrganisationInput>(&body)?
        .validated()
        .map_err(ApiError::Validation)?;
    let mut client = pool.get().await?;
    let transaction = client.transaction().await?;
    let organisation = store::create(&transaction, viewer.id, input).await?;
    transaction.commit().await?;
    index.nudge();
    let mut response = json_with_etag(
        &privileged_view(&organisation),
        StatusCode::CREATED,
        &etag_for(organisation.version),
    );
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/organisations/{}", organisation.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// `GET /api/v1/organisations/{id}`: one organisation as the viewer may see it, with its `ETag`.
#[utoipa::path(get, path = "/api/v1/organisations/{id}", tag = "directory",
    params(("id" = Uuid, Path, description = "organisation id")),
    responses((status = 200, body = OrganisationView, headers(("ETag" = String))), (status = 400, body = Problem),
              (status = 404, body = Problem)))]
async fn get(id: String, pool: Pool, credentials: Credentials) -> ApiResult {
    let id = parse_id(&id)?;
    let viewer = viewer(&pool, &credentials).await?;
    let client = pool.get().await?;
    let organisation = store::find(&client, id, false).await?;
    let audience = audience_for(&client, viewer.as_ref(), id).await?;
    Ok(json_with_etag(
        &view(&organisation, audience),
        StatusCode::OK,
        &etag_for(organisation.version),
    ))
}

/// `PATCH /api/v1/organisations/{id}`: change some fields (staff and the organisation's editors). Needs
/// `If-Match` with the ETag last read: without it 428, with a stale one 412 and the current version.
#[utoipa::path(patch, path = "/api/v1/organisations/{id}", tag = "directory", request_body = OrganisationPatch,
    params(("id" = Uuid, Path, description = "organisation id"),
           ("If-Match" = String, Header, description = "the ETag of the version this change is based on")),
    responses((status = 200, body = OrganisationView, headers(("ETag" = String))), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
async fn patch(
    id: String,
    index: Arc<SearchIndex>,
    pool: Pool,
    credentials: Credentials,
    if_match: Option<String>,
    body: bytes::Bytes,
) -> ApiResult {
    let id = parse_id(&id)?;
    let viewer = signed_in(&pool, &credentials).await?;
    let saved = save_changes(&index, &pool, &viewer, id, if_match.as_deref(), parse_json(&body)).await?;
    Ok(json_with_etag(
        &privileged_view(&saved),
        StatusCode::OK,
        &etag_for(saved.version),
    ))
}

/// Applies `patch` for `viewer` if `if_match` names the current version (what `PATCH` does; the web pages
/// save through it too). The patch is checked only after access and version, as the API answers.
pub async fn save_changes(
    index: &SearchIndex,
    pool: &Pool,
    viewer: &Viewer,
    id: Uuid,
    if_match: Option<&str>,
    patch: Result<OrganisationPatch, ApiError>,
) -> Result<Organisation, ApiError> {
    let mut client = pool.get().await?;
    let transaction = client.transaction().await?;
    let current = store::find(&transaction, id, true).await?;
    may_edit(&transaction, viewer, id).await?;
    let expected = version_from_if_match(if_match)?;
    let patch = patch?;
    if expected != Some(current.version) {
        return Err(ApiError::PreconditionFailed {
            current: serde_json::to_value(privileged_view(&current))
                .map_err(|e| ApiError::Internal(e.to_string()))?,
            etag: etag_for(current.version),
        });
    }
    let input = patch
        .apply(current.input.clone())
        .validated()
        .map_err(ApiError::Validation)?;
    let saved = if input == current.input {
        current
    } else {
        store::update(&transaction, viewer.id, &current, input).await?
    };
    transaction.commit().await?;
    index.nudge();
    Ok(saved)
}

/// `DELETE /api/v1/organisations/{id}`: remove an organisation from the directory (network staff); its
/// history is kept.
#[utoipa::path(delete, path = "/api/v1/organisations/{id}", tag = "directory",
    params(("id" = Uuid, Path, description = "organisation id")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn delete(id: String, index: Arc<SearchIndex>, pool: Pool, credentials: Credentials) -> ApiResult {
    let id = parse_id(&id)?;
    let viewer = signed_in(&pool, &credentials).await?;
    if !viewer.is_admin() {
        return Err(ApiError::Forbidden);
    }
    let mut client = pool.get().await?;
    let transaction = client.transaction().await?;
    let current = store::find(&transaction, id, true).await?;
    store::delete(&transaction, viewer.id, &current).await?;
    transaction.commit().await?;
    index.nudge();
    Ok(no_content())
}

/// `GET /api/v1/organisations/{id}/history`: every change, oldest first (staff and the organisation's editors).
#[utoipa::path(get, path = "/api/v1/organisations/{id}/history", tag = "directory",
    params(("id" = Uuid, Path, description = "organisation id"), PageParams),
    responses((status = 200, body = Page<AuditEvent>), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
async fn history(id: String, query: String, pool: Pool, credentials: Credentials) -> ApiResult {
    let id = parse_id(&id)?;
    let page = parse_query::<PageParams>(&query)?.validate()?;
    let viewer = signed_in(&pool, &credentials).await?;
    let client = pool.get().await?;
    may_edit(&client, &viewer, id).await?;
    let events = shared::audit::history(
        &client,
        store::AUDIT_ENTITY,
        id,
        page.after()?.unwrap_or(0),
        page.fetch(),
    )
    .await?;
    if events.is_empty() && page.after.is_none() {
        return Err(ApiError::NotFound(format!("no organisation {id}")));
    }
    Ok(json(
        &Page::from_rows(events, &page, |e: &AuditEvent| e.id.to_string()),
        StatusCode::OK,
    ))
}

/// Who to make an editor.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEditor {
    /// The email of an existing account.
    #[schema(min_length = 3, max_length = 254, pattern = "@")]
    pub email: String,
}

/// `GET /api/v1/organisations/{id}/editors`: who may edit this organisation (staff and its editors).
#[utoipa::path(get, path = "/api/v1/organisations/{id}/editors", tag = "directory",
    params(("id" = Uuid, Path, description = "organisation id")),
    responses((status = 200, body = Vec<Editor>), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
async fn list_editors(id: String, pool: Pool, credentials: Credentials) -> ApiResult {
    let id = parse_id(&id)?;
    let viewer = signed_in(&pool, &credentials).await?;
    Ok(json(&editors_for(&pool, &viewer, id).await?, StatusCode::OK))
}

/// Who may edit organisation `id`, for `viewer` (staff and its editors).
pub async fn editors_for(pool: &Pool, viewer: &Viewer, id: Uuid) -> Result<Vec<Editor>, ApiError> {
    let client = pool.get().await?;
    store::find(&client, id, false).await?;
    may_edit(&client, viewer, id).await?;
    store::editors(&client, id).await
}

/// `POST /api/v1/organisations/{id}/editors`: make an account an editor (staff and the organisation's editors).
#[utoipa::path(post, path = "/api/v1/organisations/{id}/editors", tag = "directory", request_body = NewEditor,
    params(("id" = Uuid, Path, description = "organisation id")),
    responses((status = 201, body = Editor), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_editor(id: String, pool: Pool, credentials: Credentials, body: bytes::Bytes) -> ApiResult {
    let id = parse_id(&id)?;
    let viewer = signed_in(&pool, &credentials).await?;
    let editor = add_editor_as(&pool, &viewer, id, parse_json(&body)).await?;
    Ok(json(&editor, StatusCode::CREATED))
}

/// Makes the account `new` names an editor of `id`, for `viewer` (checked after access, as the API answers).
pub async fn add_editor_as(
    pool: &Pool,
    viewer: &Viewer,
    id: Uuid,
    new: Result<NewEditor, ApiError>,
) -> Result<Editor, ApiError> {
    let mut client = pool.get().await?;
    let transaction = client.transaction().await?;
    store::find(&transaction, id, true).await?;
    may_edit(&transaction, viewer, id).await?;
    let editor = store::add_editor(&transaction, viewer.id, id, &new?.email).await?;
    transaction.commit().await?;
    Ok(editor)
}

/// `DELETE /api/v1/organisations/{id}/editors/{user_id}`: stop someone editing (staff and the organisation's editors).
#[utoipa::path(delete, path = "/api/v1/organisations/{id}/editors/{user_id}", tag = "directory",
    params(("id" = Uuid, Path, description = "organisation id"), ("user_id" = Uuid, Path, description = "the editor's account id")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn remove_editor(id: String, user_id: String, pool: Pool, credentials: Credentials) -> ApiResult {
    let id = parse_id(&id)?;
    let user_id = parse_id(&user_id)?;
    let viewer = signed_in(&pool, &credentials).await?;
    remove_editor_as(&pool, &viewer, id, user_id).await?;
    Ok(no_content())
}

/// Stops `user_id` editing `id`, for `viewer`.
pub async fn remove_editor_as(pool: &Pool, viewer: &Viewer, id: Uuid, user_id: Uuid) -> Result<(), ApiError> {
    let mut client = pool.get().await?;
    let transaction = client.transaction().await?;
    store::find(&transaction, id, true).await?;
    may_edit(&transaction, viewer, id).await?;
    store::remove_editor(&transaction, viewer.id, id, user_id).await?;
    transaction.commit().await?;
    Ok(())
}
