//! The summit scheduler: places sessions in rooms and slots so attendees lose as few wishes as possible.
//!
//! The public API is small: read an [`Instance`] (see [`Instance::from_json`]), call [`solve`] with
//! [`Options`] to get a [`Solution`], and [`check`] any solution against its instance to get a
//! [`Report`]. [`allocate`] then gives every attendee a personal agenda within room capacity, and
//! [`pair_conversations`] pairs attendees for one-to-one organising conversations.

mod allocate;
mod board;
mod check;
mod construct;
mod exact;
mod explain;
mod generate;
mod instance;
mod model;
mod one_to_one;
mod search;
mod solution;
#[cfg(test)]
mod test_support;
mod wishes;

pub use allocate::{allocate, Agenda, Allocation, MissedWish};
pub use check::{check, AttendeeWishes, Constraint, Report, ThemeClash, Violation, WishSummary};
pub use exact::solve_exact;
pub use generate::{generate_instance, GeneratorConfig};
pub use instance::{
    Attendee, Instance, Person, Placement, Room, Session, SessionKind, Slot, MAX_FEATURES, MAX_SLOTS,
};
pub use one_to_one::{pair_conversations, participants_for_session, ConversationPlan, Participant, Unpaired};
pub use solution::{Metrics, Options, Progress, Solution};

/// Everything that can go wrong when reading, solving or checking an instance.
#[derive(Debug, thiserror::Error)]
pub enum SolverError {
    /// The instance or solution file is not valid JSON of the expected shape.
    #[error("not a valid file: {0}")]
    Json(#[from] serde_json::Error),
    /// The instance is malformed: unknown or duplicate ids, zero lengths, slots out of order…
    #[error("the instance is malformed:\n- {}", .problems.join("\n- "))]
    InvalidInstance { problems: Vec<String> },
    /// A solution that does not place every session of its instance exactly where ids exist.
    #[error("the solution does not fit its instance:\n- {}", .problems.join("\n- "))]
    InvalidSolution { problems: Vec<String> },
    /// No placement satisfies every hard constraint; the reasons say which cannot all hold.
    #[error("no agenda satisfies every hard constraint:\n- {}", .reasons.join("\n- "))]
    Infeasible { reasons: Vec<String> },
    /// The exact solver was asked for an instance too large for exhaustive search.
    #[error("too large to solve exactly: {0}")]
    TooLargeForExactSearch(String),
}

/// Solves an instance: every hard constraint holds, and as few wishes as possible are lost.
pub fn solve(instance: &Instance, options: &Options) -> Result<Solution, SolverError> {
    solve_with_progress(instance, options, &mut |_| {})
}

/// Solves as [`solve`] does, telling `progress` how far it has gone many times a second.
pub fn solve_with_progress(
    instance: &Instance,
    options: &Options,
    progress: &mut dyn FnMut(Progress),
) -> Result<Solution, SolverError> {
    let problem = model::Problem::build(instance)?;
    let reasons = explain::obvious_conflicts(&problem, instance);
    if !reasons.is_empty() {
        return Err(SolverError::Infeasible { reasons });
    }
    let placement = construct::construct(&problem, instance)?;
    let placement = search::improve(&problem, placement, options, progress);
    Ok(solution::to_solution(&problem, instance, &placement))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::test_support::{attendee, instance, session, with};

    fn solved(instance: &Instance) -> (Solution, Report) {
        let solution = solve(instance, &Options::default()).expect("feasible");
        let report = check(instance, &solution).unwrap();
        assert!(report.feasible, "{report}");
        assert!(report.metrics_as_claimed, "{report}");
        (solution, report)
    }

    fn placed<'a>(solution: &'a Solution, session: &str) -> (&'a str, &'a str) {
        let p = solution
            .assignments
            .iter()
            .find(|p| p.session == session)
            .unwrap();
        (p.slot.as_str(), p.room.as_str())
    }

    #[test]
    fn solutions_of_generated_summits_pass_the_check() {
        for seed in [1, 2, 3] {
            let instance = generate_instance(&GeneratorConfig::summit(seed));
            let (solution, _) = solved(&instance);
            assert_eq!(solution.assignments.len(), instance.sessions.len());
        }
    }

    #[test]
    fn progress_climbs_to_done_while_the_best_agenda_loses_fewer_wishes() {
        let instance = generate_instance(&GeneratorConfig::summit(2));
        let mut reports = Vec::new();
        let solution = solve_with_progress(&instance, &Options::default(), &mut |p| reports.push(p)).unwrap();
        assert!(reports.len() > 10, "{} reports", reports.len());
        for pair in reports.windows(2) {
            assert!(pair[0].done <= pair[1].done, "{pair:?}");
            assert!(pair[0].lost_wishes >= pair[1].lost_wishes, "{pair:?}");
        }
        let last = reports[reports.len() - 1];
        assert_eq!(last.done, 1.0);
        // What the best search kept count of is what the full evaluation finds.
        assert_eq!(last.lost_wishes, solution.metrics.lost_wishes);
        assert!(reports[0].lost_wishes > last.lost_wishes, "{:?}", reports[0]);
    }

    #[test]
    fn the_solver_is_deterministic() {
        let instance = generate_instance(&GeneratorConfig::summit(1));
        // Only the wall-clock cap could make two runs differ (on a loaded machine, in a debug build).
        let options = Options {
            time_limit: std::time::Duration::from_secs(3600),
            ..Options::default()
        };
        assert_eq!(
            solve(&instance, &options).unwrap(),
            solve(&instance, &options).unwrap()
        );
    }

    #[test]
    fn keeps_wishes_apart_and_respects_every_hard_constraint() {
        // a1 can have w1, w2 and w4 only if they are apart; a3 likewise w3 and w5.
        let mut value = with(
            vec![
                session("opening", "all", &["p1"]),
                session("w1", "climate", &["p1"]),
                session("w2", "climate", &["p2"]),
                session("w3", "housing", &["p2"]),
                session("w4", "housing", &["p3"]),
                session("w5", "housing", &["p3"]),
            ],
            vec![
                attendee("a1", &["w1", "w2", "w4"]),
                attendee("a2", &["w5", "opening"]),
                attendee("a3", &["w3", "w5"]),
            ],
        );
        value["sessions"][0]["plenary"] = json!(true);
        value["sessions"][2]["length"] = json!(2);
        value["sessions"][4]["requires"] = json!(["projector"]);
        value["attendees"][1]["needs"] = json!(["hearing_loop"]);
        value["people"][2]["unavailable"] = json!(["sat-3", "sun-2"]);
        value["pinned"] = json!([{"session": "opening", "slot": "sat-1", "room": "hall"}]);
        let instance = instance(value);
        let (solution, report) = solved(&instance);
        assert_eq!(report.metrics.lost_wishes, 0, "{report}");
        assert_eq!(placed(&solution, "opening"), ("sat-1", "hall"));
        // The only two-slot run without a break is Sunday's.
        assert_eq!(placed(&solution, "w2").0, "sun-1");
        assert_eq!(placed(&solution, "w4").0, "sat-2");
        assert_ne!(placed(&solution, "w4").1, "garden");
        assert_eq!(placed(&solution, "w5"), ("sun-1", "hall"));
        assert_eq!(placed(&solution, "w1").0, "sat-3");
    }

    #[test]
    fn explains_an_infeasible_instance_instead_of_failing() {
        let mut value = with(
            vec![
                session("w1", "climate", &["p1"]),
                session("w2", "housing", &["p1"]),
            ],
            vec![attendee("a1", &["w1"])],
        );
        value["attendees"][0]["needs"] = json!(["quiet_room"]);
        value["people"][0]["unavailable"] = json!(["sat-1", "sat-2", "sat-3", "sun-1"]);
        let error = solve(&instance(value), &Options::default()).unwrap_err();
        let SolverError::Infeasible { reasons } = &error else {
            panic!("expected infeasible, got {error}");
        };
        assert_eq!(reasons.len(), 2, "{error}");
        assert!(error.to_string().contains("quiet_room needed by a1"), "{error}");
        assert!(
            error.to_string().contains(
                "facilitator p1 has 2 sessions (w1, w2) of total length 2 but is available in only 1 slots"
            ),
            "{error}"
        );
    }

    #[test]
    fn re_solving_an_unchanged_agenda_moves_nothing() {
        let instance = generate_instance(&GeneratorConfig::summit(2));
        let (first, _) = solved(&instance);
        let mut again = instance.clone();
        again.previous = Some(first.assignments.clone());
        let (second, report) = solved(&again);
        assert_eq!(second.metrics.moved, Some(0), "{report}");
        assert_eq!(second.assignments, first.assignments);
    }

    #[test]
    fn re_solving_moves_only_what_must_move() {
        let mut value = with(
            vec![
                session("w1", "climate", &["p1"]),
                session("w2", "housing", &["p2"]),
                session("w3", "health", &["p3"]),
            ],
            vec![attendee("a1", &["w1", "w2"]), attendee("a2", &["w2", "w3"])],
        );
        value["previous"] = json!([
            {"session": "w1", "slot": "sat-1", "room": "hall"},
            {"session": "w2", "slot": "sat-2", "room": "hall"},
            {"session": "w3", "slot": "sat-1", "room": "garden"}
        ]);
        // p1 can no longer come on Saturday morning; a3 arrives wishing for w1 and w3 together.
        value["people"][0]["unavailable"] = json!(["sat-1", "sat-2"]);
        value["attendees"]
            .as_array_mut()
            .unwrap()
            .push(attendee("a3", &["w1", "w3"]));
        let changed = instance(value);
        let (again, report) = solved(&changed);
        assert_eq!(again.metrics.moved, Some(1), "{report}");
        assert_eq!(report.moved_sessions, ["w1"]);
        assert_eq!(again.metrics.lost_wishes, 0);

        let free = Options {
            minimal_moves: false,
            ..Options::default()
        };
        let unconstrained = solve(&changed, &free).unwrap();
        assert!(check(&changed, &unconstrained).unwrap().feasible);
        assert_eq!(unconstrained.metrics.lost_wishes, 0);
    }

    #[test]
    fn matches_the_exact_optimum_on_a_small_instance() {
        let instance = instance(with(
            vec![
                session("w1", "climate", &["p1"]),
                session("w2", "climate", &["p1"]),
                session("w3", "housing", &["p2"]),
                session("w4", "housing", &["p3"]),
            ],
            vec![
                attendee("a1", &["w1", "w2", "w3"]),
                attendee("a2", &["w2", "w3", "w4"]),
                attendee("a3", &["w1", "w4"]),
            ],
        ));
        let (heuristic, _) = solved(&instance);
        let exact = solve_exact(&instance, &Options::default()).unwrap();
        assert_eq!(heuristic.metrics.lost_wishes, exact.metrics.lost_wishes);
        assert!(check(&instance, &exact).unwrap().feasible);
    }

    #[test]
    fn solution_files_round_trip() {
        let instance = generate_instance(&GeneratorConfig::summit(3));
        let text = instance.to_json();
        assert_eq!(Instance::from_json(&text).unwrap(), instance);
        let (solution, _) = solved(&instance);
        assert_eq!(Solution::from_json(&solution.to_json()).unwrap(), solution);
        let value: serde_json::Value = serde_json::from_str(&solution.to_json()).unwrap();
        assert!(value["metrics"]["lost_wishes"].is_u64());
        assert!(value["metrics"].get("moved").is_none());
    }
}
