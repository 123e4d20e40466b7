//! Turns a search request into tantivy queries over the fields of its audience: text (boosted per field,
//! typo-tolerant), facet filters and the cell cover of its area.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, RwLock};

use tantivy::index::SegmentId;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, FuzzyTermQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use crate::cells::Cell;
use crate::error::Result;
use crate::lazy_union::LazyUnion;
use crate::request::{FacetFilter, SearchRequest};
use crate::schema::{AudienceFields, Fields};
use crate::tokenize::{folded_english, query_words, tokens};
use crate::values::AudienceView;
use crate::within::AreaQuery;

/// How much a word found in each field weighs: a name match ranks above a description match.
const NAME_BOOST: f32 = 4.0;
const TAGS_BOOST: f32 = 2.0;
const PLACES_BOOST: f32 = 1.5;
const DESCRIPTION_BOOST: f32 = 1.0;
/// A match within the allowed typos scores this share of the field's boost (a constant: no BM25).
const TYPO_SHARE: f32 = 0.3;

/// The queries a request makes, split so that the text part can drive snippets and the rest can filter.
pub(crate) struct RequestQueries {
    /// Scored text, if the request has words to search.
    pub(crate) text: Option<Box<dyn Query>>,
    /// Unscored: the facet filters, or the area with them (`within::AreaQuery`, exact).
    filters: Vec<Box<dyn Query>>,
    /// Whether the request has text or facet filters (anything besides an area).
    restricted: bool,
}

impl RequestQueries {
    pub(crate) fn new(
        searcher: &Searcher,
        cache: &TypoCache,
        fields: &Fields,
        view: &AudienceView,
        request: &SearchRequest,
    ) -> Result<Self> {
        let audience = fields.audience(request.audience);
        // Text with facets or an area is only asked about their candidates: its unions must jump lazily.
        let union = if request.filters.is_empty() && request.area.is_none() {
            Union::Buffered
        } else {
            Union::Lazy
        };
        let text = match request.text.as_deref() {
            Some(text) => text_query(searcher, cache, fields.name, audience, text, union)?,
            None => None,
        };
        let restricted = text.is_some() || !request.filters.is_empty();
        // Within an area, facet values are read with its locations; elsewhere from their postings.
        let filters: Vec<Box<dyn Query>> = match &request.area {
            Some(area) => vec![Box::new(AreaQuery::new(view, area, &request.filters))],
            None => request
                .filters
                .iter()
                .map(|filter| facet_query(audience, filter))
                .collect(),
        };
        Ok(RequestQueries {
            text,
            filters,
            restricted,
        })
    }

    /// Text and filters together.
    pub(crate) fn combined(&self) -> Box<dyn Query> {
        self.with(self.text.iter().map(|text| text.box_clone()).collect())
    }

    /// Text and filters, restricted to organisations with a location the audience may see.
    pub(crate) fn located(&self, audience: &AudienceFields) -> Box<dyn Query> {
        let mut extra: Vec<Box<dyn Query>> = self.text.iter().map(|text| text.box_clone()).collect();
        extra.push(cells_query(audience.cells, vec![Cell::WORLD]));
        self.with(extra)
    }

    /// Text, facets and area, if the request has text or facets: what restricts a nearest-k search besides
    /// its area.
    pub(crate) fn restriction(&self) -> Option<Box<dyn Query>> {
        self.restricted.then(|| self.combined())
    }

    fn with(&self, mut queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
        queries.extend(self.filters.iter().map(|filter| filter.box_clone()));
        match queries.len() {
            0 => Box::new(AllQuery),
            1 => queries.pop().expect("one query"),
            _ => Box::new(BooleanQuery::intersection(queries)),
        }
    }
}

/// How the clauses of a text query are joined.
#[derive(Clone, Copy)]
enum Union {
    /// tantivy's union: best when the text leads (block-max pruning of the top hits, window scoring).
    Buffered,
    /// When other clauses lead and the text is asked about their candidates only.
    Lazy,
}

impl Union {
    fn of(self, clauses: Vec<Box<dyn Query>>) -> Box<dyn Query> {
        match self {
            Union::Buffered => Box::new(BooleanQuery::union(clauses)),
            Union::Lazy => Box::new(LazyUnion::new(clauses)),
        }
    }
}

/// Every word must match in at least one field; exact matches score by BM25 times the field's boost,
/// matches within the allowed typos (other terms of the field's dictionary) by a constant share of it.
fn text_query(
    searcher: &Searcher,
    cache: &TypoCache,
    name: Field,
    audience: &AudienceFields,
    text: &str,
    union: Union,
) -> Result<Option<Box<dyn Query>>> {
    let mut stemmer = folded_english();
    let mut words: Vec<Box<dyn Query>> = Vec::new();
    for word in query_words(text) {
        let stemmed = tokens(&mut stemmer, &word).pop().unwrap_or_else(|| word.clone());
        let typos = allowed_typos(&word);
        let fields = [
            (name, NAME_BOOST, &word),
            (audience.tags, TAGS_BOOST, &word),
            (audience.places, PLACES_BOOST, &word),
            (audience.description, DESCRIPTION_BOOST, &stemmed),
        ];
        let mut clauses = Vec::new();
        for (field, boost, token) in fields {
            clauses.extend(word_in_field(searcher, cache, field, boost, token, typos, union)?);
        }
        words.push(union.of(clauses));
    }
    Ok(match words.len() {
        0 => None,
        1 => words.pop(),
        _ => Some(Box::new(BooleanQuery::intersection(words))),
    })
}

/// `typos` counts by the word as typed, also for its stem. The exact term is a plain term query (BM25, and
/// block-max pruning when it stands alone); the terms within `typos` edits of it that the field's dictionary
/// holds are found through a Levenshtein automaton over the dictionary of each segment and matched as plain
/// terms, so the postings of the exact term are never read twice and nothing is loaded into a bitset.
fn word_in_field(
    searcher: &Searcher,
    cache: &TypoCache,
    field: Field,
    boost: f32,
    token: &str,
    typos: u8,
    union: Union,
) -> Result<Vec<Box<dyn Query>>> {
    let term = Term::from_field_text(field, token);
    let exact: Box<dyn Query> = Box::new(BoostQuery::new(
        Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
        boost,
    ));
    if typos == 0 {
        return Ok(vec![exact]);
    }
    let variants = typo_variants(searcher, cache, &term, typos)?;
    if variants.is_empty() {
        return Ok(vec![exact]);
    }
    let variants = variants
        .into_iter()
        .map(|text| {
            let variant = Term::from_field_text(field, &text);
            Box::new(TermQuery::new(variant, IndexRecordOption::Basic)) as Box<dyn Query>
        })
        .collect();
    Ok(vec![
        exact,
        Box::new(ConstScoreQuery::new(union.of(variants), boost * TYPO_SHARE)),
    ])
}

/// The terms of `term`'s field, in any segment, within `typos` edits (a transposition counting as one) of
/// it, other than the term itself.
fn typo_variants(searcher: &Searcher, cache: &TypoCache, term: &Term, typos: u8) -> Result<BTreeSet<String>> {
    let exact = term.serialized_value_bytes();
    let mut automaton = None;
    let mut variants = BTreeSet::new();
    for reader in searcher.segment_readers() {
        let key = TypoKey {
            segment: reader.segment_id(),
            field: term.field(),
            token: exact.to_vec(),
            typos,
        };
        if let Some(found) = cache.get(&key) {
            variants.extend(found.iter().cloned());
            continue;
        }
        let automaton = match &mut automaton {
            Some(automaton) => automaton,
            empty => empty.insert(FuzzyTermQuery::new(term.clone(), typos, true).automaton()?),
        };
        let inverted_index = reader.inverted_index(term.field())?;
        let mut stream = inverted_index.terms().search(&*automaton).into_stream()?;
        let mut found = Vec::new();
        while stream.advance() {
            // Terms of text fields are UTF-8.
            if stream.key() != exact {
                if let Ok(text) = std::str::from_utf8(stream.key()) {
                    found.push(text.to_string());
                }
            }
        }
        variants.extend(found.iter().cloned());
        cache.insert(key, found);
    }
    Ok(variants)
}

/// What a segment's dictionary holds within some typos of a word: segments never change, so the answer
/// stays right for as long as the segment lives.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct TypoKey {
    segment: SegmentId,
    field: Field,
    token: Vec<u8>,
    typos: u8,
}

/// The typo variants of recent words per segment, shared by the searches of an index. Emptied when it holds
/// `TYPO_CACHE_ENTRIES` (entries of merged-away segments are never asked for again).
#[derive(Default)]
pub(crate) struct TypoCache {
    entries: RwLock<HashMap<TypoKey, Arc<[String]>>>,
}

const TYPO_CACHE_ENTRIES: usize = 100_000;

impl TypoCache {
    fn get(&self, key: &TypoKey) -> Option<Arc<[String]>> {
        let entries = self
            .entries
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        entries.get(key).cloned()
    }

    fn insert(&self, key: TypoKey, variants: Vec<String>) {
        let mut entries = self
            .entries
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() >= TYPO_CACHE_ENTRIES {
            entries.clear();
        }
        entries.insert(key, variants.into());
    }
}

/// One edit for words of 5 letters or more, two for 9 or more.
fn allowed_typos(word: &str) -> u8 {
    match word.chars().count() {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

fn facet_query(audience: &AudienceFields, filter: &FacetFilter) -> Box<dyn Query> {
    let (field, _) = audience.facet(filter.facet);
    let values = filter
        .any_of
        .iter()
        .map(|value| Term::from_field_text(*field, value));
    unscored_union(values.collect())
}

fn cells_query(field: Field, cells: Vec<Cell>) -> Box<dyn Query> {
    unscored_union(
        cells
            .into_iter()
            .map(|cell| Term::from_field_u64(field, cell.term()))
            .collect(),
    )
}

/// Documents with any of `terms`, scoring nothing.
fn unscored_union(terms: Vec<Term>) -> Box<dyn Query> {
    if terms.is_empty() {
        return Box::new(EmptyQuery);
    }
    let clauses = terms
        .into_iter()
        .map(|term| Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>)
        .collect();
    Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::union(clauses)), 0.0))
}

#[cfg(test)]
mod tests {
    use super::allowed_typos;

    #[test]
    fn longer_words_allow_more_typos() {
        assert_eq!(
            [
                allowed_typos("aid"),
                allowed_typos("legal"),
                allowed_typos("migrants"),
                allowed_typos("detention")
            ],
            [0, 1, 1, 2]
        );
        assert_eq!(allowed_typos("ማሕበር"), 0);
    }
}
