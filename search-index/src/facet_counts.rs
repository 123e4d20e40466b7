//! Counting facet values over a segment's matches once all are in: the values held widely (kept as bitsets
//! of documents) by counting bits over the matched words, the others document by document for the matches
//! that have any. Reading each match's own values would cost a cache miss per match, as the matches of a
//! search lie scattered through the segment's values.

use tantivy::DocId;

use crate::map::ones;
use crate::values::SegmentView;

/// The facet counts of one segment's matches, as they come in.
pub(crate) struct FacetCounter {
    values: SegmentView,
    /// Per facet value number; those kept as bitsets are filled in by `finish`.
    counts: Vec<u32>,
    /// The matched documents, 64 to a word: each word's number and its bits, in the order they came.
    matched: Vec<(u32, u64)>,
}

impl FacetCounter {
    pub(crate) fn new(values: SegmentView) -> Self {
        FacetCounter {
            counts: vec![0; values.facet_value_count()],
            values,
            matched: Vec::new(),
        }
    }

    /// Counts a match (each document at most once).
    pub(crate) fn add(&mut self, doc: DocId) {
        let (word, bit) = (doc / 64, 1 << (doc % 64));
        match self.matched.last_mut() {
            Some((last, bits)) if *last == word => *bits |= bit,
            _ => self.matched.push((word, bit)),
        }
    }

    /// The segment's values and the count of each value number over all the matches.
    pub(crate) fn finish(mut self) -> (SegmentView, Vec<u32>) {
        let dense = self.values.dense_facets();
        let holders = self.values.sparse_facet_holders();
        let mut counts = vec![0; dense.numbers.len()];
        for (word, bits) in &self.matched {
            for (count, docs) in counts.iter_mut().zip(dense.row(*word as usize)) {
                *count += (bits & docs).count_ones();
            }
            for bit in ones(bits & holders[*word as usize]) {
                for number in self.values.sparse_facet_numbers(word * 64 + bit) {
                    self.counts[*number as usize] += 1;
                }
            }
        }
        for (number, count) in dense.numbers.iter().zip(counts) {
            self.counts[*number] = count;
        }
        (self.values, self.counts)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::audience::Audience;
    use crate::document::{Coordinates, Organisation};
    use crate::geography::SearchArea;
    use crate::index::testing::{generator, index_of};
    use crate::request::{Facet, SearchRequest, SearchResults};

    /// What the counts must be: each facet value the audience may see, over the organisations `matches`
    /// accepts.
    fn expected(
        organisations: &[Organisation],
        audience: Audience,
        facet: Facet,
        matches: impl Fn(&Organisation) -> bool,
    ) -> BTreeMap<String, u64> {
        let mut counts = BTreeMap::new();
        for organisation in organisations.iter().filter(|organisation| matches(organisation)) {
            for value in organisation.seen_by(audience).facet_values(facet) {
                *counts.entry(value.to_string()).or_default() += 1;
            }
        }
        counts
    }

    fn counted(results: &SearchResults, facet: Facet) -> BTreeMap<String, u64> {
        results.facet_counts[&facet]
            .iter()
            .map(|count| (count.value.clone(), count.count))
            .collect()
    }

    /// In one segment of 300 organisations, a language and a community held by one or two of them (too
    /// few to be kept as bitsets, so counted per document) and the common values (counted from bitsets)
    /// are counted exactly, over everyone and over an area.
    #[test]
    fn rare_and_common_values_are_counted_alike() {
        let mut generator = generator(5);
        let mut organisations: Vec<_> = (0..300).map(|number| generator.organisation(number)).collect();
        organisations[3].languages.push("zz-rare".to_string());
        organisations[250].languages.push("zz-rare".to_string());
        organisations[7].communities.push("A rare community".to_string());
        let index = index_of(organisations.clone());
        let centre = Coordinates::new(52.5, -1.5);
        let radius_km = 150.0;
        let visible_within = |organisation: &Organisation, audience: Audience| {
            organisation
                .seen_by(audience)
                .locations
                .iter()
                .any(|location| centre.distance_km(location.coordinates) <= radius_km)
        };
        for audience in Audience::ALL {
            let mut everyone = SearchRequest::new(audience);
            everyone.count_facets = true;
            let mut nearby = everyone.clone();
            nearby.area = Some(SearchArea::Near { centre, radius_km });
            let everyone = index.search(&everyone).expect("the search runs");
            let nearby = index.search(&nearby).expect("the search runs");
            assert!(nearby.total > 10 && nearby.total < 290, "{}", nearby.total);
            for facet in Facet::ALL {
                let all = expected(&organisations, audience, facet, |_| true);
                assert_eq!(counted(&everyone, facet), all, "{audience:?} {facet:?}");
                let within = expected(&organisations, audience, facet, |organisation| {
                    visible_within(organisation, audience)
                });
                assert_eq!(counted(&nearby, facet), within, "{audience:?} {facet:?} nearby");
            }
            if audience == Audience::Privileged {
                let rare = counted(&everyone, Facet::Language).get("zz-rare").copied();
                assert_eq!(rare, Some(2), "administrators see every language");
            }
        }
    }
}
