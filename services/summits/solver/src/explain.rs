//! Why no agenda can exist: the sets of hard constraints that cannot all hold, in planners' words.

use crate::instance::Instance;
use crate::model::{Problem, SlotMask};

/// Conflicts visible without searching: sessions with no room or slot, overloaded facilitators,
/// too few room-slots, clashing pins.
pub(crate) fn obvious_conflicts(problem: &Problem, instance: &Instance) -> Vec<String> {
    let mut reasons = Vec::new();
    for s in 0..problem.sessions.len() {
        if problem.sessions[s].rooms.is_empty() {
            reasons.push(no_room(problem, instance, s));
        }
        if problem.sessions[s].starts.is_empty() {
            reasons.push(no_start(problem, instance, s));
        }
    }
    facilitator_overload(problem, instance, &mut reasons);
    room_slot_shortage(problem, instance, &mut reasons);
    pin_clashes(problem, instance, &mut reasons);
    reasons
}

/// Explains sessions the search could not place although no obvious conflict was found.
pub(crate) fn placement_failures(problem: &Problem, instance: &Instance, failures: &[usize]) -> Vec<String> {
    failures
        .iter()
        .map(|&s| {
            let session = &problem.sessions[s];
            let facilitators = &instance.sessions[s].facilitators;
            format!(
                "session {} could not be placed: it can start in {} slot(s) ({}) in {} room(s) ({}), \
                 and all of them were taken by other sessions, plenaries{} in every attempt",
                instance.sessions[s].id,
                session.starts.len(),
                names(session.starts.iter().map(|&t| instance.slots[t].id.as_str())),
                session.rooms.len(),
                names(session.rooms.iter().map(|&r| instance.rooms[r].id.as_str())),
                if facilitators.is_empty() {
                    String::new()
                } else {
                    format!(" or other sessions of {}", facilitators.join(", "))
                },
            )
        })
        .collect()
}

fn names<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    let ids: Vec<&str> = ids.collect();
    if ids.len() > 8 {
        format!("{}, … {} in all", ids[..8].join(", "), ids.len())
    } else {
        ids.join(", ")
    }
}

fn no_room(problem: &Problem, instance: &Instance, s: usize) -> String {
    let session = &problem.sessions[s];
    let id = &instance.sessions[s].id;
    let need = session.requires | session.needs;
    let needers = needs_from_attendees(problem, instance, s);
    if let Some(pin) = session.pin {
        let room = &problem.rooms[pin.room];
        let missing = need & !room.features;
        let mut lacks = Vec::new();
        if missing != 0 {
            lacks.push(format!("lacks {}", problem.feature_list(missing)));
        }
        if room.capacity < session.demand {
            lacks.push(format!(
                "holds {} but {} attendees wish for it",
                room.capacity, session.demand
            ));
        }
        return format!(
            "session {id} is pinned to room {}, which {}{needers}",
            instance.rooms[pin.room].id,
            lacks.join(" and ")
        );
    }
    let equipped: Vec<usize> = (0..problem.rooms.len())
        .filter(|&r| need & !problem.rooms[r].features == 0)
        .collect();
    let needs_text = if need == 0 {
        String::new()
    } else {
        format!("{} + ", problem.feature_list(need))
    };
    if equipped.is_empty() {
        format!(
            "session {id} needs {}but no room has all of {}{needers}",
            needs_text,
            problem.feature_list(need)
        )
    } else {
        let rooms: Vec<String> = equipped
            .iter()
            .map(|&r| {
                format!(
                    "{} (capacity {})",
                    instance.rooms[r].id, problem.rooms[r].capacity
                )
            })
            .collect();
        let which = if need == 0 {
            "the largest room is".to_string()
        } else if equipped.len() == 1 {
            format!("only room with {} is", problem.feature_list(need))
        } else {
            format!("only rooms with {} are", problem.feature_list(need))
        };
        let rooms = if need == 0 {
            let largest = equipped
                .iter()
                .max_by_key(|&&r| problem.rooms[r].capacity)
                .expect("equipped is not empty");
            vec![format!(
                "{} (capacity {})",
                instance.rooms[*largest].id, problem.rooms[*largest].capacity
            )]
        } else {
            rooms
        };
        format!(
            "session {id} needs {needs_text}capacity {} ({} attendees wish for it) but the {which} {}{needers}",
            session.demand,
            session.demand,
            rooms.join(", ")
        )
    }
}

/// ` (step_free needed by a001, a002)`: which access needs come from which attendees.
fn needs_from_attendees(problem: &Problem, instance: &Instance, s: usize) -> String {
    let session = &problem.sessions[s];
    let from_attendees = session.needs & !session.requires;
    let parts: Vec<String> = (0..problem.feature_names.len())
        .filter(|bit| from_attendees & (1 << bit) != 0)
        .map(|bit| {
            let feature = &problem.feature_names[bit];
            let who = session
                .wishers
                .iter()
                .filter(|&&a| instance.attendees[a].needs.contains(feature))
                .map(|&a| instance.attendees[a].id.as_str());
            format!("{feature} needed by {}", names(who))
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join("; "))
    }
}

fn no_start(problem: &Problem, instance: &Instance, s: usize) -> String {
    let session = &problem.sessions[s];
    let id = &instance.sessions[s].id;
    if let Some(pin) = session.pin {
        let slot = &instance.slots[pin.start].id;
        return if !problem.start_fits(s, pin.start) {
            format!(
                "session {id} lasts {} slot(s) and is pinned to {slot}, but from there it would run \
                 into a break or past the end of the day",
                session.length
            )
        } else {
            format!(
                "session {id} is pinned to {slot}, but {} unavailable then",
                busy_facilitators(problem, instance, s, problem.span(s, pin.start))
            )
        };
    }
    let fitting: Vec<usize> = (0..problem.slot_count())
        .filter(|&t| problem.start_fits(s, t))
        .collect();
    if fitting.is_empty() {
        format!(
            "session {id} lasts {} slots but the longest run of consecutive slots in one day without \
             a break is {}",
            session.length,
            longest_run(problem)
        )
    } else {
        let every: SlotMask = fitting.iter().fold(0, |m, &t| m | problem.span(s, t));
        format!(
            "session {id} cannot start anywhere its facilitators are available: {} unavailable in the \
             slots where it fits",
            busy_facilitators(problem, instance, s, every)
        )
    }
}

fn busy_facilitators(problem: &Problem, instance: &Instance, s: usize, span: SlotMask) -> String {
    let busy: Vec<&str> = problem.sessions[s]
        .facilitators
        .iter()
        .filter(|&&p| problem.person_unavailable[p] & span != 0)
        .map(|&p| instance.people[p].id.as_str())
        .collect();
    match busy.as_slice() {
        [one] => format!("facilitator {one} is"),
        many => format!("facilitators {} are", many.join(", ")),
    }
}

fn longest_run(problem: &Problem) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for slot in 0..problem.slot_count() {
        let continues = slot > 0 && problem.slot_day[slot] == problem.slot_day[slot - 1];
        run = if problem.slot_break[slot] {
            0
        } else if continues {
            run + 1
        } else {
            1
        };
        longest = longest.max(run);
    }
    longest
}

fn usable_slots(problem: &Problem) -> usize {
    problem.slot_break.iter().filter(|b| !**b).count()
}

fn facilitator_overload(problem: &Problem, instance: &Instance, reasons: &mut Vec<String>) {
    let usable = usable_slots(problem);
    for (p, person) in instance.people.iter().enumerate() {
        let sessions: Vec<usize> = (0..problem.sessions.len())
            .filter(|&s| problem.sessions[s].facilitators.contains(&p))
            .collect();
        let total: usize = sessions.iter().map(|&s| problem.sessions[s].length).sum();
        let unavailable = (0..problem.slot_count())
            .filter(|&t| !problem.slot_break[t] && problem.person_unavailable[p] & (1 << t) != 0)
            .count();
        let available = usable - unavailable;
        if total > available {
            reasons.push(format!(
                "facilitator {} has {} sessions ({}) of total length {total} but is available in only \
                 {available} slots",
                person.id,
                sessions.len(),
                names(sessions.iter().map(|&s| instance.sessions[s].id.as_str())),
            ));
        }
    }
}

fn room_slot_shortage(problem: &Problem, instance: &Instance, reasons: &mut Vec<String>) {
    let usable = usable_slots(problem);
    let plenary: usize = problem
        .sessions
        .iter()
        .filter(|s| s.plenary)
        .map(|s| s.length)
        .sum();
    if plenary > usable {
        reasons.push(format!(
            "plenaries last {plenary} slots in all, each alone, but there are only {usable} usable slots"
        ));
        return;
    }
    let open = problem.rooms.len() * (usable - plenary);
    let parallel: usize = problem
        .sessions
        .iter()
        .filter(|s| !s.plenary)
        .map(|s| s.length)
        .sum();
    if parallel > open {
        reasons.push(format!(
            "sessions other than plenaries need {parallel} room-slots but {} rooms × {} slots free of \
             plenaries give only {open}",
            problem.rooms.len(),
            usable - plenary
        ));
    }
    // Hall's condition over the room sets sessions are confined to: the sessions that fit only
    // rooms of a set must fit in that set's room-slots.
    let mut room_sets: Vec<&Vec<usize>> = problem.sessions.iter().map(|s| &s.rooms).collect();
    room_sets.sort();
    room_sets.dedup();
    for rooms in room_sets {
        if rooms.is_empty() || rooms.len() == problem.rooms.len() {
            continue;
        }
        let confined: Vec<usize> = (0..problem.sessions.len())
            .filter(|&s| {
                let allowed = &problem.sessions[s].rooms;
                !allowed.is_empty() && allowed.iter().all(|r| rooms.contains(r))
            })
            .collect();
        let total: usize = confined.iter().map(|&s| problem.sessions[s].length).sum();
        let available = rooms.len() * usable;
        if total > available {
            reasons.push(format!(
                "sessions {} fit only room(s) {} (features or capacity) but together last {total} \
                 slots, more than the {available} slots those rooms have",
                names(confined.iter().map(|&s| instance.sessions[s].id.as_str())),
                names(rooms.iter().map(|&r| instance.rooms[r].id.as_str())),
            ));
        }
    }
}

fn pin_clashes(problem: &Problem, instance: &Instance, reasons: &mut Vec<String>) {
    let pinned: Vec<usize> = (0..problem.sessions.len())
        .filter(|&s| problem.sessions[s].pin.is_some())
        .collect();
    for (i, &a) in pinned.iter().enumerate() {
        for &b in &pinned[i + 1..] {
            let (pa, pb) = (problem.sessions[a].pin.unwrap(), problem.sessions[b].pin.unwrap());
            if problem.span(a, pa.start) & problem.span(b, pb.start) == 0 {
                continue;
            }
            let (ida, idb) = (&instance.sessions[a].id, &instance.sessions[b].id);
            if pa.room == pb.room {
                reasons.push(format!(
                    "sessions {ida} and {idb} are pinned to room {} at overlapping times",
                    instance.rooms[pa.room].id
                ));
            } else if problem.sessions[a].plenary || problem.sessions[b].plenary {
                reasons.push(format!(
                    "sessions {ida} and {idb} are pinned to overlapping times but a plenary runs alone"
                ));
            }
            for p in &problem.sessions[a].facilitators {
                if problem.sessions[b].facilitators.contains(p) {
                    reasons.push(format!(
                        "sessions {ida} and {idb} are pinned to overlapping times but both are \
                         facilitated by {}",
                        instance.people[*p].id
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::test_support::{attendee, instance, session, with};
    use crate::{solve, Options, SolverError};

    fn reasons(value: serde_json::Value) -> Vec<String> {
        match solve(&instance(value), &Options::default()) {
            Err(SolverError::Infeasible { reasons }) => reasons,
            other => panic!("expected infeasible, got {other:?}"),
        }
    }

    #[test]
    fn a_session_whose_needs_no_large_enough_room_meets() {
        let mut value = with(
            vec![session("w07", "climate", &[])],
            (0..25).map(|i| attendee(&format!("a{i:02}"), &["w07"])).collect(),
        );
        value["sessions"][0]["requires"] = json!(["projector"]);
        value["rooms"][0]["capacity"] = json!(10);
        assert_eq!(
            reasons(value),
            [
                "session w07 needs projector + capacity 25 (25 attendees wish for it) but the only rooms \
              with projector are hall (capacity 10), studio (capacity 20)"
            ]
        );
    }

    #[test]
    fn a_session_too_long_for_any_day() {
        let mut value = with(vec![session("walk", "city", &[])], vec![]);
        value["sessions"][0]["length"] = json!(3);
        assert_eq!(
            reasons(value),
            [
                "session walk lasts 3 slots but the longest run of consecutive slots in one day without \
              a break is 2"
            ]
        );
    }

    #[test]
    fn too_many_sessions_for_the_rooms_and_clashing_pins() {
        let sessions = (0..12).map(|i| session(&format!("w{i}"), "t", &[])).collect();
        let mut value = with(sessions, vec![]);
        value["sessions"][0]["plenary"] = json!(true);
        value["sessions"][1]["plenary"] = json!(true);
        value["pinned"] = json!([
            {"session": "w0", "slot": "sat-1", "room": "hall"},
            {"session": "w1", "slot": "sat-1", "room": "garden"}
        ]);
        let reasons = reasons(value);
        assert_eq!(reasons.len(), 2, "{reasons:?}");
        assert!(reasons[0].starts_with("sessions other than plenaries need 10 room-slots but 3 rooms"));
        assert_eq!(
            reasons[1],
            "sessions w0 and w1 are pinned to overlapping times but a plenary runs alone"
        );
    }

    #[test]
    fn sessions_confined_to_a_few_rooms() {
        let sessions = (0..6).map(|i| session(&format!("w{i}"), "t", &[])).collect();
        let mut value = with(sessions, vec![]);
        for i in 0..6 {
            value["sessions"][i]["requires"] = json!(["hearing_loop"]);
        }
        assert!(reasons(value)[0].starts_with(
            "sessions w0, w1, w2, w3, w4, w5 fit only room(s) hall (features or capacity) but together \
             last 6 slots, more than the 5 slots"
        ));
    }
}
