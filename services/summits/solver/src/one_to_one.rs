//! One-to-one organising conversations: pairing attendees across rounds so each pair is from
//! different organisations, shares a theme or a language, and nobody meets anyone twice.

use std::collections::HashSet;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};

use crate::instance::Instance;

/// Someone taking part in a one-to-one block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub id: String,
    /// `None` when unknown: then any other organisation is taken to differ.
    pub organisation: Option<String>,
    pub themes: Vec<String>,
    pub languages: Vec<String>,
}

/// Someone left without a partner in a round, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unpaired {
    /// Counted from 1.
    pub round: usize,
    pub participant: String,
    pub reason: String,
}

/// The pairs of every round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationPlan {
    pub rounds: Vec<Vec<[String; 2]>>,
    pub unpaired: Vec<Unpaired>,
}

/// The attendees who wish for a session, as participants of its one-to-one conversations.
pub fn participants_for_session(instance: &Instance, session: &str) -> Vec<Participant> {
    instance
        .attendees
        .iter()
        .filter(|a| a.wishes.iter().any(|w| w == session))
        .map(|a| Participant {
            id: a.id.clone(),
            organisation: a.organisation.clone(),
            themes: a.themes.clone(),
            languages: a.languages.clone(),
        })
        .collect()
}

fn can_meet(a: &Participant, b: &Participant) -> bool {
    let different = match (&a.organisation, &b.organisation) {
        (Some(x), Some(y)) => x != y,
        _ => true,
    };
    let shared =
        a.themes.iter().any(|t| b.themes.contains(t)) || a.languages.iter().any(|l| b.languages.contains(l));
    different && shared
}

/// Pairs participants for `rounds` rounds: each round a maximal matching that serves the
/// hardest to pair first, then repaired by swapping partners to pair anyone left over.
pub fn pair_conversations(participants: &[Participant], rounds: usize, seed: u64) -> ConversationPlan {
    let n = participants.len();
    let eligible: Vec<Vec<usize>> = (0..n)
        .map(|a| {
            (0..n)
                .filter(|&b| b != a && can_meet(&participants[a], &participants[b]))
                .collect()
        })
        .collect();
    let mut met: HashSet<(usize, usize)> = HashSet::new();
    let key = |a: usize, b: usize| (a.min(b), a.max(b));
    let mut rng = StdRng::seed_from_u64(seed);
    let mut plan = ConversationPlan {
        rounds: Vec::new(),
        unpaired: Vec::new(),
    };
    for round in 1..=rounds {
        let mut partner: Vec<Option<usize>> = vec![None; n];
        let open = |a: usize, b: usize, partner: &[Option<usize>], met: &HashSet<(usize, usize)>| {
            partner[b].is_none() && !met.contains(&key(a, b))
        };
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut rng);
        loop {
            let options = |a: usize, partner: &[Option<usize>]| {
                eligible[a].iter().filter(|&&b| open(a, b, partner, &met)).count()
            };
            let next = order
                .iter()
                .copied()
                .filter(|&a| partner[a].is_none() && options(a, &partner) > 0)
                .min_by_key(|&a| options(a, &partner));
            let Some(a) = next else { break };
            let b = eligible[a]
                .iter()
                .copied()
                .filter(|&b| open(a, b, &partner, &met))
                .min_by_key(|&b| options(b, &partner))
                .expect("a has an option");
            partner[a] = Some(b);
            partner[b] = Some(a);
        }
        // Repair: an unpaired u takes x from (x, y) if y can then meet another unpaired v.
        for u in 0..n {
            if partner[u].is_some() {
                continue;
            }
            'search: for &x in &eligible[u] {
                let Some(y) = partner[x] else { continue };
                if met.contains(&key(u, x)) {
                    continue;
                }
                for &v in &eligible[y] {
                    if v != u && partner[v].is_none() && !met.contains(&key(v, y)) {
                        partner[u] = Some(x);
                        partner[x] = Some(u);
                        partner[v] = Some(y);
                        partner[y] = Some(v);
                        break 'search;
                    }
                }
            }
        }
        let mut pairs = Vec::new();
        for a in 0..n {
            match partner[a] {
                Some(b) if a < b => {
                    met.insert(key(a, b));
                    pairs.push([participants[a].id.clone(), participants[b].id.clone()]);
                }
                Some(_) => {}
                None => plan.unpaired.push(Unpaired {
                    round,
                    participant: participants[a].id.clone(),
                    reason: if eligible[a].is_empty() {
                        "no other participant is from another organisation and shares a theme or a language"
                            .to_string()
                    } else if eligible[a].iter().all(|&b| met.contains(&key(a, b))) {
                        "has already met everyone from another organisation who shares a theme or a language"
                            .to_string()
                    } else {
                        "everyone they could still meet is paired with someone else this round".to_string()
                    },
                }),
            }
        }
        plan.rounds.push(pairs);
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: &str, organisation: &str, themes: &[&str], languages: &[&str]) -> Participant {
        Participant {
            id: id.into(),
            organisation: Some(organisation.into()),
            themes: themes.iter().map(|t| t.to_string()).collect(),
            languages: languages.iter().map(|l| l.to_string()).collect(),
        }
    }

    #[test]
    fn pairs_keep_the_rules_across_rounds() {
        let themes = ["climate", "housing", "work"];
        let people: Vec<Participant> = (0..20)
            .map(|i| {
                person(
                    &format!("a{i:02}"),
                    &format!("org{}", i % 4),
                    &[themes[i % 3]],
                    &[if i % 2 == 0 { "en" } else { "ar" }],
                )
            })
            .collect();
        let plan = pair_conversations(&people, 4, 7);
        assert_eq!(plan.rounds.len(), 4);
        let find = |id: &str| people.iter().find(|p| p.id == id).unwrap();
        let mut met = HashSet::new();
        for round in &plan.rounds {
            let mut busy = HashSet::new();
            for [a, b] in round {
                assert!(can_meet(find(a), find(b)), "{a} and {b} cannot meet");
                assert!(met.insert((a.clone(), b.clone())), "{a} meets {b} twice");
                assert!(busy.insert(a.clone()) && busy.insert(b.clone()));
            }
        }
        let paired: usize = plan.rounds.iter().map(|r| r.len() * 2).sum();
        assert_eq!(paired + plan.unpaired.len(), 20 * 4);
        assert!(paired >= 72, "only {paired} of 80 seats paired");
    }

    #[test]
    fn says_why_someone_is_left_out() {
        let people = vec![
            person("a", "org1", &["climate"], &["en"]),
            person("b", "org2", &["climate"], &["en"]),
            person("c", "org1", &["housing"], &["es"]),
            person("d", "org3", &["work"], &["pl"]),
        ];
        let plan = pair_conversations(&people, 2, 1);
        assert_eq!(plan.rounds[0], [["a".to_string(), "b".to_string()]]);
        assert!(plan.rounds[1].is_empty());
        let reason = |round: usize, id: &str| {
            plan.unpaired
                .iter()
                .find(|u| u.round == round && u.participant == id)
                .unwrap()
                .reason
                .clone()
        };
        assert!(reason(1, "c").starts_with("no other participant"));
        assert!(reason(2, "a").starts_with("has already met everyone"));
    }
}
