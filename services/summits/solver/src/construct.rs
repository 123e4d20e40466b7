//! A greedy first agenda: pins, then the previous agenda, then the most constrained sessions
//! first, each where it clashes least with sessions sharing its wishers.

use crate::board::Board;
use crate::explain;
use crate::instance::Instance;
use crate::model::{Position, Problem};
use crate::SolverError;

/// Restarts, each putting the sessions that could not be placed first.
const ATTEMPTS: usize = 60;

/// How many attendees wish for both of two sessions, for every pair.
pub(crate) struct CoWishes {
    sessions: usize,
    counts: Vec<u32>,
}

impl CoWishes {
    pub fn new(problem: &Problem) -> CoWishes {
        let sessions = problem.sessions.len();
        let mut counts = vec![0; sessions * sessions];
        for attendee in &problem.attendees {
            for (i, &a) in attendee.wishes.iter().enumerate() {
                for &b in &attendee.wishes[i + 1..] {
                    counts[a * sessions + b] += 1;
                    counts[b * sessions + a] += 1;
                }
            }
        }
        CoWishes { sessions, counts }
    }

    pub fn between(&self, a: usize, b: usize) -> u32 {
        self.counts[a * self.sessions + b]
    }
}

pub(crate) fn construct(problem: &Problem, instance: &Instance) -> Result<Vec<Position>, SolverError> {
    let co_wishes = CoWishes::new(problem);
    let mut order = initial_order(problem);
    let mut last_failures = Vec::new();
    for attempt in 0..ATTEMPTS {
        let use_previous = attempt < ATTEMPTS / 2;
        let mut board = Board::new(problem);
        for (s, session) in problem.sessions.iter().enumerate() {
            if let Some(pin) = session.pin {
                if board.can_place(s, pin) {
                    board.place(s, pin);
                }
            }
        }
        if use_previous {
            for s in &order {
                if let Some(previous) = problem.sessions[*s].previous {
                    if board.positions[*s].is_none() && board.can_place(*s, previous) {
                        board.place(*s, previous);
                    }
                }
            }
        }
        let mut failures = Vec::new();
        for &s in &order {
            if board.positions[s].is_some() {
                continue;
            }
            match best_position(&board, &co_wishes, s) {
                Some(position) => board.place(s, position),
                None => {
                    if !place_by_ejecting(&mut board, &co_wishes, s) {
                        failures.push(s);
                    }
                }
            }
        }
        if let Some(positions) = board.complete_positions() {
            return Ok(positions);
        }
        order.retain(|s| !failures.contains(s));
        let mut reordered = failures.clone();
        reordered.append(&mut order);
        order = reordered;
        last_failures = failures;
    }
    Err(SolverError::Infeasible {
        reasons: explain::placement_failures(problem, instance, &last_failures),
    })
}

/// Pinned sessions first, then plenaries, then by fewest possible positions, then by demand.
fn initial_order(problem: &Problem) -> Vec<usize> {
    let mut order: Vec<usize> = (0..problem.sessions.len()).collect();
    order.sort_by_key(|&s| {
        let session = &problem.sessions[s];
        (
            session.pin.is_none(),
            !session.plenary,
            session.starts.len() * session.rooms.len() * session.length.max(1),
            std::cmp::Reverse(session.demand),
            s,
        )
    });
    order
}

/// The free position where the session overlaps least with sessions its wishers also want,
/// loses fewest wishes to unavailability, and wastes least room capacity.
fn best_position(board: &Board, co_wishes: &CoWishes, s: usize) -> Option<Position> {
    let problem = board.problem;
    let session = &problem.sessions[s];
    let mut best: Option<(u64, Position)> = None;
    for &start in &session.starts {
        let span = problem.span(s, start);
        let mut clash = 0u64;
        for slot in start..start + session.length {
            for room in 0..problem.rooms.len() {
                if let Some(t) = board.occupant(room, slot) {
                    clash += u64::from(co_wishes.between(s, t)) * 1000;
                    if session.theme.is_some() && problem.sessions[t].theme == session.theme {
                        clash += 10;
                    }
                }
            }
        }
        clash += 1000
            * session
                .wishers
                .iter()
                .filter(|&&a| problem.attendees[a].unavailable & span != 0)
                .count() as u64;
        for &room in &session.rooms {
            let position = Position { start, room };
            if !board.can_place(s, position) {
                continue;
            }
            let waste = u64::from(problem.rooms[room].capacity - session.demand).min(999) / 100;
            let cost = clash + waste;
            if best.is_none_or(|(best_cost, _)| cost < best_cost) {
                best = Some((cost, position));
            }
        }
    }
    best.map(|(_, position)| position)
}

/// Places `s` where a single unpinned session blocks it, moving that session elsewhere.
fn place_by_ejecting(board: &mut Board, co_wishes: &CoWishes, s: usize) -> bool {
    let problem = board.problem;
    let session = &problem.sessions[s];
    for &start in &session.starts {
        for &room in &session.rooms {
            let mut blockers: Vec<usize> = (start..start + session.length)
                .filter_map(|slot| board.occupant(room, slot))
                .collect();
            blockers.dedup();
            let [t] = blockers[..] else { continue };
            if problem.sessions[t].pin.is_some() {
                continue;
            }
            let position = Position { start, room };
            let t_old = board.remove(t);
            if board.can_place(s, position) {
                board.place(s, position);
                if let Some(elsewhere) = best_position(board, co_wishes, t) {
                    board.place(t, elsewhere);
                    return true;
                }
                board.remove(s);
            }
            board.place(t, t_old);
        }
    }
    false
}
