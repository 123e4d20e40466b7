//! The area filter as a tantivy query: the documents with a visible location in a search area. Documents
//! of cells wholly inside the area match without a test; those of cells on its edge match when one of their
//! points passes the exact test (haversine distance, point in polygon). Counting the matches of an area (or
//! of text, facets and an area together) therefore reads no coordinates for most of them.

use std::fmt;
use std::sync::Arc;

use tantivy::query::{
    BooleanQuery, ConstScoreQuery, EmptyScorer, EnableScoring, Explanation, Query, Scorer, TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

use crate::cells::Cell;
use crate::collect::LocationTest;
use crate::geography::{SearchArea, SplitCover, AREA_ALONE_CELLS, AREA_ASKED_CELLS};
use crate::values::{AudienceView, SegmentView};

/// Documents with a point (of those `view` reads) in `area`, found through the cell terms of `cells`.
#[derive(Clone)]
pub(crate) struct AreaQuery {
    cells: Field,
    view: AudienceView,
    test: Arc<LocationTest>,
    cover: Arc<SplitCover>,
}

impl AreaQuery {
    pub(crate) fn new(cells: Field, view: &AudienceView, area: &SearchArea) -> Self {
        AreaQuery::with_cover(cells, view, area, area.split_cover(AREA_ALONE_CELLS))
    }

    fn with_cover(cells: Field, view: &AudienceView, area: &SearchArea, cover: SplitCover) -> Self {
        AreaQuery {
            cells,
            view: view.clone(),
            test: Arc::new(LocationTest::new(Some(area), None)),
            cover: Arc::new(cover),
        }
    }

    /// Any document of the area's cells, inside or on the edge, untested: to narrow a query down before
    /// `TestedQuery` tests what is left. (Fewer cells than alone: each candidate of the other clauses
    /// seeks them all.)
    pub(crate) fn candidates(cells: Field, view: &AudienceView, area: &SearchArea) -> Self {
        let split = area.split_cover(AREA_ASKED_CELLS);
        let all = SplitCover {
            inside: split.inside.into_iter().chain(split.edge).collect(),
            edge: Vec::new(),
        };
        AreaQuery::with_cover(cells, view, area, all)
    }
}

impl fmt::Debug for AreaQuery {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "Area(inside cells={}, edge cells={})",
            self.cover.inside.len(),
            self.cover.edge.len()
        )
    }
}

/// Any document with one of the cells' terms, unscored.
fn cells_weight(
    field: Field,
    cells: &[Cell],
    scoring: EnableScoring<'_>,
) -> tantivy::Result<Option<Box<dyn Weight>>> {
    if cells.is_empty() {
        return Ok(None);
    }
    let clauses: Vec<Box<dyn Query>> = cells
        .iter()
        .map(|cell| {
            let term = Term::from_field_u64(field, cell.term());
            Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>
        })
        .collect();
    ConstScoreQuery::new(Box::new(BooleanQuery::union(clauses)), 0.0)
        .weight(scoring)
        .map(Some)
}

impl Query for AreaQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(AreaWeight {
            inside: cells_weight(self.cells, &self.cover.inside, scoring)?,
            edge: cells_weight(self.cells, &self.cover.edge, scoring)?,
            view: self.view.clone(),
            test: Arc::clone(&self.test),
        }))
    }
}

struct AreaWeight {
    inside: Option<Box<dyn Weight>>,
    edge: Option<Box<dyn Weight>>,
    view: AudienceView,
    test: Arc<LocationTest>,
}

impl Weight for AreaWeight {
    fn scorer(&self, reader: &SegmentReader, _boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let scorer = |weight: &Option<Box<dyn Weight>>| -> tantivy::Result<Box<dyn Scorer>> {
            match weight {
                Some(weight) => weight.scorer(reader, 1.0),
                None => Ok(Box::new(EmptyScorer)),
            }
        };
        Ok(Box::new(AreaScorer::new(
            scorer(&self.inside)?,
            scorer(&self.edge)?,
            self.view.segment(reader)?,
            Arc::clone(&self.test),
        )))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) == doc {
            Ok(Explanation::new("in the area", 0.0))
        } else {
            Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} is not in the area"
            )))
        }
    }
}

/// The union of the inside cells' documents and the edge cells' documents that pass the exact test.
struct AreaScorer {
    inside: Box<dyn Scorer>,
    edge: Box<dyn Scorer>,
    values: SegmentView,
    test: Arc<LocationTest>,
    doc: DocId,
}

impl AreaScorer {
    fn new(
        inside: Box<dyn Scorer>,
        edge: Box<dyn Scorer>,
        values: SegmentView,
        test: Arc<LocationTest>,
    ) -> Self {
        let mut scorer = AreaScorer {
            inside,
            edge,
            values,
            test,
            doc: TERMINATED,
        };
        scorer.settle();
        scorer
    }

    fn passes(&self, doc: DocId) -> bool {
        self.test.best(self.values.points(doc)).is_some()
    }

    /// Sets `doc` to the smaller of the inside docset's document and the first edge document that passes
    /// the exact test. Edge documents are only tested when they come before the inside docset's document
    /// (one it also holds needs no test), so a seek tests no more than it must.
    fn settle(&mut self) {
        loop {
            let (inside, edge) = (self.inside.doc(), self.edge.doc());
            if edge >= inside {
                self.doc = inside;
                return;
            }
            if self.passes(edge) {
                self.doc = edge;
                return;
            }
            self.edge.advance();
        }
    }
}

impl DocSet for AreaScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        if self.inside.doc() == self.doc {
            self.inside.advance();
        }
        if self.edge.doc() == self.doc {
            self.edge.advance();
        }
        self.settle();
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        if self.inside.doc() < target {
            self.inside.seek(target);
        }
        if self.edge.doc() < target {
            self.edge.seek(target);
        }
        self.settle();
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.inside.size_hint().saturating_add(self.edge.size_hint())
    }

    /// Edge documents each cost a read of their points and the exact test: in an intersection, a cheaper
    /// docset should lead and this one only be asked about its candidates.
    fn cost(&self) -> u64 {
        self.inside.cost() + EDGE_COST * self.edge.cost()
    }
}

/// How much more an edge document costs than one of a postings list.
const EDGE_COST: u64 = 1;

impl Scorer for AreaScorer {
    fn score(&mut self) -> Score {
        0.0
    }
}

/// The documents of `inner` with a point (of those `view` reads) in an area: the exact test applied to what
/// a selective query (text, facets and the area's cells) already narrowed down, so only its matches are
/// tested. Scores are those of `inner`.
pub(crate) struct TestedQuery {
    inner: Box<dyn Query>,
    view: AudienceView,
    test: Arc<LocationTest>,
}

impl TestedQuery {
    pub(crate) fn new(inner: Box<dyn Query>, view: &AudienceView, area: &SearchArea) -> Self {
        TestedQuery {
            inner,
            view: view.clone(),
            test: Arc::new(LocationTest::new(Some(area), None)),
        }
    }
}

impl Clone for TestedQuery {
    fn clone(&self) -> Self {
        TestedQuery {
            inner: self.inner.box_clone(),
            view: self.view.clone(),
            test: Arc::clone(&self.test),
        }
    }
}

impl fmt::Debug for TestedQuery {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "Tested({:?})", self.inner)
    }
}

impl Query for TestedQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(TestedWeight {
            inner: self.inner.weight(scoring)?,
            view: self.view.clone(),
            test: Arc::clone(&self.test),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor);
    }
}

struct TestedWeight {
    inner: Box<dyn Weight>,
    view: AudienceView,
    test: Arc<LocationTest>,
}

impl Weight for TestedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut scorer = TestedScorer {
            inner: self.inner.scorer(reader, boost)?,
            values: self.view.segment(reader)?,
            test: Arc::clone(&self.test),
        };
        scorer.settle();
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) == doc {
            self.inner.explain(reader, doc)
        } else {
            Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} is not in the area"
            )))
        }
    }
}

struct TestedScorer {
    inner: Box<dyn Scorer>,
    values: SegmentView,
    test: Arc<LocationTest>,
}

impl TestedScorer {
    /// Moves on to the first document (from the current one) that passes the test.
    fn settle(&mut self) -> DocId {
        let mut doc = self.inner.doc();
        while doc != TERMINATED && self.test.best(self.values.points(doc)).is_none() {
            doc = self.inner.advance();
        }
        doc
    }
}

impl DocSet for TestedScorer {
    fn advance(&mut self) -> DocId {
        self.inner.advance();
        self.settle()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.inner.seek(target);
        self.settle()
    }

    fn doc(&self) -> DocId {
        self.inner.doc()
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }

    fn cost(&self) -> u64 {
        self.inner.cost()
    }
}

impl Scorer for TestedScorer {
    fn score(&mut self) -> Score {
        self.inner.score()
    }
}
