//! The exact optimum for small instances, by branch and bound, to measure the solver's gap.

use crate::board::Board;
use crate::instance::Instance;
use crate::model::{Position, Problem};
use crate::solution::{attendee_lost, to_solution, Options, Solution};
use crate::wishes::WishedInterval;
use crate::{construct, explain, search, SolverError};

/// Sessions beyond which exhaustive search is refused.
const MAX_SESSIONS: usize = 12;
/// Search nodes beyond which the search gives up.
const MAX_NODES: u64 = 200_000_000;

/// Solves a small instance to proven optimality of lost wishes (ties broken by the solver's
/// own agenda). Lost wishes among the sessions placed so far never decrease as more are placed,
/// so they bound every branch.
pub fn solve_exact(instance: &Instance, options: &Options) -> Result<Solution, SolverError> {
    let problem = Problem::build(instance)?;
    if problem.sessions.len() > MAX_SESSIONS {
        return Err(SolverError::TooLargeForExactSearch(format!(
            "{} sessions; exhaustive search takes at most {MAX_SESSIONS}",
            problem.sessions.len()
        )));
    }
    let reasons = explain::obvious_conflicts(&problem, instance);
    if !reasons.is_empty() {
        return Err(SolverError::Infeasible { reasons });
    }
    let incumbent = construct::construct(&problem, instance)
        .ok()
        .map(|p| search::improve(&problem, p, options, &mut |_| {}));
    let mut order: Vec<usize> = (0..problem.sessions.len()).collect();
    order.sort_by_key(|&s| std::cmp::Reverse(problem.sessions[s].wishers.len()));
    let mut branch = Branch {
        problem: &problem,
        board: Board::new(&problem),
        order,
        lost: vec![0; problem.attendees.len()],
        total_lost: 0,
        best_lost: incumbent
            .as_ref()
            .map_or(u32::MAX, |p| crate::solution::metrics(&problem, p).lost_wishes),
        best: incumbent,
        nodes: 0,
        scratch: Vec::new(),
    };
    branch.descend(0);
    if branch.nodes > MAX_NODES {
        return Err(SolverError::TooLargeForExactSearch(format!(
            "gave up after {MAX_NODES} search nodes"
        )));
    }
    match branch.best {
        Some(positions) => Ok(to_solution(&problem, instance, &positions)),
        None => Err(SolverError::Infeasible {
            reasons: vec!["exhaustive search found no agenda that keeps every hard constraint".into()],
        }),
    }
}

struct Branch<'p> {
    problem: &'p Problem,
    board: Board<'p>,
    order: Vec<usize>,
    lost: Vec<u32>,
    total_lost: u32,
    best_lost: u32,
    best: Option<Vec<Position>>,
    nodes: u64,
    scratch: Vec<WishedInterval>,
}

impl Branch<'_> {
    fn descend(&mut self, depth: usize) {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return;
        }
        let Some(&s) = self.order.get(depth) else {
            self.best_lost = self.total_lost;
            self.best = self.board.complete_positions();
            return;
        };
        let problem = self.problem;
        let session = &problem.sessions[s];
        for &start in &session.starts {
            for &room in &session.rooms {
                let position = Position { start, room };
                if !self.board.can_place(s, position) {
                    continue;
                }
                self.board.place(s, position);
                let saved: Vec<(usize, u32)> = session.wishers.iter().map(|&a| (a, self.lost[a])).collect();
                for &a in &session.wishers {
                    let lost = attendee_lost(problem, a, &self.board.positions, &mut self.scratch);
                    self.total_lost = self.total_lost + lost - self.lost[a];
                    self.lost[a] = lost;
                }
                if self.total_lost < self.best_lost {
                    self.descend(depth + 1);
                }
                for (a, lost) in saved {
                    self.total_lost = self.total_lost + lost - self.lost[a];
                    self.lost[a] = lost;
                }
                self.board.remove(s);
            }
        }
    }
}
