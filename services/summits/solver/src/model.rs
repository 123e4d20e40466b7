//! The instance indexed for solving: slots, rooms, people and sessions as numbers and bit masks.

use std::collections::HashMap;

use crate::instance::Instance;
use crate::SolverError;

/// A set of slots, one bit per slot (at most [`crate::MAX_SLOTS`]).
pub(crate) type SlotMask = u128;
/// A set of room features and access needs, one bit per distinct name.
pub(crate) type FeatureMask = u128;

/// Where a session sits: its first slot and its room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Position {
    pub start: usize,
    pub room: usize,
}

pub(crate) struct RoomModel {
    pub capacity: u32,
    pub features: FeatureMask,
}

pub(crate) struct SessionModel {
    pub length: usize,
    pub plenary: bool,
    pub facilitators: Vec<usize>,
    /// Features the session itself requires.
    pub requires: FeatureMask,
    /// Access needs of the attendees who wish for it.
    pub needs: FeatureMask,
    /// Number of attendees who wish for it.
    pub demand: u32,
    pub theme: Option<usize>,
    pub pin: Option<Position>,
    pub previous: Option<Position>,
    /// First slots where it fits in one day, clear of breaks and of its facilitators' unavailability
    /// (only the pinned slot, if pinned).
    pub starts: Vec<usize>,
    /// Rooms with every feature needed and enough capacity (only the pinned room, if pinned).
    pub rooms: Vec<usize>,
    /// Attendees who wish for it.
    pub wishers: Vec<usize>,
}

pub(crate) struct AttendeeModel {
    /// Wished sessions in rank order.
    pub wishes: Vec<usize>,
    pub unavailable: SlotMask,
}

pub(crate) struct Problem {
    pub slot_day: Vec<usize>,
    pub slot_break: Vec<bool>,
    pub rooms: Vec<RoomModel>,
    pub sessions: Vec<SessionModel>,
    pub person_unavailable: Vec<SlotMask>,
    pub attendees: Vec<AttendeeModel>,
    /// Sessions of each theme.
    pub themes: Vec<Vec<usize>>,
    pub feature_names: Vec<String>,
    /// Whether the instance came with a previous agenda to re-solve from.
    pub previous_given: bool,
}

impl Problem {
    /// Validates and indexes an instance.
    pub fn build(instance: &Instance) -> Result<Problem, SolverError> {
        instance.validate()?;
        let slot_index = index_of(instance.slots.iter().map(|s| s.id.as_str()));
        let room_index = index_of(instance.rooms.iter().map(|r| r.id.as_str()));
        let session_index = index_of(instance.sessions.iter().map(|s| s.id.as_str()));
        let person_index = index_of(instance.people.iter().map(|p| p.id.as_str()));
        let mut feature_names: Vec<String> = Vec::new();
        let mut feature_mask = |names: &[String]| -> FeatureMask {
            names.iter().fold(0, |mask, name| {
                let bit = match feature_names.iter().position(|f| f == name) {
                    Some(bit) => bit,
                    None => {
                        feature_names.push(name.clone());
                        feature_names.len() - 1
                    }
                };
                mask | (1 << bit)
            })
        };
        let slot_mask = |ids: &[String]| -> SlotMask {
            ids.iter()
                .fold(0, |mask, id| mask | (1 << slot_index[id.as_str()]))
        };

        let mut days: Vec<&str> = Vec::new();
        let slot_day = instance
            .slots
            .iter()
            .map(|slot| {
                if days.last() != Some(&slot.day.as_str()) {
                    days.push(&slot.day);
                }
                days.len() - 1
            })
            .collect();
        let slot_break = instance.slots.iter().map(|s| s.is_break).collect();
        let rooms = instance
            .rooms
            .iter()
            .map(|room| RoomModel {
                capacity: room.capacity,
                features: feature_mask(&room.features),
            })
            .collect();
        let person_unavailable = instance
            .people
            .iter()
            .map(|p| slot_mask(&p.unavailable))
            .collect();
        let attendees: Vec<AttendeeModel> = instance
            .attendees
            .iter()
            .map(|a| AttendeeModel {
                wishes: a.wishes.iter().map(|w| session_index[w.as_str()]).collect(),
                unavailable: slot_mask(&a.unavailable),
            })
            .collect();
        let attendee_needs: Vec<FeatureMask> = instance
            .attendees
            .iter()
            .map(|a| feature_mask(&a.needs))
            .collect();

        let mut theme_names: Vec<&str> = Vec::new();
        let mut themes: Vec<Vec<usize>> = Vec::new();
        let mut sessions = Vec::with_capacity(instance.sessions.len());
        for (index, session) in instance.sessions.iter().enumerate() {
            let theme =
                session
                    .theme
                    .as_deref()
                    .map(|name| match theme_names.iter().position(|t| *t == name) {
                        Some(t) => t,
                        None => {
                            theme_names.push(name);
                            themes.push(Vec::new());
                            themes.len() - 1
                        }
                    });
            if let Some(theme) = theme {
                themes[theme].push(index);
            }
            sessions.push(SessionModel {
                length: session.length as usize,
                plenary: session.plenary,
                facilitators: session
                    .facilitators
                    .iter()
                    .map(|p| person_index[p.as_str()])
                    .collect(),
                requires: feature_mask(&session.requires),
                needs: 0,
                demand: 0,
                theme,
                pin: None,
                previous: None,
                starts: Vec::new(),
                rooms: Vec::new(),
                wishers: Vec::new(),
            });
        }
        for (a, attendee) in attendees.iter().enumerate() {
            for &s in &attendee.wishes {
                sessions[s].wishers.push(a);
                sessions[s].demand += 1;
                sessions[s].needs |= attendee_needs[a];
            }
        }
        for pin in &instance.pinned {
            sessions[session_index[pin.session.as_str()]].pin = Some(Position {
                start: slot_index[pin.slot.as_str()],
                room: room_index[pin.room.as_str()],
            });
        }
        for placement in instance.previous.iter().flatten() {
            let (Some(&s), Some(&start), Some(&room)) = (
                session_index.get(placement.session.as_str()),
                slot_index.get(placement.slot.as_str()),
                room_index.get(placement.room.as_str()),
            ) else {
                continue;
            };
            sessions[s].previous = Some(Position { start, room });
        }

        let mut problem = Problem {
            slot_day,
            slot_break,
            rooms,
            sessions,
            person_unavailable,
            attendees,
            themes,
            feature_names,
            previous_given: instance.previous.is_some(),
        };
        for s in 0..problem.sessions.len() {
            let starts = (0..problem.slot_count())
                .filter(|&start| problem.start_fits(s, start) && problem.facilitators_free(s, start))
                .filter(|&start| problem.sessions[s].pin.is_none_or(|p| p.start == start))
                .collect();
            let rooms = (0..problem.rooms.len())
                .filter(|&room| problem.room_fits(s, room))
                .filter(|&room| problem.sessions[s].pin.is_none_or(|p| p.room == room))
                .collect();
            problem.sessions[s].starts = starts;
            problem.sessions[s].rooms = rooms;
        }
        Ok(problem)
    }

    pub fn slot_count(&self) -> usize {
        self.slot_day.len()
    }

    /// Whether `length` slots from `start` lie in one day, clear of breaks.
    pub fn span_fits(&self, start: usize, length: usize) -> bool {
        let end = start + length;
        end <= self.slot_count()
            && (start..end).all(|slot| !self.slot_break[slot])
            && self.slot_day[end - 1] == self.slot_day[start]
    }

    pub fn start_fits(&self, s: usize, start: usize) -> bool {
        self.span_fits(start, self.sessions[s].length)
    }

    pub fn facilitators_free(&self, s: usize, start: usize) -> bool {
        let span = self.span(s, start);
        self.sessions[s]
            .facilitators
            .iter()
            .all(|&p| self.person_unavailable[p] & span == 0)
    }

    /// Whether the room has every feature the session and its wishers need, and the capacity.
    pub fn room_fits(&self, s: usize, room: usize) -> bool {
        let session = &self.sessions[s];
        let room = &self.rooms[room];
        (session.requires | session.needs) & !room.features == 0 && room.capacity >= session.demand
    }

    /// The slots a session occupies when it starts at `start`.
    /// Other sessions of `s`'s theme: the most theme clashes a move of `s` can end.
    pub fn theme_peers(&self, s: usize) -> i64 {
        self.sessions[s]
            .theme
            .map_or(0, |theme| self.themes[theme].len() as i64 - 1)
    }

    pub fn span(&self, s: usize, start: usize) -> SlotMask {
        span_mask(start, self.sessions[s].length)
    }

    pub fn feature_list(&self, mask: FeatureMask) -> String {
        let names: Vec<&str> = (0..self.feature_names.len())
            .filter(|bit| mask & (1 << bit) != 0)
            .map(|bit| self.feature_names[bit].as_str())
            .collect();
        names.join(" + ")
    }
}

pub(crate) fn span_mask(start: usize, length: usize) -> SlotMask {
    let ones = if length >= 128 {
        SlotMask::MAX
    } else {
        (1 << length) - 1
    };
    ones.checked_shl(start as u32).unwrap_or(0)
}

fn index_of<'a>(ids: impl Iterator<Item = &'a str>) -> HashMap<&'a str, usize> {
    ids.enumerate().map(|(i, id)| (id, i)).collect()
}
