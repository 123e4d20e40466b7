//! Collecting matches: the total, facet counts and the best hits (by relevance or distance), per segment and
//! then merged; and which of a match's locations matched, by the exact geographic test.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::cells::unpack;
use crate::document::Coordinates;
use crate::facet_counts::FacetCounter;
use crate::geography::{AreaTest, SearchArea};
use crate::request::Facet;
use crate::values::{AudienceView, SegmentView};

/// A document that matched, with the location slot (in its audience view) that matched and how far it is.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Candidate {
    pub(crate) doc: DocAddress,
    pub(crate) score: Score,
    pub(crate) location: Option<LocationMatch>,
    /// Smaller is better: the distance, or the negated score.
    rank: f64,
}

impl Candidate {
    pub(crate) fn new(
        doc: DocAddress,
        score: Score,
        location: Option<LocationMatch>,
        by_distance: bool,
    ) -> Self {
        let rank = match location.and_then(|location| location.distance_km) {
            Some(distance) if by_distance => distance,
            _ => -f64::from(score),
        };
        Candidate {
            doc,
            score,
            location,
            rank,
        }
    }
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Candidate {}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Candidate {
    /// Best first; ties by index order, so pages are stable.
    fn cmp(&self, other: &Self) -> Ordering {
        self.rank
            .total_cmp(&other.rank)
            .then_with(|| self.doc.cmp(&other.doc))
    }
}

/// The location of a document that matched: its slot in the audience's view, and its distance (km) from
/// the origin of the search, if it has one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct LocationMatch {
    pub(crate) slot: usize,
    pub(crate) distance_km: Option<f64>,
}

/// The `k` best candidates seen.
pub(crate) struct BestCandidates {
    k: usize,
    heap: BinaryHeap<Candidate>,
}

impl BestCandidates {
    pub(crate) fn new(k: usize) -> Self {
        BestCandidates {
            k,
            heap: BinaryHeap::with_capacity(k + 1),
        }
    }

    pub(crate) fn push(&mut self, candidate: Candidate) {
        if self.heap.len() < self.k {
            self.heap.push(candidate);
        } else if self.heap.peek().is_some_and(|worst| candidate < *worst) {
            self.heap.pop();
            self.heap.push(candidate);
        }
    }

    /// The worst of the best, once there are `k` of them.
    pub(crate) fn threshold(&self) -> Option<&Candidate> {
        (self.heap.len() == self.k).then(|| self.heap.peek()).flatten()
    }

    pub(crate) fn into_sorted(self) -> Vec<Candidate> {
        self.heap.into_sorted_vec()
    }
}

/// Which of a document's visible locations matches: inside the area (if any), nearest to the origin (if
/// any), else the first.
#[derive(Clone, Debug)]
pub(crate) struct LocationTest {
    area: Option<AreaTest>,
    origin: Option<Coordinates>,
}

impl LocationTest {
    pub(crate) fn new(area: Option<&SearchArea>, origin: Option<Coordinates>) -> Self {
        LocationTest {
            area: area.map(AreaTest::new),
            origin,
        }
    }

    pub(crate) fn best(&self, packed_points: &[u64]) -> Option<LocationMatch> {
        let mut best: Option<LocationMatch> = None;
        for (slot, packed) in packed_points.iter().enumerate() {
            let point = unpack(*packed);
            if self.area.as_ref().is_some_and(|area| !area.contains(point)) {
                continue;
            }
            let Some(origin) = self.origin else {
                return Some(LocationMatch {
                    slot,
                    distance_km: None,
                });
            };
            let distance = origin.distance_km(point);
            if best
                .and_then(|best| best.distance_km)
                .is_none_or(|nearest| distance < nearest)
            {
                best = Some(LocationMatch {
                    slot,
                    distance_km: Some(distance),
                });
            }
        }
        best
    }
}

/// What a search collects over all segments.
pub(crate) struct Matches {
    pub(crate) total: u64,
    pub(crate) facet_counts: BTreeMap<Facet, BTreeMap<String, u64>>,
    pub(crate) best: Vec<Candidate>,
}

/// Collects the total, facet counts (when asked for) and the `k` best matches of a query.
pub(crate) struct MatchCollector {
    /// Where the facet values are read, if they are counted.
    pub(crate) facets: Option<AudienceView>,
    pub(crate) k: usize,
    pub(crate) scoring: bool,
}

pub(crate) struct SegmentMatchCollector {
    segment: SegmentOrdinal,
    facets: Option<FacetCounter>,
    total: u64,
    best: BestCandidates,
}

impl Collector for MatchCollector {
    type Fruit = Matches;
    type Child = SegmentMatchCollector;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentMatchCollector> {
        let facets = match &self.facets {
            Some(view) => Some(FacetCounter::new(view.segment(reader)?)),
            None => None,
        };
        Ok(SegmentMatchCollector {
            segment,
            facets,
            total: 0,
            best: BestCandidates::new(self.k),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.scoring
    }

    fn merge_fruits(&self, fruits: Vec<SegmentMatches>) -> tantivy::Result<Matches> {
        let mut best = BestCandidates::new(self.k);
        let mut total = 0;
        // Every facet counted is in the answer, those without values among the matches too.
        let mut facet_counts: BTreeMap<Facet, BTreeMap<String, u64>> = match self.facets {
            Some(_) => Facet::ALL.map(|facet| (facet, BTreeMap::new())).into(),
            None => BTreeMap::new(),
        };
        for fruit in fruits {
            total += fruit.total;
            fruit.best.into_iter().for_each(|candidate| best.push(candidate));
            if let Some((values, counts)) = fruit.facet_counts {
                for (number, count) in counts.into_iter().enumerate().filter(|(_, count)| *count > 0) {
                    let (facet, value) = values.facet_value(number);
                    *facet_counts
                        .entry(*facet)
                        .or_default()
                        .entry(value.clone())
                        .or_default() += u64::from(count);
                }
            }
        }
        Ok(Matches {
            total,
            facet_counts,
            best: best.into_sorted(),
        })
    }
}

pub(crate) struct SegmentMatches {
    total: u64,
    facet_counts: Option<(SegmentView, Vec<u32>)>,
    best: Vec<Candidate>,
}

impl SegmentCollector for SegmentMatchCollector {
    type Fruit = SegmentMatches;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.total += 1;
        if let Some(facets) = &mut self.facets {
            facets.add(doc);
        }
        let address = DocAddress::new(self.segment, doc);
        self.best.push(Candidate::new(address, score, None, false));
    }

    fn harvest(self) -> SegmentMatches {
        SegmentMatches {
            total: self.total,
            facet_counts: self.facets.map(FacetCounter::finish),
            best: self.best.into_sorted(),
        }
    }
}
