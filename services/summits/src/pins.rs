//! Pins: a session the planner has fixed to a slot and room; the solver keeps every pin.

use serde::{Deserialize, Serialize};
use shared::FieldError;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;
use utoipa::ToSchema;

use crate::parts::{label_problems, PlanPart};

/// A session fixed to a slot (its first, for a multi-slot session) and a room.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Pin {
    /// From the path.
    #[serde(default, deserialize_with = "shared::http::ignore_input")]
    #[schema(read_only)]
    pub session: String,
    #[schema(min_length = 1, max_length = 64, pattern = r"\S")]
    pub slot: String,
    #[schema(min_length = 1, max_length = 64, pattern = r"\S")]
    pub room: String,
}

impl Pin {
    pub fn into_instance(self) -> summit_solver::Placement {
        summit_solver::Placement {
            session: self.session,
            slot: self.slot,
            room: self.room,
        }
    }

    pub fn from_instance(pin: &summit_solver::Placement) -> (String, Pin) {
        let part = Pin {
            session: pin.session.clone(),
            slot: pin.slot.clone(),
            room: pin.room.clone(),
        };
        (pin.session.clone(), part)
    }
}

impl PlanPart for Pin {
    const COLLECTION: &'static str = "pins";
    const KEY_COLUMN: &'static str = "session";
    const PUBLIC: bool = false;
    const SELECT: &'static str =
        "SELECT session, slot, room FROM summits.pins WHERE summit_id = $1 ORDER BY session";
    const UPSERT: &'static str =
        "INSERT INTO summits.pins (summit_id, session, slot, room) VALUES ($1, $2, $3, $4)
         ON CONFLICT (summit_id, session) DO UPDATE SET slot = EXCLUDED.slot, room = EXCLUDED.room";

    fn from_row(row: &Row) -> Pin {
        Pin {
            session: row.get(0),
            slot: row.get(1),
            room: row.get(2),
        }
    }

    fn set_key(&mut self, key: String) {
        self.session = key;
    }

    fn problems(&self) -> Vec<FieldError> {
        let mut problems = Vec::new();
        label_problems("slot", std::slice::from_ref(&self.slot), &mut problems);
        label_problems("room", std::slice::from_ref(&self.room), &mut problems);
        problems
    }

    fn values(&self) -> Vec<Box<dyn ToSql + Sync + Send + '_>> {
        vec![Box::new(&self.slot), Box::new(&self.room)]
    }
}
