//! People who facilitate sessions, each perhaps from a directory organisation, and the slots they cannot
//! come to. A facilitator is in one session at a time and never in a slot they are unavailable.

use serde::{Deserialize, Serialize};
use shared::FieldError;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;
use utoipa::ToSchema;

use crate::parts::{label_problems, PlanPart};

/// A facilitator.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Facilitator)]
pub struct Person {
    /// From the path.
    #[serde(default, deserialize_with = "shared::http::ignore_input")]
    #[schema(read_only)]
    pub key: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub name: String,
    /// The id of their organisation in the directory.
    #[serde(default)]
    #[schema(format = Uuid)]
    pub organisation: Option<String>,
    /// Keys of the slots they cannot come to (up to 32).
    #[serde(default)]
    #[schema(max_items = 32)]
    pub unavailable: Vec<String>,
}

impl Person {
    pub fn into_instance(self) -> summit_solver::Person {
        summit_solver::Person {
            id: self.key,
            unavailable: self.unavailable,
            organisation: self.organisation,
        }
    }

    pub fn from_instance(person: &summit_solver::Person) -> (String, Person) {
        let part = Person {
            key: person.id.clone(),
            name: String::new(),
            organisation: person.organisation.clone(),
            unavailable: person.unavailable.clone(),
        };
        (person.id.clone(), part)
    }
}

impl PlanPart for Person {
    const COLLECTION: &'static str = "people";
    const PUBLIC: bool = false;
    const SELECT: &'static str =
        "SELECT key, name, organisation, unavailable FROM summits.people WHERE summit_id = $1 ORDER BY key";
    const UPSERT: &'static str = "INSERT INTO summits.people (summit_id, key, name, organisation, unavailable)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (summit_id, key) DO UPDATE SET name = EXCLUDED.name, organisation = EXCLUDED.organisation,
             unavailable = EXCLUDED.unavailable";
    const ON_DELETE: &'static [&'static str] =
        &["UPDATE summits.sessions SET facilitators = array_remove(facilitators, $2) WHERE summit_id = $1"];

    fn from_row(row: &Row) -> Person {
        Person {
            key: row.get(0),
            name: row.get(1),
            organisation: row.get(2),
            unavailable: row.get(3),
        }
    }

    fn set_key(&mut self, key: String) {
        self.key = key;
    }

    fn problems(&self) -> Vec<FieldError> {
        let mut problems = Vec::new();
        if self.name.chars().count() > 200 {
            problems.push(FieldError::new("name", "a name has at most 200 characters"));
        }
        if let Some(organisation) = &self.organisation {
            if uuid::Uuid::parse_str(organisation).is_err() {
                problems.push(FieldError::new(
                    "organisation",
                    "give the id of a directory organisation",
                ));
            }
        }
        label_problems("unavailable", &self.unavailable, &mut problems);
        problems
    }

    fn values(&self) -> Vec<Box<dyn ToSql + Sync + Send + '_>> {
        vec![
            Box::new(&self.name),
            Box::new(&self.organisation),
            Box::new(&self.unavailable),
        ]
    }
}
