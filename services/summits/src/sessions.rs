//! Sessions: workshops, plenaries, walks and one-to-one blocks, each with its facilitators, its length
//! in slots, its language (and the languages interpreted into) and the room features it requires.

use serde::{Deserialize, Serialize};
use shared::FieldError;
use summit_solver::SessionKind;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;
use utoipa::ToSchema;

use crate::parts::{label_problems, PlanPart};

/// A session to place in a room and slot.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SummitSession)]
pub struct Session {
    /// From the path.
    #[serde(default, deserialize_with = "shared::http::ignore_input")]
    #[schema(read_only)]
    pub key: String,
    /// `workshop` (the default), `plenary` (runs alone in its slots), `walk` or `one_to_one`.
    #[serde(default = "workshop")]
    #[schema(value_type = String, example = "workshop", pattern = "^(workshop|plenary|walk|one_to_one)$")]
    pub kind: SessionKind,
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub title: String,
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub description: String,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 64, pattern = r"\S")]
    pub theme: Option<String>,
    /// Keys of people of this summit.
    #[serde(default)]
    pub facilitators: Vec<String>,
    /// Consecutive slots.
    #[serde(default = "one")]
    #[schema(minimum = 1, maximum = 128)]
    pub length: i32,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 64, pattern = r"\S")]
    pub language: Option<String>,
    /// Languages interpreted into (up to 32, each of 1 to 64 characters).
    #[serde(default)]
    #[schema(max_items = 32)]
    pub interpretation: Vec<String>,
    /// Room features the session needs, such as `projector` (up to 32, each of 1 to 64 characters).
    #[serde(default)]
    #[schema(max_items = 32)]
    pub requires: Vec<String>,
}

fn workshop() -> SessionKind {
    SessionKind::Workshop
}

fn one() -> i32 {
    1
}

/// The kind as stored.
pub fn kind_name(kind: SessionKind) -> &'static str {
    match kind {
        SessionKind::Workshop => "workshop",
        SessionKind::Plenary => "plenary",
        SessionKind::Walk => "walk",
        SessionKind::OneToOne => "one_to_one",
    }
}

fn parse_kind(raw: &str) -> SessionKind {
    match raw {
        "plenary" => SessionKind::Plenary,
        "walk" => SessionKind::Walk,
        "one_to_one" => SessionKind::OneToOne,
        _ => SessionKind::Workshop,
    }
}

impl Session {
    pub fn into_instance(self) -> summit_solver::Session {
        summit_solver::Session {
            id: self.key,
            title: self.title,
            theme: self.theme,
            length: self.length.max(1).unsigned_abs(),
            plenary: self.kind == SessionKind::Plenary,
            facilitators: self.facilitators,
            requires: self.requires,
            kind: Some(self.kind),
            language: self.language,
        }
    }

    pub fn from_instance(session: &summit_solver::Session) -> (String, Session) {
        let kind = match session.kind {
            _ if session.plenary => SessionKind::Plenary,
            Some(kind) => kind,
            None => SessionKind::Workshop,
        };
        let part = Session {
            key: session.id.clone(),
            kind,
            title: session.title.clone(),
            description: String::new(),
            theme: session.theme.clone(),
            facilitators: session.facilitators.clone(),
            length: i32::try_from(session.length).unwrap_or(i32::MAX),
            language: session.language.clone(),
            interpretation: Vec::new(),
            requires: session.requires.clone(),
        };
        (session.id.clone(), part)
    }
}

impl PlanPart for Session {
    const COLLECTION: &'static str = "sessions";
    const PUBLIC: bool = true;
    const SELECT: &'static str =
        "SELECT key, kind, title, description, theme, facilitators, length, language,
             interpretation, requires
         FROM summits.sessions WHERE summit_id = $1 ORDER BY key";
    const UPSERT: &'static str =
        "INSERT INTO summits.sessions (summit_id, key, kind, title, description, theme,
             facilitators, length, language, interpretation, requires)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (summit_id, key) DO UPDATE SET kind = EXCLUDED.kind, title = EXCLUDED.title,
             description = EXCLUDED.description, theme = EXCLUDED.theme, facilitators = EXCLUDED.facilitators,
             length = EXCLUDED.length, language = EXCLUDED.language, interpretation = EXCLUDED.interpretation,
             requires = EXCLUDED.requires";
    const ON_DELETE: &'static [&'static str] = &[
        "DELETE FROM summits.pins WHERE summit_id = $1 AND session = $2",
        "UPDATE summits.registrations SET wishes = array_remove(wishes, $2) WHERE summit_id = $1",
    ];

    fn from_row(row: &Row) -> Session {
        Session {
            key: row.get(0),
            kind: parse_kind(row.get(1)),
            title: row.get(2),
            description: row.get(3),
            theme: row.get(4),
            facilitators: row.get(5),
            length: row.get(6),
            language: row.get(7),
            interpretation: row.get(8),
            requires: row.get(9),
        }
    }

    fn set_key(&mut self, key: String) {
        self.key = key;
    }

    fn problems(&self) -> Vec<FieldError> {
        let mut problems = Vec::new();
        if self.title.trim().is_empty() || self.title.chars().count() > 200 {
            problems.push(FieldError::new("title", "enter a title of 1 to 200 characters"));
        }
        if self.description.chars().count() > 10_000 {
            problems.push(FieldError::new(
                "description",
                "a description has at most 10000 characters",
            ));
        }
        if !(1..=summit_solver::MAX_SLOTS as i32).contains(&self.length) {
            problems.push(FieldError::new("length", "a session lasts 1 or more slots"));
        }
        label_problems("theme", self.theme.as_slice(), &mut problems);
        label_problems("language", self.language.as_slice(), &mut problems);
        label_problems("interpretation", &self.interpretation, &mut problems);
        label_problems("requires", &self.requires, &mut problems);
        problems
    }

    fn values(&self) -> Vec<Box<dyn ToSql + Sync + Send + '_>> {
        vec![
            Box::new(kind_name(self.kind)),
            Box::new(&self.title),
            Box::new(&self.description),
            Box::new(&self.theme),
            Box::new(&self.facilitators),
            Box::new(self.length),
            Box::new(&self.language),
            Box::new(&self.interpretation),
            Box::new(&self.requires),
        ]
    }
}
