//! Checking any agenda against its instance: every hard constraint, lost wishes per attendee and
//! theme clashes, each with the sessions and people behind it.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::instance::Instance;
use crate::model::{span_mask, Position, Problem, SlotMask};
use crate::solution::{Metrics, Solution};
use crate::wishes::{attendable_count, ranked_agenda, WishedInterval};
use crate::SolverError;

/// The hard constraints an agenda can break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Constraint {
    UnknownId,
    PlacedMoreThanOnce,
    Unplaced,
    OutsideOneDay,
    BreakSlot,
    RoomDoubleBooked,
    FacilitatorDoubleBooked,
    FacilitatorUnavailable,
    MissingFeature,
    MissingAccessFeature,
    OverCapacity,
    PlenaryNotAlone,
    PinNotKept,
}

/// One broken hard constraint and who is behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub constraint: Constraint,
    pub message: String,
    pub sessions: Vec<String>,
    /// Facilitators or attendees concerned.
    pub people: Vec<String>,
}

/// How one attendee fares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttendeeWishes {
    pub attendee: String,
    pub wishes: u32,
    pub attendable: u32,
    pub lost: u32,
    /// Wished sessions outside their best agenda (unplaced, clashing or when they are away).
    pub lost_sessions: Vec<String>,
}

/// Lost wishes over all attendees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WishSummary {
    /// Attendees with at least one wish.
    pub attendees: u32,
    /// Share of them whose best agenda holds their first wish.
    pub first_wish_share: f64,
    /// Share of them whose best agenda holds all of their top three wishes (all, if fewer).
    pub top_three_share: f64,
    pub worst_off: Option<AttendeeWishes>,
    /// Every attendee who loses at least one wish, worst first.
    pub losing: Vec<AttendeeWishes>,
}

/// Two sessions on the same theme at the same time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeClash {
    pub theme: String,
    pub sessions: [String; 2],
    pub slots: Vec<String>,
}

/// Everything a planner needs to trust or fix an agenda.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// True when no hard constraint is broken.
    pub feasible: bool,
    pub violations: Vec<Violation>,
    /// Recomputed from the assignments.
    pub metrics: Metrics,
    /// Whether the solution's own metrics say the same.
    pub metrics_as_claimed: bool,
    pub wishes: WishSummary,
    pub theme_clashes: Vec<ThemeClash>,
    /// Sessions placed differently from the previous agenda, when one was given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub moved_sessions: Vec<String>,
}

/// Checks an agenda; fails only if the instance itself is malformed.
pub fn check(instance: &Instance, solution: &Solution) -> Result<Report, SolverError> {
    let problem = Problem::build(instance)?;
    let mut violations = Vec::new();
    let positions = read_positions(instance, solution, &mut violations);
    for (s, position) in positions.iter().enumerate() {
        match position {
            Some(position) => single_session(&problem, instance, s, *position, &mut violations),
            None => violations.push(violation(
                Constraint::Unplaced,
                format!("session {} is not placed", instance.sessions[s].id),
                vec![instance.sessions[s].id.clone()],
                vec![],
            )),
        }
    }
    pairs(&problem, instance, &positions, &mut violations);

    let wishes = wish_summary(&problem, instance, &positions);
    let clashes = theme_clashes(&problem, instance, &positions);
    let moved_sessions: Vec<String> = if problem.previous_given {
        (0..problem.sessions.len())
            .filter(|&s| positions[s] != problem.sessions[s].previous)
            .map(|s| instance.sessions[s].id.clone())
            .collect()
    } else {
        Vec::new()
    };
    let lost: u32 = wishes_lost(&problem, &positions);
    let metrics = Metrics {
        wishes: problem.attendees.iter().map(|a| a.wishes.len() as u32).sum(),
        lost_wishes: lost,
        theme_clashes: clashes.len() as u32,
        moved: problem.previous_given.then_some(moved_sessions.len() as u32),
    };
    Ok(Report {
        feasible: violations.is_empty(),
        violations,
        metrics_as_claimed: metrics == solution.metrics,
        metrics,
        wishes,
        theme_clashes: clashes,
        moved_sessions,
    })
}

fn violation(
    constraint: Constraint,
    message: String,
    sessions: Vec<String>,
    people: Vec<String>,
) -> Violation {
    Violation {
        constraint,
        message,
        sessions,
        people,
    }
}

/// The position of each session; unknown ids and repeats become violations.
fn read_positions(
    instance: &Instance,
    solution: &Solution,
    violations: &mut Vec<Violation>,
) -> Vec<Option<Position>> {
    let index = |ids: Vec<&str>| -> HashMap<String, usize> {
        ids.into_iter()
            .enumerate()
            .map(|(i, id)| (id.to_string(), i))
            .collect()
    };
    let sessions = index(instance.sessions.iter().map(|s| s.id.as_str()).collect());
    let slots = index(instance.slots.iter().map(|s| s.id.as_str()).collect());
    let rooms = index(instance.rooms.iter().map(|r| r.id.as_str()).collect());
    let mut positions = vec![None; instance.sessions.len()];
    for assignment in &solution.assignments {
        let (Some(&s), Some(&start), Some(&room)) = (
            sessions.get(&assignment.session),
            slots.get(&assignment.slot),
            rooms.get(&assignment.room),
        ) else {
            violations.push(violation(
                Constraint::UnknownId,
                format!(
                    "assignment of {} to {} in {} names an unknown session, slot or room",
                    assignment.session, assignment.slot, assignment.room
                ),
                vec![assignment.session.clone()],
                vec![],
            ));
            continue;
        };
        if positions[s].is_some() {
            violations.push(violation(
                Constraint::PlacedMoreThanOnce,
                format!("session {} is placed more than once", assignment.session),
                vec![assignment.session.clone()],
                vec![],
            ));
            continue;
        }
        positions[s] = Some(Position { start, room });
    }
    positions
}

/// The slots a placed session occupies, clipped to the slots that exist.
fn occupied(problem: &Problem, s: usize, position: Position) -> SlotMask {
    let length = problem.sessions[s]
        .length
        .min(problem.slot_count() - position.start);
    span_mask(position.start, length)
}

fn single_session(
    problem: &Problem,
    instance: &Instance,
    s: usize,
    position: Position,
    violations: &mut Vec<Violation>,
) {
    let session = &problem.sessions[s];
    let id = &instance.sessions[s].id;
    let slot_id = &instance.slots[position.start].id;
    let room_id = &instance.rooms[position.room].id;
    let room = &problem.rooms[position.room];
    let end = position.start + session.length;
    if end > problem.slot_count() || problem.slot_day[end - 1] != problem.slot_day[position.start] {
        violations.push(violation(
            Constraint::OutsideOneDay,
            format!(
                "session {id} lasts {} slot(s) from {slot_id}, past the end of that day",
                session.length
            ),
            vec![id.clone()],
            vec![],
        ));
    }
    let span = occupied(problem, s, position);
    let breaks: Vec<&str> = (0..problem.slot_count())
        .filter(|&t| span & (1 << t) != 0 && problem.slot_break[t])
        .map(|t| instance.slots[t].id.as_str())
        .collect();
    if !breaks.is_empty() {
        violations.push(violation(
            Constraint::BreakSlot,
            format!("session {id} runs into break {}", breaks.join(", ")),
            vec![id.clone()],
            vec![],
        ));
    }
    let missing = session.requires & !room.features;
    if missing != 0 {
        violations.push(violation(
            Constraint::MissingFeature,
            format!(
                "session {id} requires {} but room {room_id} lacks it",
                problem.feature_list(missing)
            ),
            vec![id.clone()],
            vec![],
        ));
    }
    let unmet: Vec<String> = session
        .wishers
        .iter()
        .filter(|&&a| {
            instance.attendees[a]
                .needs
                .iter()
                .any(|need| !instance.rooms[position.room].features.contains(need))
        })
        .map(|&a| instance.attendees[a].id.clone())
        .collect();
    if !unmet.is_empty() {
        violations.push(violation(
            Constraint::MissingAccessFeature,
            format!(
                "room {room_id} of session {id} lacks {} needed by {} attendee(s) who wish for it",
                problem.feature_list(session.needs & !room.features),
                unmet.len()
            ),
            vec![id.clone()],
            unmet,
        ));
    }
    if room.capacity < session.demand {
        violations.push(violation(
            Constraint::OverCapacity,
            format!(
                "room {room_id} holds {} but {} attendees wish for session {id}",
                room.capacity, session.demand
            ),
            vec![id.clone()],
            vec![],
        ));
    }
    for &p in &session.facilitators {
        let away = problem.person_unavailable[p] & span;
        if away != 0 {
            let slots: Vec<&str> = (0..problem.slot_count())
                .filter(|&t| away & (1 << t) != 0)
                .map(|t| instance.slots[t].id.as_str())
                .collect();
            violations.push(violation(
                Constraint::FacilitatorUnavailable,
                format!(
                    "facilitator {} of session {id} is unavailable in {}",
                    instance.people[p].id,
                    slots.join(", ")
                ),
                vec![id.clone()],
                vec![instance.people[p].id.clone()],
            ));
        }
    }
    if let Some(pin) = session.pin {
        if pin != position {
            violations.push(violation(
                Constraint::PinNotKept,
                format!(
                    "session {id} is pinned to {} in {} but placed in {slot_id} in {room_id}",
                    instance.slots[pin.start].id, instance.rooms[pin.room].id
                ),
                vec![id.clone()],
                vec![],
            ));
        }
    }
}

fn pairs(
    problem: &Problem,
    instance: &Instance,
    positions: &[Option<Position>],
    violations: &mut Vec<Violation>,
) {
    let placed: Vec<(usize, Position, SlotMask)> = positions
        .iter()
        .enumerate()
        .filter_map(|(s, p)| p.map(|p| (s, p, occupied(problem, s, p))))
        .collect();
    for (i, &(a, pa, span_a)) in placed.iter().enumerate() {
        for &(b, pb, span_b) in &placed[i + 1..] {
            if span_a & span_b == 0 {
                continue;
            }
            let (ida, idb) = (&instance.sessions[a].id, &instance.sessions[b].id);
            let both = vec![ida.clone(), idb.clone()];
            if pa.room == pb.room {
                violations.push(violation(
                    Constraint::RoomDoubleBooked,
                    format!(
                        "sessions {ida} and {idb} are both in room {} at the same time",
                        instance.rooms[pa.room].id
                    ),
                    both.clone(),
                    vec![],
                ));
            }
            let shared: Vec<String> = problem.sessions[a]
                .facilitators
                .iter()
                .filter(|p| problem.sessions[b].facilitators.contains(p))
                .map(|&p| instance.people[p].id.clone())
                .collect();
            if !shared.is_empty() {
                violations.push(violation(
                    Constraint::FacilitatorDoubleBooked,
                    format!(
                        "{} facilitate(s) both {ida} and {idb}, which overlap",
                        shared.join(", ")
                    ),
                    both.clone(),
                    shared,
                ));
            }
            if problem.sessions[a].plenary || problem.sessions[b].plenary {
                let (plenary, other) = if problem.sessions[a].plenary {
                    (ida, idb)
                } else {
                    (idb, ida)
                };
                violations.push(violation(
                    Constraint::PlenaryNotAlone,
                    format!("plenary {plenary} runs at the same time as {other}"),
                    both,
                    vec![],
                ));
            }
        }
    }
}

/// The wished sessions of an attendee that are placed, as intervals with their ranks.
fn wished_intervals(
    problem: &Problem,
    attendee: usize,
    positions: &[Option<Position>],
) -> Vec<WishedInterval> {
    problem.attendees[attendee]
        .wishes
        .iter()
        .enumerate()
        .filter_map(|(rank, &s)| {
            positions[s].map(|p| {
                let length = problem.sessions[s].length.min(problem.slot_count() - p.start);
                WishedInterval::new(p.start, length, rank)
            })
        })
        .collect()
}

fn wishes_lost(problem: &Problem, positions: &[Option<Position>]) -> u32 {
    (0..problem.attendees.len())
        .map(|a| {
            let mut intervals = wished_intervals(problem, a, positions);
            problem.attendees[a].wishes.len() as u32
                - attendable_count(&mut intervals, problem.attendees[a].unavailable)
        })
        .sum()
}

fn wish_summary(problem: &Problem, instance: &Instance, positions: &[Option<Position>]) -> WishSummary {
    let mut with_wishes = 0u32;
    let mut first = 0u32;
    let mut top_three = 0u32;
    let mut losing = Vec::new();
    for (a, attendee) in problem.attendees.iter().enumerate() {
        if attendee.wishes.is_empty() {
            continue;
        }
        with_wishes += 1;
        let agenda = ranked_agenda(&wished_intervals(problem, a, positions), attendee.unavailable);
        if agenda.first() == Some(&0) {
            first += 1;
        }
        let top = attendee.wishes.len().min(3);
        if agenda.len() >= top && agenda[..top] == (0..top).collect::<Vec<_>>()[..] {
            top_three += 1;
        }
        let wishes = attendee.wishes.len() as u32;
        let attendable = agenda.len() as u32;
        if attendable < wishes {
            losing.push(AttendeeWishes {
                attendee: instance.attendees[a].id.clone(),
                wishes,
                attendable,
                lost: wishes - attendable,
                lost_sessions: (0..attendee.wishes.len())
                    .filter(|rank| !agenda.contains(rank))
                    .map(|rank| instance.sessions[attendee.wishes[rank]].id.clone())
                    .collect(),
            });
        }
    }
    losing.sort_by(|x, y| {
        (y.lost * x.wishes)
            .cmp(&(x.lost * y.wishes))
            .then(y.lost.cmp(&x.lost))
            .then(x.attendee.cmp(&y.attendee))
    });
    let share = |n: u32| {
        if with_wishes == 0 {
            1.0
        } else {
            f64::from(n) / f64::from(with_wishes)
        }
    };
    WishSummary {
        attendees: with_wishes,
        first_wish_share: share(first),
        top_three_share: share(top_three),
        worst_off: losing.first().cloned(),
        losing,
    }
}

fn theme_clashes(problem: &Problem, instance: &Instance, positions: &[Option<Position>]) -> Vec<ThemeClash> {
    let mut clashes = Vec::new();
    for members in &problem.themes {
        for (i, &a) in members.iter().enumerate() {
            for &b in &members[i + 1..] {
                let (Some(pa), Some(pb)) = (positions[a], positions[b]) else {
                    continue;
                };
                let shared = occupied(problem, a, pa) & occupied(problem, b, pb);
                if shared == 0 {
                    continue;
                }
                clashes.push(ThemeClash {
                    theme: instance.sessions[a].theme.clone().unwrap_or_default(),
                    sessions: [instance.sessions[a].id.clone(), instance.sessions[b].id.clone()],
                    slots: (0..problem.slot_count())
                        .filter(|&t| shared & (1 << t) != 0)
                        .map(|t| instance.slots[t].id.clone())
                        .collect(),
                });
            }
        }
    }
    clashes
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.feasible {
            writeln!(f, "every hard constraint holds")?;
        } else {
            writeln!(f, "{} hard constraint(s) broken:", self.violations.len())?;
            for v in &self.violations {
                writeln!(f, "- {}", v.message)?;
            }
        }
        writeln!(
            f,
            "lost wishes: {} of {}; first wish kept for {:.1}% of attendees, top three for {:.1}%",
            self.metrics.lost_wishes,
            self.metrics.wishes,
            100.0 * self.wishes.first_wish_share,
            100.0 * self.wishes.top_three_share
        )?;
        if let Some(worst) = &self.wishes.worst_off {
            writeln!(
                f,
                "worst off: {} loses {} of {} wishes ({})",
                worst.attendee,
                worst.lost,
                worst.wishes,
                worst.lost_sessions.join(", ")
            )?;
        }
        writeln!(f, "theme clashes: {}", self.metrics.theme_clashes)?;
        for clash in &self.theme_clashes {
            writeln!(
                f,
                "- {}: {} and {} in {}",
                clash.theme,
                clash.sessions[0],
                clash.sessions[1],
                clash.slots.join(", ")
            )?;
        }
        if let Some(moved) = self.metrics.moved {
            writeln!(f, "moved since the previous agenda: {moved}")?;
        }
        if !self.metrics_as_claimed {
            writeln!(f, "note: the solution's own metrics differ from these")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::test_support::{attendee, instance, session, solution, with};

    fn constraints(instance: &Instance, placements: &[(&str, &str, &str)]) -> Vec<Constraint> {
        let report = check(instance, &solution(placements)).unwrap();
        assert_eq!(report.feasible, report.violations.is_empty());
        report.violations.iter().map(|v| v.constraint).collect()
    }

    fn two_sessions() -> Instance {
        instance(with(
            vec![
                session("w1", "climate", &["p1"]),
                session("w2", "housing", &["p2"]),
            ],
            vec![attendee("a1", &["w1", "w2"])],
        ))
    }

    #[test]
    fn a_valid_agenda_passes() {
        let report = check(
            &two_sessions(),
            &solution(&[("w1", "sat-1", "hall"), ("w2", "sat-2", "hall")]),
        )
        .unwrap();
        assert!(report.feasible, "{report}");
        assert_eq!(report.metrics.lost_wishes, 0);
        assert_eq!(report.wishes.first_wish_share, 1.0);
    }

    #[test]
    fn catches_unplaced_repeated_and_unknown() {
        let instance = two_sessions();
        assert_eq!(
            constraints(&instance, &[("w1", "sat-1", "hall")]),
            [Constraint::Unplaced]
        );
        assert_eq!(
            constraints(
                &instance,
                &[
                    ("w1", "sat-1", "hall"),
                    ("w1", "sat-2", "hall"),
                    ("w2", "sat-3", "hall")
                ]
            ),
            [Constraint::PlacedMoreThanOnce]
        );
        assert_eq!(
            constraints(
                &instance,
                &[
                    ("w1", "sat-1", "attic"),
                    ("w1", "sat-2", "hall"),
                    ("w2", "sat-3", "hall")
                ]
            ),
            [Constraint::UnknownId]
        );
    }

    #[test]
    fn catches_a_room_holding_two_sessions() {
        let violations = constraints(
            &two_sessions(),
            &[("w1", "sat-1", "hall"), ("w2", "sat-1", "hall")],
        );
        assert_eq!(violations, [Constraint::RoomDoubleBooked]);
    }

    #[test]
    fn catches_a_facilitator_in_two_places_or_when_away() {
        let mut value = with(
            vec![
                session("w1", "climate", &["p1"]),
                session("w2", "housing", &["p1"]),
            ],
            vec![],
        );
        value["people"][0]["unavailable"] = json!(["sun-2"]);
        let instance = instance(value);
        let report = check(
            &instance,
            &solution(&[("w1", "sat-1", "hall"), ("w2", "sat-1", "garden")]),
        )
        .unwrap();
        assert_eq!(
            report.violations[0].constraint,
            Constraint::FacilitatorDoubleBooked
        );
        assert_eq!(report.violations[0].people, ["p1"]);
        assert_eq!(
            constraints(&instance, &[("w1", "sun-2", "hall"), ("w2", "sat-1", "garden")]),
            [Constraint::FacilitatorUnavailable]
        );
    }

    #[test]
    fn catches_sessions_across_days_and_breaks() {
        let mut value = with(vec![session("w1", "climate", &[])], vec![]);
        value["sessions"][0]["length"] = json!(2);
        let instance = instance(value);
        assert_eq!(
            constraints(&instance, &[("w1", "sat-3", "hall")]),
            [Constraint::OutsideOneDay]
        );
        assert_eq!(
            constraints(&instance, &[("w1", "sat-2", "hall")]),
            [Constraint::BreakSlot]
        );
        assert_eq!(
            constraints(&instance, &[("w1", "lunch", "hall")]),
            [Constraint::BreakSlot]
        );
        assert!(constraints(&instance, &[("w1", "sat-1", "hall")]).is_empty());
    }

    #[test]
    fn catches_missing_features_access_needs_and_capacity() {
        let mut value = with(
            vec![session("w1", "climate", &[])],
            (0..25).map(|i| attendee(&format!("a{i}"), &["w1"])).collect(),
        );
        value["sessions"][0]["requires"] = json!(["projector"]);
        value["attendees"][3]["needs"] = json!(["hearing_loop"]);
        let instance = instance(value);
        let report = check(&instance, &solution(&[("w1", "sat-1", "garden")])).unwrap();
        let kinds: Vec<Constraint> = report.violations.iter().map(|v| v.constraint).collect();
        assert_eq!(
            kinds,
            [Constraint::MissingFeature, Constraint::MissingAccessFeature]
        );
        assert_eq!(report.violations[1].people, ["a3"]);
        let kinds = constraints(&instance, &[("w1", "sat-1", "studio")]);
        assert_eq!(
            kinds,
            [Constraint::MissingAccessFeature, Constraint::OverCapacity]
        );
    }

    #[test]
    fn catches_a_plenary_with_company_and_a_moved_pin() {
        let mut value = with(
            vec![session("opening", "all", &[]), session("w1", "climate", &[])],
            vec![],
        );
        value["sessions"][0]["plenary"] = json!(true);
        value["pinned"] = json!([{"session": "w1", "slot": "sun-1", "room": "garden"}]);
        let instance = instance(value);
        assert_eq!(
            constraints(
                &instance,
                &[("opening", "sat-1", "hall"), ("w1", "sat-1", "garden")]
            ),
            [Constraint::PinNotKept, Constraint::PlenaryNotAlone]
        );
    }

    #[test]
    fn counts_lost_wishes_per_attendee() {
        // a1 wishes w1, w2, w3; w1 and w2 run together, w3 runs when a1 is away.
        let mut value = with(
            vec![
                session("w1", "climate", &[]),
                session("w2", "climate", &[]),
                session("w3", "housing", &[]),
            ],
            vec![attendee("a1", &["w1", "w2", "w3"]), attendee("a2", &["w3"])],
        );
        value["attendees"][0]["unavailable"] = json!(["sun-1"]);
        let instance = instance(value);
        let report = check(
            &instance,
            &solution(&[
                ("w1", "sat-1", "hall"),
                ("w2", "sat-1", "garden"),
                ("w3", "sun-1", "hall"),
            ]),
        )
        .unwrap();
        assert!(report.feasible);
        assert_eq!(report.metrics.wishes, 4);
        assert_eq!(report.metrics.lost_wishes, 2);
        assert_eq!(report.wishes.first_wish_share, 1.0);
        assert_eq!(report.wishes.top_three_share, 0.5);
        let worst = report.wishes.worst_off.unwrap();
        assert_eq!((worst.attendee.as_str(), worst.lost), ("a1", 2));
        assert_eq!(worst.lost_sessions, ["w2", "w3"]);
        assert_eq!(report.metrics.theme_clashes, 1);
        assert_eq!(report.theme_clashes[0].sessions, ["w1", "w2"]);
        assert_eq!(report.theme_clashes[0].slots, ["sat-1"]);
    }
}
