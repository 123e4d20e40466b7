//! Benchmark of the summit scheduler: lost wishes and time at summit and conference scale, and
//! the gap to the exact optimum on small instances.
//!
//! `cargo run --release -p summit-solver --bin schedule-bench`

use std::time::Instant;

use summit_solver::{check, generate_instance, solve, solve_exact, GeneratorConfig, Options};

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
}
