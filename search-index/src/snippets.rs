//! Highlighting the search words in a hit's name and, where its audience may see it, its description.
//! A description is stemmed to find the words that match, and stemming was most of a highlight's cost; as
//! English stemming keeps a word's first letter, only the words that begin as a searched word does are
//! stemmed, the others are blanked (they could match nothing), so the same words are highlighted in the
//! same fragment for a fraction of the work.

use std::collections::BTreeMap;

use tantivy::query::Query;
use tantivy::schema::Field;
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};
use tantivy::{Score, Searcher};

use crate::audience::Audience;
use crate::error::Result;
use crate::request::Snippets;
use crate::schema::Fields;
use crate::tokenize;

/// The longest fragment of a description shown (tantivy's default).
const FRAGMENT_CHARS: usize = 150;

/// Highlights the words of one search.
pub(crate) struct SnippetMaker {
    generators: Option<(SnippetGenerator, SnippetGenerator)>,
}

impl SnippetMaker {
    pub(crate) fn new(
        searcher: &Searcher,
        fields: &Fields,
        audience: Audience,
        text: Option<&dyn Query>,
    ) -> Result<Self> {
        let generators = match text {
            Some(text) => Some((
                SnippetGenerator::create(searcher, text, fields.name)?,
                description_generator(searcher, text, fields.audience(audience).description)?,
            )),
            None => None,
        };
        Ok(SnippetMaker { generators })
    }

    pub(crate) fn snippets(&self, name: &str, description: Option<&str>) -> Snippets {
        let Some((name_generator, description_generator)) = &self.generators else {
            return Snippets::default();
        };
        let highlight = |generator: &SnippetGenerator, text: &str| {
            let snippet = generator.snippet(text);
            (!snippet.is_empty()).then(|| snippet.to_html())
        };
        Snippets {
            name: highlight(name_generator, name),
            description: description.and_then(|description| highlight(description_generator, description)),
        }
    }
}

/// What `SnippetGenerator::create` makes for a description field (the query's terms in it, each weighted
/// by its rarity), stemming only the words that could match.
fn description_generator(searcher: &Searcher, query: &dyn Query, field: Field) -> Result<SnippetGenerator> {
    let mut terms = Vec::new();
    query.query_terms(&mut |term, _| {
        if term.field() == field {
            terms.push(term.clone());
        }
    });
    let mut weights: BTreeMap<String, Score> = BTreeMap::new();
    for term in terms {
        let Some(text) = term.value().as_str().map(str::to_string) else {
            continue;
        };
        let documents = searcher.doc_freq(&term)?;
        if documents > 0 {
            weights.insert(text, 1.0 / (1.0 + documents as Score));
        }
    }
    let first_letters = weights.keys().filter_map(|word| word.chars().next()).collect();
    let analyzer = tokenize::folded_english_where(BlankUnlessFirstLetter(first_letters));
    Ok(SnippetGenerator::new(weights, analyzer, field, FRAGMENT_CHARS))
}

/// Blanks every word that does not begin with one of these letters; the stemmer after it then has
/// nothing to do for them. Offsets are kept, so fragments are cut where they would be.
#[derive(Clone)]
pub(crate) struct BlankUnlessFirstLetter(Vec<char>);

impl TokenFilter for BlankUnlessFirstLetter {
    type Tokenizer<T: Tokenizer> = BlankingTokenizer<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> BlankingTokenizer<T> {
        BlankingTokenizer {
            inner,
            letters: self.0,
        }
    }
}

#[derive(Clone)]
pub(crate) struct BlankingTokenizer<T> {
    inner: T,
    letters: Vec<char>,
}

impl<T: Tokenizer> Tokenizer for BlankingTokenizer<T> {
    type TokenStream<'a> = BlankingTokenStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        BlankingTokenStream {
            inner: self.inner.token_stream(text),
            letters: &self.letters,
        }
    }
}

pub(crate) struct BlankingTokenStream<'a, S> {
    inner: S,
    letters: &'a [char],
}

impl<S: TokenStream> TokenStream for BlankingTokenStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.inner.advance() {
            return false;
        }
        let text = &mut self.inner.token_mut().text;
        if text
            .chars()
            .next()
            .is_none_or(|first| !self.letters.contains(&first))
        {
            text.clear();
        }
        true
    }

    fn token(&self) -> &Token {
        self.inner.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.inner.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema};
    use tantivy::snippet::SnippetGenerator;
    use tantivy::{doc, Index, Term};

    use super::description_generator;
    use crate::index::testing::generator;
    use crate::schema::text;
    use crate::tokenize::{self, FOLDED_ENGLISH};

    /// Over 300 generated descriptions and searches for one or two words, the highlights are exactly
    /// tantivy's, which stems every word.
    #[test]
    fn descriptions_are_highlighted_as_when_every_word_is_stemmed() {
        let mut schema = Schema::builder();
        let description = schema.add_text_field("description", text(FOLDED_ENGLISH));
        let index = Index::create_in_ram(schema.build());
        tokenize::register(index.tokenizers());
        let mut writer = index.writer(15_000_000).expect("a writer");
        let mut generator = generator(11);
        let descriptions: Vec<String> = (0..300)
            .map(|number| generator.organisation(number).description)
            .collect();
        for text in &descriptions {
            writer
                .add_document(doc!(description => text.as_str()))
                .expect("added");
        }
        writer.commit().expect("committed");
        let searcher = index.reader().expect("a reader").searcher();
        let searches = [
            "advice",
            "women",
            "refugee",
            "housing support",
            "english classes",
            "drop-in",
            "youth arts",
            "legal",
            "destitution health",
            "kurdish",
            "solidarity",
            "appeals",
        ];
        let mut highlighted = 0;
        for search in searches {
            let clauses: Vec<(Occur, Box<dyn Query>)> =
                tokenize::tokens(&mut tokenize::folded_english(), search)
                    .into_iter()
                    .map(|word| {
                        let term = Term::from_field_text(description, &word);
                        let query: Box<dyn Query> = Box::new(TermQuery::new(term, IndexRecordOption::Basic));
                        (Occur::Should, query)
                    })
                    .collect();
            let query = BooleanQuery::new(clauses);
            let every_word = SnippetGenerator::create(&searcher, &query, description).expect("tantivy's");
            let ours = description_generator(&searcher, &query, description).expect("ours");
            for text in &descriptions {
                let expected = every_word.snippet(text).to_html();
                assert_eq!(ours.snippet(text).to_html(), expected, "{search:?} in {text:?}");
                highlighted += usize::from(expected.contains("<b>"));
            }
        }
        assert!(highlighted > 300, "only {highlighted} highlights were compared");
    }
}
