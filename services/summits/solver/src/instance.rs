//! The instance file: slots, rooms, sessions, people, attendees and pins, as planners write them.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::SolverError;

/// The most slots an instance may have (a week of ten-slot days fits comfortably).
pub const MAX_SLOTS: usize = 128;
/// The most distinct room features and access needs an instance may mention.
pub const MAX_FEATURES: usize = 128;

/// A summit to schedule, in the file format `commonground schedule` reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    pub timezone: String,
    /// In time order; consecutive slots of one day are adjacent in the list.
    pub slots: Vec<Slot>,
    pub rooms: Vec<Room>,
    pub sessions: Vec<Session>,
    #[serde(default)]
    pub people: Vec<Person>,
    #[serde(default)]
    pub attendees: Vec<Attendee>,
    #[serde(default)]
    pub pinned: Vec<Placement>,
    /// A published agenda to re-solve from: sessions move as little as possible. Entries naming a
    /// session, slot or room no longer in the instance are ignored (that session has to move).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<Vec<Placement>>,
}

/// A time slot; a break or meal slot (`"break": true`) holds no session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub id: String,
    /// `YYYY-MM-DD`.
    pub day: String,
    /// `HH:MM`.
    pub start: String,
    /// `HH:MM`.
    pub end: String,
    #[serde(default, rename = "break", skip_serializing_if = "is_false")]
    pub is_break: bool,
}

/// A room and what it offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Room {
    pub id: String,
    pub capacity: u32,
    #[serde(default)]
    pub features: Vec<String>,
}

/// What kind of session this is; only informative for the solver, except that a plenary is
/// marked by `plenary`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    Workshop,
    Plenary,
    Walk,
    OneToOne,
}

/// A session to place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
    /// Number of consecutive slots.
    pub length: u32,
    #[serde(default)]
    pub plenary: bool,
    #[serde(default)]
    pub facilitators: Vec<String>,
    #[serde(default)]
    pub requires: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<SessionKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// A facilitator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: String,
    #[serde(default)]
    pub unavailable: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
}

/// A registered attendee with ranked wishes (first is most wanted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendee {
    pub id: String,
    #[serde(default)]
    pub wishes: Vec<String>,
    /// Access needs: room features every session they wish for must offer.
    #[serde(default)]
    pub needs: Vec<String>,
    #[serde(default)]
    pub unavailable: Vec<String>,
    /// Used to pair one-to-one conversations across organisations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub themes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
}

/// A session in a room from a slot on (its first slot, for a multi-slot session).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Placement {
    pub session: String,
    pub slot: String,
    pub room: String,
}

fn is_false(value: &bool) -> bool {
    !*value
}

impl Instance {
    /// Reads and validates an instance from JSON text.
    pub fn from_json(text: &str) -> Result<Instance, SolverError> {
        let instance: Instance = serde_json::from_str(text)?;
        instance.validate()?;
        Ok(instance)
    }

    /// Writes the instance as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("an instance always serialises")
    }

    /// Lists everything malformed about the instance, or returns `Ok` if nothing is.
    pub fn validate(&self) -> Result<(), SolverError> {
        let problems = self.problems();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(SolverError::InvalidInstance { problems })
        }
    }

    fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.timezone.trim().is_empty() {
            problems.push("timezone is empty".to_string());
        }
        if self.slots.is_empty() {
            problems.push("there are no slots".to_string());
        }
        if self.slots.len() > MAX_SLOTS {
            problems.push(format!(
                "{} slots; at most {MAX_SLOTS} are supported",
                self.slots.len()
            ));
        }
        let slots = unique_ids("slot", self.slots.iter().map(|s| &s.id), &mut problems);
        let rooms = unique_ids("room", self.rooms.iter().map(|r| &r.id), &mut problems);
        let sessions = unique_ids("session", self.sessions.iter().map(|s| &s.id), &mut problems);
        let people = unique_ids("person", self.people.iter().map(|p| &p.id), &mut problems);
        unique_ids("attendee", self.attendees.iter().map(|a| &a.id), &mut problems);

        self.slot_order_problems(&mut problems);
        for session in &self.sessions {
            if session.length == 0 {
                problems.push(format!("session {} has length 0", session.id));
            }
            unknown_refs(
                &format!("session {}: facilitator", session.id),
                &session.facilitators,
                &people,
                &mut problems,
            );
            duplicates(
                &format!("session {}: facilitator", session.id),
                &session.facilitators,
                &mut problems,
            );
        }
        for person in &self.people {
            unknown_refs(
                &format!("person {}: unavailable slot", person.id),
                &person.unavailable,
                &slots,
                &mut problems,
            );
        }
        for attendee in &self.attendees {
            unknown_refs(
                &format!("attendee {}: wish", attendee.id),
                &attendee.wishes,
                &sessions,
                &mut problems,
            );
            duplicates(
                &format!("attendee {}: wish", attendee.id),
                &attendee.wishes,
                &mut problems,
            );
            unknown_refs(
                &format!("attendee {}: unavailable slot", attendee.id),
                &attendee.unavailable,
                &slots,
                &mut problems,
            );
        }
        let mut pinned_sessions = HashSet::new();
        for pin in &self.pinned {
            let what = format!("pin of {} to {} in {}", pin.session, pin.slot, pin.room);
            if !sessions.contains(pin.session.as_str()) {
                problems.push(format!("{what}: unknown session {}", pin.session));
            }
            if !slots.contains(pin.slot.as_str()) {
                problems.push(format!("{what}: unknown slot {}", pin.slot));
            }
            if !rooms.contains(pin.room.as_str()) {
                problems.push(format!("{what}: unknown room {}", pin.room));
            }
            if !pinned_sessions.insert(pin.session.as_str()) {
                problems.push(format!("session {} is pinned more than once", pin.session));
            }
        }
        let features: HashSet<&str> = self
            .rooms
            .iter()
            .flat_map(|r| r.features.iter())
            .chain(self.sessions.iter().flat_map(|s| s.requires.iter()))
            .chain(self.attendees.iter().flat_map(|a| a.needs.iter()))
            .map(String::as_str)
            .collect();
        if features.len() > MAX_FEATURES {
            problems.push(format!(
                "{} distinct room features and needs; at most {MAX_FEATURES} are supported",
                features.len()
            ));
        }
        problems
    }

    fn slot_order_problems(&self, problems: &mut Vec<String>) {
        let mut previous: Option<(&str, u32)> = None;
        for slot in &self.slots {
            let day_ok = is_date(&slot.day);
            if !day_ok {
                problems.push(format!("slot {}: day {:?} is not YYYY-MM-DD", slot.id, slot.day));
            }
            let (Some(start), Some(end)) = (minutes(&slot.start), minutes(&slot.end)) else {
                problems.push(format!(
                    "slot {}: start {:?} and end {:?} must be HH:MM",
                    slot.id, slot.start, slot.end
                ));
                continue;
            };
            if end <= start {
                problems.push(format!("slot {}: ends before it starts", slot.id));
            }
            if let Some((day, previous_end)) = previous {
                let earlier = slot.day.as_str() < day || (slot.day.as_str() == day && start < previous_end);
                if earlier {
                    problems.push(format!(
                        "slot {} is not in time order: it starts before the slot listed before it ends",
                        slot.id
                    ));
                }
            }
            previous = Some((&slot.day, end));
        }
    }
}

fn unique_ids<'a>(
    kind: &str,
    ids: impl Iterator<Item = &'a String>,
    problems: &mut Vec<String>,
) -> HashSet<&'a str> {
    let mut seen = HashSet::new();
    let mut reported = HashSet::new();
    for id in ids {
        if id.is_empty() {
            problems.push(format!("a {kind} has an empty id"));
        }
        if !seen.insert(id.as_str()) && reported.insert(id.as_str()) {
            problems.push(format!("duplicate {kind} id {id}"));
        }
    }
    seen
}

fn unknown_refs(what: &str, ids: &[String], known: &HashSet<&str>, problems: &mut Vec<String>) {
    for id in ids {
        if !known.contains(id.as_str()) {
            problems.push(format!("{what} {id} is unknown"));
        }
    }
}

fn duplicates(what: &str, ids: &[String], problems: &mut Vec<String>) {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for id in ids {
        *counts.entry(id).or_default() += 1;
    }
    let mut repeated: Vec<&str> = counts
        .into_iter()
        .filter(|&(_, n)| n > 1)
        .map(|(id, _)| id)
        .collect();
    repeated.sort_unstable();
    for id in repeated {
        problems.push(format!("{what} {id} is listed more than once"));
    }
}

fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit())
}

fn minutes(text: &str) -> Option<u32> {
    let (hours, mins) = text.split_once(':')?;
    if hours.len() != 2 || mins.len() != 2 {
        return None;
    }
    let hours: u32 = hours.parse().ok()?;
    let mins: u32 = mins.parse().ok()?;
    (hours < 24 && mins < 60).then_some(hours * 60 + mins)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn tiny() -> &'static str {
        r#"{"timezone": "Europe/London",
            "slots": [{"id": "sat-1", "day": "2026-09-12", "start": "10:00", "end": "11:30"},
                      {"id": "sat-2", "day": "2026-09-12", "start": "12:00", "end": "13:30"}],
            "rooms": [{"id": "hall", "capacity": 150, "features": ["step_free", "hearing_loop"]}],
            "sessions": [{"id": "w01", "title": "Climate", "theme": "climate", "length": 1,
                          "plenary": false, "facilitators": ["p07"], "requires": []}],
            "people": [{"id": "p07", "unavailable": ["sat-1"]}],
            "attendees": [{"id": "a001", "wishes": ["w01"], "needs": ["step_free"], "unavailable": []}],
            "pinned": []}"#
    }

    #[test]
    fn reads_the_format_of_the_issue() {
        let instance = Instance::from_json(tiny()).unwrap();
        assert_eq!(instance.slots.len(), 2);
        assert_eq!(instance.sessions[0].facilitators, ["p07"]);
        assert!(!instance.slots[0].is_break);
    }

    #[test]
    fn lists_every_problem_of_a_malformed_instance() {
        let mut instance = Instance::from_json(tiny()).unwrap();
        instance.sessions[0].length = 0;
        instance.sessions[0].facilitators.push("p99".into());
        instance.rooms.push(instance.rooms[0].clone());
        instance.attendees[0].wishes.push("w77".into());
        instance.slots[1].start = "09:00".into();
        instance.pinned.push(Placement {
            session: "w01".into(),
            slot: "sun-9".into(),
            room: "hall".into(),
        });
        let SolverError::InvalidInstance { problems } = instance.validate().unwrap_err() else {
            panic!("expected an invalid instance");
        };
        let text = problems.join("\n");
        for expected in [
            "session w01 has length 0",
            "facilitator p99 is unknown",
            "duplicate room id hall",
            "wish w77 is unknown",
            "slot sat-2 is not in time order",
            "unknown slot sun-9",
        ] {
            assert!(text.contains(expected), "{expected:?} missing from {text}");
        }
    }

    #[test]
    fn rejects_json_of_the_wrong_shape_clearly() {
        let error = Instance::from_json(r#"{"timezone": "UTC"}"#).unwrap_err();
        assert!(error.to_string().contains("missing field `slots`"));
    }
}
