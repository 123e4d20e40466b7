//! A union of scored queries that, asked to jump ahead, moves only the clauses that are behind: the text of
//! a search inside an intersection with an area or facets. There the other clauses lead and the text is only
//! asked about their candidates; tantivy's buffered union would instead score every match of each
//! 4,096-document window it jumps into. Scores are the same: the sum of the clauses that match.

use std::fmt;

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

/// Documents matching any of `clauses`, scored by the sum of those that match.
pub(crate) struct LazyUnion {
    clauses: Vec<Box<dyn Query>>,
}

impl LazyUnion {
    pub(crate) fn new(clauses: Vec<Box<dyn Query>>) -> Self {
        LazyUnion { clauses }
    }
}

impl Clone for LazyUnion {
    fn clone(&self) -> Self {
        LazyUnion::new(self.clauses.iter().map(|clause| clause.box_clone()).collect())
    }
}

impl fmt::Debug for LazyUnion {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.debug_list().entries(&self.clauses).finish()
    }
}

impl Query for LazyUnion {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self
            .clauses
            .iter()
            .map(|clause| clause.weight(scoring))
            .collect::<tantivy::Result<_>>()?;
        Ok(Box::new(LazyUnionWeight { weights }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for clause in &self.clauses {
            clause.query_terms(visitor);
        }
    }
}

struct LazyUnionWeight {
    weights: Vec<Box<dyn Weight>>,
}

impl Weight for LazyUnionWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let clauses: Vec<Box<dyn Scorer>> = self
            .weights
            .iter()
            .map(|weight| weight.scorer(reader, boost))
            .collect::<tantivy::Result<_>>()?;
        let mut scorer = LazyUnionScorer {
            docs: clauses.iter().map(|clause| clause.doc()).collect(),
            clauses,
            doc: 0,
        };
        scorer.settle();
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        let mut explanation = Explanation::new("sum of the clauses that match", scorer.score());
        for weight in &self.weights {
            if let Ok(clause) = weight.explain(reader, doc) {
                explanation.add_detail(clause);
            }
        }
        Ok(explanation)
    }
}

struct LazyUnionScorer {
    clauses: Vec<Box<dyn Scorer>>,
    /// The document each clause is on (`TERMINATED` once exhausted): which clauses to move is decided
    /// without asking each one.
    docs: Vec<DocId>,
    doc: DocId,
}

impl LazyUnionScorer {
    /// The union is at the smallest document of its clauses.
    fn settle(&mut self) -> DocId {
        self.doc = self.docs.iter().copied().min().unwrap_or(TERMINATED);
        self.doc
    }
}

impl DocSet for LazyUnionScorer {
    fn advance(&mut self) -> DocId {
        let doc = self.doc;
        if doc == TERMINATED {
            return TERMINATED;
        }
        for (clause, at) in self.clauses.iter_mut().zip(&mut self.docs) {
            if *at == doc {
                *at = clause.advance();
            }
        }
        self.settle()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for (clause, at) in self.clauses.iter_mut().zip(&mut self.docs) {
            if *at < target {
                *at = clause.seek(target);
            }
        }
        self.settle()
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.clauses
            .iter()
            .map(|clause| clause.size_hint())
            .fold(0, u32::saturating_add)
    }

    fn cost(&self) -> u64 {
        self.clauses.iter().map(|clause| clause.cost()).sum()
    }
}

impl Scorer for LazyUnionScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        self.clauses
            .iter_mut()
            .zip(&self.docs)
            .filter(|(_, at)| **at == doc)
            .map(|(clause, _)| clause.score())
            .sum()
    }
}
