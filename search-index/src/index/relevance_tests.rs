//! A small judged set of searches: what must come first, and what must be found at all.

use crate::audience::Audience;
use crate::document::tests::organisation;
use crate::index::testing::index_of;
use crate::index::DirectoryIndex;
use crate::request::SearchRequest;

fn judged_index() -> DirectoryIndex {
    index_of([
        organisation("housing-name", "Sheffield Housing Action", "We meet monthly."),
        organisation(
            "housing-description",
            "Sheffield Refugee Drop-in",
            "Advice on housing and legal aid for refugees.",
        ),
        organisation(
            "campaigns",
            "Rotherham Welcome",
            "Campaigns against evictions and raids.",
        ),
        organisation("lodz", "Łódź Polish Club", "Polish families in Leeds."),
        organisation(
            "detention",
            "Yarl's Wood Visitors",
            "Befriending people in detention centres.",
        ),
        organisation(
            "sudanese",
            "جَمْعِيَّة الجالية السودانية",
            "Sudanese community in Leicester.",
        ),
        organisation("eritrean", "ማሕበር ኤርትራውያን ሸፊልድ", "Eritrean community association."),
        organisation("romani", "Rromani Čhavo Kher", "Roma youth group."),
    ])
}

fn ids(index: &DirectoryIndex, text: &str) -> Vec<String> {
    let mut request = SearchRequest::new(Audience::Public);
    request.text = Some(text.to_string());
    let results = index.search(&request).expect("the search runs");
    results.hits.into_iter().map(|hit| hit.organisation_id).collect()
}

#[test]
fn a_name_match_ranks_above_a_description_match() {
    assert_eq!(
        ids(&judged_index(), "housing"),
        ["housing-name", "housing-description"]
    );
}

#[test]
fn descriptions_are_stemmed() {
    let index = judged_index();
    assert_eq!(ids(&index, "campaigning"), ["campaigns"]);
    assert_eq!(ids(&index, "eviction"), ["campaigns"]);
    assert_eq!(ids(&index, "befriend"), ["detention"]);
}

#[test]
fn case_and_accents_are_folded() {
    let index = judged_index();
    assert_eq!(ids(&index, "lodz"), ["lodz"]);
    assert_eq!(ids(&index, "ŁÓDŹ"), ["lodz"]);
    assert_eq!(ids(&index, "chavo"), ["romani"]);
}

#[test]
fn typos_are_forgiven_by_word_length() {
    let index = judged_index();
    assert_eq!(
        ids(&index, "detension"),
        ["detention"],
        "9 letters: two edits allowed"
    );
    assert_eq!(ids(&index, "dettension"), ["detention"]);
    assert_eq!(
        ids(&index, "Eritraen"),
        ["eritrean"],
        "8 letters: one transposition"
    );
    assert_eq!(
        ids(&index, "Ertraen"),
        Vec::<String>::new(),
        "7 letters: not two edits"
    );
    assert_eq!(
        ids(&index, "aud"),
        Vec::<String>::new(),
        "short words must be exact"
    );
}

#[test]
fn arabic_and_tigrinya_names_are_findable() {
    let index = judged_index();
    assert_eq!(ids(&index, "السودانية"), ["sudanese"]);
    assert_eq!(
        ids(&index, "جمعية"),
        ["sudanese"],
        "without the vowel marks of the name"
    );
    assert_eq!(ids(&index, "ኤርትራውያን"), ["eritrean"]);
}

#[test]
fn every_word_must_match_and_stop_words_are_ignored() {
    let index = judged_index();
    assert_eq!(ids(&index, "legal aid for the refugees"), ["housing-description"]);
    assert_eq!(ids(&index, "housing evictions"), Vec::<String>::new());
}

#[test]
fn snippets_highlight_the_matched_words() {
    let index = judged_index();
    let mut request = SearchRequest::new(Audience::Public);
    request.text = Some("housing".to_string());
    let hits = index.search(&request).expect("the search runs").hits;
    assert_eq!(
        hits[0].snippets.name.as_deref(),
        Some("Sheffield <b>Housing</b> Action")
    );
    assert_eq!(
        hits[1].snippets.description.as_deref(),
        Some("Advice on <b>housing</b> and legal aid for refugees")
    );
}

/// Typo variants come from every segment's dictionary (and the per-segment cache stays right as segments
/// are added); an exact match ranks above a typo match.
#[test]
fn typo_variants_are_found_in_every_segment_and_rank_below_exact_matches() {
    use crate::outbox::{Change, OutboxEntry};
    let index = index_of([organisation("exact", "Detention Visitors", "")]);
    let ids_for = |text: &str| ids(&index, text);
    assert_eq!(ids_for("detension"), ["exact"]);
    index
        .apply(&[OutboxEntry {
            position: 100,
            change: Change::Upsert(organisation("typo", "Detension Visitors", "")),
        }])
        .expect("the change applies");
    assert_eq!(ids_for("detention"), ["exact", "typo"]);
    assert_eq!(ids_for("detension"), ["typo", "exact"]);
    let mut both = ids_for("dettension");
    both.sort_unstable();
    assert_eq!(both, ["exact", "typo"], "two edits from either");
}
