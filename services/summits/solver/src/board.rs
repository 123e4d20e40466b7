//! The occupancy of rooms, slots and facilitators by placed sessions, for fast feasibility tests.

use crate::model::{Position, Problem, SlotMask};

const EMPTY: u32 = u32::MAX;

pub(crate) struct Board<'p> {
    pub problem: &'p Problem,
    pub positions: Vec<Option<Position>>,
    /// The session in each room and slot, `EMPTY` if none: index `room * slots + slot`.
    room_slot: Vec<u32>,
    slot_sessions: Vec<u32>,
    slot_plenaries: Vec<u32>,
    person_busy: Vec<SlotMask>,
    allowed_start: Vec<bool>,
    allowed_room: Vec<bool>,
}

impl<'p> Board<'p> {
    pub fn new(problem: &'p Problem) -> Board<'p> {
        let slots = problem.slot_count();
        let rooms = problem.rooms.len();
        let sessions = problem.sessions.len();
        let mut allowed_start = vec![false; sessions * slots];
        let mut allowed_room = vec![false; sessions * rooms];
        for (s, session) in problem.sessions.iter().enumerate() {
            for &start in &session.starts {
                allowed_start[s * slots + start] = true;
            }
            for &room in &session.rooms {
                allowed_room[s * rooms + room] = true;
            }
        }
        Board {
            problem,
            positions: vec![None; sessions],
            room_slot: vec![EMPTY; rooms * slots],
            slot_sessions: vec![0; slots],
            slot_plenaries: vec![0; slots],
            person_busy: vec![0; problem.person_unavailable.len()],
            allowed_start,
            allowed_room,
        }
    }

    fn slots(&self) -> usize {
        self.problem.slot_count()
    }

    /// Whether session `s` is allowed at `position` at all (fits the day, its room and people).
    pub fn allowed(&self, s: usize, position: Position) -> bool {
        self.allowed_start[s * self.slots() + position.start]
            && self.allowed_room[s * self.problem.rooms.len() + position.room]
    }

    /// Whether session `s` (not placed) can go to `position` given everything placed.
    pub fn can_place(&self, s: usize, position: Position) -> bool {
        if !self.allowed(s, position) {
            return false;
        }
        let session = &self.problem.sessions[s];
        let span = self.problem.span(s, position.start);
        if session
            .facilitators
            .iter()
            .any(|&p| self.person_busy[p] & span != 0)
        {
            return false;
        }
        let row = position.room * self.slots();
        (position.start..position.start + session.length).all(|slot| {
            self.room_slot[row + slot] == EMPTY
                && if session.plenary {
                    self.slot_sessions[slot] == 0
                } else {
                    self.slot_plenaries[slot] == 0
                }
        })
    }

    pub fn place(&mut self, s: usize, position: Position) {
        debug_assert!(self.positions[s].is_none());
        self.mark(s, position, s as u32, 1);
        self.positions[s] = Some(position);
    }

    pub fn remove(&mut self, s: usize) -> Position {
        let position = self.positions[s].take().expect("removing a placed session");
        self.mark(s, position, EMPTY, -1);
        position
    }

    fn mark(&mut self, s: usize, position: Position, occupant: u32, change: i32) {
        let slots = self.slots();
        let session = &self.problem.sessions[s];
        let span = self.problem.span(s, position.start);
        for &p in &session.facilitators {
            self.person_busy[p] ^= span;
        }
        for slot in position.start..position.start + session.length {
            self.room_slot[position.room * slots + slot] = occupant;
            self.slot_sessions[slot] = self.slot_sessions[slot].wrapping_add_signed(change);
            if session.plenary {
                self.slot_plenaries[slot] = self.slot_plenaries[slot].wrapping_add_signed(change);
            }
        }
    }

    /// The session in a room at a slot.
    pub fn occupant(&self, room: usize, slot: usize) -> Option<usize> {
        let s = self.room_slot[room * self.slots() + slot];
        (s != EMPTY).then_some(s as usize)
    }

    /// All placed positions, once every session is placed.
    pub fn complete_positions(&self) -> Option<Vec<Position>> {
        self.positions.iter().copied().collect()
    }
}
