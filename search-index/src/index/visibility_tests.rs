//! Fields an audience may not see never reach it: not in results, snippets, facet counts or totals.

use crate::audience::{Audience, Visibility};
use crate::document::tests::organisation;
use crate::document::{Coordinates, FieldVisibility, Organisation};
use crate::geography::SearchArea;
use crate::index::testing::index_of;
use crate::index::DirectoryIndex;
use crate::request::{Facet, FacetCount, FacetFilter, Order, SearchRequest, SearchResults};

fn guarded(id: &str, profile: Visibility, locations: Visibility) -> Organisation {
    let mut org = organisation(id, &format!("Guarded {id}"), "Zanzibarian casework in secret.");
    org.themes = vec![format!("theme-{id}")];
    org.visibility = FieldVisibility {
        profile,
        locations,
        membership: Visibility::Private,
        ..FieldVisibility::default()
    };
    org
}

fn index() -> DirectoryIndex {
    index_of([
        guarded("network", Visibility::Network, Visibility::Network),
        guarded("private", Visibility::Private, Visibility::Private),
        Organisation {
            themes: vec!["housing".to_string()],
            ..organisation("open", "Open Group", "Open casework.")
        },
    ])
}

fn search(
    index: &DirectoryIndex,
    audience: Audience,
    change: impl FnOnce(&mut SearchRequest),
) -> SearchResults {
    let mut request = SearchRequest::new(audience);
    request.count_facets = true;
    change(&mut request);
    index.search(&request).expect("the search runs")
}

fn ids(results: &SearchResults) -> Vec<&str> {
    results
        .hits
        .iter()
        .map(|hit| hit.organisation_id.as_str())
        .collect()
}

#[test]
fn a_closed_description_does_not_match_text_for_those_who_may_not_see_it() {
    let index = index();
    let text = |request: &mut SearchRequest| request.text = Some("zanzibarian".to_string());
    let public = search(&index, Audience::Public, text);
    assert_eq!((public.total, ids(&public)), (0, vec![]));
    let network = search(&index, Audience::Network, text);
    assert_eq!((network.total, ids(&network)), (1, vec!["network"]));
    assert!(network.hits[0]
        .snippets
        .description
        .as_deref()
        .is_some_and(|s| s.contains("<b>Zanzibarian</b>")));
    assert_eq!(search(&index, Audience::Privileged, text).total, 2);
}

#[test]
fn a_name_match_shows_no_closed_description_in_snippets() {
    let index = index();
    let public = search(&index, Audience::Public, |request| {
        request.text = Some("guarded casework".to_string())
    });
    assert_eq!(public.total, 0, "casework is only in closed descriptions");
    let public = search(&index, Audience::Public, |request| {
        request.text = Some("guarded".to_string())
    });
    assert_eq!(public.total, 2);
    for hit in &public.hits {
        assert!(hit.snippets.name.is_some());
        assert_eq!(hit.snippets.description, None);
    }
}

#[test]
fn facet_counts_and_filters_use_only_visible_values() {
    let index = index();
    let public = search(&index, Audience::Public, |_| ());
    assert_eq!(public.total, 3, "every name is public");
    let themes = &public.facet_counts[&Facet::Theme];
    assert_eq!(
        themes,
        &vec![FacetCount {
            value: "housing".to_string(),
            count: 1
        }]
    );
    assert_eq!(
        public.facet_counts[&Facet::Membership],
        vec![FacetCount {
            value: "member".to_string(),
            count: 1
        }]
    );
    assert_eq!(
        public.facet_counts[&Facet::Nation][0].count,
        3,
        "the nation is public"
    );

    let filtered = |audience| {
        search(&index, audience, |request| {
            request.filters.push(FacetFilter {
                facet: Facet::Theme,
                any_of: vec!["theme-network".to_string()],
            });
        })
    };
    assert_eq!(filtered(Audience::Public).total, 0);
    assert_eq!(filtered(Audience::Network).total, 1);
    let network = search(&index, Audience::Network, |_| ());
    assert!(network.facet_counts[&Facet::Theme]
        .iter()
        .any(|count| count.value == "theme-network"));
    assert!(!network.facet_counts[&Facet::Theme]
        .iter()
        .any(|count| count.value == "theme-private"));
}

#[test]
fn closed_locations_are_not_in_geographic_results() {
    let index = index();
    let sheffield = Coordinates::new(53.38, -1.47);
    let near = |request: &mut SearchRequest| {
        request.area = Some(SearchArea::Near {
            centre: sheffield,
            radius_km: 10.0,
        })
    };
    let nearest = |request: &mut SearchRequest| request.order = Order::DistanceFrom(sheffield);
    assert_eq!(ids(&search(&index, Audience::Public, near)), ["open"]);
    assert_eq!(ids(&search(&index, Audience::Public, nearest)), ["open"]);
    assert_eq!(search(&index, Audience::Public, nearest).total, 1);
    assert_eq!(search(&index, Audience::Network, near).total, 2);
    assert_eq!(search(&index, Audience::Privileged, nearest).total, 3);
}

#[test]
fn every_facet_is_in_the_answer_even_without_a_visible_value() {
    let index = index_of([guarded("a", Visibility::Public, Visibility::Public)]);
    let mut request = SearchRequest::new(Audience::Public);
    request.count_facets = true;
    let public = index.search(&request).expect("the search runs");
    assert_eq!(public.total, 1);
    assert_eq!(public.facet_counts.len(), Facet::ALL.len());
    assert_eq!(public.facet_counts[&Facet::Membership], Vec::<FacetCount>::new());
}
