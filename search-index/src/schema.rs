//! The index schema. Everything an audience may search, count or measure has its own fields per audience
//! (`description_public`, `description_network`, `description_all`, ...), each filled from what that
//! audience may see (`Organisation::seen_by`), so a query for one audience cannot reach what it may not see.

use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, SchemaBuilder, TextFieldIndexing, TextOptions, FAST,
    STORED, STRING,
};
use tantivy::{Index, IndexBuilder, IndexSettings, IndexSortByField, Order};

use crate::audience::Audience;
use crate::request::Facet;
use crate::tokenize::{FOLDED, FOLDED_ENGLISH};

/// The fields of one audience.
#[derive(Clone, Debug)]
pub(crate) struct AudienceFields {
    /// Description, stemmed.
    pub(crate) description: Field,
    /// Themes and communities, as words.
    pub(crate) tags: Field,
    /// Towns of visible locations.
    pub(crate) places: Field,
    /// Cell terms (`cells`) of every visible location's point.
    pub(crate) cells: Field,
    /// Fast field: the packed points (`cells::pack`) of the visible locations, in the view's order.
    pub(crate) points: Field,
    /// The name of `points`, to read its column.
    pub(crate) points_column: String,
    /// Untokenised, fast: one field per facet, in `Facet::ALL` order.
    pub(crate) facets: [(Field, String); Facet::ALL.len()],
}

impl AudienceFields {
    pub(crate) fn facet(&self, facet: Facet) -> &(Field, String) {
        &self.facets[facet as usize]
    }
}

/// Every field of the index.
#[derive(Clone, Debug)]
pub(crate) struct Fields {
    /// The organisation's uuid, untokenised: updates and deletes go by this term.
    pub(crate) id: Field,
    /// Always public.
    pub(crate) name: Field,
    /// Stored only: the whole organisation as JSON, shown to an audience through `seen_by`.
    pub(crate) organisation: Field,
    /// Fast: where the organisation's first publicly visible location lies on a Z-order curve
    /// (`cells::z_order`), `u64::MAX` without one. The index is sorted by it (`index_builder`), so the
    /// documents of an area sit in a few runs of ids and every postings list is read in few blocks there.
    /// Public points only: what order the index keeps must tell nothing finer than the public may see.
    pub(crate) place: Field,
    audiences: [AudienceFields; Audience::ALL.len()],
}

impl Fields {
    pub(crate) fn audience(&self, audience: Audience) -> &AudienceFields {
        &self.audiences[audience as usize]
    }
}

const PLACE: &str = "place";
/// A builder of an index with this schema, its documents ordered by place in every segment (kept by
/// merges too), and the schema's fields. Stored organisations keep tantivy's default store (lz4 in 16 KB
/// blocks): searches read them only once per segment, into its cards (`cards`); an index built before
/// with uncompressed 4 KB blocks keeps them until `commonground reindex`.
pub(crate) fn index_builder() -> (IndexBuilder, Fields) {
    let (schema, fields) = build();
    let settings = IndexSettings {
        sort_by_field: Some(IndexSortByField {
            field: PLACE.to_string(),
            order: Order::Asc,
        }),
        ..IndexSettings::default()
    };
    (Index::builder().schema(schema).settings(settings), fields)
}

/// The schema and its fields. An index opened from disk must have exactly this schema.
fn build() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let id = builder.add_text_field("id", STRING | STORED);
    let name = builder.add_text_field("name", text(FOLDED));
    let organisation = builder.add_text_field("organisation", STORED);
    let place = builder.add_u64_field(PLACE, FAST);
    let audiences = Audience::ALL.map(|audience| audience_fields(&mut builder, audience));
    (
        builder.build(),
        Fields {
            id,
            name,
            organisation,
            place,
            audiences,
        },
    )
}

fn audience_fields(builder: &mut SchemaBuilder, audience: Audience) -> AudienceFields {
    let suffix = audience.field_suffix();
    let mut text_field =
        |base: &str, tokenizer: &str| builder.add_text_field(&format!("{base}_{suffix}"), text(tokenizer));
    let description = text_field("description", FOLDED_ENGLISH);
    let tags = text_field("tags", FOLDED);
    let places = text_field("places", FOLDED);
    let cells = builder.add_u64_field(
        &format!("cells_{suffix}"),
        NumericOptions::default().set_indexed(),
    );
    let points_column = format!("points_{suffix}");
    let points = builder.add_u64_field(&points_column, FAST);
    let facets = Facet::ALL.map(|facet| {
        let name = format!("{}_{suffix}", facet.name());
        (builder.add_text_field(&name, STRING | FAST), name)
    });
    AudienceFields {
        description,
        tags,
        places,
        cells,
        points,
        points_column,
        facets,
    }
}

/// Tokenised by `tokenizer`, with positions (for snippets and phrase-aware scoring).
pub(crate) fn text(tokenizer: &str) -> TextOptions {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(tokenizer)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    TextOptions::default().set_indexing_options(indexing)
}
