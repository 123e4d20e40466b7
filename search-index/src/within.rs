//! The area filter as a tantivy query: the documents with a visible location in a search area (and the
//! facet values filtered for), found in the audience's map of each segment (`map`; for a filter on one
//! widely held theme, the map of that theme's documents alone), exactly: locations of
//! cells wholly inside the area match untested, those of cells on its edge when a quick test settles them
//! inside (`circle`) or, when it cannot, they pass the exact test (haversine distance, point in polygon),
//! per document after the facet filters. Facet values are read from the decoded values first, so only
//! documents that have them are tested. Asked about another clause's candidate, it answers from a bitset.

use std::fmt;
use std::sync::Arc;

use tantivy::query::{ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader};

use crate::cells::unpack;
use crate::found_docs::FoundDocs;
use crate::geography::{AreaTest, SearchArea, SplitCover, AREA_CELLS};
use crate::map::{Found, Map};
use crate::request::{Facet, FacetFilter};
use crate::values::{AudienceView, SegmentView};

/// Documents with a point (of those `view` reads) in `area` and, for each filter, one of its values.
#[derive(Clone)]
pub(crate) struct AreaQuery {
    view: AudienceView,
    test: Arc<AreaTest>,
    cover: Arc<SplitCover>,
    filters: Arc<[FacetFilter]>,
}

impl AreaQuery {
    pub(crate) fn new(view: &AudienceView, area: &SearchArea, filters: &[FacetFilter]) -> Self {
        AreaQuery {
            view: view.clone(),
            test: Arc::new(AreaTest::new(area)),
            cover: Arc::new(area.split_cover(AREA_CELLS)),
            filters: filters.into(),
        }
    }
}

impl fmt::Debug for AreaQuery {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "Area(inside cells={}, edge cells={}, filters={:?})",
            self.cover.inside.len(),
            self.cover.edge.len(),
            self.filters
        )
    }
}

impl Query for AreaQuery {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

/// Narrows `found` word by word by the filters whose values are all widely held (kept as bitsets of
/// documents); returns the others, to check per document: per filter, whether each of the segment's facet
/// value numbers is one it keeps.
fn narrow(
    found: &mut Found,
    values: &SegmentView,
    filters: &[FacetFilter],
    max_doc: DocId,
) -> Vec<Vec<bool>> {
    let mut checked = Vec::new();
    for filter in filters {
        let numbers: Vec<usize> = filter
            .any_of
            .iter()
            .filter_map(|value| values.facet_number(filter.facet, value))
            .collect();
        let sets: Option<Vec<&[u64]>> = numbers.iter().map(|number| values.facet_docs(*number)).collect();
        match sets.as_deref() {
            // One value (the usual filter): its own bitset, not a copy.
            Some([set]) => found.narrow(set),
            Some(sets) => {
                let mut union = vec![0; (max_doc as usize).div_ceil(64)];
                for set in sets {
                    union.iter_mut().zip(*set).for_each(|(word, docs)| *word |= docs);
                }
                found.narrow(&union);
            }
            None => {
                let mut wanted = vec![false; values.facet_value_count()];
                numbers.into_iter().for_each(|number| wanted[number] = true);
                checked.push(wanted);
            }
        }
    }
    checked
}

/// The map to read for `filters`: a theme's own when a filter asks for one theme that has one (only its
/// documents' locations are read, and that filter needs no narrowing), else the audience's; and the filters
/// left to narrow by.
fn map_for<'a>(values: &'a SegmentView, filters: &[FacetFilter]) -> (&'a Map, Vec<FacetFilter>) {
    let theme = filters
        .iter()
        .enumerate()
        .find_map(|(position, filter)| match &filter.any_of[..] {
            [value] if filter.facet == Facet::Theme => {
                let number = values.facet_number(Facet::Theme, value)?;
                Some((position, values.theme_map(number)?))
            }
            _ => None,
        });
    let mut left = filters.to_vec();
    match theme {
        Some((position, map)) => {
            left.remove(position);
            (map, left)
        }
        None => (values.map(), left),
    }
}

impl Weight for AreaQuery {
    fn scorer(&self, reader: &SegmentReader, _boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let values = self.view.segment(reader)?;
        let max_doc = reader.max_doc();
        let (map, filters) = map_for(&values, &self.filters);
        let mut found = map.found_in(&self.cover, &self.test, max_doc);
        let checked = narrow(&mut found, &values, &filters, max_doc);
        let matches = found.into_matches(!checked.is_empty(), |doc, inside| {
            let kept = checked.is_empty() || {
                let numbers = values.facet_numbers(doc);
                checked
                    .iter()
                    .all(|wanted| numbers.iter().any(|number| wanted[*number as usize]))
            };
            kept && (inside
                || values
                    .points(doc)
                    .iter()
                    .any(|point| self.test.contains(unpack(*point))))
        });
        Ok(Box::new(ConstScorer::new(FoundDocs::new(matches), 0.0)))
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
