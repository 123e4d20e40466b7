//! Rooms: how many people each holds and what it offers (`step_free`, `hearing_loop`, `quiet_room`,
//! `projector`…). A session goes only to a room with every feature it requires and every access need of
//! the attendees who wish for it.

use serde::{Deserialize, Serialize};
use shared::FieldError;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;
use utoipa::ToSchema;

use crate::parts::{label_problems, PlanPart};

/// A room of a summit's venues.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Room {
    /// From the path.
    #[serde(default, deserialize_with = "shared::http::ignore_input")]
    #[schema(read_only)]
    pub key: String,
    #[schema(minimum = 0, maximum = 100000)]
    pub capacity: i32,
    /// Such as `step_free`, `hearing_loop`, `quiet_room`, `projector` (up to 32, each of 1 to 64 characters).
    #[serde(default)]
    #[schema(max_items = 32)]
    pub features: Vec<String>,
}

impl Room {
    pub fn into_instance(self) -> summit_solver::Room {
        summit_solver::Room {
            id: self.key,
            capacity: self.capacity.max(0).unsigned_abs(),
            features: self.features,
        }
    }

    pub fn from_instance(room: &summit_solver::Room) -> (String, Room) {
        let part = Room {
            key: room.id.clone(),
            capacity: i32::try_from(room.capacity).unwrap_or(i32::MAX),
            features: room.features.clone(),
        };
        (room.id.clone(), part)
    }
}

impl PlanPart for Room {
    const COLLECTION: &'static str = "rooms";
    const PUBLIC: bool = true;
    const SELECT: &'static str =
        "SELECT key, capacity, features FROM summits.rooms WHERE summit_id = $1 ORDER BY key";
    const UPSERT: &'static str = "INSERT INTO summits.rooms (summit_id, key, capacity, features) VALUES ($1, $2, $3, $4)
         ON CONFLICT (summit_id, key) DO UPDATE SET capacity = EXCLUDED.capacity, features = EXCLUDED.features";
    const ON_DELETE: &'static [&'static str] =
        &["DELETE FROM summits.pins WHERE summit_id = $1 AND room = $2"];

    fn from_row(row: &Row) -> Room {
        Room {
            key: row.get(0),
            capacity: row.get(1),
            features: row.get(2),
        }
    }

    fn set_key(&mut self, key: String) {
        self.key = key;
    }

    fn problems(&self) -> Vec<FieldError> {
        let mut problems = Vec::new();
        if !(0..=100_000).contains(&self.capacity) {
            problems.push(FieldError::new("capacity", "a capacity is 0 to 100000 people"));
        }
        label_problems("features", &self.features, &mut problems);
        problems
    }

    fn values(&self) -> Vec<Box<dyn ToSql + Sync + Send + '_>> {
        vec![Box::new(self.capacity), Box::new(&self.features)]
    }
}
