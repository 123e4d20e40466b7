//! Allocating attendees to the sessions of an agenda within room capacity, by ranked wishes,
//! so that everyone gets a personal agenda with no overlaps.

use pathfinding::kuhn_munkres::kuhn_munkres;
use pathfinding::matrix::Matrix;
use serde::{Deserialize, Serialize};

use crate::instance::Instance;
use crate::model::{Position, Problem, SlotMask};
use crate::solution::Solution;
use crate::wishes::{ranked_agenda, WishedInterval};
use crate::SolverError;

/// An attendee's personal agenda, in time order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agenda {
    pub attendee: String,
    pub sessions: Vec<String>,
}

/// A wish an attendee does not get, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissedWish {
    pub attendee: String,
    pub session: String,
    pub reason: String,
}

/// Every attendee's agenda, and the wishes that did not make it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    pub agendas: Vec<Agenda>,
    pub missed: Vec<MissedWish>,
}

/// Weight of a seat for a wish of rank `r`: higher ranks weigh more; any seat beats none.
const SEAT: i64 = 1_000_000;
/// Weight of a seat the attendee cannot take.
const FORBIDDEN: i64 = -1_000_000_000;

/// Gives each attendee the largest set of their wishes they can attend, favouring higher ranks;
/// where a session has more takers than seats, the seats in its slot are assigned by an optimal
/// assignment (Kuhn–Munkres) over ranks, letting those who lose a seat take another wished
/// session starting then.
pub fn allocate(instance: &Instance, solution: &Solution) -> Result<Allocation, SolverError> {
    let problem = Problem::build(instance)?;
    let positions = read_positions(instance, solution)?;
    let mut agendas: Vec<Vec<usize>> = Vec::with_capacity(problem.attendees.len());
    for attendee in &problem.attendees {
        let intervals: Vec<WishedInterval> = attendee
            .wishes
            .iter()
            .enumerate()
            .map(|(rank, &s)| WishedInterval::new(positions[s].start, problem.sessions[s].length, rank))
            .collect();
        let ranks = ranked_agenda(&intervals, attendee.unavailable);
        agendas.push(ranks.iter().map(|&r| attendee.wishes[r]).collect());
    }
    // (attendee, session): seats lost to a full room.
    let mut turned_away: Vec<(usize, usize)> = Vec::new();
    for start in 0..problem.slot_count() {
        let starting: Vec<usize> = (0..problem.sessions.len())
            .filter(|&s| positions[s].start == start)
            .collect();
        let takers = |s: usize, agendas: &[Vec<usize>]| agendas.iter().filter(|a| a.contains(&s)).count();
        let crowded: Vec<usize> = starting
            .iter()
            .copied()
            .filter(|&s| takers(s, &agendas) > capacity(&problem, &positions, s))
            .collect();
        if crowded.is_empty() {
            continue;
        }
        reassign_slot(
            &problem,
            &positions,
            &starting,
            &crowded,
            &mut agendas,
            &mut turned_away,
        );
    }

    let mut result = Allocation {
        agendas: Vec::new(),
        missed: Vec::new(),
    };
    for (a, agenda) in agendas.iter_mut().enumerate() {
        agenda.sort_by_key(|&s| positions[s].start);
        let attendee = &problem.attendees[a];
        let id = &instance.attendees[a].id;
        for &s in &attendee.wishes {
            if agenda.contains(&s) {
                continue;
            }
            let span = problem.span(s, positions[s].start);
            let reason = if turned_away.contains(&(a, s)) {
                "the room was full".to_string()
            } else if attendee.unavailable & span != 0 {
                "unavailable then".to_string()
            } else {
                let clashing: Vec<&str> = agenda
                    .iter()
                    .filter(|&&t| problem.span(t, positions[t].start) & span != 0)
                    .map(|&t| instance.sessions[t].id.as_str())
                    .collect();
                format!("at the same time as {}", clashing.join(", "))
            };
            result.missed.push(MissedWish {
                attendee: id.clone(),
                session: instance.sessions[s].id.clone(),
                reason,
            });
        }
        result.agendas.push(Agenda {
            attendee: id.clone(),
            sessions: agenda.iter().map(|&s| instance.sessions[s].id.clone()).collect(),
        });
    }
    Ok(result)
}

fn capacity(problem: &Problem, positions: &[Position], s: usize) -> usize {
    problem.rooms[positions[s].room].capacity as usize
}

/// Reassigns the seats of the sessions starting in one slot among the attendees who want a
/// crowded one: each may keep it, take another wished session starting then that fits their
/// agenda, or go without.
fn reassign_slot(
    problem: &Problem,
    positions: &[Position],
    starting: &[usize],
    crowded: &[usize],
    agendas: &mut [Vec<usize>],
    turned_away: &mut Vec<(usize, usize)>,
) {
    let contenders: Vec<usize> = (0..agendas.len())
        .filter(|&a| agendas[a].iter().any(|s| crowded.contains(s)))
        .collect();
    // Seats left in each session starting now, after those not contending keep theirs.
    let mut seats: Vec<usize> = Vec::new();
    for &s in starting {
        let kept = agendas
            .iter()
            .enumerate()
            .filter(|(a, agenda)| agenda.contains(&s) && !contenders.contains(a))
            .count();
        let free = capacity(problem, positions, s)
            .saturating_sub(kept)
            .min(contenders.len());
        seats.extend(std::iter::repeat_n(s, free));
    }
    let columns = seats.len() + contenders.len();
    let mut weights = Matrix::new(contenders.len(), columns, 0i64);
    for (row, &a) in contenders.iter().enumerate() {
        let attendee = &problem.attendees[a];
        let rest: SlotMask = agendas[a]
            .iter()
            .filter(|s| !starting.contains(s))
            .fold(attendee.unavailable, |m, &s| {
                m | problem.span(s, positions[s].start)
            });
        for (column, &s) in seats.iter().enumerate() {
            let rank = attendee.wishes.iter().position(|&w| w == s);
            let fits = problem.span(s, positions[s].start) & rest == 0;
            weights[(row, column)] = match rank {
                Some(rank) if fits => SEAT - rank as i64,
                _ => FORBIDDEN,
            };
        }
    }
    let (_, assignment) = kuhn_munkres(&weights);
    for (row, &a) in contenders.iter().enumerate() {
        let wanted: Vec<usize> = agendas[a]
            .iter()
            .copied()
            .filter(|s| crowded.contains(s))
            .collect();
        agendas[a].retain(|s| !starting.contains(s));
        let column = assignment[row];
        if column < seats.len() && weights[(row, column)] > 0 {
            agendas[a].push(seats[column]);
        }
        turned_away.extend(
            wanted
                .into_iter()
                .filter(|s| !agendas[a].contains(s))
                .map(|s| (a, s)),
        );
    }
}

fn read_positions(instance: &Instance, solution: &Solution) -> Result<Vec<Position>, SolverError> {
    let slot = |id: &str| instance.slots.iter().position(|s| s.id == id);
    let room = |id: &str| instance.rooms.iter().position(|r| r.id == id);
    let mut positions = vec![None; instance.sessions.len()];
    let mut problems = Vec::new();
    for placement in &solution.assignments {
        let session = instance.sessions.iter().position(|s| s.id == placement.session);
        match (session, slot(&placement.slot), room(&placement.room)) {
            (Some(s), Some(start), Some(room)) => positions[s] = Some(Position { start, room }),
            _ => problems.push(format!(
                "assignment of {} to {} in {} names an unknown session, slot or room",
                placement.session, placement.slot, placement.room
            )),
        }
    }
    for (s, position) in positions.iter().enumerate() {
        if position.is_none() {
            problems.push(format!("session {} is not placed", instance.sessions[s].id));
        }
    }
    if problems.is_empty() {
        Ok(positions.into_iter().map(|p| p.expect("checked")).collect())
    } else {
        Err(SolverError::InvalidSolution { problems })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::test_support::{attendee, instance, session, solution, with};

    #[test]
    fn seats_go_by_rank_and_the_rest_take_their_next_wish() {
        // w1 in a room for 2; three want it first; w2 runs at the same time; w3 later.
        let mut value = with(
            vec![
                session("w1", "a", &[]),
                session("w2", "b", &[]),
                session("w3", "c", &[]),
            ],
            vec![
                attendee("a1", &["w1", "w3"]),
                attendee("a2", &["w1", "w2", "w3"]),
                attendee("a3", &["w1", "w2"]),
                attendee("a4", &["w2", "w1"]),
            ],
        );
        value["rooms"][1]["capacity"] = json!(2);
        let instance = instance(value);
        let agenda = allocate(
            &instance,
            &solution(&[
                ("w1", "sat-1", "studio"),
                ("w2", "sat-1", "hall"),
                ("w3", "sat-2", "hall"),
            ]),
        )
        .unwrap();
        let of = |id: &str| {
            agenda
                .agendas
                .iter()
                .find(|a| a.attendee == id)
                .unwrap()
                .sessions
                .clone()
        };
        let in_w1 = agenda
            .agendas
            .iter()
            .filter(|a| a.sessions.contains(&"w1".to_string()))
            .count();
        assert_eq!(in_w1, 2);
        // a1 has no alternative in sat-1, so a1 keeps w1; a2 or a3 moves to w2.
        assert_eq!(of("a1"), ["w1", "w3"]);
        assert_eq!(of("a4"), ["w2"]);
        let a2 = of("a2");
        let a3 = of("a3");
        assert!(a2.contains(&"w2".to_string()) || a3.contains(&"w2".to_string()));
        assert!(agenda.missed.iter().any(|m| m.reason == "the room was full"));
        assert!(agenda
            .missed
            .iter()
            .any(|m| m.attendee == "a4" && m.reason == "at the same time as w2"));
    }

    #[test]
    fn an_agenda_never_overlaps_and_stays_within_capacity() {
        let instance = crate::generate_instance(&crate::GeneratorConfig::summit(1));
        let solution = crate::solve(&instance, &crate::Options::default()).unwrap();
        let allocation = allocate(&instance, &solution).unwrap();
        let report = crate::check(&instance, &solution).unwrap();
        let kept: usize = allocation.agendas.iter().map(|a| a.sessions.len()).sum();
        assert_eq!(kept as u32, report.metrics.wishes - report.metrics.lost_wishes);
        for agenda in &allocation.agendas {
            let slots: Vec<&str> = agenda
                .sessions
                .iter()
                .map(|s| {
                    let p = solution.assignments.iter().find(|p| &p.session == s).unwrap();
                    p.slot.as_str()
                })
                .collect();
            let mut unique = slots.clone();
            unique.dedup();
            assert_eq!(unique.len(), slots.len(), "{agenda:?}");
        }
    }
}
