//! Every geographic search kind against a brute-force reference over a generated network, and the
//! trilateration defence for `area` locations.

use crate::area::coarse_point;
use crate::audience::Audience;
use crate::cells::{pack, unpack};
use crate::document::tests::organisation;
use crate::document::{Coordinates, Organisation, Precision};
use crate::generate::SearchKind;
use crate::geography::SearchArea;
use crate::index::testing::{generator, index_of};
use crate::index::DirectoryIndex;
use crate::request::{Facet, FacetFilter, Order, SearchRequest};

const ORGANISATIONS: u64 = 3_000;
const SEARCHES_PER_KIND: usize = 12;

/// Per organisation: its visible points (on the index's 5 mm grid) for `audience`.
fn visible_points(organisations: &[Organisation], audience: Audience) -> Vec<(String, Vec<Coordinates>)> {
    organisations
        .iter()
        .map(|org| {
            let points = org
                .seen_by(audience)
                .locations
                .iter()
                .map(|location| unpack(pack(location.coordinates)))
                .collect();
            (org.id.clone(), points)
        })
        .collect()
}

/// A generated network of `ORGANISATIONS` organisations, and its generator (for searches).
fn network(seed: u64) -> (crate::generate::Generator, Vec<Organisation>) {
    let mut generator = generator(seed);
    let organisations = (0..ORGANISATIONS)
        .map(|number| generator.organisation(number))
        .collect();
    (generator, organisations)
}

/// The ids of the organisations that `keep` accepts with a visible point (`points`) in `area`.
fn found_by_brute_force<'a>(
    organisations: &'a [Organisation],
    points: &[(String, Vec<Coordinates>)],
    area: &SearchArea,
    keep: impl Fn(&Organisation) -> bool,
) -> Vec<&'a str> {
    organisations
        .iter()
        .zip(points)
        .filter(|(org, (_, points))| keep(org) && points.iter().any(|point| area.contains(*point)))
        .map(|(org, _)| org.id.as_str())
        .collect()
}

/// Every page of a search, by `next_offset`: the total and each hit's id and distance.
fn all_hits(index: &DirectoryIndex, request: &SearchRequest) -> (u64, Vec<(String, Option<f64>)>) {
    every_hit(index, request, |hit| {
        (
            hit.organisation_id,
            hit.matched_location.and_then(|l| l.distance_km),
        )
    })
}

/// Runs `request` through every page and checks it finds exactly the organisations `expected`, its total
/// included; returns each hit's id and distance, in the order found.
fn assert_finds_exactly(
    index: &DirectoryIndex,
    request: &SearchRequest,
    mut expected: Vec<&str>,
) -> Vec<(String, Option<f64>)> {
    let (total, hits) = all_hits(index, request);
    let mut found: Vec<&str> = hits.iter().map(|(id, _)| id.as_str()).collect();
    expected.sort_unstable();
    found.sort_unstable();
    let area = &request.area;
    assert_eq!(total, expected.len() as u64, "{area:?}");
    assert_eq!(found, expected, "{area:?}");
    hits
}

/// Every page of a search, by `next_offset`: the total and what `keep` takes of each hit.
fn every_hit<T>(
    index: &DirectoryIndex,
    request: &SearchRequest,
    keep: impl Fn(crate::request::OrganisationHit) -> T,
) -> (u64, Vec<T>) {
    let mut request = request.clone();
    request.limit = 200;
    let mut hits = Vec::new();
    loop {
        let results = index.search(&request).expect("the search runs");
        hits.extend(results.hits.into_iter().map(&keep));
        match results.next_offset {
            Some(next) => request.offset = next,
            None => return (results.total, hits),
        }
    }
}

#[test]
fn every_geographic_search_matches_a_brute_force_reference() {
    let (mut generator, organisations) = network(7);
    let index = index_of(organisations.clone());
    for audience in [Audience::Public, Audience::Privileged] {
        let points = visible_points(&organisations, audience);
        for kind in [SearchKind::Radius, SearchKind::BoundingBox, SearchKind::Polygon] {
            for _ in 0..SEARCHES_PER_KIND {
                let request = generator.search(kind, audience);
                let area = request.area.clone().expect("geographic searches have an area");
                let expected = found_by_brute_force(&organisations, &points, &area, |_| true);
                let hits = assert_finds_exactly(&index, &request, expected);
                if kind == SearchKind::Radius {
                    let distances: Vec<f64> = hits
                        .iter()
                        .map(|(_, distance)| distance.expect("a distance"))
                        .collect();
                    assert!(
                        distances.windows(2).all(|pair| pair[0] <= pair[1]),
                        "nearest first"
                    );
                }
            }
        }
        for _ in 0..SEARCHES_PER_KIND {
            let request = generator.search(SearchKind::Nearest10, audience);
            let Order::DistanceFrom(from) = request.order else {
                panic!("nearest searches order by distance")
            };
            let mut expected: Vec<f64> = points
                .iter()
                .filter_map(|(_, points)| {
                    points
                        .iter()
                        .map(|point| from.distance_km(*point))
                        .min_by(f64::total_cmp)
                })
                .collect();
            expected.sort_by(f64::total_cmp);
            expected.truncate(10);
            let results = index.search(&request).expect("the search runs");
            let found: Vec<f64> = results
                .hits
                .iter()
                .map(|hit| {
                    hit.matched_location
                        .as_ref()
                        .and_then(|l| l.distance_km)
                        .expect("a distance")
                })
                .collect();
            assert_eq!(found, expected, "nearest to {from:?}");
            let located = points.iter().filter(|(_, points)| !points.is_empty()).count();
            assert_eq!(results.total, located as u64);
        }
    }
}

#[test]
fn nearest_k_honours_text_and_facets() {
    let (_, organisations) = network(11);
    let index = index_of(organisations.clone());
    let from = Coordinates::new(53.48, -2.24);
    let mut request = SearchRequest::new(Audience::Privileged);
    request.order = Order::DistanceFrom(from);
    request.text = Some("housing".to_string());
    request.limit = 5;
    let mut expected: Vec<f64> = organisations
        .iter()
        .filter(|org| org.themes.iter().any(|theme| theme == "housing"))
        .filter_map(|org| {
            org.locations
                .iter()
                .map(|l| from.distance_km(unpack(pack(l.coordinates))))
                .min_by(f64::total_cmp)
        })
        .collect();
    expected.sort_by(f64::total_cmp);
    expected.truncate(5);
    let found: Vec<f64> = index
        .search(&request)
        .expect("the search runs")
        .hits
        .iter()
        .map(|hit| {
            hit.matched_location
                .as_ref()
                .and_then(|l| l.distance_km)
                .expect("a distance")
        })
        .collect();
    assert_eq!(found, expected);
}

/// An `area` location queried from many points by the public: every answer (nearest distance, radius in
/// or out, shown coordinates) is what the cell centre would give, so the best estimate an attacker can
/// make from them is the cell centre, never the real point.
#[test]
fn radius_and_nearest_answers_cannot_trilaterate_an_area_location() {
    let mut safe_space = organisation("safe", "Safe Space", "");
    safe_space.locations[0].precision = Precision::Area;
    let real = safe_space.locations[0].coordinates;
    let index = index_of([safe_space]);
    let (latitude, longitude) = coarse_point(real.latitude, real.longitude);
    let shown = Coordinates::new(latitude, longitude);
    let centre = unpack(pack(shown));
    assert!(
        centre.distance_km(real) > 0.2,
        "the test needs a point away from its cell centre"
    );

    let mut observations = Vec::new();
    for step in 0..24 {
        let angle = f64::from(step) * std::f64::consts::TAU / 24.0;
        let reach = 0.3 + f64::from(step % 6) * 0.8;
        let from = Coordinates::new(
            real.latitude + reach * angle.cos() / 111.0,
            real.longitude + reach * angle.sin() / 66.0,
        );
        let mut nearest = SearchRequest::new(Audience::Public);
        nearest.order = Order::DistanceFrom(from);
        let hit = index.search(&nearest).expect("the search runs").hits.remove(0);
        let matched = hit.matched_location.expect("a matched location");
        assert_eq!(matched.coordinates, shown);
        let distance = matched.distance_km.expect("a distance");
        assert!(
            (distance - from.distance_km(centre)).abs() < 1e-9,
            "distance is to the cell centre"
        );
        observations.push((from, distance));
        for radius_km in [0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0] {
            let mut near = SearchRequest::new(Audience::Public);
            near.area = Some(SearchArea::Near {
                centre: from,
                radius_km,
            });
            let inside = index.search(&near).expect("the search runs").total == 1;
            assert_eq!(
                inside,
                from.distance_km(centre) <= radius_km,
                "radius answers follow the cell centre"
            );
        }
    }
    // The best estimate from all distances: the point that explains them best, by a coarse then a fine
    // grid search around the real point.
    let error = |guess: Coordinates| -> f64 {
        observations
            .iter()
            .map(|(from, distance)| (from.distance_km(guess) - distance).powi(2))
            .sum()
    };
    let best_around = |middle: Coordinates, step: f64| {
        let guesses = (-30..=30).flat_map(|i| {
            (-30..=30).map(move |j| {
                Coordinates::new(
                    middle.latitude + f64::from(i) * step,
                    middle.longitude + f64::from(j) * step * 1.6,
                )
            })
        });
        guesses
            .min_by(|a, b| error(*a).total_cmp(&error(*b)))
            .expect("guesses")
    };
    let estimate = best_around(best_around(real, 0.001), 0.000_05);
    assert!(
        estimate.distance_km(centre) < 0.01,
        "the estimate lands on the cell centre"
    );
    assert!(
        estimate.distance_km(real) > centre.distance_km(real) - 0.01,
        "and no nearer to the real point"
    );
}

/// Each kind of area (radius, bounding box, polygon) for each of `audiences`.
fn every_area_kind<const N: usize>(audiences: [Audience; N]) -> impl Iterator<Item = (Audience, SearchKind)> {
    audiences.into_iter().flat_map(|audience| {
        [SearchKind::Radius, SearchKind::BoundingBox, SearchKind::Polygon].map(|kind| (audience, kind))
    })
}

/// Whether `audience` sees one of `themes` on the organisation.
fn has_a_theme(org: &Organisation, audience: Audience, themes: &[&str]) -> bool {
    org.seen_by(audience)
        .themes
        .iter()
        .any(|theme| themes.contains(&theme.as_str()))
}

/// A filter for organisations in England.
fn in_england() -> FacetFilter {
    FacetFilter {
        facet: Facet::Nation,
        any_of: vec!["England".to_string()],
    }
}

/// Text, a facet and an area together (the exact test then runs on what text and facet leave), against a
/// brute-force reference.
#[test]
fn text_facet_and_area_together_match_a_brute_force_reference() {
    let (mut generator, organisations) = network(5);
    let index = index_of(organisations.clone());
    for (audience, kind) in every_area_kind([Audience::Public, Audience::Privileged]) {
        let points = visible_points(&organisations, audience);
        for _ in 0..SEARCHES_PER_KIND {
            let mut request = generator.search(kind, audience);
            request.text = Some("housing".to_string());
            request.filters.push(in_england());
            let area = request.area.clone().expect("an area");
            let expected = found_by_brute_force(&organisations, &points, &area, |org| {
                has_a_theme(org, audience, &["housing"]) && org.nation == "England"
            });
            assert_finds_exactly(&index, &request, expected);
        }
    }
}

/// An area searched for one theme reads that theme's own map of locations, for two themes the map of all;
/// both, with and without a second filter, against a brute-force reference, for every audience.
#[test]
fn an_area_searched_for_themes_matches_a_brute_force_reference() {
    use crate::generate::THEMES;
    let (mut generator, organisations) = network(12);
    let index = index_of(organisations.clone());
    for (round, (audience, kind)) in every_area_kind(Audience::ALL).enumerate() {
        let points = visible_points(&organisations, audience);
        for search in 0..SEARCHES_PER_KIND {
            let first = THEMES[(round + search) % THEMES.len()];
            let themes = match search % 3 {
                2 => vec![first, THEMES[(round + search + 5) % THEMES.len()]],
                _ => vec![first],
            };
            let england_only = search % 2 == 0;
            let mut request = generator.search(kind, audience);
            request.filters = vec![FacetFilter {
                facet: Facet::Theme,
                any_of: themes.iter().map(|theme| theme.to_string()).collect(),
            }];
            if england_only {
                request.filters.push(in_england());
            }
            let area = request.area.clone().expect("an area");
            let expected = found_by_brute_force(&organisations, &points, &area, |org| {
                has_a_theme(org, audience, &themes) && (!england_only || org.nation == "England")
            });
            assert_finds_exactly(&index, &request, expected);
        }
    }
}

/// A facet value held by few organisations is checked per organisation, one held widely through its bitset
/// of organisations; a filter naming both, and one naming only the rare value, against a brute-force
/// reference.
#[test]
fn rare_and_common_facet_values_filter_an_area_alike() {
    let (mut generator, mut organisations) = network(8);
    // Held by 1 in 100: kept per organisation, not as a bitset (`values::DENSE_SHARE`).
    for organisation in organisations.iter_mut().step_by(100) {
        organisation.communities = vec!["Sinti".to_string()];
    }
    let index = index_of(organisations.clone());
    for (audience, any_of) in [Audience::Public, Audience::Privileged]
        .into_iter()
        .flat_map(|audience| [vec!["Sinti", "Eritrean"], vec!["Sinti"]].map(|any_of| (audience, any_of)))
    {
        let points = visible_points(&organisations, audience);
        for _ in 0..SEARCHES_PER_KIND {
            let mut request = generator.search(SearchKind::Polygon, audience);
            request.filters.push(FacetFilter {
                facet: Facet::Community,
                any_of: any_of.iter().map(|value| value.to_string()).collect(),
            });
            let area = request.area.clone().expect("an area");
            let expected = found_by_brute_force(&organisations, &points, &area, |org| {
                org.seen_by(audience)
                    .communities
                    .iter()
                    .any(|community| any_of.contains(&community.as_str()))
            });
            assert_finds_exactly(&index, &request, expected);
        }
    }
}

/// Every segment keeps its own order by place: areas must still find exactly the right organisations over
/// several segments, with organisations moved (deleted and added again) and deleted.
#[test]
fn areas_match_a_brute_force_reference_across_segments_with_moves_and_deletes() {
    use crate::outbox::{Change, OutboxEntry};
    let (mut generator, mut organisations) = network(11);
    let index = DirectoryIndex::in_memory().expect("an index in memory");
    let mut position = 0;
    let mut apply = |changes: Vec<Change>| {
        let entries: Vec<OutboxEntry> = changes
            .into_iter()
            .map(|change| {
                position += 1;
                OutboxEntry { position, change }
            })
            .collect();
        index.apply(&entries).expect("the changes apply");
    };
    for batch in organisations.chunks(500) {
        apply(batch.iter().cloned().map(Change::Upsert).collect());
    }
    // Every 7th moves to where another is; every 11th is deleted.
    for number in (0..organisations.len()).step_by(7) {
        let elsewhere = organisations[(number * 13 + 5) % organisations.len()]
            .locations
            .clone();
        organisations[number].locations = elsewhere;
    }
    apply(
        (organisations.iter().step_by(7))
            .map(|org| Change::Upsert(org.clone()))
            .collect(),
    );
    let deleted: Vec<String> = organisations
        .iter()
        .step_by(11)
        .map(|org| org.id.clone())
        .collect();
    apply(
        (deleted.iter())
            .map(|id| Change::Delete {
                organisation_id: id.clone(),
            })
            .collect(),
    );
    organisations.retain(|org| !deleted.contains(&org.id));
    assert!(
        index.reader.searcher().segment_readers().len() > 1,
        "several segments"
    );

    let points = visible_points(&organisations, Audience::Public);
    for kind in [SearchKind::Radius, SearchKind::BoundingBox, SearchKind::Polygon] {
        for _ in 0..SEARCHES_PER_KIND {
            let request = generator.search(kind, Audience::Public);
            let area = request.area.clone().expect("an area");
            let expected = found_by_brute_force(&organisations, &points, &area, |_| true);
            assert_finds_exactly(&index, &request, expected);
        }
    }
}

#[test]
fn text_within_an_area_holding_everyone_ranks_and_scores_as_text_alone() {
    // Alone, text is joined by tantivy's union; with an area, by the lazy union: the same hits (those with a
    // visible location), in the same order, with the same scores (typo variants included).
    let (_, organisations) = network(7);
    let index = index_of(organisations);
    for text in ["housing", "legal aid", "housin organisng", "refugee women"] {
        let mut alone = SearchRequest::new(Audience::Public);
        alone.text = Some(text.to_string());
        let mut everywhere = alone.clone();
        everywhere.area = Some(SearchArea::BoundingBox {
            south: 49.0,
            west: -9.0,
            north: 61.0,
            east: 2.5,
        });
        let in_area = scored_hits(&index, &everywhere);
        let located: std::collections::HashSet<&str> = in_area.iter().map(|(id, _)| id.as_str()).collect();
        let alone: Vec<(String, f32)> = scored_hits(&index, &alone)
            .into_iter()
            .filter(|(id, _)| located.contains(id.as_str()))
            .collect();
        assert!(in_area.len() > 10, "{text}: {}", in_area.len());
        assert_eq!(alone.len(), in_area.len(), "{text}");
        for (a, b) in alone.iter().zip(&in_area) {
            assert_eq!(a.0, b.0, "{text}");
            assert!((a.1 - b.1).abs() < 1e-4, "{text}: {a:?} {b:?}");
        }
    }
}

/// Every hit of a search with its score.
fn scored_hits(index: &DirectoryIndex, request: &SearchRequest) -> Vec<(String, f32)> {
    every_hit(index, request, |hit| (hit.organisation_id, hit.score)).1
}
