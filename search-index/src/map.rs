//! A segment's visible locations laid out along the quadtree's Z-order, for one audience: every cell of an
//! area's cover is one run of that order, found by binary search, so the organisations with a location in
//! the area are read from memory, most of them (those of inside cells, and those a quick test settles)
//! without the exact test.

use std::ops::Range;

use tantivy::DocId;

use crate::cells::{finest_key, unpack};
use crate::circle::Verdict;
use crate::geography::{AreaTest, SplitCover};

/// The locations of a segment's documents, ordered by the Z-order key of their finest cell.
pub(crate) struct Map {
    /// `cells::finest_key` of each location's point, ascending.
    keys: Vec<u64>,
    /// The document of each location, in the order of `keys`.
    docs: Vec<DocId>,
    /// The packed point (`cells::pack`) of each location, in the order of `keys`.
    points: Vec<u64>,
}

impl Map {
    /// The map of `located`: each document with the packed points of its locations.
    pub(crate) fn new<'a>(located: impl Iterator<Item = (DocId, &'a [u64])>) -> Self {
        let mut entries: Vec<(u64, DocId, u64)> = located
            .flat_map(|(doc, points)| {
                points
                    .iter()
                    .map(move |&point| (finest_key(unpack(point)), doc, point))
            })
            .collect();
        entries.sort_unstable();
        Map {
            keys: entries.iter().map(|(key, _, _)| *key).collect(),
            docs: entries.iter().map(|(_, doc, _)| *doc).collect(),
            points: entries.iter().map(|(_, _, point)| *point).collect(),
        }
    }

    /// The documents (below `max_doc`) with a location in the cover's cells, marked by whether one is surely
    /// in the area: it lies in an inside cell, or the quick test of `test` settles it inside (locations in
    /// edge cells that it settles outside are left out).
    pub(crate) fn found_in(&self, cover: &SplitCover, test: &AreaTest, max_doc: DocId) -> Found {
        let words = (max_doc as usize).div_ceil(64);
        let mut found = Found {
            inside: vec![0; words],
            edge: vec![0; words],
        };
        // The cover's cells never overlap, so each run starts at or after the end of the one before.
        let mut from = 0;
        for (run, tested) in runs(cover) {
            let start = first_at_least(&self.keys, from, run.start);
            let end = first_at_least(&self.keys, start, run.end);
            let docs = &self.docs[start..end];
            if tested {
                for (&doc, &point) in docs.iter().zip(&self.points[start..end]) {
                    match test.verdict(unpack(point)) {
                        Verdict::Inside => mark(&mut found.inside, doc),
                        Verdict::Unsure => mark(&mut found.edge, doc),
                        Verdict::Outside => {}
                    }
                }
            } else {
                docs.iter().for_each(|&doc| mark(&mut found.inside, doc));
            }
            from = end;
        }
        found
    }

    pub(crate) fn bytes(&self) -> usize {
        self.keys.len() * size_of::<u64>()
            + self.docs.len() * size_of::<DocId>()
            + self.points.len() * size_of::<u64>()
    }
}

/// The documents of an area's cells, as two bitsets: later read in document order, so their values are
/// read in the order they lie in memory, whichever location found them.
pub(crate) struct Found {
    inside: Vec<u64>,
    edge: Vec<u64>,
}

impl Found {
    /// Keeps only documents in `set` (a bitset of the same documents).
    pub(crate) fn narrow(&mut self, set: &[u64]) {
        for ((inside, edge), kept) in self.inside.iter_mut().zip(&mut self.edge).zip(set) {
            *inside &= kept;
            *edge &= kept;
        }
    }

    /// Calls `each` with every document found, in order, and whether it surely has a location in the area.
    pub(crate) fn for_each(&self, mut each: impl FnMut(DocId, bool)) {
        for (word, (&inside, &edge)) in self.inside.iter().zip(&self.edge).enumerate() {
            let mut bits = inside | edge;
            while bits != 0 {
                let bit = bits.trailing_zeros();
                each(word as DocId * 64 + bit, inside >> bit & 1 == 1);
                bits &= bits - 1;
            }
        }
    }
}

fn mark(words: &mut [u64], doc: DocId) {
    words[doc as usize / 64] |= 1 << (doc % 64);
}

/// The Z-order runs of a cover's cells, in order, each with whether its points need the exact test;
/// neighbouring cells of the same kind make one run.
fn runs(cover: &SplitCover) -> Vec<(Range<u64>, bool)> {
    let mut cells: Vec<(Range<u64>, bool)> = cover
        .inside
        .iter()
        .map(|cell| (cell.z_range(), false))
        .chain(cover.edge.iter().map(|cell| (cell.z_range(), true)))
        .collect();
    cells.sort_unstable_by_key(|(run, _)| run.start);
    let mut runs: Vec<(Range<u64>, bool)> = Vec::with_capacity(cells.len());
    for (run, tested) in cells {
        match runs.last_mut() {
            Some((last, last_tested)) if last.end == run.start && *last_tested == tested => {
                last.end = run.end
            }
            _ => runs.push((run, tested)),
        }
    }
    runs
}

/// The first position at or after `from` whose key is at least `key` (`keys` ascending): a galloping
/// search, so a run near the one before is found in a few steps close together in memory.
fn first_at_least(keys: &[u64], from: usize, key: u64) -> usize {
    let mut step = 1;
    let mut low = from;
    while low + step < keys.len() && keys[low + step] < key {
        low += step;
        step *= 2;
    }
    let high = (low + step + 1).min(keys.len());
    low + keys[low..high].partition_point(|k| *k < key)
}
