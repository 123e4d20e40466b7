//! Slots: the times of a summit's days. A slot of kind `break` or `meal` holds no session; a session of
//! length n takes n consecutive slots of one day.

use serde::{Deserialize, Serialize};
use shared::error::ApiError;
use shared::FieldError;
use time::{Date, Time};
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;
use utoipa::ToSchema;

use crate::parts::PlanPart;

time::serde::format_description!(hours_minutes, Time, "[hour]:[minute]");
const DAY: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");
const HOURS_MINUTES: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[hour]:[minute]");

/// What a slot is for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SlotKind {
    /// Sessions may be placed here.
    #[default]
    Session,
    Break,
    Meal,
}

impl SlotKind {
    fn as_str(self) -> &'static str {
        match self {
            SlotKind::Session => "session",
            SlotKind::Break => "break",
            SlotKind::Meal => "meal",
        }
    }

    fn parse(raw: &str) -> SlotKind {
        match raw {
            "break" => SlotKind::Break,
            "meal" => SlotKind::Meal,
            _ => SlotKind::Session,
        }
    }
}

/// A time slot on one day, in the summit's time zone.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Slot {
    /// From the path.
    #[serde(default, deserialize_with = "shared::http::ignore_input")]
    #[schema(read_only)]
    pub key: String,
    #[schema(value_type = String, format = Date)]
    pub day: Date,
    /// `HH:MM`.
    #[serde(with = "hours_minutes")]
    #[schema(value_type = String, example = "10:00", pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub start: Time,
    /// `HH:MM`.
    #[serde(with = "hours_minutes")]
    #[schema(value_type = String, example = "11:30", pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub end: Time,
    #[serde(default)]
    pub kind: SlotKind,
}

impl Slot {
    pub fn into_instance(self) -> summit_solver::Slot {
        summit_solver::Slot {
            id: self.key,
            day: self.day.format(DAY).unwrap_or_default(),
            start: self.start.format(HOURS_MINUTES).unwrap_or_default(),
            end: self.end.format(HOURS_MINUTES).unwrap_or_default(),
            is_break: self.kind != SlotKind::Session,
        }
    }

    pub fn from_instance(slot: &summit_solver::Slot) -> Result<(String, Slot), ApiError> {
        let invalid =
            |what: &str| ApiError::invalid(format!("slots.{}", slot.id), format!("{what} is not valid"));
        let part = Slot {
            key: slot.id.clone(),
            day: Date::parse(&slot.day, DAY).map_err(|_| invalid("the day"))?,
            start: Time::parse(&slot.start, HOURS_MINUTES).map_err(|_| invalid("the start"))?,
            end: Time::parse(&slot.end, HOURS_MINUTES).map_err(|_| invalid("the end"))?,
            kind: if slot.is_break {
                SlotKind::Break
            } else {
                SlotKind::Session
            },
        };
        Ok((slot.id.clone(), part))
    }
}

impl PlanPart for Slot {
    const COLLECTION: &'static str = "slots";
    const PUBLIC: bool = true;
    const SELECT: &'static str =
        "SELECT key, day, starts_at, ends_at, kind FROM summits.slots WHERE summit_id = $1
         ORDER BY day, starts_at, key";
    const UPSERT: &'static str = "INSERT INTO summits.slots (summit_id, key, day, starts_at, ends_at, kind)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (summit_id, key) DO UPDATE SET day = EXCLUDED.day, starts_at = EXCLUDED.starts_at,
             ends_at = EXCLUDED.ends_at, kind = EXCLUDED.kind";
    const ON_DELETE: &'static [&'static str] = &[
        "DELETE FROM summits.pins WHERE summit_id = $1 AND slot = $2",
        "UPDATE summits.people SET unavailable = array_remove(unavailable, $2) WHERE summit_id = $1",
        "UPDATE summits.registrations SET unavailable = array_remove(unavailable, $2) WHERE summit_id = $1",
    ];

    fn from_row(row: &Row) -> Slot {
        Slot {
            key: row.get(0),
            day: row.get(1),
            start: row.get(2),
            end: row.get(3),
            kind: SlotKind::parse(row.get(4)),
        }
    }

    fn set_key(&mut self, key: String) {
        self.key = key;
    }

    fn problems(&self) -> Vec<FieldError> {
        if self.end <= self.start {
            vec![FieldError::new("end", "a slot ends after it starts")]
        } else {
            Vec::new()
        }
    }

    fn values(&self) -> Vec<Box<dyn ToSql + Sync + Send + '_>> {
        vec![
            Box::new(self.day),
            Box::new(self.start),
            Box::new(self.end),
            Box::new(self.kind.as_str()),
        ]
    }
}
