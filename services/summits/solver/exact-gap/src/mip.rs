//! The exact optimum of lost wishes as a MIP solved by HiGHS.
//!
//! Binary `x[s,t,r]`: session `s` starts in slot `t` in room `r`, only where the model allows it.
//! Each session is placed once; a room holds one session per slot, a facilitator runs one session
//! per slot, and a plenary shares its slots with no other session. Continuous `w[a,s,t] ≤ Σ_r
//! x[s,t,r]`: attendee `a` attends wished session `s` started at `t` (no variable where that
//! covers a slot they are away), at most one per slot. Maximise `Σ w`. Once `x` is integral, each
//! attendee's rows are an interval matrix (consecutive ones), which is totally unimodular, so the
//! best `w` is integral and `Σ w` is exactly the attendable wishes the crate counts (the most
//! non-overlapping wished sessions clear of the attendee's unavailability). The placement found is
//! still re-scored with `summit_solver::check`, which also confirms every hard constraint.

use std::time::{Duration, Instant};

use highs::{Col, HighsModelStatus, HighsSolutionStatus, RowProblem, Sense};
use summit_solver::{check, Instance, Metrics, Placement, Solution};

use crate::model::{first_slots, Model};

/// How the MIP runs.
pub struct Settings {
    pub time_limit: Duration,
    pub threads: i32,
    /// Show HiGHS's log.
    pub verbose: bool,
    /// Bound by branch and price (`branch`) instead of the MIP.
    pub branch: bool,
}

/// The MIP's result, scored by `summit_solver::check`.
pub struct Outcome {
    /// The best agenda found, with the metrics `check` gives it.
    pub solution: Solution,
    /// Lost wishes of the best agenda found.
    pub lost: u32,
    /// Proven lower bound on lost wishes (equal to `lost` when optimal).
    pub bound: u32,
    /// Lost wishes by the MIP's own objective, to compare with `lost`.
    pub mip_lost: f64,
    pub time: Duration,
}

/// Solves the MIP, starting from `start` (an agenda it must accept) if given, and told that at
/// least `known_bound` wishes are lost (a bound proven elsewhere, or 0); `None` if it finds no
/// agenda.
pub fn optimum(
    instance: &Instance,
    model: &Model,
    start: Option<&Solution>,
    known_bound: u32,
    settings: &Settings,
) -> Option<Outcome> {
    let started = Instant::now();
    let mut problem = RowProblem::default();
    // x[s]: (start, room, column) for every place session s may take.
    let mut x: Vec<Vec<(usize, usize, Col)>> = Vec::new();
    for s in 0..model.sessions() {
        let mut places = Vec::new();
        for &t in &model.starts[s] {
            for &r in &model.rooms_of[s] {
                places.push((t, r, problem.add_integer_column(0.0, 0..=1)));
            }
        }
        x.push(places);
    }
    // w[a]: (session, start, column) for every wished session and start the attendee can attend.
    let mut w: Vec<Vec<(usize, usize, Col)>> = Vec::new();
    for (a, wishes) in model.wishes.iter().enumerate() {
        let mut attends = Vec::new();
        for &s in wishes {
            for &t in &model.starts[s] {
                if !(t..t + model.length[s]).any(|u| model.away[a][u]) {
                    attends.push((s, t, problem.add_column(1.0, 0..=1)));
                }
            }
        }
        w.push(attends);
    }

    let covering = |s: usize, u: usize| x[s].iter().filter(move |&&(t, _, _)| model.covers(s, t, u));
    for places in &x {
        problem.add_row(1..=1, places.iter().map(|&(_, _, c)| (c, 1.0)));
    }
    let people = model.facilitators.iter().flatten().max().map_or(0, |p| p + 1);
    for u in 0..model.slots {
        for r in 0..model.rooms {
            let row: Vec<(Col, f64)> = (0..model.sessions())
                .flat_map(|s| covering(s, u).filter(|p| p.1 == r).map(|p| (p.2, 1.0)))
                .collect();
            add_if_binding(&mut problem, row);
        }
        for person in 0..people {
            let row: Vec<(Col, f64)> = (0..model.sessions())
                .filter(|&s| model.facilitators[s].contains(&person))
                .flat_map(|s| covering(s, u).map(|p| (p.2, 1.0)))
                .collect();
            add_if_binding(&mut problem, row);
        }
        for p in (0..model.sessions()).filter(|&p| model.plenary[p]) {
            for q in (0..model.sessions()).filter(|&q| q != p && (q > p || !model.plenary[q])) {
                let row: Vec<(Col, f64)> = covering(p, u).chain(covering(q, u)).map(|p| (p.2, 1.0)).collect();
                add_if_binding(&mut problem, row);
            }
        }
    }
    for (a, attends) in w.iter().enumerate() {
        for &(s, t, c) in attends {
            let started_there = x[s].iter().filter(|p| p.0 == t).map(|p| (p.2, -1.0));
            problem.add_row(..=0, std::iter::once((c, 1.0)).chain(started_there));
        }
        for u in (0..model.slots).filter(|&u| !model.away[a][u]) {
            let row: Vec<(Col, f64)> = attends
                .iter()
                .filter(|&&(s, t, _)| model.covers(s, t, u))
                .map(|p| (p.2, 1.0))
                .collect();
            add_if_binding(&mut problem, row);
        }
    }

    let wishes: usize = model.wishes.iter().map(Vec::len).sum();
    let everyone = w.iter().flatten().map(|p| (p.2, 1.0));
    problem.add_row(..=(wishes as f64 - f64::from(known_bound)), everyone);

    let columns = problem.num_cols();
    let mut highs = problem.optimise(Sense::Maximise);
    if settings.verbose {
        highs.set_option("output_flag", true);
        highs.set_option("log_to_console", true);
    }
    highs.set_option("time_limit", settings.time_limit.as_secs_f64());
    highs.set_option("threads", settings.threads);
    highs.set_option("mip_rel_gap", 0.0);
    // The objective counts wishes, so a gap under one wish proves the incumbent optimal.
    highs.set_option("mip_abs_gap", 0.999);
    if let Some(start) = start {
        highs.set_solution(
            Some(&start_values(instance, model, &x, &w, start, columns)),
            None,
            None,
            None,
        );
    }
    let solved = highs.solve();
    let time = started.elapsed();
    if solved.primal_solution_status() != HighsSolutionStatus::Feasible {
        return None;
    }
    let values = solved.get_solution().columns().to_vec();
    let assignments = x
        .iter()
        .enumerate()
        .map(|(s, places)| {
            let &(t, r, _) = places
                .iter()
                .find(|p| values[p.2.index()] > 0.5)
                .expect("every session is placed");
            Placement {
                session: instance.sessions[s].id.clone(),
                slot: instance.slots[t].id.clone(),
                room: instance.rooms[r].id.clone(),
            }
        })
        .collect();
    let solution = Solution {
        assignments,
        metrics: Metrics {
            wishes: 0,
            lost_wishes: 0,
            theme_clashes: 0,
            moved: None,
        },
    };
    let report = check(instance, &solution).expect("a valid instance");
    assert!(
        report.feasible,
        "the MIP's agenda breaks a hard constraint:\n{report}"
    );
    let wishes = f64::from(report.metrics.wishes);
    let lost = report.metrics.lost_wishes;
    let dual = solved
        .double_info_value(c"mip_dual_bound")
        .expect("mip_dual_bound is a known info value");
    let bound = if solved.status() == HighsModelStatus::Optimal {
        lost
    } else {
        ((wishes - dual - 1e-6).ceil().max(0.0) as u32).min(lost)
    };
    Some(Outcome {
        solution: Solution {
            metrics: report.metrics,
            ..solution
        },
        lost,
        bound,
        mip_lost: wishes - solved.objective_value(),
        time,
    })
}

/// Adds `Σ row ≤ 1` unless it holds anyway (fewer than two terms).
fn add_if_binding(problem: &mut RowProblem, row: Vec<(Col, f64)>) {
    if row.len() > 1 {
        problem.add_row(..=1, row);
    }
}

/// Column values of `start`: its placement, and for each attendee the most non-overlapping wished
/// sessions (earliest end first).
fn start_values(
    instance: &Instance,
    model: &Model,
    x: &[Vec<(usize, usize, Col)>],
    w: &[Vec<(usize, usize, Col)>],
    start: &Solution,
    columns: usize,
) -> Vec<f64> {
    let mut values = vec![0.0; columns];
    let first_slot = first_slots(instance, start);
    for placement in &start.assignments {
        let s = instance
            .sessions
            .iter()
            .position(|s| s.id == placement.session)
            .expect("a known session");
        let r = instance
            .rooms
            .iter()
            .position(|r| r.id == placement.room)
            .expect("a known room");
        let &(_, _, c) = x[s]
            .iter()
            .find(|p| (p.0, p.1) == (first_slot[s], r))
            .unwrap_or_else(|| {
                panic!(
                    "the solver places {} in {} in {}, which the MIP does not allow",
                    placement.session, placement.slot, placement.room
                )
            });
        values[c.index()] = 1.0;
    }
    for attends in w {
        let mut placed: Vec<&(usize, usize, Col)> =
            attends.iter().filter(|p| first_slot[p.0] == p.1).collect();
        placed.sort_by_key(|p| p.1 + model.length[p.0]);
        let mut free_from = 0;
        for &&(s, t, c) in &placed {
            if t >= free_from {
                values[c.index()] = 1.0;
                free_from = t + model.length[s];
            }
        }
    }
    values
}
