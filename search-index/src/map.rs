//! A segment's visible locations laid out along the quadtree's Z-order, for one audience: every cell of an
//! area's cover is one run of that order, found by binary search, so the organisations with a location in
//! the area are read from memory, most of them (those of inside cells, and those a quick test settles)
//! without the exact test. As the index keeps documents in order of place, most locations lie in document
//! order too: an inside run of those is a few ranges of documents, marked a word at a time.

use std::ops::Range;

use tantivy::DocId;

use crate::cells::{finest_key, unpack};
use crate::circle::Verdict;
use crate::geography::{AreaTest, SplitCover};

/// The locations of a segment's documents, ordered by the Z-order key of their finest cell.
pub(crate) struct Map {
    /// The most locations that lie in document order too: in order of key, each of another document,
    /// their documents ascend.
    in_order: Locations,
    /// The positions in `in_order` (after the first) whose document does not follow the one before it: the
    /// starts of its stretches of consecutive documents.
    breaks: Vec<u32>,
    /// The other locations (an organisation's further locations, mostly).
    others: Locations,
}

/// Locations ordered by key.
#[derive(Default)]
struct Locations {
    /// `cells::finest_key` of each location's point, ascending.
    keys: Vec<u64>,
    /// The document of each location, in the order of `keys`.
    docs: Vec<DocId>,
    /// The packed point (`cells::pack`) of each location, in the order of `keys`.
    points: Vec<u64>,
}

impl Locations {
    fn push(&mut self, (key, doc, point): (u64, DocId, u64)) {
        self.keys.push(key);
        self.docs.push(doc);
        self.points.push(point);
    }

    /// The positions of the locations whose keys lie in `run`, searching from `from` on.
    fn positions(&self, from: usize, run: &Range<u64>) -> Range<usize> {
        let start = first_at_least(&self.keys, from, run.start);
        start..first_at_least(&self.keys, start, run.end)
    }

    /// Marks the documents of the locations at `positions` that the quick test settles inside, or (when
    /// unsure) as needing the exact test.
    fn test(&self, positions: Range<usize>, test: &AreaTest, found: &mut Found) {
        let points = &self.points[positions.clone()];
        let docs = &self.docs[positions];
        if let Some(circle) = test.circle() {
            // Every document is written after the unsure ones so far, and kept there only if unsure.
            let mut end = found.unsure.len();
            found.unsure.resize(end + docs.len(), 0);
            for (&doc, &point) in docs.iter().zip(points) {
                let (inside, unsure) = circle.packed_verdict(point);
                found.inside[doc as usize / 64] |= u64::from(inside) << (doc % 64);
                found.unsure[end] = doc;
                end += usize::from(unsure);
            }
            found.unsure.truncate(end);
            return;
        }
        for (&doc, &point) in docs.iter().zip(points) {
            match test.verdict(unpack(point)) {
                Verdict::Inside => mark(&mut found.inside, doc),
                Verdict::Unsure => found.unsure.push(doc),
                Verdict::Outside => {}
            }
        }
    }

    fn bytes(&self) -> usize {
        self.keys.len() * size_of::<u64>()
            + self.docs.len() * size_of::<DocId>()
            + self.points.len() * size_of::<u64>()
    }
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
        let chosen = ascending_documents(&entries);
        let mut map = Map {
            in_order: Locations::default(),
            breaks: Vec::new(),
            others: Locations::default(),
        };
        for (entry, in_order) in entries.into_iter().zip(chosen) {
            if in_order {
                let position = map.in_order.docs.len();
                if map.in_order.docs.last().is_some_and(|last| *last + 1 != entry.1) {
                    map.breaks.push(position as u32);
                }
                map.in_order.push(entry);
            } else {
                map.others.push(entry);
            }
        }
        map
    }

    /// The documents (below `max_doc`) with a location in the cover's cells, marked by whether one is surely
    /// in the area: it lies in an inside cell, or the quick test of `test` settles it inside (locations in
    /// edge cells that it settles outside are left out).
    pub(crate) fn found_in(&self, cover: &SplitCover, test: &AreaTest, max_doc: DocId) -> Found {
        let words = (max_doc as usize).div_ceil(64);
        let mut found = Found {
            inside: vec![0; words],
            unsure: Vec::new(),
        };
        // The cover's cells never overlap, so each run starts at or after the end of the one before.
        let (mut from_in_order, mut from_others) = (0, 0);
        for (run, tested) in runs(cover) {
            let in_order = self.in_order.positions(from_in_order, &run);
            let others = self.others.positions(from_others, &run);
            (from_in_order, from_others) = (in_order.end, others.end);
            if tested {
                self.in_order.test(in_order, test, &mut found);
                self.others.test(others, test, &mut found);
            } else {
                self.mark_in_order(in_order, &mut found.inside);
                for &doc in &self.others.docs[others] {
                    mark(&mut found.inside, doc);
                }
            }
        }
        found
    }

    /// Marks the documents of `in_order` locations at `positions`: each stretch of consecutive documents
    /// as one range of bits.
    fn mark_in_order(&self, positions: Range<usize>, words: &mut [u64]) {
        if positions.is_empty() {
            return;
        }
        let docs = &self.in_order.docs;
        let first_break = self
            .breaks
            .partition_point(|at| (*at as usize) <= positions.start);
        let mut start = positions.start;
        for &at in &self.breaks[first_break..] {
            let at = at as usize;
            if at >= positions.end {
                break;
            }
            mark_range(words, docs[start], docs[at - 1]);
            start = at;
        }
        mark_range(words, docs[start], docs[positions.end - 1]);
    }

    pub(crate) fn bytes(&self) -> usize {
        self.in_order.bytes() + self.breaks.len() * size_of::<u32>() + self.others.bytes()
    }
}

/// Which of `entries` (sorted by key) to keep in document order: a longest sequence of them whose
/// documents strictly ascend (patience sorting, O(n log n)). As the index orders documents by their
/// first location as the public sees it, that is nearly one location per located document.
fn ascending_documents(entries: &[(u64, DocId, u64)]) -> Vec<bool> {
    // `ends[length - 1]`: the position of the smallest document ending an ascending sequence of `length`,
    // and that document in `end_docs`. Most documents come in order, and extend the longest.
    let mut ends: Vec<usize> = Vec::new();
    let mut end_docs: Vec<DocId> = Vec::new();
    let mut before: Vec<usize> = Vec::with_capacity(entries.len());
    for (position, (_, doc, _)) in entries.iter().enumerate() {
        let length = match end_docs.last() {
            Some(last) if last >= doc => end_docs.partition_point(|end| end < doc),
            _ => end_docs.len(),
        };
        before.push(if length == 0 { usize::MAX } else { ends[length - 1] });
        if length == ends.len() {
            ends.push(position);
            end_docs.push(*doc);
        } else {
            ends[length] = position;
            end_docs[length] = *doc;
        }
    }
    let mut chosen = vec![false; entries.len()];
    let mut position = ends.last().copied().unwrap_or(usize::MAX);
    while position != usize::MAX {
        chosen[position] = true;
        position = before[position];
    }
    chosen
}

/// The documents of an area's cells: those surely in the area as a bitset (later read in document order,
/// so their values are read in the order they lie in memory), and those the quick tests left unsure (few
/// for a circle).
pub(crate) struct Found {
    inside: Vec<u64>,
    /// In no order; some more than once, some also in `inside`.
    unsure: Vec<DocId>,
}

impl Found {
    /// Keeps only documents in `set` (a bitset of the same documents).
    pub(crate) fn narrow(&mut self, set: &[u64]) {
        self.inside
            .iter_mut()
            .zip(set)
            .for_each(|(inside, kept)| *inside &= kept);
        self.unsure.retain(|doc| is_marked(set, *doc));
    }

    /// The documents found that `keep` accepts, as a bitset. `keep` is asked, with whether the document
    /// surely has a location in the area, about every document found when `ask_all`, else only about those
    /// not surely in the area: the others are kept a word at a time.
    pub(crate) fn into_matches(self, ask_all: bool, mut keep: impl FnMut(DocId, bool) -> bool) -> Vec<u64> {
        let Found {
            mut inside,
            mut unsure,
        } = self;
        unsure.sort_unstable();
        unsure.dedup();
        let accepted: Vec<DocId> = unsure
            .into_iter()
            .filter(|doc| !is_marked(&inside, *doc) && keep(*doc, false))
            .collect();
        if ask_all {
            for (index, word) in inside.iter_mut().enumerate() {
                let mut kept = 0;
                for bit in ones(*word) {
                    if keep(index as DocId * 64 + bit, true) {
                        kept |= 1 << bit;
                    }
                }
                *word = kept;
            }
        }
        accepted.into_iter().for_each(|doc| mark(&mut inside, doc));
        inside
    }
}

/// The positions of the bits set in `bits`, lowest first.
pub(crate) fn ones(mut bits: u64) -> impl Iterator<Item = u32> {
    std::iter::from_fn(move || {
        (bits != 0).then(|| {
            let bit = bits.trailing_zeros();
            bits &= bits - 1;
            bit
        })
    })
}

/// Whether `doc`'s bit is set in a bitset of documents, 64 to a word.
pub(crate) fn is_marked(words: &[u64], doc: DocId) -> bool {
    words[doc as usize / 64] >> (doc % 64) & 1 == 1
}

/// Sets `doc`'s bit in a bitset of documents, 64 to a word.
pub(crate) fn mark(words: &mut [u64], doc: DocId) {
    words[doc as usize / 64] |= 1 << (doc % 64);
}

/// Sets the bits of documents `first..=last`.
fn mark_range(words: &mut [u64], first: DocId, last: DocId) {
    let (first, last) = (first as usize, last as usize);
    let (first_word, last_word) = (first / 64, last / 64);
    let from = |bit: usize| u64::MAX << (bit % 64);
    let through = |bit: usize| u64::MAX >> (63 - bit % 64);
    if first_word == last_word {
        words[first_word] |= from(first) & through(last);
        return;
    }
    words[first_word] |= from(first);
    words[first_word + 1..last_word].fill(u64::MAX);
    words[last_word] |= through(last);
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

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};

    use super::Map;
    use crate::cells::{pack, unpack, z_order};
    use crate::document::Coordinates;
    use crate::geography::{AreaTest, SearchArea, AREA_CELLS};

    /// Documents in order of place, some with a second location elsewhere and some placed out of order (as
    /// an audience that sees a location finer than the public does), are found in every circle exactly as
    /// a scan of all their points finds them: those marked surely inside are, and no other is missed.
    #[test]
    fn finds_what_a_scan_finds_whatever_the_order_of_documents() {
        let mut random = rand::rngs::StdRng::seed_from_u64(3);
        let somewhere = |random: &mut rand::rngs::StdRng| {
            Coordinates::new(random.gen_range(53.0..54.0), random.gen_range(-2.5..-1.0))
        };
        let mut located: Vec<(Coordinates, Vec<u64>)> = (0..3_000)
            .map(|_| {
                let home = somewhere(&mut random);
                let mut points = vec![pack(home)];
                if random.gen_bool(0.3) {
                    points.push(pack(somewhere(&mut random)));
                }
                (home, points)
            })
            .collect();
        located.sort_by_key(|(home, _)| z_order(*home));
        for (_, points) in &mut located {
            if random.gen_bool(0.1) {
                points[0] = pack(somewhere(&mut random));
            }
        }
        let map = Map::new(
            located
                .iter()
                .enumerate()
                .map(|(doc, (_, points))| (doc as u32, points.as_slice())),
        );
        assert!(!map.breaks.is_empty() && !map.others.docs.is_empty());
        let max_doc = located.len() as u32;
        for _ in 0..40 {
            let area = SearchArea::Near {
                centre: somewhere(&mut random),
                radius_km: random.gen_range(1.0..40.0),
            };
            let test = AreaTest::new(&area);
            let found = map.found_in(&area.split_cover(AREA_CELLS), &test, max_doc);
            let matches = found.into_matches(false, |doc, _| {
                located[doc as usize]
                    .1
                    .iter()
                    .any(|point| area.contains(unpack(*point)))
            });
            for (doc, (_, points)) in located.iter().enumerate() {
                let expected = points.iter().any(|point| area.contains(unpack(*point)));
                let matched = matches[doc / 64] >> (doc % 64) & 1 == 1;
                assert_eq!(matched, expected, "{area:?}: document {doc}");
            }
        }
    }
}
