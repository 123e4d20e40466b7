//! What a search hit shows of each organisation of a segment (its id, name, description and locations, and
//! who may see them), read from the stored organisations once, when the segment's values are decoded, and
//! kept side by side in memory: a hit then reads a few hundred bytes where it would read a stored block,
//! find it through the store's skip index, copy it and parse its JSON (a sixth of a search request's time).

use std::ops::Range;

use tantivy::schema::{Field, Value};
use tantivy::{DocId, SegmentReader, TantivyDocument, TantivyError};

use crate::audience::Audience;
use crate::document::{Coordinates, FieldVisibility, Precision, StoredHit};

/// The cards of a segment's documents, in document order, their words in one string.
#[derive(Default)]
pub(crate) struct Cards {
    text: String,
    cards: Vec<Entry>,
    locations: Vec<LocationEntry>,
}

/// Where one card's words and locations lie.
struct Entry {
    id: Range<u32>,
    name: Range<u32>,
    description: Range<u32>,
    locations: Range<u32>,
    visibility: FieldVisibility,
}

struct LocationEntry {
    id: Range<u32>,
    town: Range<u32>,
    coordinates: Coordinates,
    precision: Precision,
}

/// One organisation's card.
pub(crate) struct Card<'a> {
    cards: &'a Cards,
    entry: &'a Entry,
}

/// A location as an audience sees it on a card.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct CardLocation<'a> {
    pub(crate) id: &'a str,
    pub(crate) town: &'a str,
    pub(crate) coordinates: Coordinates,
}

impl Cards {
    /// The cards of every document of the segment (deleted ones too, so that a document's number finds its
    /// card), from the stored organisations in `organisation`.
    pub(crate) fn decode(reader: &SegmentReader, organisation: Field) -> tantivy::Result<Self> {
        let store = reader.get_store_reader(1)?;
        let mut cards = Cards::default();
        for document in store.iter::<TantivyDocument>(None) {
            let document = document?;
            let stored = document
                .get_first(organisation)
                .and_then(|value| value.as_str())
                .ok_or_else(|| TantivyError::InvalidArgument("a document without its organisation".into()))?;
            let hit: StoredHit = serde_json::from_str(stored)
                .map_err(|error| TantivyError::InvalidArgument(format!("a stored organisation: {error}")))?;
            cards.push(&hit)?;
        }
        if cards.cards.len() != reader.max_doc() as usize {
            return Err(TantivyError::InvalidArgument(format!(
                "{} stored organisations for {} documents",
                cards.cards.len(),
                reader.max_doc()
            )));
        }
        cards.text.shrink_to_fit();
        cards.cards.shrink_to_fit();
        cards.locations.shrink_to_fit();
        Ok(cards)
    }

    fn push(&mut self, hit: &StoredHit) -> tantivy::Result<()> {
        let first_location = self.locations.len();
        for location in &hit.locations {
            let entry = LocationEntry {
                id: self.words(&location.id)?,
                town: self.words(&location.town)?,
                coordinates: location.coordinates,
                precision: location.precision,
            };
            self.locations.push(entry);
        }
        let entry = Entry {
            id: self.words(&hit.id)?,
            name: self.words(&hit.name)?,
            description: self.words(&hit.description)?,
            locations: first_location as u32..self.locations.len() as u32,
            visibility: hit.visibility,
        };
        self.cards.push(entry);
        Ok(())
    }

    /// Appends `words` to the text and says where they lie.
    fn words(&mut self, words: &str) -> tantivy::Result<Range<u32>> {
        let start = self.text.len();
        self.text.push_str(words);
        match (u32::try_from(start), u32::try_from(self.text.len())) {
            (Ok(start), Ok(end)) => Ok(start..end),
            _ => Err(TantivyError::InvalidArgument(
                "a segment's cards hold over 4 GB of text".into(),
            )),
        }
    }

    fn text(&self, range: &Range<u32>) -> &str {
        &self.text[range.start as usize..range.end as usize]
    }

    /// The card of `doc`.
    pub(crate) fn card(&self, doc: DocId) -> Card<'_> {
        Card {
            cards: self,
            entry: &self.cards[doc as usize],
        }
    }

    pub(crate) fn bytes(&self) -> usize {
        self.text.len()
            + self.cards.len() * size_of::<Entry>()
            + self.locations.len() * size_of::<LocationEntry>()
    }
}

impl<'a> Card<'a> {
    pub(crate) fn id(&self) -> &'a str {
        self.cards.text(&self.entry.id)
    }

    pub(crate) fn name(&self) -> &'a str {
        self.cards.text(&self.entry.name)
    }

    /// The description, if `audience` may see it.
    pub(crate) fn description_seen_by(&self, audience: Audience) -> Option<&'a str> {
        let description = self.cards.text(&self.entry.description);
        self.entry.visibility.description(audience, description)
    }

    /// The `slot`th location that `audience` sees (the numbering of `OrganisationView::locations`).
    pub(crate) fn location_seen_by(&self, audience: Audience, slot: usize) -> Option<CardLocation<'a>> {
        let range = &self.entry.locations;
        let locations = &self.cards.locations[range.start as usize..range.end as usize];
        self.entry
            .visibility
            .shown_locations(audience, locations)
            .iter()
            .filter_map(|location| {
                Some(CardLocation {
                    id: self.cards.text(&location.id),
                    town: self.cards.text(&location.town),
                    coordinates: location.precision.seen_at(audience, location.coordinates)?,
                })
            })
            .nth(slot)
    }
}

#[cfg(test)]
mod tests {
    use super::{CardLocation, Cards};
    use crate::audience::{Audience, Visibility};
    use crate::document::tests::organisation;
    use crate::document::{Organisation, Precision, StoredHit};

    fn cards_of(organisations: &[Organisation]) -> Cards {
        let mut cards = Cards::default();
        for organisation in organisations {
            let stored = serde_json::to_string(organisation).unwrap();
            let hit: StoredHit = serde_json::from_str(&stored).unwrap();
            cards.push(&hit).unwrap();
        }
        cards
    }

    /// Each card shows each audience what that audience's view of the organisation shows, hidden and coarse
    /// locations, a closed profile and closed locations included, whichever card it is in the segment.
    #[test]
    fn a_card_shows_each_audience_what_its_view_shows() {
        let mut closed = organisation("a", "Sheffield \"Eritrean\" Community", "Drop-in on Tuesdays");
        let mut second = closed.locations[0].clone();
        second.id = "a-l2".to_string();
        second.town = "Rotherham".to_string();
        second.precision = Precision::Area;
        closed.locations[0].precision = Precision::Hidden;
        closed.locations.push(second);
        closed.visibility.profile = Visibility::Network;
        let mut open = organisation("b", "Leeds Roma Women", "English classes");
        open.locations[0].id = "b-l1".to_string();
        let mut hidden_locations = closed.clone();
        hidden_locations.id = "c".to_string();
        hidden_locations.visibility.locations = Visibility::Private;
        let organisations = [closed, open, hidden_locations];
        let cards = cards_of(&organisations);
        for (doc, organisation) in organisations.iter().enumerate() {
            let card = cards.card(doc as u32);
            assert_eq!(
                (card.id(), card.name()),
                (organisation.id.as_str(), organisation.name.as_str())
            );
            for audience in Audience::ALL {
                let view = organisation.seen_by(audience);
                assert_eq!(
                    card.description_seen_by(audience),
                    view.description,
                    "{audience:?}"
                );
                let shown: Vec<_> = (0..4)
                    .map_while(|slot| card.location_seen_by(audience, slot))
                    .collect();
                let expected: Vec<_> = view
                    .locations
                    .iter()
                    .map(|seen| CardLocation {
                        id: &seen.location.id,
                        town: &seen.location.town,
                        coordinates: seen.coordinates,
                    })
                    .collect();
                assert_eq!(shown, expected, "{} {audience:?}", organisation.id);
            }
        }
        assert_eq!(cards.card(2).location_seen_by(Audience::Network, 0), None);
        assert!(cards.card(2).location_seen_by(Audience::Privileged, 1).is_some());
    }
}
