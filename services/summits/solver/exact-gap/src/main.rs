//! The summit scheduler's gap to the exact optimum at summit scale (120 attendees, 40 sessions,
//! 8 rooms, 8 slots), where the crate's own branch and bound (`solve_exact`) cannot reach.
//!
//! Per summit: the solver as `schedule-bench` runs it, and with 20 other seeds; a lower bound by
//! column generation (`bound`), whose columns also give an agenda; then, unless the bound already
//! proves the best agenda optimal, the exact MIP solved by HiGHS (`mip`), started from the best
//! agenda and told the bound, or with `--branch` a branch and price over the column generation
//! (`branch`), whose bound climbs higher. Every agenda is scored by `summit_solver::check`. When
//! the MIP or the branching stops at its time limit, the optimum is given as a range.
//!
//! `scripts/solver-gap [--seeds 1..5] [--time-limit SECONDS] [--threads N] [--branch] [--verbose]`
//! prints one row per summit seed (seed ranges include both ends). `--scaled-down` instead
//! cross-checks the MIP (and with `--branch` the branch and price) against `solve_exact` on the
//! small and scaled-down summits of `schedule-bench`.

mod bound;
mod branch;
mod mip;
mod model;

use std::ops::RangeInclusive;
use std::time::{Duration, Instant};

use summit_solver::{
    check, generate_instance, solve, solve_exact, GeneratorConfig, Instance, Options, Solution,
};

use crate::bound::{integral, lower_bound, Relaxation};
use crate::branch::branch_and_price;
use crate::mip::{optimum, Outcome, Settings};
use crate::model::{first_slots, Model};

/// Solver seeds besides the default whose agendas start the column generation and the MIP.
const AGENDA_SEEDS: u64 = 20;

fn main() {
    let (seeds, settings, scaled_down) = arguments();
    if scaled_down {
        cross_check(&settings);
    } else {
        summits(seeds, &settings);
    }
}

fn arguments() -> (RangeInclusive<u64>, Settings, bool) {
    let mut seeds = 1..=5;
    let mut settings = Settings {
        time_limit: Duration::from_secs(600),
        threads: 1,
        verbose: false,
        branch: false,
    };
    let mut scaled_down = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |what: &str| {
            args.next()
                .unwrap_or_else(|| usage(&format!("{arg} needs {what}")))
        };
        match arg.as_str() {
            "--seeds" => {
                let text = value("a seed range such as 1..5");
                let (a, b) = text.split_once("..").unwrap_or((&text, &text));
                let parse = |n: &str| n.trim_start_matches('=').parse().unwrap_or_else(|_| usage(&text));
                seeds = parse(a)..=parse(b);
            }
            "--time-limit" => {
                let text = value("seconds");
                settings.time_limit = Duration::from_secs_f64(text.parse().unwrap_or_else(|_| usage(&text)));
            }
            "--threads" => {
                let text = value("a number");
                settings.threads = text.parse().unwrap_or_else(|_| usage(&text));
            }
            "--verbose" => settings.verbose = true,
            "--branch" => settings.branch = true,
            "--scaled-down" => scaled_down = true,
            _ => usage(&arg),
        }
    }
    (seeds, settings, scaled_down)
}

fn usage(problem: &str) -> ! {
    eprintln!("summit-exact-gap: {problem}");
    eprintln!(
        "usage: summit-exact-gap [--seeds A..B] [--time-limit SECONDS] [--threads N] [--branch] [--verbose] [--scaled-down]"
    );
    std::process::exit(2)
}

/// The heuristic exactly as `schedule-bench` runs it, checked, with its wall-clock time.
fn heuristic(instance: &Instance) -> (Solution, u32, Duration) {
    let started = Instant::now();
    let solution = solve(instance, &Options::default()).expect("a feasible instance");
    let time = started.elapsed();
    let report = check(instance, &solution).expect("a valid instance");
    assert!(report.feasible, "{report}");
    (solution, report.metrics.lost_wishes, time)
}

/// `solution` and agendas of the solver with other seeds (feasible starting points).
fn other_agendas(instance: &Instance, solution: Solution) -> Vec<Solution> {
    let others = (1..=AGENDA_SEEDS).map(|seed| {
        let options = Options {
            seed,
            ..Options::default()
        };
        solve(instance, &options).expect("a feasible instance")
    });
    std::iter::once(solution).chain(others).collect()
}

/// The MIP, with its own objective held against `check`'s count of the same agenda.
fn exact(
    instance: &Instance,
    model: &Model,
    start: Option<&Solution>,
    known_bound: u32,
    settings: &Settings,
) -> Option<Outcome> {
    let outcome = optimum(instance, model, start, known_bound, settings)?;
    assert!(
        outcome.mip_lost > f64::from(outcome.lost) - 0.5,
        "the MIP counts {} lost wishes where check counts {}",
        outcome.mip_lost,
        outcome.lost
    );
    Some(outcome)
}

fn summits(seeds: RangeInclusive<u64>, settings: &Settings) {
    println!("| seed | attendees | sessions | rooms | slots | wishes | solver lost | best found: seeds / columns / MIP | bound: MIP or branch and price / columns | optimum lost | gap | gap % of wishes | gap % of optimum lost | solver time | bound time | MIP or branching time |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for seed in seeds {
        let config = GeneratorConfig::summit(seed);
        let instance = generate_instance(&config);
        let model = Model::new(&instance);
        let (solution, lost, solver_time) = heuristic(&instance);
        let wishes = solution.metrics.wishes;
        let agendas = other_agendas(&instance, solution);
        let seeds_best = agendas
            .iter()
            .min_by_key(|a| a.metrics.lost_wishes)
            .expect("an agenda");
        let starts: Vec<Vec<usize>> = agendas.iter().map(|a| first_slots(&instance, a)).collect();
        let relaxation = Relaxation::new(&model);
        let columns = lower_bound(&relaxation, &starts, seeds_best.metrics.lost_wishes, settings);
        let (value, converged) = (columns.root.bound, columns.root.converged);
        let proven = integral(value).max(0.0) as u32;
        // The columns' best agenda, with rooms from the MIP if it has any.
        let placed = columns.starts.iter().all(|&t| t < model.slots);
        let priced = placed
            .then(|| exact(&instance, &model.with_starts(&columns.starts), None, 0, settings))
            .flatten();
        let start = priced
            .as_ref()
            .map(|p| &p.solution)
            .filter(|p| p.metrics.lost_wishes < seeds_best.metrics.lost_wishes)
            .unwrap_or(seeds_best);
        // The MIP (or the branch and price) runs only if the column bound leaves room below the
        // best agenda so far.
        let open = proven < start.metrics.lost_wishes;
        let mip = (open && !settings.branch)
            .then(|| exact(&instance, &model, Some(start), proven, settings).expect("an agenda"));
        let branched = (open && settings.branch).then(|| {
            let deadline = Instant::now() + settings.time_limit;
            branch_and_price(
                &relaxation,
                columns.root,
                start.metrics.lost_wishes,
                deadline,
                settings,
            )
        });
        let best = mip.as_ref().map_or(start.metrics.lost_wishes, |m| m.lost);
        let bound = mip
            .as_ref()
            .map(|m| m.bound)
            .or(branched.as_ref().map(|b| integral(b.bound) as u32))
            .unwrap_or(proven)
            .max(proven);
        let optimum = if bound == best {
            best.to_string()
        } else {
            format!("≤ {best}, bound ≥ {bound}")
        };
        // The gap is known exactly when the optimum is proven, else only between two figures.
        let (least, most) = (lost - best, lost - bound);
        let of_optimum = |gap: u32, optimum: u32| match (gap, optimum) {
            (0, _) => 0.0,
            (_, 0) => f64::INFINITY,
            _ => 100.0 * f64::from(gap) / f64::from(optimum),
        };
        let or_dash = |value: Option<String>| value.unwrap_or_else(|| "—".to_string());
        println!(
            "| {seed} | {} | {} | {} | {} | {wishes} | {lost} | {} / {} / {} | {} / {:.2}{} | {optimum} | {} | {} | {} | {:.0} ms | {:.1} s | {} |",
            config.attendees,
            config.sessions,
            config.rooms,
            config.days * config.slots_per_day,
            seeds_best.metrics.lost_wishes,
            or_dash(priced.as_ref().map(|p| p.lost.to_string())),
            or_dash(mip.as_ref().map(|m| m.lost.to_string())),
            or_dash(mip.as_ref().map(|m| m.bound.to_string()).or(branched.as_ref().map(|b| format!(
                "{:.6} (branch and price: {} nodes, {} open)",
                b.bound, b.nodes, b.open
            )))),
            value,
            if converged { "" } else { " (stopped)" },
            span(f64::from(least), f64::from(most), ""),
            span(
                100.0 * f64::from(least) / f64::from(wishes),
                100.0 * f64::from(most) / f64::from(wishes),
                "%"
            ),
            span(of_optimum(least, best), of_optimum(most, bound), "%"),
            solver_time.as_secs_f64() * 1000.0,
            columns.time.as_secs_f64(),
            or_dash(
                mip.as_ref()
                    .map(|m| m.time)
                    .or(branched.as_ref().map(|b| b.time))
                    .map(|time| format!("{:.1} s", time.as_secs_f64()))
            ),
        );
    }
}

/// `low` alone when it equals `high`, else `low–high`; whole numbers without decimals.
fn span(low: f64, high: f64, unit: &str) -> String {
    let show = |v: f64| match unit {
        "" => format!("{v:.0}"),
        _ if v.is_infinite() => "∞".to_string(),
        _ => format!("{v:.2}{unit}"),
    };
    if low == high {
        show(low)
    } else {
        format!("{}–{}", show(low), show(high))
    }
}

/// The MIP (from scratch, no starting agenda) against `solve_exact` on the instances of
/// `schedule-bench`: they must agree exactly on the optimum.
fn cross_check(settings: &Settings) {
    let small = (1..=12u64).map(|seed| {
        let sessions = 6 + (seed as usize % 3);
        (
            format!("small seed {seed}"),
            GeneratorConfig::small(sessions, 30, seed),
        )
    });
    let scaled_down = [8, 10, 12].into_iter().flat_map(|sessions| {
        (1..=2u64).map(move |seed| {
            let config = GeneratorConfig {
                attendees: sessions * 3,
                sessions,
                rooms: (sessions / 5).max(2),
                plenaries: 1,
                double_sessions: 1,
                ..GeneratorConfig::summit(seed)
            };
            (format!("scaled-down seed {seed}"), config)
        })
    });
    println!("| instance | sessions | rooms | slots | attendees | wishes | solver lost | solve_exact lost | MIP lost | agree | column bound | exact time | MIP time |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |");
    let (mut agreed, mut compared, mut bounds_below) = (0, 0, 0);
    let (mut branch_below, mut branch_tight) = (0, 0);
    for (name, config) in small.chain(scaled_down) {
        let instance = generate_instance(&config);
        let model = Model::new(&instance);
        let (solution, lost, _) = heuristic(&instance);
        let started = Instant::now();
        let exhaustive = solve_exact(&instance, &Options::default());
        let exact_time = started.elapsed();
        let mip = exact(&instance, &model, None, 0, settings).expect("an agenda");
        let relaxation = Relaxation::new(&model);
        let columns = lower_bound(
            &relaxation,
            &[first_slots(&instance, &solution)],
            u32::MAX,
            settings,
        );
        let value = columns.root.bound;
        // Told of an agenda losing one wish more than the optimum, the branch and price goes on
        // until every node proves that much, which a sound bound never does: its bound must stay at
        // most the optimum (and reaches it when tight).
        let branched = settings.branch.then(|| {
            let worse = mip.lost + 1;
            let deadline = Instant::now() + settings.time_limit;
            branch_and_price(&relaxation, columns.root, worse, deadline, settings)
        });
        let (optimum, agree) = match exhaustive {
            Ok(e) => {
                let optimum = e.metrics.lost_wishes;
                let agree = mip.bound == mip.lost && mip.lost == optimum;
                compared += 1;
                agreed += usize::from(agree);
                bounds_below += usize::from(value <= f64::from(optimum) + 1e-6);
                if let Some(proof) = &branched {
                    branch_below += usize::from(proof.bound <= f64::from(optimum) + 1e-6);
                    branch_tight += usize::from(integral(proof.bound) >= f64::from(optimum));
                }
                (optimum.to_string(), if agree { "yes" } else { "**no**" })
            }
            Err(error) => (format!("{error}"), "—"),
        };
        if let Some(proof) = &branched {
            eprintln!(
                "{name} ({} sessions): branch and price bound {:.2} after {} nodes",
                config.sessions, proof.bound, proof.nodes
            );
        }
        println!(
            "| {name} | {} | {} | {} | {} | {} | {lost} | {optimum} | {} | {agree} | {:.2} | {:.1} s | {:.2} s |",
            config.sessions,
            config.rooms,
            config.days * config.slots_per_day,
            config.attendees,
            solution.metrics.wishes,
            mip.lost,
            value,
            exact_time.as_secs_f64(),
            mip.time.as_secs_f64()
        );
    }
    println!();
    println!("the MIP agrees with solve_exact on {agreed} of {compared} instances");
    println!("the column bound is at most the optimum on {bounds_below} of {compared}");
    if settings.branch {
        println!("the branch and price bound is at most the optimum on {branch_below} of {compared}, and proves it on {branch_tight}");
    }
}
