//! Local search from the greedy agenda: simulated annealing over moves and swaps, with lost
//! wishes re-evaluated only for the attendees of the sessions that moved.

use std::time::Instant;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::board::Board;
use crate::model::{Position, Problem};
use crate::solution::{attendee_lost, overlaps, Options, Progress};
use crate::wishes::WishedInterval;

/// Moves tried per session when `Options::iterations` is not set, with a floor for small
/// instances and a ceiling from the work a move costs on large ones.
const ITERATIONS_PER_SESSION: u64 = 3_000;
const MIN_ITERATIONS: u64 = 120_000;
/// Wishes re-evaluated over the whole search, at most.
const WORK_BUDGET: u64 = 500_000_000;
/// Start and end temperatures, in lost wishes.
const HOT: f64 = 0.6;
/// Times the temperature falls from hot to cold (reheating keeps the search from freezing early).
const ROUNDS: u64 = 3;
const COLD: f64 = 0.02;

/// Weights that make the objective lexicographic: moves (when minimal), then lost wishes, then
/// theme clashes.
struct Weights {
    lost: i64,
    moved: i64,
}

struct Search<'p> {
    problem: &'p Problem,
    board: Board<'p>,
    lost: Vec<u32>,
    /// The sum of `lost`.
    lost_total: u32,
    weights: Weights,
    count_moves: bool,
    scratch: Vec<WishedInterval>,
    seen: Vec<u32>,
    stamp: u32,
    /// New lost-wish counts of the attendees touched by the pending move.
    changes: Vec<(usize, u32)>,
    pending: Option<Pending>,
}

/// Local searches run side by side from different seeds (two per core of a 2-core machine): the best
/// agenda wins, ties going to `Options::seed`'s. The number depends only on the instance, so an
/// instance and a seed always give the same agenda.
const SEARCHES: u64 = 4;
/// Searches of an instance so large that the work budget cuts each short: one per core. More did not
/// find better agendas at conference scale (BENCHMARKS.md), only took twice as long.
const LARGE_SEARCHES: u64 = 2;

/// Improves `positions`: `SEARCHES` (or `LARGE_SEARCHES`) local searches from seeds `options.seed`,
/// `options.seed + 1`, ..., each on its own thread. `progress` hears from the first every thousand or
/// so moves, and at the end (done) the lost wishes of the best, as it counted them.
pub(crate) fn improve(
    problem: &Problem,
    positions: Vec<Position>,
    options: &Options,
    progress: &mut dyn FnMut(Progress),
) -> Vec<Position> {
    std::thread::scope(|scope| {
        let searches = if affordable_iterations(problem) < wanted_iterations(problem) {
            LARGE_SEARCHES
        } else {
            SEARCHES
        };
        let others: Vec<_> = (1..searches)
            .map(|k| {
                let start = positions.clone();
                let options = Options {
                    seed: options.seed.wrapping_add(k),
                    ..options.clone()
                };
                scope.spawn(move || improve_from_seed(problem, start, &options, &mut |_| {}))
            })
            .collect();
        let mut best = improve_from_seed(problem, positions, options, progress);
        for other in others {
            match other.join() {
                Ok(other) if other.cost < best.cost => best = other,
                Ok(_) => {}
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        progress(Progress {
            done: 1.0,
            lost_wishes: best.lost_wishes,
        });
        best.positions
    })
}

/// The outcome of one local search.
struct Improved {
    positions: Vec<Position>,
    /// Relative to the start: comparable between searches from the same start.
    cost: i64,
    /// As the search counted them, incrementally.
    lost_wishes: u32,
}

/// One local search from `options.seed`.
fn improve_from_seed(
    problem: &Problem,
    positions: Vec<Position>,
    options: &Options,
    progress: &mut dyn FnMut(Progress),
) -> Improved {
    let movable: Vec<usize> = (0..problem.sessions.len())
        .filter(|&s| problem.sessions[s].pin.is_none())
        .filter(|&s| problem.sessions[s].starts.len() * problem.sessions[s].rooms.len() > 1)
        .collect();
    let mut search = Search::new(problem, &positions, options);
    if movable.is_empty() {
        return Improved {
            positions,
            cost: 0,
            lost_wishes: search.lost_total,
        };
    }
    let mut best_lost = search.lost_total;
    let iterations = options.iterations.unwrap_or_else(|| default_iterations(problem));
    let mut rng = StdRng::seed_from_u64(options.seed);
    let started = Instant::now();
    let mut cost: i64 = 0;
    let mut best_cost: i64 = 0;
    let mut best = positions;
    let hot = HOT * search.weights.lost as f64;
    let cold = COLD * search.weights.lost as f64 + 0.3;
    let per_round = (iterations / ROUNDS).max(1);
    let cooling = (cold / hot).powf(1.0 / per_round as f64);
    let mut temperature = hot;
    for iteration in 0..iterations {
        if iteration % 1024 == 0 {
            let elapsed = started.elapsed();
            if elapsed > options.time_limit {
                break;
            }
            progress(Progress {
                done: (iteration as f64 / iterations as f64)
                    .max(elapsed.as_secs_f64() / options.time_limit.as_secs_f64()),
                lost_wishes: best_lost,
            });
        }
        temperature = if iteration % per_round == 0 {
            hot
        } else {
            temperature * cooling
        };
        let s = movable[rng.gen_range(0..movable.len())];
        let session = &problem.sessions[s];
        let target = match session.previous {
            // Re-solving: often try to put a moved session back where it was.
            Some(previous) if search.count_moves && rng.gen_bool(0.3) => previous,
            _ => Position {
                start: session.starts[rng.gen_range(0..session.starts.len())],
                room: session.rooms[rng.gen_range(0..session.rooms.len())],
            },
        };
        // Metropolis: a worse move passes if its cost rises by less than this.
        let limit = -temperature * rng.gen::<f64>().ln();
        let Some(delta) = search.try_move(s, target, limit) else {
            continue;
        };
        if delta <= 0 || (delta as f64) < limit {
            search.accept();
            cost += delta;
            if cost < best_cost {
                best_cost = cost;
                best_lost = search.lost_total;
                best = search.board.complete_positions().expect("all placed");
            }
        } else {
            search.undo();
        }
    }
    Improved {
        positions: best,
        cost: best_cost,
        lost_wishes: best_lost,
    }
}

fn default_iterations(problem: &Problem) -> u64 {
    wanted_iterations(problem).min(affordable_iterations(problem))
}

fn wanted_iterations(problem: &Problem) -> u64 {
    (ITERATIONS_PER_SESSION * problem.sessions.len() as u64).max(MIN_ITERATIONS)
}

/// Moves whose evaluation stays within `WORK_BUDGET`.
fn affordable_iterations(problem: &Problem) -> u64 {
    let wishes: u64 = problem.attendees.iter().map(|a| a.wishes.len() as u64).sum();
    let sessions = problem.sessions.len().max(1) as u64;
    let attendees = problem.attendees.len().max(1) as u64;
    // A move re-evaluates about two sessions' wishers, each with all their wishes.
    let work_per_move = (2 * wishes / sessions * wishes / attendees).max(1);
    WORK_BUDGET / work_per_move
}

/// A tentative move, to accept or undo.
struct Pending {
    moved: Vec<(usize, Position)>,
}

impl<'p> Search<'p> {
    fn new(problem: &'p Problem, positions: &[Position], options: &Options) -> Search<'p> {
        let mut board = Board::new(problem);
        for (s, &position) in positions.iter().enumerate() {
            board.place(s, position);
        }
        let mut scratch = Vec::new();
        let lost: Vec<u32> = (0..problem.attendees.len())
            .map(|a| attendee_lost(problem, a, &board.positions, &mut scratch))
            .collect();
        let clash_bound: i64 = problem
            .themes
            .iter()
            .map(|m| (m.len() * m.len().saturating_sub(1) / 2) as i64)
            .sum();
        let lost_weight = clash_bound + 1;
        let total_wishes: i64 = problem.attendees.iter().map(|a| a.wishes.len() as i64).sum();
        Search {
            problem,
            board,
            lost_total: lost.iter().sum(),
            lost,
            weights: Weights {
                lost: lost_weight,
                moved: (total_wishes + 1) * lost_weight,
            },
            count_moves: options.minimal_moves && problem.previous_given,
            scratch,
            seen: vec![0; problem.attendees.len()],
            stamp: 0,
            changes: Vec::new(),
            pending: None,
        }
    }

    /// Moves `s` to `target`. Sessions in the way swap into its old place: a single one takes
    /// `s`'s old position; several lying within the target window shift into the old window.
    /// Returns the change of cost, or `None` (changing nothing) if a hard constraint would break or
    /// the cost would surely rise by `limit` or more (then theme clashes are never counted).
    fn try_move(&mut self, s: usize, target: Position, limit: f64) -> Option<i64> {
        let problem = self.problem;
        let old = self.board.positions[s].expect("all placed");
        let length = problem.sessions[s].length;
        if old == target {
            return None;
        }
        let mut partners: Vec<usize> = (target.start..target.start + length)
            .filter_map(|slot| self.board.occupant(target.room, slot))
            .filter(|&t| t != s)
            .collect();
        partners.dedup();
        if partners.iter().any(|&t| problem.sessions[t].pin.is_some()) {
            return None;
        }
        let destinations: Vec<Position> = if partners.len() <= 1 {
            partners.iter().map(|_| old).collect()
        } else {
            if target.room == old.room && target.start.abs_diff(old.start) < length {
                return None;
            }
            partners
                .iter()
                .map(|&t| {
                    let p = self.board.positions[t].expect("placed");
                    let inside = p.start >= target.start
                        && p.start + problem.sessions[t].length <= target.start + length;
                    inside.then(|| Position {
                        start: old.start + (p.start - target.start),
                        room: old.room,
                    })
                })
                .collect::<Option<Vec<Position>>>()?
        };
        let involved: Vec<usize> = std::iter::once(s).chain(partners.iter().copied()).collect();
        let moves_before = self.moves_among(&involved);
        let moved: Vec<(usize, Position)> = involved.iter().map(|&x| (x, self.board.remove(x))).collect();
        let wanted = std::iter::once(target).chain(destinations);
        let mut placed = Vec::with_capacity(involved.len());
        for (&x, position) in involved.iter().zip(wanted) {
            if !self.board.can_place(x, position) {
                for &y in &placed {
                    self.board.remove(y);
                }
                for &(y, position) in &moved {
                    self.board.place(y, position);
                }
                return None;
            }
            self.board.place(x, position);
            placed.push(x);
        }
        let pending = Pending { moved };
        let move_delta = self.moves_among(&involved) - moves_before;
        let lost_delta = self.lost_delta(&pending);
        let most_clashes_ended: i64 = involved.iter().map(|&x| self.problem.theme_peers(x)).sum();
        let without_clashes = lost_delta * self.weights.lost + move_delta * self.weights.moved;
        let surely = without_clashes - most_clashes_ended;
        if surely > 0 && surely as f64 >= limit {
            self.pending = Some(pending);
            self.undo();
            return None;
        }
        let clash_delta =
            self.clashes_involving(&involved, &[]) - self.clashes_involving(&involved, &pending.moved);
        self.pending = Some(pending);
        Some(without_clashes + clash_delta)
    }

    fn accept(&mut self) {
        for &(a, lost) in &self.changes {
            self.lost_total = self.lost_total + lost - self.lost[a];
            self.lost[a] = lost;
        }
        self.pending = None;
    }

    fn undo(&mut self) {
        let pending = self.pending.take().expect("a pending move");
        for &(s, _) in &pending.moved {
            self.board.remove(s);
        }
        for &(s, position) in &pending.moved {
            self.board.place(s, position);
        }
    }

    /// Change of lost wishes over the attendees of sessions whose slot changed.
    fn lost_delta(&mut self, pending: &Pending) -> i64 {
        self.changes.clear();
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.seen.fill(0);
            self.stamp = 1;
        }
        let mut delta = 0i64;
        for &(s, old) in &pending.moved {
            let now = self.board.positions[s].expect("placed");
            if now.start == old.start {
                continue;
            }
            for &a in &self.problem.sessions[s].wishers {
                if self.seen[a] == self.stamp {
                    continue;
                }
                self.seen[a] = self.stamp;
                let lost = attendee_lost(self.problem, a, &self.board.positions, &mut self.scratch);
                delta += i64::from(lost) - i64::from(self.lost[a]);
                self.changes.push((a, lost));
            }
        }
        delta
    }

    /// Theme clashes that involve any of `sessions`, each pair once, with the sessions of `instead`
    /// at the positions it gives rather than on the board.
    fn clashes_involving(&self, sessions: &[usize], instead: &[(usize, Position)]) -> i64 {
        let position = |x: usize| match instead.iter().find(|(y, _)| *y == x) {
            Some(&(_, position)) => position,
            None => self.board.positions[x].expect("placed"),
        };
        let mut count = 0;
        for &x in sessions {
            let Some(theme) = self.problem.sessions[x].theme else {
                continue;
            };
            let px = position(x);
            for &y in &self.problem.themes[theme] {
                if y == x || (sessions.contains(&y) && y < x) {
                    continue;
                }
                let py = position(y);
                if overlaps(self.problem, x, px, y, py) {
                    count += 1;
                }
            }
        }
        count
    }

    fn moves_among(&self, sessions: &[usize]) -> i64 {
        if !self.count_moves {
            return 0;
        }
        sessions
            .iter()
            .filter(|&&x| self.problem.sessions[x].previous != self.board.positions[x])
            .count() as i64
    }
}

#[cfg(test)]
mod tests {
    use super::{improve_from_seed, Options};
    use crate::generate::{generate_instance, GeneratorConfig};
    use crate::model::Problem;
    use crate::{construct, solution};

    /// What each search counts incrementally is what a full evaluation of its agenda finds, for every seed
    /// that `improve` runs side by side.
    #[test]
    fn each_search_counts_its_lost_wishes_right() {
        let instance = generate_instance(&GeneratorConfig::summit(2));
        let problem = Problem::build(&instance).expect("a valid instance");
        let start = construct::construct(&problem, &instance).expect("feasible");
        for seed in 2026..2026 + super::SEARCHES {
            let options = Options {
                seed,
                ..Options::default()
            };
            let improved = improve_from_seed(&problem, start.clone(), &options, &mut |_| {});
            let full = solution::metrics(&problem, &improved.positions).lost_wishes;
            assert_eq!(improved.lost_wishes, full, "seed {seed}");
            assert!(improved.cost <= 0, "seed {seed}: never worse than the start");
        }
    }
}
