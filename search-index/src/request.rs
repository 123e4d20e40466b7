//! What a search asks for and what it answers, in the directory's words.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::audience::Audience;
use crate::document::Coordinates;
use crate::geography::SearchArea;

/// A facet: a field whose values filter the search and are counted in its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Facet {
    Theme,
    Community,
    Language,
    Membership,
    Nation,
}

impl Facet {
    pub const ALL: [Facet; 5] = [
        Facet::Theme,
        Facet::Community,
        Facet::Language,
        Facet::Membership,
        Facet::Nation,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Facet::Theme => "theme",
            Facet::Community => "community",
            Facet::Language => "language",
            Facet::Membership => "membership",
            Facet::Nation => "nation",
        }
    }
}

/// Keeps organisations with at least one of `any_of` as a value of `facet`. Several filters must all hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FacetFilter {
    pub facet: Facet,
    pub any_of: Vec<String>,
}

/// The order of the hits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Order {
    /// Best text match first (index order when there is no text).
    Relevance,
    /// Nearest first, measured to the nearest location the audience may see. Without an area this is a
    /// nearest-k search over the whole directory.
    DistanceFrom(Coordinates),
}

/// One search. Every part is optional and they combine: text, facets and area must all hold.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchRequest {
    pub audience: Audience,
    /// Free text over name, description, themes, communities and towns; every word must match somewhere.
    pub text: Option<String>,
    pub filters: Vec<FacetFilter>,
    pub area: Option<SearchArea>,
    pub order: Order,
    /// How many hits to skip (the cursor of the previous answer's `next_offset`).
    pub offset: usize,
    pub limit: usize,
    /// Count facet values over all matches (costs a pass over them).
    pub count_facets: bool,
}

impl SearchRequest {
    /// Everything `audience` may see, by relevance, 20 at a time, without facet counts.
    pub fn new(audience: Audience) -> Self {
        SearchRequest {
            audience,
            text: None,
            filters: Vec::new(),
            area: None,
            order: Order::Relevance,
            offset: 0,
            limit: 20,
            count_facets: false,
        }
    }
}

/// The answer to a search.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SearchResults {
    /// How many organisations match, over all pages.
    pub total: u64,
    pub hits: Vec<OrganisationHit>,
    /// The `offset` of the next page, if there is one.
    pub next_offset: Option<usize>,
    /// Per facet, its values among all matches, most frequent first (empty unless asked for).
    pub facet_counts: BTreeMap<Facet, Vec<FacetCount>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

/// One organisation found, with only what the audience may see.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OrganisationHit {
    pub organisation_id: String,
    pub name: String,
    /// Text relevance (0 without text).
    pub score: f32,
    /// The location that matched the area or is nearest (absent when the search had no geography).
    pub matched_location: Option<MatchedLocation>,
    /// Highlighted fragments (HTML, matches in `<b>`) of fields the audience may see.
    pub snippets: Snippets,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MatchedLocation {
    pub location_id: String,
    pub town: String,
    /// As the audience sees it: the cell centre for an `area` location.
    pub coordinates: Coordinates,
    /// From the `DistanceFrom` point, or else from the centre of a `Near` area.
    pub distance_km: Option<f64>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Snippets {
    pub name: Option<String>,
    pub description: Option<String>,
}
