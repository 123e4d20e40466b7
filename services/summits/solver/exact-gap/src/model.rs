//! The instance as indices for the MIP: where each session may start and in which room, with the
//! same rules as the solver's own model (`summit_solver::check` is the authority on them).

use std::collections::{HashMap, HashSet};

use summit_solver::{Instance, Solution};

/// Sessions, slots, rooms, facilitators and attendees as numbers.
#[derive(Clone)]
pub struct Model {
    pub slots: usize,
    pub rooms: usize,
    /// Per session: its length in slots.
    pub length: Vec<usize>,
    pub plenary: Vec<bool>,
    /// Per session: its facilitators (indices into the instance's people).
    pub facilitators: Vec<Vec<usize>>,
    /// Per session: the first slots where it fits in one day, clear of breaks and of its
    /// facilitators' unavailability (only the pinned slot, if pinned).
    pub starts: Vec<Vec<usize>>,
    /// Per session: the rooms with every feature it and its wishers need and enough capacity
    /// (only the pinned room, if pinned).
    pub rooms_of: Vec<Vec<usize>>,
    /// Per attendee: wished sessions.
    pub wishes: Vec<Vec<usize>>,
    /// Per attendee and slot: whether they are away.
    pub away: Vec<Vec<bool>>,
}

impl Model {
    pub fn new(instance: &Instance) -> Model {
        let index = |ids: Vec<&str>| -> HashMap<String, usize> {
            ids.into_iter()
                .enumerate()
                .map(|(i, id)| (id.to_string(), i))
                .collect()
        };
        let slot = index(instance.slots.iter().map(|s| s.id.as_str()).collect());
        let room = index(instance.rooms.iter().map(|r| r.id.as_str()).collect());
        let session = index(instance.sessions.iter().map(|s| s.id.as_str()).collect());
        let person = index(instance.people.iter().map(|p| p.id.as_str()).collect());
        let slots = instance.slots.len();
        let away_of = |ids: &[String]| -> Vec<bool> {
            let mut away = vec![false; slots];
            for id in ids {
                away[slot[id]] = true;
            }
            away
        };
        let wishes: Vec<Vec<usize>> = instance
            .attendees
            .iter()
            .map(|a| a.wishes.iter().map(|w| session[w]).collect())
            .collect();
        let mut demand = vec![0u32; instance.sessions.len()];
        let mut needs: Vec<HashSet<&str>> = vec![HashSet::new(); instance.sessions.len()];
        for (attendee, wished) in instance.attendees.iter().zip(&wishes) {
            for &s in wished {
                demand[s] += 1;
                needs[s].extend(attendee.needs.iter().map(String::as_str));
            }
        }
        let pins: HashMap<usize, (usize, usize)> = instance
            .pinned
            .iter()
            .map(|p| (session[&p.session], (slot[&p.slot], room[&p.room])))
            .collect();
        let facilitators: Vec<Vec<usize>> = instance
            .sessions
            .iter()
            .map(|s| s.facilitators.iter().map(|p| person[p]).collect())
            .collect();
        let person_away: Vec<Vec<bool>> = instance.people.iter().map(|p| away_of(&p.unavailable)).collect();
        let fits = |start: usize, length: usize, s: usize| {
            let end = start + length;
            end <= slots
                && (start..end).all(|t| !instance.slots[t].is_break)
                && instance.slots[end - 1].day == instance.slots[start].day
                && facilitators[s]
                    .iter()
                    .all(|&p| (start..end).all(|t| !person_away[p][t]))
        };
        let mut starts = Vec::new();
        let mut rooms_of = Vec::new();
        for (s, session) in instance.sessions.iter().enumerate() {
            let length = session.length as usize;
            let pin = pins.get(&s).copied();
            starts.push(
                (0..slots)
                    .filter(|&t| fits(t, length, s) && pin.is_none_or(|(pt, _)| pt == t))
                    .collect(),
            );
            rooms_of.push(
                (0..instance.rooms.len())
                    .filter(|&r| {
                        let room = &instance.rooms[r];
                        let offered = |f: &str| room.features.iter().any(|g| g == f);
                        session.requires.iter().all(|f| offered(f))
                            && needs[s].iter().all(|f| offered(f))
                            && room.capacity >= demand[s]
                            && pin.is_none_or(|(_, pr)| pr == r)
                    })
                    .collect(),
            );
        }
        Model {
            slots,
            rooms: instance.rooms.len(),
            length: instance.sessions.iter().map(|s| s.length as usize).collect(),
            plenary: instance.sessions.iter().map(|s| s.plenary).collect(),
            facilitators,
            starts,
            rooms_of,
            wishes,
            away: instance
                .attendees
                .iter()
                .map(|a| away_of(&a.unavailable))
                .collect(),
        }
    }

    /// The same with each session's start fixed to `starts` (rooms left open).
    pub fn with_starts(&self, starts: &[usize]) -> Model {
        Model {
            starts: starts.iter().map(|&t| vec![t]).collect(),
            ..self.clone()
        }
    }

    pub fn sessions(&self) -> usize {
        self.length.len()
    }

    /// Whether session `s` started at `start` runs in slot `slot`.
    pub fn covers(&self, s: usize, start: usize, slot: usize) -> bool {
        (start..start + self.length[s]).contains(&slot)
    }
}

/// The first slot of every session in `solution`.
pub fn first_slots(instance: &Instance, solution: &Solution) -> Vec<usize> {
    instance
        .sessions
        .iter()
        .map(|session| {
            let placement = solution
                .assignments
                .iter()
                .find(|p| p.session == session.id)
                .expect("every session is placed");
            instance
                .slots
                .iter()
                .position(|t| t.id == placement.slot)
                .expect("a known slot")
        })
        .collect()
}
