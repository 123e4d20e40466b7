//! Benchmark of the summit scheduler: lost wishes and time at summit and conference scale, the
//! gap to the exact optimum on small instances, and how far towards summit scale exact search
//! reaches (summits scaled down in the summit's proportions).
//!
//! `cargo run --release -p summit-solver --bin schedule-bench [-- --scaled-down]` (the scaled-down
//! summits take minutes of exhaustive search, so they run only when asked for).

use std::time::Instant;

use summit_solver::{check, generate_instance, solve, solve_exact, GeneratorConfig, Options, SolverError};

fn main() {
    let options = Options::default();
    println!(
        "| instance | attendees | sessions | rooms | slots | wishes | lost | lost % | theme clashes | time |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (name, config) in (1..=5)
        .map(|seed| (format!("summit seed {seed}"), GeneratorConfig::summit(seed)))
        .chain((1..=2).map(|seed| {
            (
                format!("conference seed {seed}"),
                GeneratorConfig::conference(seed),
            )
        }))
    {
        let instance = generate_instance(&config);
        let started = Instant::now();
        match solve(&instance, &options) {
            Ok(solution) => {
                let elapsed = started.elapsed();
                let report = check(&instance, &solution).expect("a valid instance");
                assert!(report.feasible, "{name}: {report}");
                let m = solution.metrics;
                println!(
                    "| {name} | {} | {} | {} | {} | {} | {} | {:.2}% | {} | {:.0} ms |",
                    config.attendees,
                    config.sessions,
                    config.rooms,
                    config.days * config.slots_per_day,
                    m.wishes,
                    m.lost_wishes,
                    100.0 * f64::from(m.lost_wishes) / f64::from(m.wishes.max(1)),
                    m.theme_clashes,
                    elapsed.as_secs_f64() * 1000.0
                );
            }
            Err(error) => println!("| {name} | infeasible: {error} |"),
        }
    }

    println!();
    println!("| small instance | sessions | attendees | wishes | solver lost | optimum lost | gap | solver time | exact time |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut gaps = Vec::new();
    for seed in 1..=12u64 {
        let sessions = 6 + (seed as usize % 3);
        let config = GeneratorConfig::small(sessions, 30, seed);
        let instance = generate_instance(&config);
        let started = Instant::now();
        let heuristic = solve(&instance, &options);
        let solver_time = started.elapsed();
        let started = Instant::now();
        let exact = solve_exact(&instance, &options);
        let exact_time = started.elapsed();
        match (heuristic, exact) {
            (Ok(h), Ok(e)) => {
                let gap = h.metrics.lost_wishes - e.metrics.lost_wishes;
                gaps.push(gap);
                println!(
                    "| seed {seed} | {sessions} | {} | {} | {} | {} | {gap} | {:.1} ms | {:.1} ms |",
                    config.attendees,
                    h.metrics.wishes,
                    h.metrics.lost_wishes,
                    e.metrics.lost_wishes,
                    solver_time.as_secs_f64() * 1000.0,
                    exact_time.as_secs_f64() * 1000.0
                );
            }
            (h, e) => println!(
                "| seed {seed} | {sessions} | solver: {:?} / exact: {:?} |",
                h.err(),
                e.err()
            ),
        }
    }
    let optimal = gaps.iter().filter(|&&g| g == 0).count();
    println!();
    println!("solver optimal on {optimal} of {} small instances", gaps.len());

    if std::env::args().any(|a| a == "--scaled-down") {
        println!();
        scaled_down_summits(&options);
    }
}

/// The summit's proportions (3 attendees per session, a room per 5 sessions, two days of four
/// slots) at growing size: how the exact search's time grows towards summit scale.
fn scaled_down_summits(options: &Options) {
    println!("| scaled-down summit | sessions | rooms | attendees | wishes | solver lost | optimum lost | solver time | exact time |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for sessions in [8, 10, 12] {
        for seed in 1..=2u64 {
            let config = GeneratorConfig {
                attendees: sessions * 3,
                sessions,
                rooms: (sessions / 5).max(2),
                plenaries: 1,
                double_sessions: 1,
                ..GeneratorConfig::summit(seed)
            };
            let instance = generate_instance(&config);
            let started = Instant::now();
            let Ok(heuristic) = solve(&instance, options) else {
                println!("| seed {seed} | {sessions} | infeasible |");
                continue;
            };
            let solver_time = started.elapsed();
            let started = Instant::now();
            let exact = solve_exact(&instance, options);
            let exact_time = started.elapsed();
            let optimum = match exact {
                Ok(e) => e.metrics.lost_wishes.to_string(),
                Err(SolverError::TooLargeForExactSearch(why)) => format!("gave up ({why})"),
                Err(error) => format!("{error}"),
            };
            println!(
                "| seed {seed} | {sessions} | {} | {} | {} | {} | {optimum} | {:.1} ms | {:.1} ms |",
                config.rooms,
                config.attendees,
                heuristic.metrics.wishes,
                heuristic.metrics.lost_wishes,
                solver_time.as_secs_f64() * 1000.0,
                exact_time.as_secs_f64() * 1000.0
            );
        }
    }
}
