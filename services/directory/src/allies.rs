//! Finding allies: for one organisation, the other groups it could work with, ranked by the themes,
//! communities and languages they share, how near they are, and how close they are in the network (a
//! partner of a partner), each with the reasons in words. Only what the viewer may see is used.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use deadpool_postgres::Pool;
use search_index::{Coordinates, Facet, FacetFilter, Order, SearchArea, SearchRequest};
use serde::{Deserialize, Serialize};
use shared::accounts::{viewer, Credentials, Viewer};
use shared::error::{ApiError, ApiResult, Problem};
use shared::http::{json, parse_id, parse_query};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use warp::http::StatusCode;

use crate::audience::{audience_of, searching_audience, view};
use crate::indexer::SearchIndex;
use crate::links::{visible_links, LinkViewer};
use crate::organisation::OrganisationView;
use crate::store;

/// Candidates looked at before ranking.
const CANDIDATES: usize = 300;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AlliesParams {
    /// Only groups with a location within this many km (needs a location of the organisation you can see).
    #[param(exclusive_minimum = 0.0, maximum = 1000.0)]
    pub radius_km: Option<f64>,
    /// How many allies, 1 to 50 (default 10).
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<usize>,
}

/// A possible ally and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ally {
    pub id: Uuid,
    pub name: String,
    pub score: f64,
    pub distance_km: Option<f64>,
    pub shared_themes: Vec<String>,
    pub shared_communities: Vec<String>,
    pub shared_languages: Vec<String>,
    /// Organisations both work with (partner of a partner).
    pub common_partners: Vec<String>,
    /// The reasons in words, e.g. "shares housing and legal aid; 12 km; both work with X".
    pub why: String,
}

fn shared(mine: &Option<Vec<String>>, theirs: &Option<Vec<String>>, skip: &[&str]) -> Vec<String> {
    let theirs: HashSet<String> = theirs.iter().flatten().map(|v| v.to_lowercase()).collect();
    mine.iter()
        .flatten()
        .filter(|v| theirs.contains(&v.to_lowercase()) && !skip.contains(&v.as_str()))
        .cloned()
        .collect()
}

fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// `GET /api/v1/organisations/{id}/allies`: groups this organisation could work with, best first.
#[utoipa::path(get, path = "/api/v1/organisations/{id}/allies", tag = "directory",
    params(("id" = Uuid, Path, description = "organisation id"), AlliesParams),
    responses((status = 200, body = Vec<Ally>), (status = 400, body = Problem), (status = 404, body = Problem),
              (status = 422, body = Problem), (status = 503, body = Problem)))]
pub async fn allies(
    id: String,
    query: String,
    index: Arc<SearchIndex>,
    pool: Pool,
    credentials: Credentials,
) -> ApiResult {
    let id = parse_id(&id)?;
    let params: AlliesParams = parse_query(&query)?;
    let viewer = viewer(&pool, &credentials).await?;
    Ok(json(
        &ranked(&index, &pool, viewer.as_ref(), id, &params).await?,
        StatusCode::OK,
    ))
}

/// The allies of organisation `id` that `viewer` may see, best first (what `GET .../allies` answers; the web
/// pages show the same).
pub async fn ranked(
    index: &SearchIndex,
    pool: &Pool,
    viewer: Option<&Viewer>,
    id: Uuid,
    params: &AlliesParams,
) -> Result<Vec<Ally>, ApiError> {
    let limit = params.limit.unwrap_or(10);
    if !(1..=50).contains(&limit) {
        return Err(ApiError::invalid("limit", "use a limit from 1 to 50"));
    }
    if let Some(radius) = params.radius_km {
        if !(radius > 0.0 && radius <= 1_000.0) {
            return Err(ApiError::invalid(
                "radius_km",
                "use a number of km above 0 and at most 1000",
            ));
        }
    }
    let client = pool.get().await?;
    let edited = match viewer {
        Some(v) => store::edited_by(&client, v.id).await?,
        None => HashSet::new(),
    };
    let seen_as = |organisation: &crate::organisation::Organisation| {
        view(
            organisation,
            audience_of(viewer, edited.contains(&organisation.id)),
        )
    };
    let anchor = seen_as(&store::find(&client, id, false).await?);
    let centre = anchor
        .locations
        .iter()
        .flatten()
        .next()
        .map(|l| Coordinates::new(l.latitude, l.longitude));

    let mut request = SearchRequest::new(searching_audience(viewer));
    request.limit = CANDIDATES;
    if let Some(themes) = anchor.themes.as_ref().filter(|t| !t.is_empty()) {
        request.filters.push(FacetFilter {
            facet: Facet::Theme,
            any_of: themes.clone(),
        });
    }
    if let Some(centre) = centre {
        request.order = Order::DistanceFrom(centre);
    }
    if let Some(radius_km) = params.radius_km {
        let centre = centre.ok_or_else(|| {
            ApiError::invalid(
                "radius_km",
                "this organisation has no location you may see to measure from",
            )
        })?;
        request.area = Some(SearchArea::Near { centre, radius_km });
    }
    let hits = index.search(request).await?.hits;
    let distances: HashMap<Uuid, Option<f64>> = hits
        .iter()
        .filter_map(|hit| {
            let id = Uuid::parse_str(&hit.organisation_id).ok()?;
            Some((id, hit.matched_location.as_ref().and_then(|l| l.distance_km)))
        })
        .collect();
    let candidate_ids: Vec<Uuid> = distances.keys().copied().filter(|c| *c != id).collect();
    let candidates: Vec<OrganisationView> = store::load_many(&client, &candidate_ids)
        .await?
        .iter()
        .map(seen_as)
        .collect();

    // Closeness in the network, from the links this viewer may see (none for anonymous visitors).
    let partners_of: HashMap<Uuid, HashSet<Uuid>> = match viewer {
        None => HashMap::new(),
        Some(viewer) => {
            let link_viewer = LinkViewer::of(&client, viewer).await?;
            let direct = visible_links(&client, &link_viewer, &[id]).await?;
            let anchors_partners: Vec<Uuid> = direct
                .iter()
                .map(|l| if l.from_id == id { l.to_id } else { l.from_id })
                .collect();
            let mut graph: HashMap<Uuid, HashSet<Uuid>> = HashMap::new();
            let second = visible_links(&client, &link_viewer, &anchors_partners).await?;
            for link in direct.iter().chain(&second) {
                graph.entry(link.from_id).or_default().insert(link.to_id);
                graph.entry(link.to_id).or_default().insert(link.from_id);
            }
            graph
        }
    };
    let names: HashMap<Uuid, String> =
        store::load_many(&client, &partners_of.keys().copied().collect::<Vec<_>>())
            .await?
            .iter()
            .map(|o| (o.id, o.input.name.clone()))
            .collect();
    let anchor_partners = partners_of.get(&id).cloned().unwrap_or_default();

    let mut allies: Vec<Ally> = candidates
        .into_iter()
        .filter_map(|candidate| {
            let shared_themes = shared(&anchor.themes, &candidate.themes, &[]);
            let shared_communities = shared(&anchor.communities, &candidate.communities, &[]);
            let shared_languages = shared(&anchor.languages, &candidate.languages, &["en"]);
            let theirs = partners_of.get(&candidate.id).cloned().unwrap_or_default();
            let mut common: Vec<String> = anchor_partners
                .intersection(&theirs)
                .filter_map(|p| names.get(p).cloned())
                .collect();
            common.sort();
            let already_partners = anchor_partners.contains(&candidate.id);
            let distance_km = distances.get(&candidate.id).copied().flatten();
            let mut score = 3.0 * shared_themes.len() as f64
                + 2.0 * shared_communities.len() as f64
                + 1.0 * shared_languages.len() as f64
                + 2.0 * common.len() as f64;
            if score == 0.0 {
                return None;
            }
            if let Some(km) = distance_km {
                score += 3.0 / (1.0 + km / 10.0);
            }
            let mut why = Vec::new();
            if !shared_themes.is_empty() {
                why.push(format!("shares {}", and_list(&shared_themes)));
            }
            if !shared_communities.is_empty() {
                why.push(format!(
                    "works with {} communities",
                    and_list(&shared_communities)
                ));
            }
            if !shared_languages.is_empty() {
                why.push(format!("speaks {}", and_list(&shared_languages)));
            }
            if let Some(km) = distance_km {
                why.push(format!("{km:.0} km"));
            }
            if !common.is_empty() {
                why.push(format!("both work with {}", and_list(&common)));
            }
            if already_partners {
                why.push("already linked".into());
            }
            Some(Ally {
                id: candidate.id,
                name: candidate.name,
                score: (score * 100.0).round() / 100.0,
                distance_km: distance_km.map(|d| (d * 10.0).round() / 10.0),
                shared_themes,
                shared_communities,
                shared_languages,
                common_partners: common,
                why: why.join("; "),
            })
        })
        .collect();
    allies.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.name.cmp(&b.name)));
    allies.truncate(limit);
    Ok(allies)
}
