//! Nearest-k without widening loops: a best-first walk down the quadtree of cell terms. Cells wait in one
//! queue ordered by a lower bound of their distance, documents by their exact distance; a cell with few
//! documents (or of the finest level) is opened by reading its postings, a fuller one is split into its 16
//! children. When a document comes out of the queue, nothing still queued can be nearer.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashSet};

use tantivy::query::{EnableScoring, Query};
use tantivy::schema::IndexRecordOption;
use tantivy::{BitSet, DocAddress, DocId, DocSet, Searcher, SegmentOrdinal, SegmentReader, Term, TERMINATED};

use crate::cells::{Cell, FINEST_LEVEL};
use crate::collect::{BestCandidates, Candidate, LocationTest};
use crate::document::Coordinates;
use crate::error::Result;
use crate::geography::{Relation, SearchArea};
use crate::schema::AudienceFields;
use crate::values::{AudienceView, SegmentView};

/// A cell holding at most this many documents is read rather than split.
const LEAF_DOCUMENTS: u32 = 64;
/// When the text and filters leave at most this many documents in a segment, measure them all directly.
const DIRECT_DOCUMENTS: usize = 4_096;

/// The `k` organisations nearest to `from` (by their nearest visible location in `area`, if there is one)
/// among those `restriction` matches (all, without one).
pub(crate) fn nearest(
    searcher: &Searcher,
    audience: &AudienceFields,
    view: &AudienceView,
    from: Coordinates,
    k: usize,
    restriction: Option<&dyn Query>,
    area: Option<&SearchArea>,
) -> Result<Vec<Candidate>> {
    let weight = restriction
        .map(|query| query.weight(EnableScoring::disabled_from_searcher(searcher)))
        .transpose()?;
    let test = LocationTest::new(area, Some(from));
    let mut best = BestCandidates::new(k);
    for (ordinal, reader) in searcher.segment_readers().iter().enumerate() {
        let segment = Segment {
            ordinal: ordinal as SegmentOrdinal,
            reader,
            values: view.segment(reader)?,
            test: &test,
            area,
        };
        let allowed = match &weight {
            Some(weight) => {
                let mut docs = Vec::new();
                weight.for_each_no_score(reader, &mut |batch| {
                    docs.extend(batch.iter().filter(|doc| !reader.is_deleted(**doc)));
                })?;
                Some(docs)
            }
            None => None,
        };
        match allowed {
            Some(docs) if docs.len() <= DIRECT_DOCUMENTS => {
                docs.into_iter().for_each(|doc| segment.measure(doc, &mut best))
            }
            Some(docs) => {
                let mut allowed = BitSet::with_max_value(reader.max_doc());
                for doc in docs {
                    allowed.insert(doc);
                }
                segment.walk(audience, from, k, Some(&allowed), &mut best)?;
            }
            None => segment.walk(audience, from, k, None, &mut best)?,
        }
    }
    Ok(best.into_sorted())
}

struct Segment<'a> {
    ordinal: SegmentOrdinal,
    reader: &'a SegmentReader,
    values: SegmentView,
    /// Measures to the nearest location in the area, if there is one.
    test: &'a LocationTest,
    /// Cells outside it are never opened.
    area: Option<&'a SearchArea>,
}

impl Segment<'_> {
    fn candidate(&self, doc: DocId) -> Option<Candidate> {
        let location = self.test.best(self.values.points(doc))?;
        Some(Candidate::new(
            DocAddress::new(self.ordinal, doc),
            0.0,
            Some(location),
            true,
        ))
    }

    fn measure(&self, doc: DocId, best: &mut BestCandidates) {
        if let Some(candidate) = self.candidate(doc) {
            best.push(candidate);
        }
    }

    /// The best-first walk; stops after `k` documents of this segment, or when the nearest still queued is
    /// farther than the `k`th best already found in earlier segments.
    fn walk(
        &self,
        audience: &AudienceFields,
        from: Coordinates,
        k: usize,
        allowed: Option<&BitSet>,
        best: &mut BestCandidates,
    ) -> Result<()> {
        let cells = self.reader.inverted_index(audience.cells)?;
        let mut queue = BinaryHeap::from([Reverse(Queued {
            distance_km: 0.0,
            entry: Entry::Cell(Cell::WORLD),
        })]);
        let mut seen = HashSet::new();
        let mut found = 0;
        while let Some(Reverse(Queued { distance_km, entry })) = queue.pop() {
            if best.threshold().is_some_and(|worst| {
                worst
                    .location
                    .and_then(|l| l.distance_km)
                    .is_some_and(|d| d < distance_km)
            }) {
                break;
            }
            match entry {
                Entry::Document(candidate) => {
                    best.push(candidate);
                    found += 1;
                    if found == k {
                        break;
                    }
                }
                Entry::Cell(cell) => {
                    if self
                        .area
                        .is_some_and(|area| area.relation(cell) == Relation::Disjoint)
                    {
                        continue;
                    }
                    let Some(info) =
                        cells.get_term_info(&Term::from_field_u64(audience.cells, cell.term()))?
                    else {
                        continue;
                    };
                    if cell.level < FINEST_LEVEL && info.doc_freq > LEAF_DOCUMENTS {
                        for child in cell.children() {
                            let entry = Entry::Cell(child);
                            queue.push(Reverse(Queued {
                                distance_km: child.min_distance_km(from),
                                entry,
                            }));
                        }
                        continue;
                    }
                    let mut postings = cells.read_postings_from_terminfo(&info, IndexRecordOption::Basic)?;
                    let mut doc = postings.doc();
                    while doc != TERMINATED {
                        let wanted = !self.reader.is_deleted(doc)
                            && allowed.is_none_or(|allowed| allowed.contains(doc));
                        if wanted && seen.insert(doc) {
                            if let Some(candidate) = self.candidate(doc) {
                                let distance_km = candidate
                                    .location
                                    .and_then(|l| l.distance_km)
                                    .unwrap_or(f64::INFINITY);
                                queue.push(Reverse(Queued {
                                    distance_km,
                                    entry: Entry::Document(candidate),
                                }));
                            }
                        }
                        doc = postings.advance();
                    }
                }
            }
        }
        Ok(())
    }
}

enum Entry {
    Cell(Cell),
    Document(Candidate),
}

/// A queue entry; documents come out before cells at the same distance, so ties are settled early.
struct Queued {
    distance_km: f64,
    entry: Entry,
}

impl Queued {
    fn tie_break(&self) -> u8 {
        match self.entry {
            Entry::Document(_) => 0,
            Entry::Cell(_) => 1,
        }
    }
}

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Queued {}

impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Queued {
    fn cmp(&self, other: &Self) -> Ordering {
        self.distance_km
            .total_cmp(&other.distance_km)
            .then_with(|| self.tie_break().cmp(&other.tie_break()))
            .then_with(|| match (&self.entry, &other.entry) {
                (Entry::Document(a), Entry::Document(b)) => a.cmp(b),
                _ => Ordering::Equal,
            })
    }
}
