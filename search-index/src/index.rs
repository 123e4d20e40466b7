//! The directory index: open or create it, follow the outbox (changes and their position committed
//! together), rebuild it beside a live one, and search it.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use tantivy::directory::MmapDirectory;
use tantivy::query::Query;
use tantivy::schema::Value;
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term};

use crate::audience::Audience;
use crate::cells::{pack, terms_of};
use crate::collect::{Candidate, LocationTest, MatchCollector, Matches};
use crate::document::Organisation;
use crate::error::{Result, SearchIndexError};
use crate::geography::{valid_coordinates, SearchArea};
use crate::nearest::nearest;
use crate::outbox::{Change, OutboxEntry};
use crate::query::RequestQueries;
use crate::request::{
    Facet, FacetCount, MatchedLocation, Order, OrganisationHit, SearchRequest, SearchResults, Snippets,
};
use crate::schema::{self, Fields};
use crate::tokenize;

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
}

impl DirectoryIndex {
    /// Opens the index in `directory` (created if missing, and the index in it if empty). An index built
    /// with another schema is refused: rebuild it.
    pub fn open_or_create(directory: &Path) -> Result<Self> {
        std::fs::create_dir_all(directory)?;
        let (schema, fields) = schema::build();
        DirectoryIndex::with_index(
            Index::open_or_create(MmapDirectory::open(directory)?, schema)?,
            fields,
        )
    }

    /// An index in memory, for tests.
    pub fn in_memory() -> Result<Self> {
        let (schema, fields) = schema::build();
        DirectoryIndex::with_index(Index::create_in_ram(schema), fields)
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
        }
        fresh.reader.reload()?;
        Ok(fresh)
    }

    fn with_index(index: Index, fields: Fields) -> Result<Self> {
        tokenize::register(index.tokenizers());
        let writer = index.writer(WRITER_MEMORY_BYTES)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(DirectoryIndex {
            index,
            fields,
            writer: Mutex::new(writer),
            reader,
        })
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
        self.reader.reload()?;
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

    /// Runs a search for its audience.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        validate(request)?;
        let searcher = self.reader.searcher();
        let audience = self.fields.audience(request.audience);
        let queries = RequestQueries::new(&self.fields, request);
        let k = request.offset + request.limit;
        let facets: Vec<(Facet, String)> = if request.count_facets {
            Facet::ALL
                .iter()
                .map(|facet| (*facet, audience.facet(*facet).1.clone()))
                .collect()
        } else {
            Vec::new()
        };
        let Matches {
            total,
            facet_counts,
            best,
        } = match (request.order, &request.area) {
            (Order::DistanceFrom(from), None) => {
                let best = nearest(&searcher, audience, from, k, queries.restriction().as_deref())?;
                let located = queries.located(audience);
                if facets.is_empty() {
                    Matches {
                        total: located.count(&searcher)? as u64,
                        facet_counts: BTreeMap::new(),
                        best,
                    }
                } else {
                    let counting = MatchCollector {
                        locations: None,
                        facets,
                        k: 0,
                        by_distance: false,
                        scoring: false,
                    };
                    Matches {
                        best,
                        ..searcher.search(&*located, &counting)?
                    }
                }
            }
            (order, area) => {
                let origin = match (order, area) {
                    (Order::DistanceFrom(from), _) => Some(from),
                    (Order::Relevance, Some(SearchArea::Near { centre, .. })) => Some(*centre),
                    (Order::Relevance, _) => None,
                };
                let locations = (area.is_some() || origin.is_some()).then(|| {
                    (
                        LocationTest::new(area.as_ref(), origin),
                        audience.points_column.clone(),
                    )
                });
                let by_distance = matches!(order, Order::DistanceFrom(_));
                let scoring = !by_distance && queries.text.is_some();
                let collector = MatchCollector {
                    locations,
                    facets,
                    k,
                    by_distance,
                    scoring,
                };
                searcher.search(&*queries.combined(), &collector)?
            }
        };
        let snippets = SnippetMaker::new(&searcher, &self.fields, request.audience, queries.text.as_deref())?;
        let hits = best
            .into_iter()
            .skip(request.offset)
            .map(|candidate| self.hit(&searcher, request.audience, candidate, &snippets))
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

    fn hit(
        &self,
        searcher: &Searcher,
        audience: Audience,
        candidate: Candidate,
        snippets: &SnippetMaker,
    ) -> Result<OrganisationHit> {
        let document: TantivyDocument = searcher.doc(candidate.doc)?;
        let stored = document
            .get_first(self.fields.organisation)
            .and_then(|value| value.as_str())
            .ok_or(SearchIndexError::MissingStoredOrganisation)?;
        let organisation: Organisation = serde_json::from_str(stored)?;
        let view = organisation.seen_by(audience);
        let matched_location = candidate.location.and_then(|matched| {
            view.locations.get(matched.slot).map(|location| MatchedLocation {
                location_id: location.location.id.clone(),
                town: location.location.town.clone(),
                coordinates: location.coordinates,
                distance_km: matched.distance_km,
            })
        });
        Ok(OrganisationHit {
            snippets: snippets.snippets(&organisation.name, view.description),
            organisation_id: organisation.id.clone(),
            name: organisation.name.clone(),
            score: candidate.score,
            matched_location,
        })
    }
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

/// Highlights the search words in the name and, where the audience may see it, the description.
struct SnippetMaker {
    generators: Option<(SnippetGenerator, SnippetGenerator)>,
}

impl SnippetMaker {
    fn new(
        searcher: &Searcher,
        fields: &Fields,
        audience: Audience,
        text: Option<&dyn Query>,
    ) -> Result<Self> {
        let generators = match text {
            Some(text) => Some((
                SnippetGenerator::create(searcher, text, fields.name)?,
                SnippetGenerator::create(searcher, text, fields.audience(audience).description)?,
            )),
            None => None,
        };
        Ok(SnippetMaker { generators })
    }

    fn snippets(&self, name: &str, description: Option<&str>) -> Snippets {
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
