//! Turns a search request into tantivy queries over the fields of its audience: text (boosted per field,
//! typo-tolerant), facet filters and the cell cover of its area.

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, FuzzyTermQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use crate::cells::Cell;
use crate::request::{FacetFilter, SearchRequest};
use crate::schema::{AudienceFields, Fields};
use crate::tokenize::{folded_english, query_words, tokens};

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
    /// Unscored: facets and area cover.
    filters: Vec<Box<dyn Query>>,
}

impl RequestQueries {
    pub(crate) fn new(fields: &Fields, request: &SearchRequest) -> Self {
        let audience = fields.audience(request.audience);
        let text = request
            .text
            .as_deref()
            .and_then(|text| text_query(fields.name, audience, text));
        let mut filters: Vec<Box<dyn Query>> = request
            .filters
            .iter()
            .map(|filter| facet_query(audience, filter))
            .collect();
        if let Some(area) = &request.area {
            filters.push(cells_query(audience.cells, area.cover()));
        }
        RequestQueries { text, filters }
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

    /// Text and filters, if the request has any: what restricts a nearest-k search.
    pub(crate) fn restriction(&self) -> Option<Box<dyn Query>> {
        (!self.filters.is_empty() || self.text.is_some()).then(|| self.combined())
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

/// Every word must match in at least one field; exact matches score by BM25 times the field's boost,
/// matches within the allowed typos by a constant share of it.
fn text_query(name: Field, audience: &AudienceFields, text: &str) -> Option<Box<dyn Query>> {
    let mut stemmer = folded_english();
    let words: Vec<Box<dyn Query>> = query_words(text)
        .into_iter()
        .map(|word| {
            let stemmed = tokens(&mut stemmer, &word).pop().unwrap_or_else(|| word.clone());
            let typos = allowed_typos(&word);
            let fields = [
                (name, NAME_BOOST, &word),
                (audience.tags, TAGS_BOOST, &word),
                (audience.places, PLACES_BOOST, &word),
                (audience.description, DESCRIPTION_BOOST, &stemmed),
            ];
            let clauses = fields
                .into_iter()
                .flat_map(|(field, boost, token)| word_in_field(field, boost, token, typos));
            Box::new(BooleanQuery::union(clauses.collect())) as Box<dyn Query>
        })
        .collect();
    (!words.is_empty()).then(|| Box::new(BooleanQuery::intersection(words)) as Box<dyn Query>)
}

/// `typos` counts by the word as typed, also for its stem.
fn word_in_field(field: Field, boost: f32, token: &str, typos: u8) -> Vec<Box<dyn Query>> {
    let term = Term::from_field_text(field, token);
    let exact: Box<dyn Query> = Box::new(BoostQuery::new(
        Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
        boost,
    ));
    match typos {
        0 => vec![exact],
        typos => vec![
            exact,
            Box::new(BoostQuery::new(
                Box::new(FuzzyTermQuery::new(term, typos, true)),
                boost * TYPO_SHARE,
            )),
        ],
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
