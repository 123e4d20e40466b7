//! Each segment's points and facet values, per audience, decoded once into plain arrays when the segment
//! becomes searchable, so that testing a candidate's locations and counting its facet values read memory
//! instead of decoding tantivy's compressed columns; the same points by place (`map`), where an area's
//! documents are found; and what each document's hits show (`cards`).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use tantivy::columnar::StrColumn;
use tantivy::index::SegmentId;
use tantivy::{DocId, Searcher, SearcherGeneration, SegmentReader, TantivyError, Warmer};

use crate::audience::Audience;
use crate::cards::{Card, Cards};
use crate::map::{is_marked, mark, Map};
use crate::request::Facet;
use crate::schema::Fields;

/// Values per document, in document order: those of `doc` are `values[starts[doc]..starts[doc + 1]]`.
struct PerDocument<T> {
    starts: Vec<u32>,
    values: Vec<T>,
}

impl<T: Copy> PerDocument<T> {
    fn decode<I: Iterator<Item = T>>(
        max_doc: DocId,
        mut values_of: impl FnMut(DocId) -> I,
    ) -> tantivy::Result<Self> {
        let mut starts = Vec::with_capacity(max_doc as usize + 1);
        let mut values = Vec::with_capacity(max_doc as usize);
        starts.push(0);
        for doc in 0..max_doc {
            values.extend(values_of(doc));
            let end = u32::try_from(values.len()).map_err(|_| {
                TantivyError::InvalidArgument("a segment holds over 4 billion values of one field".into())
            })?;
            starts.push(end);
        }
        values.shrink_to_fit();
        Ok(PerDocument { starts, values })
    }

    fn documents(&self) -> impl Iterator<Item = (DocId, &[T])> {
        (0..self.starts.len() as DocId - 1).map(|doc| (doc, self.of(doc)))
    }

    fn of(&self, doc: DocId) -> &[T] {
        let doc = doc as usize;
        &self.values[self.starts[doc] as usize..self.starts[doc + 1] as usize]
    }

    fn bytes(&self) -> usize {
        self.starts.len() * size_of::<u32>() + self.values.len() * size_of::<T>()
    }
}

/// What one audience may see of a segment's documents.
struct AudienceValues {
    /// The packed points (`cells::pack`) of each document's visible locations, in the view's order.
    points: PerDocument<u64>,
    /// Each document's values of every facet, as numbers that `facet_values` names.
    facets: PerDocument<u32>,
    /// The same, leaving out the values kept as bitsets (`facet_docs`): what counting reads per document.
    sparse_facets: PerDocument<u32>,
    /// The documents that have any such value, one bit each: only they are read per document.
    sparse_holders: Vec<u64>,
    facet_values: Vec<(Facet, String)>,
    /// Per facet value number, for values that at least one document in `DENSE_SHARE` has: the documents
    /// that have it, one bit each (`Map`'s bitsets are narrowed by them word by word).
    facet_docs: Vec<Option<Vec<u64>>>,
    /// The same bitsets side by side, word by word, for counting them all over the same matched words.
    dense: DenseFacets,
    /// The same points, by place: where an area's documents are found.
    map: Map,
    /// For each theme kept as a bitset (by its value number), a map of only the points of the documents
    /// that have it: an area searched for one theme reads a fraction of the locations and needs no
    /// narrowing by the theme.
    theme_maps: HashMap<usize, Map>,
}

/// A facet value held by at least one document in this many is kept as a bitset of documents.
const DENSE_SHARE: usize = 64;

impl AudienceValues {
    fn bytes(&self) -> usize {
        let facet_docs: usize = self.facet_docs.iter().flatten().map(|docs| docs.len() * 8).sum();
        self.points.bytes()
            + self.dense.words.len() * 8
            + self.facets.bytes()
            + self.sparse_facets.bytes()
            + self.sparse_holders.len() * 8
            + self.map.bytes()
            + self.theme_maps.values().map(Map::bytes).sum::<usize>()
            + facet_docs
    }

    fn decode(reader: &SegmentReader, fields: &Fields, audience: Audience) -> tantivy::Result<Self> {
        let audience = fields.audience(audience);
        let max_doc = reader.max_doc();
        let points = match reader.fast_fields().column_opt::<u64>(&audience.points_column)? {
            Some(column) => PerDocument::decode(max_doc, |doc| column.values_for_doc(doc))?,
            None => PerDocument::decode(max_doc, |_| std::iter::empty())?,
        };
        // One numbering for all facets: each facet's values follow those of the facets before it.
        let mut columns: Vec<(StrColumn, u32)> = Vec::new();
        let mut facet_values = Vec::new();
        for (facet, (_, name)) in Facet::ALL.iter().zip(&audience.facets) {
            let Some(column) = reader.fast_fields().str(name)? else {
                continue;
            };
            let first = facet_values.len() as u32;
            for ord in 0..column.num_terms() as u64 {
                let mut value = String::new();
                column.ord_to_str(ord, &mut value)?;
                facet_values.push((*facet, value));
            }
            columns.push((column, first));
        }
        let facets = PerDocument::decode(max_doc, |doc| {
            columns
                .iter()
                .flat_map(move |(column, first)| column.term_ords(doc).map(move |ord| first + ord as u32))
        })?;
        let mut held = vec![0; facet_values.len()];
        facets
            .values
            .iter()
            .for_each(|number| held[*number as usize] += 1);
        let words = (max_doc as usize).div_ceil(64);
        let mut facet_docs: Vec<Option<Vec<u64>>> = held
            .into_iter()
            .map(|count| (count * DENSE_SHARE >= max_doc as usize).then(|| vec![0; words]))
            .collect();
        for (doc, numbers) in facets.documents() {
            for number in numbers {
                if let Some(docs) = &mut facet_docs[*number as usize] {
                    mark(docs, doc);
                }
            }
        }
        let sparse_facets = PerDocument::decode(max_doc, |doc| {
            facets
                .of(doc)
                .iter()
                .copied()
                .filter(|number| facet_docs[*number as usize].is_none())
        })?;
        let mut sparse_holders = vec![0; words];
        for (doc, numbers) in sparse_facets.documents() {
            if !numbers.is_empty() {
                mark(&mut sparse_holders, doc);
            }
        }
        let theme_maps = facet_docs
            .iter()
            .enumerate()
            .filter(|(number, _)| facet_values[*number].0 == Facet::Theme)
            .filter_map(|(number, docs)| {
                let docs = docs.as_deref()?;
                let holding = points.documents().filter(|(doc, _)| is_marked(docs, *doc));
                Some((number, Map::new(holding)))
            })
            .collect();
        Ok(AudienceValues {
            sparse_facets,
            sparse_holders,
            theme_maps,
            dense: DenseFacets::new(&facet_docs, words),
            facet_docs,
            map: Map::new(points.documents()),
            points,
            facets,
            facet_values,
        })
    }
}

/// The facet values kept as bitsets, laid out word by word: the words of every such value for documents
/// 0 to 63, then for 64 to 127, and so on. Counting them over a search's matched words then reads each
/// matched word's row of memory once, in order, instead of one scattered word per value.
pub(crate) struct DenseFacets {
    /// The value number of each column.
    pub(crate) numbers: Vec<usize>,
    /// Row-major: `words[word * numbers.len() + column]`.
    words: Vec<u64>,
}

impl DenseFacets {
    fn new(facet_docs: &[Option<Vec<u64>>], words: usize) -> Self {
        let columns: Vec<(usize, &[u64])> = facet_docs
            .iter()
            .enumerate()
            .filter_map(|(number, docs)| Some((number, docs.as_deref()?)))
            .collect();
        let rows = (0..words)
            .flat_map(|word| columns.iter().map(move |(_, docs)| docs[word]))
            .collect();
        DenseFacets {
            numbers: columns.iter().map(|(number, _)| *number).collect(),
            words: rows,
        }
    }

    /// Which of the documents `word * 64..` have each value (in the order of `numbers`).
    pub(crate) fn row(&self, word: usize) -> &[u64] {
        let columns = self.numbers.len();
        &self.words[word * columns..(word + 1) * columns]
    }
}

/// One segment's values, for every audience.
struct SegmentValues {
    audiences: [AudienceValues; Audience::ALL.len()],
    /// What its hits show, for every audience.
    cards: Cards,
}

/// The decoded values of the segments that searches read. As the reader's warmer, it decodes each new
/// segment before a reload makes it searchable (so no search waits on decoding), and forgets a segment once
/// no searcher in use holds it.
pub(crate) struct Values {
    fields: Fields,
    segments: RwLock<HashMap<SegmentId, Arc<SegmentValues>>>,
}

impl Values {
    pub(crate) fn new(fields: Fields) -> Self {
        Values {
            fields,
            segments: RwLock::default(),
        }
    }

    fn of(&self, reader: &SegmentReader) -> tantivy::Result<Arc<SegmentValues>> {
        let id = reader.segment_id();
        if let Some(values) = self.read().get(&id) {
            return Ok(Arc::clone(values));
        }
        let [public, network, privileged] =
            Audience::ALL.map(|audience| AudienceValues::decode(reader, &self.fields, audience));
        let values = Arc::new(SegmentValues {
            audiences: [public?, network?, privileged?],
            cards: Cards::decode(reader, self.fields.organisation)?,
        });
        self.write().insert(id, Arc::clone(&values));
        Ok(values)
    }

    /// Memory held by the decoded values, in bytes.
    pub(crate) fn bytes(&self) -> usize {
        self.read()
            .values()
            .map(|segment| {
                segment.cards.bytes() + segment.audiences.iter().map(AudienceValues::bytes).sum::<usize>()
            })
            .sum()
    }

    fn read(&self) -> RwLockReadGuard<'_, HashMap<SegmentId, Arc<SegmentValues>>> {
        self.segments
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, HashMap<SegmentId, Arc<SegmentValues>>> {
        self.segments
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The decoded values as one audience sees them: what the area test, nearest-k and facet counts read.
#[derive(Clone)]
pub(crate) struct AudienceView {
    values: Arc<Values>,
    audience: Audience,
}

impl AudienceView {
    pub(crate) fn new(values: &Arc<Values>, audience: Audience) -> Self {
        AudienceView {
            values: Arc::clone(values),
            audience,
        }
    }

    pub(crate) fn audience(&self) -> Audience {
        self.audience
    }

    pub(crate) fn segment(&self, reader: &SegmentReader) -> tantivy::Result<SegmentView> {
        Ok(SegmentView {
            segment: self.values.of(reader)?,
            audience: self.audience,
        })
    }
}

/// One segment's decoded values, as one audience sees them.
pub(crate) struct SegmentView {
    segment: Arc<SegmentValues>,
    audience: Audience,
}

impl SegmentView {
    fn values(&self) -> &AudienceValues {
        &self.segment.audiences[self.audience as usize]
    }

    /// The packed points (`cells::pack`) of the document's locations the audience may see.
    pub(crate) fn points(&self, doc: DocId) -> &[u64] {
        self.values().points.of(doc)
    }

    /// What a hit shows of the document.
    pub(crate) fn card(&self, doc: DocId) -> Card<'_> {
        self.segment.cards.card(doc)
    }

    /// The audience's visible locations by place.
    pub(crate) fn map(&self) -> &Map {
        &self.values().map
    }

    /// The visible locations, by place, of the documents that have one theme (by its value number), if
    /// the theme is held widely enough to have them kept apart.
    pub(crate) fn theme_map(&self, number: usize) -> Option<&Map> {
        self.values().theme_maps.get(&number)
    }

    /// The numbers of the document's facet values (`facet_value` names them).
    pub(crate) fn facet_numbers(&self, doc: DocId) -> &[u32] {
        self.values().facets.of(doc)
    }

    /// The numbers of the document's facet values that are not kept as bitsets (`dense_facets`).
    pub(crate) fn sparse_facet_numbers(&self, doc: DocId) -> &[u32] {
        self.values().sparse_facets.of(doc)
    }

    /// The documents with any facet value not kept as a bitset, one bit each.
    pub(crate) fn sparse_facet_holders(&self) -> &[u64] {
        &self.values().sparse_holders
    }

    /// The facet values kept as bitsets, word by word.
    pub(crate) fn dense_facets(&self) -> &DenseFacets {
        &self.values().dense
    }

    /// How many facet values the segment numbers.
    pub(crate) fn facet_value_count(&self) -> usize {
        self.values().facet_values.len()
    }

    /// The number of a facet's value in this segment, if any document has it.
    pub(crate) fn facet_number(&self, facet: Facet, value: &str) -> Option<usize> {
        self.values()
            .facet_values
            .iter()
            .position(|(known, known_value)| *known == facet && known_value == value)
    }

    /// The documents that have a facet value, one bit each, if it is held widely enough to be kept so.
    pub(crate) fn facet_docs(&self, number: usize) -> Option<&[u64]> {
        self.values().facet_docs[number].as_deref()
    }

    pub(crate) fn facet_value(&self, number: usize) -> &(Facet, String) {
        &self.values().facet_values[number]
    }
}

impl Warmer for Values {
    /// Decodes the segments of `searcher` not decoded yet.
    fn warm(&self, searcher: &Searcher) -> tantivy::Result<()> {
        for reader in searcher.segment_readers() {
            self.of(reader)?;
        }
        Ok(())
    }

    /// Forgets the segments that no searcher in use holds (merged away or deleted).
    fn garbage_collect(&self, live_generations: &[&SearcherGeneration]) {
        let live: HashSet<&SegmentId> = live_generations
            .iter()
            .flat_map(|generation| generation.segments().keys())
            .collect();
        self.write().retain(|id, _| live.contains(id));
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::audience::Audience;
    use crate::index::testing::{generator, upserts};
    use crate::index::DirectoryIndex;
    use crate::outbox::OutboxEntry;
    use crate::request::{Facet, SearchRequest};

    /// Searches run on the server's request threads, so none may wait for a segment to be decoded: each
    /// segment is decoded before the reload that makes it searchable returns.
    #[test]
    fn a_segment_is_decoded_before_it_is_searchable() {
        let mut generator = generator(12);
        let index = DirectoryIndex::in_memory().expect("an index in memory");
        let entries = upserts((0..40).map(|number| generator.organisation(number)));
        index.apply(&entries[..20]).expect("a batch applies");
        let one_segment = index.decoded_bytes();
        assert!(one_segment > 0, "decoded with no search yet");
        index.apply(&entries[20..]).expect("a batch applies");
        assert!(index.decoded_bytes() > one_segment, "the second segment too");
    }

    /// Facet counts read from the decoded values of several segments, some of whose documents were
    /// replaced, equal counts made from the organisations themselves.
    #[test]
    fn counts_over_several_segments_with_replaced_documents_match_the_organisations() {
        let mut generator = generator(11);
        let mut organisations: Vec<_> = (0..60).map(|number| generator.organisation(number)).collect();
        let index = DirectoryIndex::in_memory().expect("an index in memory");
        let mut entries = upserts(organisations.clone());
        // Three batches, three segments; then a fourth replacing every third organisation with another.
        for batch in entries.chunks(20) {
            index.apply(batch).expect("a batch applies");
        }
        for (number, organisation) in organisations.iter_mut().enumerate().step_by(3) {
            let id = organisation.id.clone();
            *organisation = generator.organisation(1_000 + number as u64);
            organisation.id = id;
        }
        entries = upserts(organisations.iter().step_by(3).cloned())
            .into_iter()
            .map(|entry| OutboxEntry {
                position: entry.position + 100,
                ..entry
            })
            .collect();
        index.apply(&entries).expect("the replacements apply");
        assert!(index.decoded_bytes() > 0, "the segments' values are decoded");

        for audience in Audience::ALL {
            let mut request = SearchRequest::new(audience);
            request.count_facets = true;
            let results = index.search(&request).expect("the search runs");
            assert_eq!(results.total, 60);
            for facet in Facet::ALL {
                let mut expected: BTreeMap<String, u64> = BTreeMap::new();
                for organisation in &organisations {
                    for value in organisation.seen_by(audience).facet_values(facet) {
                        *expected.entry(value.to_string()).or_default() += 1;
                    }
                }
                let counted: BTreeMap<String, u64> = results.facet_counts[&facet]
                    .iter()
                    .map(|count| (count.value.clone(), count.count))
                    .collect();
                assert_eq!(counted, expected, "{audience:?} {facet:?}");
            }
        }
    }
}
