//! `commonground schedule` on files, as a planner would run it: solve, check, and refuse what cannot hold.

use std::path::PathBuf;
use std::process::Command;

use summit_solver::{generate_instance, GeneratorConfig, Solution};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("commonground-schedule-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn commonground(args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_commonground"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_summit_is_solved_from_a_file_and_the_solution_checks_out() {
    let dir = scratch("solve");
    let instance = dir.join("instance.json");
    let solution = dir.join("solution.json");
    std::fs::write(
        &instance,
        generate_instance(&GeneratorConfig::summit(7)).to_json(),
    )
    .unwrap();

    let solved = commonground(&[
        "schedule".as_ref(),
        instance.as_os_str(),
        "-o".as_ref(),
        solution.as_os_str(),
    ]);
    assert!(
        solved.status.success(),
        "{}",
        String::from_utf8_lossy(&solved.stderr)
    );
    let written = Solution::from_json(&std::fs::read_to_string(&solution).unwrap()).unwrap();
    assert_eq!(written.assignments.len(), 40, "every session placed");

    let checked = commonground(&[
        "schedule".as_ref(),
        "--check".as_ref(),
        instance.as_os_str(),
        solution.as_os_str(),
    ]);
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stdout)
    );

    // Two sessions in one room at one time must be caught.
    let mut broken = written.clone();
    broken.assignments[1].slot = broken.assignments[0].slot.clone();
    broken.assignments[1].room = broken.assignments[0].room.clone();
    std::fs::write(&solution, broken.to_json()).unwrap();
    let refused = commonground(&[
        "schedule".as_ref(),
        "--check".as_ref(),
        instance.as_os_str(),
        solution.as_os_str(),
    ]);
    assert!(!refused.status.success());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_impossible_instance_is_explained_not_crashed_on() {
    let dir = scratch("infeasible");
    let instance = dir.join("instance.json");
    std::fs::write(
        &instance,
        r#"{"timezone": "Europe/London",
            "slots": [{"id": "sat-1", "day": "2026-09-12", "start": "10:00", "end": "11:30"}],
            "rooms": [{"id": "hall", "capacity": 150, "features": ["step_free"]}],
            "sessions": [{"id": "w01", "title": "Climate justice", "theme": "climate", "length": 1, "plenary": false,
                          "facilitators": [], "requires": ["hearing_loop"]}],
            "people": [], "attendees": [], "pinned": []}"#,
    )
    .unwrap();
    let output = commonground(&["schedule".as_ref(), instance.as_os_str()]);
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(
        message.contains("w01") && message.contains("hearing_loop"),
        "{message}"
    );
    assert!(!message.contains("panicked"));

    std::fs::write(&instance, "{\"slots\": 3}").unwrap();
    let malformed = commonground(&["schedule".as_ref(), instance.as_os_str()]);
    assert!(!malformed.status.success());
    assert!(!String::from_utf8_lossy(&malformed.stderr).contains("panicked"));
    std::fs::remove_dir_all(dir).unwrap();
}
