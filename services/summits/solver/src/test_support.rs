//! Small hand-made instances shared by the tests.

use serde_json::{json, Value};

use crate::instance::{Instance, Placement};
use crate::solution::{Metrics, Solution};

/// Two days: sat-1, sat-2, lunch (a break), sat-3; sun-1, sun-2. Rooms: hall (150, step-free,
/// loop, projector), studio (20, projector), garden (30, step-free).
pub(crate) fn base() -> Value {
    json!({
        "timezone": "Europe/London",
        "slots": [
            {"id": "sat-1", "day": "2026-09-12", "start": "10:00", "end": "11:00"},
            {"id": "sat-2", "day": "2026-09-12", "start": "11:00", "end": "12:00"},
            {"id": "lunch", "day": "2026-09-12", "start": "12:00", "end": "13:00", "break": true},
            {"id": "sat-3", "day": "2026-09-12", "start": "13:00", "end": "14:00"},
            {"id": "sun-1", "day": "2026-09-13", "start": "10:00", "end": "11:00"},
            {"id": "sun-2", "day": "2026-09-13", "start": "11:00", "end": "12:00"}
        ],
        "rooms": [
            {"id": "hall", "capacity": 150, "features": ["step_free", "hearing_loop", "projector"]},
            {"id": "studio", "capacity": 20, "features": ["projector"]},
            {"id": "garden", "capacity": 30, "features": ["step_free"]}
        ],
        "sessions": [],
        "people": [{"id": "p1"}, {"id": "p2"}, {"id": "p3"}],
        "attendees": [],
        "pinned": []
    })
}

pub(crate) fn session(id: &str, theme: &str, facilitators: &[&str]) -> Value {
    json!({"id": id, "title": id, "theme": theme, "length": 1, "plenary": false,
           "facilitators": facilitators, "requires": []})
}

pub(crate) fn attendee(id: &str, wishes: &[&str]) -> Value {
    json!({"id": id, "wishes": wishes, "needs": [], "unavailable": []})
}

pub(crate) fn instance(value: Value) -> Instance {
    serde_json::from_value::<Instance>(value).expect("a test instance")
}

/// A base instance with the given sessions and attendees.
pub(crate) fn with(sessions: Vec<Value>, attendees: Vec<Value>) -> Value {
    let mut value = base();
    value["sessions"] = Value::Array(sessions);
    value["attendees"] = Value::Array(attendees);
    value
}

pub(crate) fn solution(placements: &[(&str, &str, &str)]) -> Solution {
    Solution {
        assignments: placements
            .iter()
            .map(|(session, slot, room)| Placement {
                session: session.to_string(),
                slot: slot.to_string(),
                room: room.to_string(),
            })
            .collect(),
        metrics: Metrics {
            wishes: 0,
            lost_wishes: 0,
            theme_clashes: 0,
            moved: None,
        },
    }
}
