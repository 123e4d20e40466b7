//! Realistic instances for benchmarks and tests: skewed popularity, facilitators from
//! organisations, access needs and unavailability, all from a seed.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::instance::{Attendee, Instance, Person, Room, Session, SessionKind, Slot};

const THEMES: [&str; 8] = [
    "climate justice",
    "workplace rights",
    "embodied leadership",
    "housing",
    "migrant rights",
    "community organising",
    "digital security",
    "health access",
];
const LANGUAGES: [&str; 5] = ["en", "ar", "es", "pl", "so"];

/// The shape of a generated summit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratorConfig {
    pub attendees: usize,
    pub sessions: usize,
    pub rooms: usize,
    pub days: usize,
    pub slots_per_day: usize,
    /// Of the sessions, how many are plenaries (one slot each).
    pub plenaries: usize,
    /// Of the sessions, how many last two slots.
    pub double_sessions: usize,
    /// Fewest and most wishes per attendee.
    pub wishes: (usize, usize),
    pub seed: u64,
}

impl GeneratorConfig {
    /// 120 attendees, 40 sessions, 8 rooms, 8 slots over two days.
    pub fn summit(seed: u64) -> GeneratorConfig {
        GeneratorConfig {
            attendees: 120,
            sessions: 40,
            rooms: 8,
            days: 2,
            slots_per_day: 4,
            plenaries: 2,
            double_sessions: 4,
            wishes: (3, 7),
            seed,
        }
    }

    /// 5,000 attendees, 300 sessions, 20 rooms, 16 slots over two days.
    pub fn conference(seed: u64) -> GeneratorConfig {
        GeneratorConfig {
            attendees: 5_000,
            sessions: 300,
            rooms: 20,
            days: 2,
            slots_per_day: 8,
            plenaries: 0,
            double_sessions: 10,
            wishes: (4, 10),
            seed,
        }
    }

    /// Small enough for exhaustive search: `sessions` sessions, 3 rooms, 4 slots in one day.
    pub fn small(sessions: usize, attendees: usize, seed: u64) -> GeneratorConfig {
        GeneratorConfig {
            attendees,
            sessions,
            rooms: 3,
            days: 1,
            slots_per_day: 4,
            plenaries: 0,
            double_sessions: 1,
            wishes: (2, 4),
            seed,
        }
    }
}

/// Generates an instance; capacities are set from demand so that it is feasible in practice.
pub fn generate_instance(config: &GeneratorConfig) -> Instance {
    let mut rng = StdRng::seed_from_u64(config.seed);
    let mut slots = Vec::new();
    for day in 0..config.days {
        for k in 0..config.slots_per_day {
            let start = 9 * 60 + 90 * k;
            slots.push(Slot {
                id: format!("d{}-{}", day + 1, k + 1),
                day: format!("2026-09-{:02}", 12 + day),
                start: format!("{:02}:{:02}", start / 60, start % 60),
                end: format!("{:02}:{:02}", (start + 80) / 60, (start + 80) % 60),
                is_break: false,
            });
        }
    }

    let organisations = (config.sessions / 2).max(2);
    let people_count = (config.sessions * 4 / 5).max(config.sessions.min(12));
    let people: Vec<Person> = (0..people_count)
        .map(|p| Person {
            id: format!("p{:03}", p + 1),
            unavailable: if rng.gen_bool(0.15) {
                let slot = rng.gen_range(0..slots.len());
                vec![slots[slot].id.clone()]
            } else {
                Vec::new()
            },
            organisation: Some(format!("org{:03}", rng.gen_range(0..organisations) + 1)),
        })
        .collect();

    let max_load = (slots.len() / 3).max(1);
    let mut load = vec![0usize; people.len()];
    let sessions: Vec<Session> = (0..config.sessions)
        .map(|s| {
            let plenary = s < config.plenaries;
            let double = !plenary && s < config.plenaries + config.double_sessions;
            let facilitators = if rng.gen_bool(0.3) { 2 } else { 1 };
            // Nobody facilitates more than a third of the slots.
            let open: Vec<usize> = (0..people.len()).filter(|&p| load[p] < max_load).collect();
            let mut picked: Vec<usize> = open.choose_multiple(&mut rng, facilitators).copied().collect();
            picked.sort_unstable();
            for &p in &picked {
                load[p] += 1;
            }
            let chosen: Vec<String> = picked.iter().map(|&p| people[p].id.clone()).collect();
            Session {
                id: format!("w{:03}", s + 1),
                title: format!("Session {}", s + 1),
                theme: Some(THEMES[rng.gen_range(0..THEMES.len())].to_string()),
                length: if double { 2 } else { 1 },
                plenary,
                facilitators: chosen,
                requires: if rng.gen_bool(0.3) {
                    vec!["projector".to_string()]
                } else {
                    Vec::new()
                },
                kind: Some(if plenary {
                    SessionKind::Plenary
                } else {
                    SessionKind::Workshop
                }),
                language: Some("en".to_string()),
            }
        })
        .collect();
    let mut popularity: Vec<f64> = (0..config.sessions)
        .map(|rank| 1.0 / (rank as f64 + 1.0).powf(0.9))
        .collect();
    popularity.shuffle(&mut rng);
    for (s, session) in sessions.iter().enumerate() {
        if session.plenary {
            popularity[s] = 4.0;
        }
    }

    let mut demand = vec![0u32; config.sessions];
    let attendees: Vec<Attendee> = (0..config.attendees)
        .map(|a| {
            let count = rng
                .gen_range(config.wishes.0..=config.wishes.1)
                .min(config.sessions);
            let mut wishes: Vec<usize> = Vec::with_capacity(count);
            while wishes.len() < count {
                let total: f64 = (0..config.sessions)
                    .filter(|s| !wishes.contains(s))
                    .map(|s| popularity[s])
                    .sum();
                let mut pick = rng.gen::<f64>() * total;
                let mut chosen = None;
                for s in (0..config.sessions).filter(|s| !wishes.contains(s)) {
                    pick -= popularity[s];
                    chosen = Some(s);
                    if pick <= 0.0 {
                        break;
                    }
                }
                wishes.push(chosen.expect("more sessions than wishes"));
            }
            for &s in &wishes {
                demand[s] += 1;
            }
            let mut needs = Vec::new();
            if rng.gen_bool(0.08) {
                needs.push("step_free".to_string());
            }
            if rng.gen_bool(0.02) {
                needs.push("hearing_loop".to_string());
            }
            let unavailable = if rng.gen_bool(0.1) {
                let slot = rng.gen_range(0..slots.len());
                vec![slots[slot].id.clone()]
            } else {
                Vec::new()
            };
            Attendee {
                id: format!("a{:04}", a + 1),
                wishes: wishes.iter().map(|&s| sessions[s].id.clone()).collect(),
                needs,
                unavailable,
                organisation: Some(format!("org{:03}", rng.gen_range(0..organisations) + 1)),
                themes: vec![THEMES[rng.gen_range(0..THEMES.len())].to_string()],
                languages: vec![LANGUAGES[rng.gen_range(0..LANGUAGES.len())].to_string()],
            }
        })
        .collect();

    // Room k (largest first) can take the sessions ranked from k * per_room / 2 on by demand.
    let mut demands: Vec<u32> = demand.clone();
    demands.sort_unstable_by(|a, b| b.cmp(a));
    let per_room = config.sessions.div_ceil(config.rooms).max(1);
    let rooms: Vec<Room> = (0..config.rooms)
        .map(|k| {
            let needed = demands.get(k * per_room / 2).copied().unwrap_or(0);
            let capacity = (needed + needed / 5 + 5).max(10);
            // A large venue is accessible throughout; a small one only in some rooms.
            let accessible = config.attendees >= 1_000 || k < 2;
            let mut features = Vec::new();
            if accessible || k < config.rooms * 3 / 4 || rng.gen_bool(0.5) {
                features.push("step_free".to_string());
            }
            if accessible || rng.gen_bool(0.4) {
                features.push("hearing_loop".to_string());
            }
            if k < 2 || rng.gen_bool(0.6) {
                features.push("projector".to_string());
            }
            Room {
                id: format!("room{:02}", k + 1),
                capacity,
                features,
            }
        })
        .collect();
    Instance {
        timezone: "Europe/London".to_string(),
        slots,
        rooms,
        sessions,
        people,
        attendees,
        pinned: Vec::new(),
        previous: None,
    }
}
