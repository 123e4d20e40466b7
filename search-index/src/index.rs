//! The directory index: open or create it, follow the outbox (changes and their position committed
//! together), rebuild it beside a live one, and search it.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use tantivy::directory::MmapDirectory;
use tantivy::merge_policy::{LogMergePolicy, NoMergePolicy};
use tantivy::query::{EnableScoring, Query};
use tantivy::schema::Value;
use tantivy::{
    DocAddress, DocSet, Index, IndexReader, IndexWriter, ReloadPolicy, Score, Searcher, SegmentOrdinal,
    TantivyDocument, Term, Warmer, TERMINATED,
};

use crate::audience::Audience;
use crate::cells::{pack, terms_of};
use crate::collect::{BestCandidates, Candidate, LocationTest, MatchCollector};
use crate::document::Organisation;
use crate::error::{Result, SearchIndexError};
use crate::geography::{valid_coordinates, SearchArea};
use crate::nearest::nearest;
use crate::outbox::{Change, OutboxEntry};
use crate::query::{RequestQueries, TypoCache};
use crate::request::{
    Facet, FacetCount, MatchedLocation, Order, OrganisationHit, SearchRequest, SearchResults,
};
use crate::schema::{self, Fields};
use crate::snippets::SnippetMaker;
use crate::tokenize;
use crate::values::{AudienceView, Values};

/// Memory for the writer's in-memory segments, shared by its threads.
const WRITER_MEMORY_BYTES: usize = 256 * 1024 * 1024;
/// The most hits one page may ask for.
pub const MAX_LIMIT: usize = 1_000;

/// The search index of the directory. Share it (`Arc`) between threads: searches run concurrently, and
/// changes are applied one batch at a time.
pub struct DirectoryIndex {
    index: Index,
    fields: Fields,
    writer: Mutex<IndexWriter>,
    reader: IndexReader,
    /// Typo variants of searched words, per segment.
    typos: TypoCache,
    /// Points and facet values of every segment, decoded.
    values: Arc<Values>,
}

impl DirectoryIndex {
    /// Opens the index in `directory` (created if missing, and the index in it if empty). An index built
    /// with another schema is refused: rebuild it.
    pub fn open_or_create(directory: &Path) -> Result<Self> {
        std::fs::create_dir_all(directory)?;
        let (builder, fields) = schema::index_builder();
        let index = builder.open_or_create(MmapDirectory::open(directory)?)?;
        DirectoryIndex::with_index(index, fields)
    }

    /// An index in memory, for tests.
    pub fn in_memory() -> Result<Self> {
        let (builder, fields) = schema::index_builder();
        DirectoryIndex::with_index(builder.create_in_ram()?, fields)
    }

    /// Builds a complete index of `organisations` in `directory` (which must hold no index), as of outbox
    /// `position`, calling `progress` with the count added so far every 10,000. For `commonground reindex`:
    /// build beside the live index while it keeps serving, apply the outbox after `position`, then swap.
    pub fn rebuild(
        directory: &Path,
        organisations: impl IntoIterator<Item = Organisation>,
        position: i64,
        mut progress: impl FnMut(u64),
    ) -> Result<Self> {
        let fresh = DirectoryIndex::open_or_create(directory)?;
        if fresh.reader.searcher().num_docs() > 0 || fresh.last_applied_position()?.is_some() {
            return Err(SearchIndexError::InvalidRequest(format!(
                "{} already holds an index",
                directory.display()
            )));
        }
        {
            let mut writer = fresh.lock_writer();
            // Merged once at the end rather than level by level while adding.
            writer.set_merge_policy(Box::new(NoMergePolicy));
            let mut added = 0;
            for organisation in organisations {
                writer.add_document(fresh.document(&organisation)?)?;
                added += 1;
                if added % 10_000 == 0 {
                    progress(added);
                }
            }
            progress(added);
            commit_at(&mut writer, position)?;
            // One segment answers fastest: every term, cell and column is looked up once per search.
            let segments = fresh.index.searchable_segment_ids()?;
            if segments.len() > 1 {
                writer.merge(&segments).wait()?;
            }
            writer.set_merge_policy(Box::<LogMergePolicy>::default());
        }
        fresh.reload()?;
        Ok(fresh)
    }

    fn with_index(index: Index, fields: Fields) -> Result<Self> {
        tokenize::register(index.tokenizers());
        let writer = index.writer(WRITER_MEMORY_BYTES)?;
        let values = Arc::new(Values::new(fields.clone()));
        let warmer: Arc<dyn Warmer> = values.clone();
        let reader: IndexReader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .warmers(vec![Arc::downgrade(&warmer)])
            .try_into()?;
        Ok(DirectoryIndex {
            index,
            fields,
            writer: Mutex::new(writer),
            reader,
            typos: TypoCache::default(),
            values,
        })
    }

    /// Makes what is committed searchable, with its values decoded first (`Values` warms the reader).
    fn reload(&self) -> Result<()> {
        self.reader.reload()?;
        Ok(())
    }

    /// Memory held by the decoded points and facet values of every segment, in bytes.
    pub fn decoded_bytes(&self) -> usize {
        self.values.bytes()
    }

    /// The outbox position of the last committed change, `None` for an index that has applied none.
    pub fn last_applied_position(&self) -> Result<Option<i64>> {
        match self.index.load_metas()?.payload {
            None => Ok(None),
            Some(payload) => payload
                .parse()
                .map(Some)
                .map_err(|_| SearchIndexError::CommitPayload(payload)),
        }
    }

    /// How many organisations the index holds.
    pub fn organisation_count(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// The last applied outbox position and every organisation the index holds, as stored, in no
    /// particular order, both as searches see them at one moment: for checking the index against
    /// PostgreSQL. `apply` commits and then reloads while it holds the writer, so taking the position
    /// and the searcher under the writer never pairs a new position with the documents before it.
    pub fn snapshot(&self) -> Result<(Option<i64>, Vec<Organisation>)> {
        let (applied, searcher) = {
            let _writer = self.lock_writer();
            (self.last_applied_position()?, self.reader.searcher())
        };
        let addresses = searcher.search(&tantivy::query::AllQuery, &tantivy::collector::DocSetCollector)?;
        addresses
            .into_iter()
            .map(|address| {
                let document: TantivyDocument = searcher.doc(address)?;
                let stored = document
                    .get_first(self.fields.organisation)
                    .and_then(|value| value.as_str())
                    .ok_or(SearchIndexError::MissingStoredOrganisation)?;
                Ok(serde_json::from_str(stored)?)
            })
            .collect::<Result<_>>()
            .map(|organisations| (applied, organisations))
    }

    /// Applies outbox entries in order and commits them with the position of the last, then makes them
    /// searchable. Entries at or before the last applied position are skipped, so a batch re-read after a
    /// crash applies exactly once. Returns how many entries were applied.
    pub fn apply(&self, entries: &[OutboxEntry]) -> Result<usize> {
        for pair in entries.windows(2) {
            if pair[0].position >= pair[1].position {
                return Err(SearchIndexError::OutOfOrder {
                    previous: pair[0].position,
                    next: pair[1].position,
                });
            }
        }
        let mut writer = self.lock_writer();
        let applied = self.last_applied_position()?;
        let pending: Vec<&OutboxEntry> = entries
            .iter()
            .filter(|entry| applied.is_none_or(|applied| entry.position > applied))
            .collect();
        let Some(last) = pending.last().map(|entry| entry.position) else {
            return Ok(0);
        };
        let written = pending
            .iter()
            .try_for_each(|entry| self.write(&writer, &entry.change))
            .and_then(|()| commit_at(&mut writer, last));
        if let Err(error) = written {
            writer.rollback()?;
            return Err(error);
        }
        self.reload()?;
        Ok(pending.len())
    }

    fn write(&self, writer: &IndexWriter, change: &Change) -> Result<()> {
        match change {
            Change::Upsert(organisation) => {
                writer.delete_term(Term::from_field_text(self.fields.id, &organisation.id));
                writer.add_document(self.document(organisation)?)?;
            }
            Change::Delete { organisation_id } => {
                writer.delete_term(Term::from_field_text(self.fields.id, organisation_id));
            }
        }
        Ok(())
    }

    fn lock_writer(&self) -> std::sync::MutexGuard<'_, IndexWriter> {
        // A panic while holding the writer leaves nothing half-committed: uncommitted changes are dropped.
        self.writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The index document of an organisation: per audience, what that audience may see.
    fn document(&self, organisation: &Organisation) -> Result<TantivyDocument> {
        let fields = &self.fields;
        let mut document = TantivyDocument::default();
        document.add_text(fields.id, &organisation.id);
        document.add_text(fields.name, &organisation.name);
        document.add_text(fields.organisation, serde_json::to_string(organisation)?);
        document.add_u64(fields.place, organisation.place_in_order());
        for audience in Audience::ALL {
            let view = organisation.seen_by(audience);
            let audience_fields = fields.audience(audience);
            if let Some(description) = view.description {
                document.add_text(audience_fields.description, description);
            }
            for tag in view.themes.iter().chain(view.communities) {
                document.add_text(audience_fields.tags, tag);
            }
            let mut cells = Vec::new();
            for location in &view.locations {
                document.add_text(audience_fields.places, &location.location.town);
                document.add_u64(audience_fields.points, pack(location.coordinates));
                cells.extend(terms_of(location.coordinates));
            }
            cells.sort_unstable();
            cells.dedup();
            for cell in cells {
                document.add_u64(audience_fields.cells, cell);
            }
            for facet in Facet::ALL {
                let (field, _) = audience_fields.facet(facet);
                for value in view.facet_values(facet) {
                    document.add_text(*field, value);
                }
            }
        }
        Ok(document)
    }

    /// Which state of the index searches see now: it changes with every commit that is searchable.
    pub fn reader_generation(&self) -> u64 {
        self.reader.searcher().generation().generation_id()
    }

    /// Runs a search for its audience.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        validate(request)?;
        let searcher = self.reader.searcher();
        let audience = self.fields.audience(request.audience);
        let view = AudienceView::new(&self.values, request.audience);
        let queries = RequestQueries::new(&searcher, &self.typos, &self.fields, &view, request)?;
        let k = request.offset + request.limit;
        let facets = request.count_facets.then(|| view.clone());
        let area = request.area.as_ref();
        let counting = |query: &dyn Query| -> Result<(u64, FacetCounts)> {
            if facets.is_none() {
                return Ok((query.count(&searcher)? as u64, BTreeMap::new()));
            }
            let counting = MatchCollector {
                facets: facets.clone(),
                k: 0,
                scoring: false,
            };
            let matches = searcher.search(query, &counting)?;
            Ok((matches.total, matches.facet_counts))
        };
        let (total, facet_counts, best) = match request.order {
            Order::DistanceFrom(from) => {
                let best = nearest(
                    &searcher,
                    audience,
                    &view,
                    from,
                    k,
                    queries.restriction().as_deref(),
                    area,
                )?;
                // In an area, the area query already requires a visible location.
                let matching = match area {
                    Some(_) => queries.combined(),
                    None => queries.located(audience),
                };
                let (total, facet_counts) = counting(&*matching)?;
                (total, facet_counts, best)
            }
            Order::Relevance => {
                let matching = queries.combined();
                let scoring = queries.text.is_some();
                let text_alone = scoring && request.filters.is_empty() && area.is_none();
                let (total, facet_counts, mut best) = if text_alone {
                    // Text alone: counted without scores, and the best found with block-max pruning.
                    let (total, facet_counts) = counting(&*matching)?;
                    (total, facet_counts, best_by_score(&searcher, &*matching, k)?)
                } else if scoring || facets.is_some() || area.is_some() {
                    // One pass counts and keeps the best: by score with text, else the first in index order.
                    let collector = MatchCollector {
                        facets: facets.clone(),
                        k,
                        scoring,
                    };
                    let matches = searcher.search(&*matching, &collector)?;
                    (matches.total, matches.facet_counts, matches.best)
                } else {
                    // Facet filters at most: counted from their postings, then the first in index order.
                    let (total, facet_counts) = counting(&*matching)?;
                    (
                        total,
                        facet_counts,
                        first_in_index_order(&searcher, &*matching, k)?,
                    )
                };
                if let Some(area) = area {
                    // Only the hits are measured: which location is in the area, and how far from the centre
                    // of a `Near` area.
                    let origin = match area {
                        SearchArea::Near { centre, .. } => Some(*centre),
                        _ => None,
                    };
                    let test = LocationTest::new(Some(area), origin);
                    for candidate in &mut best {
                        let reader = searcher.segment_reader(candidate.doc.segment_ord);
                        let values = view.segment(reader)?;
                        candidate.location = test.best(values.points(candidate.doc.doc_id));
                    }
                }
                (total, facet_counts, best)
            }
        };
        let snippets = SnippetMaker::new(&searcher, &self.fields, request.audience, queries.text.as_deref())?;
        let hits = best
            .into_iter()
            .skip(request.offset)
            .map(|candidate| hit(&searcher, &view, candidate, &snippets))
            .collect::<Result<Vec<_>>>()?;
        let next = request.offset + request.limit;
        Ok(SearchResults {
            total,
            hits,
            next_offset: (total > next as u64).then_some(next),
            facet_counts: facet_counts
                .into_iter()
                .map(|(facet, counts)| {
                    let mut counts: Vec<FacetCount> = counts
                        .into_iter()
                        .map(|(value, count)| FacetCount { value, count })
                        .collect();
                    counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
                    (facet, counts)
                })
                .collect(),
        })
    }
}

/// What a hit shows the audience of `view`: read from the segment's cards, its words highlighted.
fn hit(
    searcher: &Searcher,
    view: &AudienceView,
    candidate: Candidate,
    snippets: &SnippetMaker,
) -> Result<OrganisationHit> {
    let values = view.segment(searcher.segment_reader(candidate.doc.segment_ord))?;
    let card = values.card(candidate.doc.doc_id);
    let audience = view.audience();
    let matched_location = candidate.location.and_then(|matched| {
        let location = card.location_seen_by(audience, matched.slot)?;
        Some(MatchedLocation {
            location_id: location.id.to_string(),
            town: location.town.to_string(),
            coordinates: location.coordinates,
            distance_km: matched.distance_km,
        })
    });
    Ok(OrganisationHit {
        snippets: snippets.snippets(card.name(), card.description_seen_by(audience)),
        organisation_id: card.id().to_string(),
        name: card.name().to_string(),
        score: candidate.score,
        matched_location,
    })
}

type FacetCounts = BTreeMap<Facet, BTreeMap<String, u64>>;

/// The `k` best matches of a scored query (ties in index order). Only documents scoring above the `k`th
/// best so far are offered, so a query of one word skips whole blocks of postings (block-max WAND).
fn best_by_score(searcher: &Searcher, query: &dyn Query, k: usize) -> Result<Vec<Candidate>> {
    let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
    let mut best = BestCandidates::new(k);
    let threshold = |best: &BestCandidates| best.threshold().map_or(Score::MIN, |worst| worst.score);
    for (ordinal, reader) in searcher.segment_readers().iter().enumerate() {
        let alive = reader.alive_bitset();
        weight.for_each_pruning(threshold(&best), reader, &mut |doc, score| {
            if alive.is_none_or(|alive| alive.is_alive(doc)) {
                let address = DocAddress::new(ordinal as SegmentOrdinal, doc);
                best.push(Candidate::new(address, score, None, false));
            }
            threshold(&best)
        })?;
    }
    Ok(best.into_sorted())
}

/// The first `k` matches of an unscored query, in index order.
fn first_in_index_order(searcher: &Searcher, query: &dyn Query, k: usize) -> Result<Vec<Candidate>> {
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let mut first = Vec::with_capacity(k);
    for (ordinal, reader) in searcher.segment_readers().iter().enumerate() {
        if first.len() == k {
            break;
        }
        let mut scorer = weight.scorer(reader, 1.0)?;
        let mut doc = scorer.doc();
        while doc != TERMINATED && first.len() < k {
            if !reader.is_deleted(doc) {
                let address = DocAddress::new(ordinal as SegmentOrdinal, doc);
                first.push(Candidate::new(address, 0.0, None, false));
            }
            doc = scorer.advance();
        }
    }
    Ok(first)
}

/// Commits what the writer holds, with `position` as the commit's payload.
fn commit_at(writer: &mut IndexWriter, position: i64) -> Result<()> {
    let mut commit = writer.prepare_commit()?;
    commit.set_payload(&position.to_string());
    commit.commit()?;
    Ok(())
}

fn validate(request: &SearchRequest) -> Result<()> {
    if request.limit == 0 || request.limit > MAX_LIMIT {
        return Err(SearchIndexError::InvalidRequest(format!(
            "limit must be 1 to {MAX_LIMIT}"
        )));
    }
    if let Order::DistanceFrom(from) = request.order {
        if !valid_coordinates(from) {
            return Err(SearchIndexError::InvalidRequest(format!(
                "not a point on Earth: {from:?}"
            )));
        }
    }
    request.area.as_ref().map_or(Ok(()), |area| area.validate())
}

#[cfg(test)]
mod geography_tests;
#[cfg(test)]
mod recovery_tests;
#[cfg(test)]
mod relevance_tests;
#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod visibility_tests;
