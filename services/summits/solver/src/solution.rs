//! The solution file and the solver's options: assignments plus the headline metrics.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::instance::{Instance, Placement};
use crate::model::{Position, Problem, SlotMask};
use crate::wishes::{attendable_count, WishedInterval};
use crate::SolverError;

/// An agenda: where every session sits, and how good that is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Solution {
    /// One per session; the slot of a multi-slot session is its first.
    pub assignments: Vec<Placement>,
    pub metrics: Metrics,
}

/// The headline figures of an agenda.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metrics {
    /// All wishes of all attendees.
    pub wishes: u32,
    /// Wishes beyond each attendee's largest attendable set.
    pub lost_wishes: u32,
    /// Pairs of sessions on the same theme that overlap in time.
    pub theme_clashes: u32,
    /// Sessions placed differently from the previous agenda, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved: Option<u32>,
}

/// How hard to search, and how to treat a previous agenda.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Seed of the local search: the same seed gives the same agenda.
    pub seed: u64,
    /// Local-search moves to try; `None` scales with the instance.
    pub iterations: Option<u64>,
    /// Wall-clock cap on the local search, a safety net behind `iterations`.
    pub time_limit: Duration,
    /// With a previous agenda, move as few sessions as possible (before losing fewer wishes).
    /// When false, the previous agenda is only a starting point.
    pub minimal_moves: bool,
}

/// How far a solve has gone, for whoever waits on it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// Share of the search done, from 0 to 1.
    pub done: f64,
    /// Lost wishes of the best agenda found so far.
    pub lost_wishes: u32,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            seed: 2026,
            iterations: None,
            time_limit: Duration::from_secs(8),
            minimal_moves: true,
        }
    }
}

impl Solution {
    /// Reads a solution from JSON text.
    pub fn from_json(text: &str) -> Result<Solution, SolverError> {
        Ok(serde_json::from_str(text)?)
    }

    /// Writes the solution as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a solution always serialises")
    }
}

/// Lost wishes of one attendee when sessions sit at `positions` (`None`: not placed, so not
/// counted as wished either).
pub(crate) fn attendee_lost(
    problem: &Problem,
    attendee: usize,
    positions: &[Option<Position>],
    scratch: &mut Vec<WishedInterval>,
) -> u32 {
    one_slot_lost(problem, attendee, positions)
        .unwrap_or_else(|| scheduled_lost(problem, attendee, positions, scratch))
}

/// Lost wishes when every placed wish lasts one slot (most attendees' case, and no sorting): one
/// wish can be attended in each distinct slot the attendee is free in. `None` otherwise.
fn one_slot_lost(problem: &Problem, attendee: usize, positions: &[Option<Position>]) -> Option<u32> {
    let model = &problem.attendees[attendee];
    let mut slots: SlotMask = 0;
    let mut placed = 0;
    for &s in &model.wishes {
        match positions[s] {
            Some(position) if problem.sessions[s].length == 1 => {
                slots |= 1 << position.start;
                placed += 1;
            }
            Some(_) => return None,
            None => {}
        }
    }
    Some(placed - (slots & !model.unavailable).count_ones())
}

/// Lost wishes by interval scheduling of the placed wishes, whatever their lengths.
fn scheduled_lost(
    problem: &Problem,
    attendee: usize,
    positions: &[Option<Position>],
    scratch: &mut Vec<WishedInterval>,
) -> u32 {
    let model = &problem.attendees[attendee];
    scratch.clear();
    for (rank, &s) in model.wishes.iter().enumerate() {
        if let Some(position) = positions[s] {
            scratch.push(WishedInterval::new(
                position.start,
                problem.sessions[s].length,
                rank,
            ));
        }
    }
    scratch.len() as u32 - attendable_count(scratch, model.unavailable)
}

/// Whether two placed sessions share a slot.
pub(crate) fn overlaps(problem: &Problem, a: usize, pa: Position, b: usize, pb: Position) -> bool {
    problem.span(a, pa.start) & problem.span(b, pb.start) != 0
}

/// Theme clashes, as pairs of sessions, when every session is placed.
pub(crate) fn clash_pairs(problem: &Problem, positions: &[Position]) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    for members in &problem.themes {
        for (i, &a) in members.iter().enumerate() {
            for &b in &members[i + 1..] {
                if overlaps(problem, a, positions[a], b, positions[b]) {
                    pairs.push((a, b));
                }
            }
        }
    }
    pairs
}

pub(crate) fn moved_count(problem: &Problem, positions: &[Position]) -> Option<u32> {
    problem.previous_given.then(|| {
        problem
            .sessions
            .iter()
            .zip(positions)
            .filter(|(session, &position)| session.previous != Some(position))
            .count() as u32
    })
}

pub(crate) fn metrics(problem: &Problem, positions: &[Position]) -> Metrics {
    let placed: Vec<Option<Position>> = positions.iter().copied().map(Some).collect();
    let mut scratch = Vec::new();
    Metrics {
        wishes: problem.attendees.iter().map(|a| a.wishes.len() as u32).sum(),
        lost_wishes: (0..problem.attendees.len())
            .map(|a| attendee_lost(problem, a, &placed, &mut scratch))
            .sum(),
        theme_clashes: clash_pairs(problem, positions).len() as u32,
        moved: moved_count(problem, positions),
    }
}

pub(crate) fn to_solution(problem: &Problem, instance: &Instance, positions: &[Position]) -> Solution {
    let assignments = instance
        .sessions
        .iter()
        .zip(positions)
        .map(|(session, position)| Placement {
            session: session.id.clone(),
            slot: instance.slots[position.start].id.clone(),
            room: instance.rooms[position.room].id.clone(),
        })
        .collect();
    Solution {
        assignments,
        metrics: metrics(problem, positions),
    }
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    use super::{one_slot_lost, scheduled_lost};
    use crate::generate::{generate_instance, GeneratorConfig};
    use crate::model::{Position, Problem};

    /// The count without sorting agrees with interval scheduling wherever it answers, over random
    /// placements (some sessions unplaced) of a summit with unavailable attendees.
    #[test]
    fn lost_wishes_of_one_slot_wishes_match_interval_scheduling() {
        let instance = generate_instance(&GeneratorConfig::summit(3));
        let problem = Problem::build(&instance).expect("a valid instance");
        let slots = problem.slot_day.len();
        assert!(problem.attendees.iter().any(|a| a.unavailable != 0));
        let mut random = StdRng::seed_from_u64(7);
        let (mut answered, mut lost) = (0, 0);
        for _ in 0..50 {
            let positions: Vec<Option<Position>> = problem
                .sessions
                .iter()
                .map(|session| {
                    random.gen_bool(0.9).then(|| Position {
                        start: random.gen_range(0..=slots - session.length),
                        room: 0,
                    })
                })
                .collect();
            for a in 0..problem.attendees.len() {
                let Some(quick) = one_slot_lost(&problem, a, &positions) else {
                    continue;
                };
                assert_eq!(quick, scheduled_lost(&problem, a, &positions, &mut Vec::new()));
                answered += 1;
                lost += quick;
            }
        }
        assert!(answered > 1_000, "the quick count answered only {answered} times");
        assert!(lost > 100, "only {lost} wishes lost: the placements test little");
    }
}
