//! A realistic generated network for benchmarks, tests and demo data: organisations placed in real UK
//! towns weighted by population (`shared/data/gb_places.csv`), with plausible themes, communities and
//! languages; and a mix of searches aimed where people live.

use std::path::Path;

use rand::distributions::{Distribution, WeightedIndex};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::audience::{Audience, Visibility};
use crate::document::{Coordinates, FieldVisibility, Location, Organisation, Precision};
use crate::error::Result;
use crate::geography::SearchArea;
use crate::request::{Facet, FacetFilter, Order, SearchRequest};

pub const THEMES: [&str; 12] = [
    "housing",
    "legal aid",
    "detention",
    "health access",
    "destitution",
    "youth",
    "women",
    "climate justice",
    "workplace rights",
    "mental health",
    "english classes",
    "arts",
];

/// Communities, a name they may use for themselves, and the languages (ISO 639) they speak.
const COMMUNITIES: [(&str, &str, &[&str]); 12] = [
    ("Eritrean", "ማሕበር ኤርትራውያን", &["ti", "ar"]),
    ("Sudanese", "جمعية الجالية السودانية", &["ar"]),
    ("Syrian", "البيت السوري", &["ar", "ku"]),
    ("Roma", "Romani Kher", &["rom", "ro", "cs"]),
    ("Polish", "Polskie Stowarzyszenie", &["pl"]),
    ("Afghan", "انجمن افغان‌ها", &["fa", "ps"]),
    ("Kurdish", "Komeleya Kurdan", &["ku"]),
    ("Ukrainian", "Українська громада", &["uk", "ru"]),
    ("Somali", "Bulshada Soomaaliyeed", &["so"]),
    ("Ethiopian", "የኢትዮጵያ ማህበረሰብ", &["am", "om"]),
    ("Iranian", "خانه ایرانیان", &["fa"]),
    ("Albanian", "Shoqata Shqiptare", &["sq"]),
];

const KINDS: [&str; 8] = [
    "Community Association",
    "Refugee Support",
    "Women's Group",
    "Solidarity Network",
    "Welcome Project",
    "Youth Club",
    "Advice Centre",
    "Drop-in",
];

const SENTENCES: [&str; 8] = [
    "We run weekly drop-ins with interpreters.",
    "Volunteers accompany families to appointments and hearings.",
    "Our members organise campaigns against unfair evictions.",
    "We share food, clothes and advice with people refused asylum.",
    "Trained advisers help with applications and appeals.",
    "We meet every Saturday for classes, games and a shared meal.",
    "Peer supporters listen and connect people to services.",
    "We campaign together with local unions and faith groups.",
];

/// What the benchmark's text searches look for.
const SEARCH_TEXTS: [&str; 10] = [
    "legal aid",
    "housing",
    "Eritrean",
    "Roma",
    "women",
    "destitution",
    "mental health",
    "Polish",
    "detention",
    "youth",
];

/// The words of the never-repeated searches (as `scripts/search-varied.lua`).
const VARIED_WORDS: [&str; 10] = [
    "advice",
    "women",
    "refugee",
    "eritrean",
    "roma",
    "drop-in",
    "solidarity",
    "english",
    "kurdish",
    "youth",
];

/// A town of `gb_places.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct Town {
    pub name: String,
    pub coordinates: Coordinates,
    pub population: u64,
    pub nation: String,
}

/// Reads towns from a CSV with the columns `geonameid,name,latitude,longitude,population,nation`.
pub fn read_towns(path: &Path) -> Result<Vec<Town>> {
    #[derive(serde::Deserialize)]
    struct Row {
        name: String,
        latitude: f64,
        longitude: f64,
        population: u64,
        nation: String,
    }
    let mut reader = csv::Reader::from_path(path)?;
    let mut towns = Vec::new();
    for row in reader.deserialize() {
        let row: Row = row?;
        towns.push(Town {
            name: row.name,
            coordinates: Coordinates::new(row.latitude, row.longitude),
            population: row.population.max(1),
            nation: row.nation,
        });
    }
    Ok(towns)
}

/// The kinds of search the benchmark measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SearchKind {
    Text,
    Radius,
    TextRadiusTheme,
    Nearest10,
    BoundingBox,
    Polygon,
}

impl SearchKind {
    pub const ALL: [SearchKind; 6] = [
        SearchKind::Text,
        SearchKind::Radius,
        SearchKind::TextRadiusTheme,
        SearchKind::Nearest10,
        SearchKind::BoundingBox,
        SearchKind::Polygon,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SearchKind::Text => "text only",
            SearchKind::Radius => "radius, nearest 10 within",
            SearchKind::TextRadiusTheme => "text + radius + theme facet",
            SearchKind::Nearest10 => "nearest 10",
            SearchKind::BoundingBox => "bounding box",
            SearchKind::Polygon => "polygon",
        }
    }
}

/// Makes organisations and searches, the same for the same seed.
pub struct Generator {
    towns: Vec<Town>,
    by_population: WeightedIndex<u64>,
    random: StdRng,
}

impl Generator {
    /// Needs at least one town.
    pub fn new(towns: Vec<Town>, seed: u64) -> Self {
        let by_population =
            WeightedIndex::new(towns.iter().map(|town| town.population)).expect("at least one town");
        Generator {
            towns,
            by_population,
            random: StdRng::seed_from_u64(seed),
        }
    }

    /// The `number`th organisation (its id is a uuid made from the number).
    pub fn organisation(&mut self, number: u64) -> Organisation {
        let home = self.by_population.sample(&mut self.random);
        let town = self.towns[home].clone();
        let (community, own_name, languages) = *COMMUNITIES.choose(&mut self.random).expect("communities");
        let kind = *KINDS.choose(&mut self.random).expect("kinds");
        let theme_count = self.random.gen_range(1..=3);
        let themes: Vec<String> = THEMES
            .choose_multiple(&mut self.random, theme_count)
            .map(|theme| theme.to_string())
            .collect();
        let name = if self.random.gen_bool(0.25) {
            format!("{own_name} {}", town.name)
        } else {
            format!("{} {community} {kind}", town.name)
        };
        let description = format!(
            "{community} {} offering {} support in {}. {}",
            kind.to_lowercase(),
            themes.join(" and "),
            town.name,
            SENTENCES.choose(&mut self.random).expect("sentences")
        );
        let location_count = match self.random.gen_range(0..10) {
            0..=5 => 1,
            6..=8 => 2,
            _ => 3,
        };
        let locations = (0..location_count)
            .map(|index| {
                let town = if index == 0 || self.random.gen_bool(0.5) {
                    town.clone()
                } else {
                    self.towns[self.by_population.sample(&mut self.random)].clone()
                };
                Location {
                    id: format!("{}-{index}", uuid_of(number)),
                    coordinates: self.near(&town),
                    town: town.name,
                    precision: self.pick(&[
                        (Precision::Exact, 7),
                        (Precision::Area, 2),
                        (Precision::Hidden, 1),
                    ]),
                }
            })
            .collect();
        let mut spoken: Vec<String> = languages.iter().map(|code| code.to_string()).collect();
        spoken.push("en".to_string());
        Organisation {
            id: uuid_of(number),
            name,
            description,
            themes,
            communities: vec![community.to_string()],
            languages: spoken,
            membership: Some(
                self.pick(&[("member", 6), ("applicant", 2), ("associate", 2)])
                    .to_string(),
            ),
            nation: town.nation,
            locations,
            visibility: FieldVisibility {
                profile: self.visibility(80, 15),
                contact: self.visibility(30, 50),
                locations: self.visibility(85, 10),
                membership: self.visibility(50, 40),
            },
        }
    }

    /// A search of `kind` for `audience`, placed where people live.
    pub fn search(&mut self, kind: SearchKind, audience: Audience) -> SearchRequest {
        let mut request = SearchRequest::new(audience);
        request.limit = 10;
        let centre = {
            let town = self.towns[self.by_population.sample(&mut self.random)].clone();
            self.near(&town)
        };
        let text = Some(SEARCH_TEXTS.choose(&mut self.random).expect("texts").to_string());
        match kind {
            SearchKind::Text => request.text = text,
            SearchKind::Radius => {
                request.area = Some(SearchArea::Near {
                    centre,
                    radius_km: self.random.gen_range(5.0..30.0),
                });
                request.order = Order::DistanceFrom(centre);
            }
            SearchKind::TextRadiusTheme => {
                request.text = text;
                request.area = Some(SearchArea::Near {
                    centre,
                    radius_km: self.random.gen_range(10.0..50.0),
                });
                let theme = THEMES.choose(&mut self.random).expect("themes").to_string();
                request.filters.push(FacetFilter {
                    facet: Facet::Theme,
                    any_of: vec![theme],
                });
            }
            SearchKind::Nearest10 => request.order = Order::DistanceFrom(centre),
            SearchKind::BoundingBox => {
                let (half_height, half_width) = (
                    self.random.gen_range(0.05..0.25),
                    self.random.gen_range(0.08..0.4),
                );
                request.area = Some(SearchArea::BoundingBox {
                    south: centre.latitude - half_height,
                    west: centre.longitude - half_width,
                    north: centre.latitude + half_height,
                    east: centre.longitude + half_width,
                });
            }
            SearchKind::Polygon => request.area = Some(SearchArea::Region(self.polygon_around(centre))),
        }
        request
    }

    /// A search that is (almost) never asked twice, as `scripts/search-varied.lua` sends over HTTP: a random
    /// point in Great Britain, a radius of 5 to 60 km and a theme, half of them with a word, 20 hits and
    /// facet counts, as the directory's API answers by default.
    pub fn varied_search(&mut self, audience: Audience) -> SearchRequest {
        let mut request = SearchRequest::new(audience);
        let centre = Coordinates::new(
            self.random.gen_range(50.5..55.0),
            self.random.gen_range(-4.0..1.5),
        );
        request.area = Some(SearchArea::Near {
            centre,
            radius_km: f64::from(self.random.gen_range(5..=60)),
        });
        let theme = THEMES.choose(&mut self.random).expect("themes");
        request.filters.push(FacetFilter {
            facet: Facet::Theme,
            any_of: vec![theme.to_string()],
        });
        if self.random.gen_bool(0.5) {
            request.text = Some(VARIED_WORDS.choose(&mut self.random).expect("words").to_string());
        }
        request.count_facets = true;
        request
    }

    /// An irregular polygon of 7 to 12 corners, 5 to 30 km around `centre`.
    pub fn polygon_around(&mut self, centre: Coordinates) -> geo::MultiPolygon<f64> {
        let corners = self.random.gen_range(7..=12);
        let ring: Vec<geo::Coord<f64>> = (0..corners)
            .map(|corner| {
                let angle = std::f64::consts::TAU * f64::from(corner) / f64::from(corners);
                let point = offset(centre, angle, self.random.gen_range(5.0..30.0));
                geo::coord! { x: point.longitude, y: point.latitude }
            })
            .collect();
        geo::MultiPolygon::new(vec![geo::Polygon::new(geo::LineString::new(ring), Vec::new())])
    }

    /// A random point of the town, spread wider for larger towns.
    pub fn near(&mut self, town: &Town) -> Coordinates {
        let spread_km = (1.0 + 0.6 * (town.population as f64 / 10_000.0).sqrt()).min(25.0);
        let angle = self.random.gen_range(0.0..std::f64::consts::TAU);
        let distance = spread_km * self.random.gen::<f64>().sqrt();
        offset(town.coordinates, angle, distance)
    }

    fn visibility(&mut self, public_percent: u32, network_percent: u32) -> Visibility {
        let private_percent = 100 - public_percent - network_percent;
        self.pick(&[
            (Visibility::Public, public_percent),
            (Visibility::Network, network_percent),
            (Visibility::Private, private_percent),
        ])
    }

    fn pick<T: Copy>(&mut self, weighted: &[(T, u32)]) -> T {
        let total: u32 = weighted.iter().map(|(_, weight)| weight).sum();
        let mut roll = self.random.gen_range(0..total);
        for (value, weight) in weighted {
            if roll < *weight {
                return *value;
            }
            roll -= weight;
        }
        weighted[weighted.len() - 1].0
    }
}

/// A version-4-shaped uuid made from a number.
pub fn uuid_of(number: u64) -> String {
    format!("00000000-0000-4000-8000-{number:012x}")
}

/// The point `distance_km` from `from` in direction `angle` (radians from north), on a local flat map.
fn offset(from: Coordinates, angle: f64, distance_km: f64) -> Coordinates {
    let km_per_degree = 111.195;
    Coordinates::new(
        from.latitude + distance_km * angle.cos() / km_per_degree,
        from.longitude + distance_km * angle.sin() / (km_per_degree * from.latitude.to_radians().cos()),
    )
}
