//! `commonground schedule`: the summit solver from a file, and the checker of a solution.

use std::path::Path;

use summit_solver::{check, solve, Instance, Options, Solution};

fn read(path: &Path) -> Result<String, Box<dyn std::error::Error>> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()).into())
}

/// Solves `instance` (writing the solution to `output` or standard output), or with `check` verifies
/// `solution` against it and fails when a hard constraint is broken.
pub fn run(
    instance: &Path,
    solution: Option<&Path>,
    output: Option<&Path>,
    check_only: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let problem = Instance::from_json(&read(instance)?)?;
    if check_only {
        let solution = solution.ok_or("--check needs INSTANCE.json SOLUTION.json")?;
        let report = check(&problem, &Solution::from_json(&read(solution)?)?)?;
        println!("{report}");
        return if report.feasible && report.metrics_as_claimed {
            Ok(())
        } else {
            Err("the solution does not hold (see the report above)".into())
        };
    }
    if solution.is_some() {
        return Err("a SOLUTION file is only read with --check".into());
    }
    let solved = solve(&problem, &Options::default())?;
    match output {
        Some(path) => std::fs::write(path, solved.to_json())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        None => println!("{}", solved.to_json()),
    }
    eprintln!(
        "placed {} sessions: {} wishes, {} lost, {} theme clashes",
        solved.assignments.len(),
        solved.metrics.wishes,
        solved.metrics.lost_wishes,
        solved.metrics.theme_clashes
    );
    Ok(())
}
