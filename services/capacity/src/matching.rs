//! The mentoring matcher: a plain library (no HTTP, no database). A mentor and a mentee may be matched only
//! if they share a language, both have done their safeguarding check and their availability overlaps; among
//! those pairs, shared skills, nearness and shared lived experience are scored, and an optimal assignment
//! (Kuhn–Munkres from `pathfinding`) first matches as many mentees as possible, then maximises the total
//! score. A mentor who can take several mentees appears once per place.

use std::collections::HashMap;

use pathfinding::kuhn_munkres::kuhn_munkres;
use pathfinding::matrix::Matrix;

/// Kilometres at which nearness stops counting.
pub const NEARNESS_KM: f64 = 100.0;
/// Weights of the scored criteria (they sum to 1).
pub const SKILLS_WEIGHT: f64 = 0.5;
pub const NEARNESS_WEIGHT: f64 = 0.3;
pub const LIVED_EXPERIENCE_WEIGHT: f64 = 0.2;

/// Every allowed pair is worth this much more than any score, so the assignment matches as many mentees as
/// it can before it looks at quality.
const MATCHED: i64 = 1_000_000;
/// Scores in [0, 1] become integers in [0, SCORE_STEPS].
const SCORE_STEPS: f64 = 10_000.0;

/// A mentor or a mentee as the matcher sees them.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    pub languages: Vec<String>,
    pub latitude: f64,
    pub longitude: f64,
    /// What a mentor offers, or what a mentee wants to learn.
    pub skills: Vec<String>,
    pub lived_experience: Vec<String>,
    /// Slots such as `mon_evening`.
    pub availability: Vec<String>,
    pub safeguarding_done: bool,
    /// Mentees a mentor can take (ignored for mentees).
    pub capacity: usize,
}

/// A proposed pair, by position in the lists given to [`propose`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Proposal {
    pub mentor: usize,
    pub mentee: usize,
    pub score: f64,
}

/// A profile with its labels turned into sorted numbers, for fast comparison.
struct Prepared {
    languages: Vec<u32>,
    skills: Vec<u32>,
    lived_experience: Vec<u32>,
    availability: Vec<u32>,
    latitude: f64,
    longitude: f64,
    safeguarding_done: bool,
}

#[derive(Default)]
struct Labels(HashMap<String, u32>);

impl Labels {
    fn ids(&mut self, labels: &[String]) -> Vec<u32> {
        let mut ids = Vec::with_capacity(labels.len());
        for label in labels {
            let next = self.0.len() as u32;
            ids.push(*self.0.entry(label.to_lowercase()).or_insert(next));
        }
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    fn prepare(&mut self, profile: &Profile) -> Prepared {
        Prepared {
            languages: self.ids(&profile.languages),
            skills: self.ids(&profile.skills),
            lived_experience: self.ids(&profile.lived_experience),
            availability: self.ids(&profile.availability),
            latitude: profile.latitude,
            longitude: profile.longitude,
            safeguarding_done: profile.safeguarding_done,
        }
    }
}

/// How many numbers two sorted lists share.
fn shared(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut count) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                count += 1;
                i += 1;
                j += 1;
            }
        }
    }
    count
}

/// Great-circle distance in kilometres.
pub fn distance_km(from: (f64, f64), to: (f64, f64)) -> f64 {
    let (lat1, lon1) = (from.0.to_radians(), from.1.to_radians());
    let (lat2, lon2) = (to.0.to_radians(), to.1.to_radians());
    let a =
        ((lat2 - lat1) / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * a.sqrt().asin()
}

/// The hard rules: a shared language, both safeguarding checks done, overlapping availability.
fn allowed(mentor: &Prepared, mentee: &Prepared) -> bool {
    mentor.safeguarding_done
        && mentee.safeguarding_done
        && shared(&mentor.languages, &mentee.languages) > 0
        && shared(&mentor.availability, &mentee.availability) > 0
}

/// How good an allowed pair is, from 0 to 1.
fn score(mentor: &Prepared, mentee: &Prepared) -> f64 {
    let skills = if mentee.skills.is_empty() {
        0.0
    } else {
        shared(&mentor.skills, &mentee.skills) as f64 / mentee.skills.len() as f64
    };
    let km = distance_km(
        (mentor.latitude, mentor.longitude),
        (mentee.latitude, mentee.longitude),
    );
    let nearness = (1.0 - km / NEARNESS_KM).max(0.0);
    let lived = if shared(&mentor.lived_experience, &mentee.lived_experience) > 0 {
        1.0
    } else {
        0.0
    };
    SKILLS_WEIGHT * skills + NEARNESS_WEIGHT * nearness + LIVED_EXPERIENCE_WEIGHT * lived
}

/// Whether `mentor` and `mentee` may be matched at all.
pub fn may_match(mentor: &Profile, mentee: &Profile) -> bool {
    let mut labels = Labels::default();
    allowed(&labels.prepare(mentor), &labels.prepare(mentee))
}

/// The score of a pair (whether or not it is allowed), from 0 to 1.
pub fn pair_score(mentor: &Profile, mentee: &Profile) -> f64 {
    let mut labels = Labels::default();
    score(&labels.prepare(mentor), &labels.prepare(mentee))
}

/// The optimal proposals: as many mentees matched as the hard rules and mentors' capacities allow, with the
/// highest total score among those; unmatched mentees are left out.
pub fn propose(mentors: &[Profile], mentees: &[Profile]) -> Vec<Proposal> {
    let mut labels = Labels::default();
    let prepared_mentors: Vec<Prepared> = mentors.iter().map(|m| labels.prepare(m)).collect();
    let prepared_mentees: Vec<Prepared> = mentees.iter().map(|m| labels.prepare(m)).collect();
    // One column per place a mentor offers (never more places than there are mentees).
    let places: Vec<usize> = mentors
        .iter()
        .enumerate()
        .flat_map(|(i, m)| std::iter::repeat_n(i, m.capacity.min(mentees.len())))
        .collect();
    if mentees.is_empty() || places.is_empty() {
        return Vec::new();
    }
    // Scores per (mentee, mentor), computed once however many places the mentor has.
    let scores: Vec<Option<f64>> = prepared_mentees
        .iter()
        .flat_map(|mentee| {
            prepared_mentors
                .iter()
                .map(move |mentor| allowed(mentor, mentee).then(|| score(mentor, mentee)))
        })
        .collect();
    // Kuhn–Munkres needs no more rows than columns: empty places (worth 0) make up the difference.
    let columns = places.len().max(mentees.len());
    let mut weights = Vec::with_capacity(mentees.len() * columns);
    for mentee in 0..mentees.len() {
        for column in 0..columns {
            let weight = places
                .get(column)
                .and_then(|&mentor| scores[mentee * mentors.len() + mentor])
                .map_or(0, |s| MATCHED + (s * SCORE_STEPS).round() as i64);
            weights.push(weight);
        }
    }
    let matrix = Matrix::from_vec(mentees.len(), columns, weights).expect("a full matrix");
    let (_, assignment) = kuhn_munkres(&matrix);
    assignment
        .into_iter()
        .enumerate()
        .filter_map(|(mentee, column)| {
            let mentor = *places.get(column)?;
            let score = scores[mentee * mentors.len() + mentor]?;
            Some(Proposal {
                mentor,
                mentee,
                score,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(languages: &[&str], availability: &[&str], skills: &[&str], place: (f64, f64)) -> Profile {
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        Profile {
            languages: strings(languages),
            latitude: place.0,
            longitude: place.1,
            skills: strings(skills),
            lived_experience: Vec::new(),
            availability: strings(availability),
            safeguarding_done: true,
            capacity: 1,
        }
    }

    const COVENTRY: (f64, f64) = (52.4066, -1.5122);
    const LEEDS: (f64, f64) = (53.7997, -1.5492);

    #[test]
    fn no_shared_language_no_safeguarding_or_no_shared_time_means_no_match() {
        let mentee = profile(&["arabic"], &["mon_evening"], &[], COVENTRY);
        let other_language = profile(&["polish"], &["mon_evening"], &[], COVENTRY);
        let other_time = profile(&["arabic"], &["tue_morning"], &[], COVENTRY);
        let mut unchecked = profile(&["arabic"], &["mon_evening"], &[], COVENTRY);
        unchecked.safeguarding_done = false;
        for mentor in [&other_language, &other_time, &unchecked] {
            assert!(!may_match(mentor, &mentee));
        }
        assert!(propose(
            &[other_language, other_time, unchecked],
            std::slice::from_ref(&mentee)
        )
        .is_empty());
        let fine = profile(&["Arabic", "english"], &["mon_evening"], &[], LEEDS);
        assert!(may_match(&fine, &mentee));
        let mut unchecked_mentee = mentee.clone();
        unchecked_mentee.safeguarding_done = false;
        assert!(!may_match(&fine, &unchecked_mentee));
        assert_eq!(
            propose(std::slice::from_ref(&fine), &[mentee, unchecked_mentee]).len(),
            1
        );
    }

    #[test]
    fn a_mentor_with_room_for_two_takes_two_and_skills_and_nearness_decide() {
        let mut busy = profile(
            &["english"],
            &["sat_morning"],
            &["funding", "governance"],
            COVENTRY,
        );
        busy.capacity = 2;
        let far = profile(&["english"], &["sat_morning"], &[], LEEDS);
        let mentees = [
            profile(&["english"], &["sat_morning"], &["funding"], COVENTRY),
            profile(&["english"], &["sat_morning"], &["governance"], COVENTRY),
            profile(&["english"], &["sat_morning"], &["campaigns"], LEEDS),
        ];
        let mut proposals = propose(&[busy, far], &mentees);
        proposals.sort_by_key(|p| p.mentee);
        let pairs: Vec<(usize, usize)> = proposals.iter().map(|p| (p.mentor, p.mentee)).collect();
        assert_eq!(pairs, vec![(0, 0), (0, 1), (1, 2)]);
        // Same skill, same town: 0.5 for skills + 0.3 for nearness.
        assert!((proposals[0].score - 0.8).abs() < 1e-9);
    }

    #[test]
    fn the_assignment_matches_as_many_mentees_as_it_can_before_maximising_score() {
        // Mentor 0 suits mentee 0 best, but only mentor 0 can take mentee 1 at all.
        let mentor_0 = profile(
            &["english", "tigrinya"],
            &["sun_afternoon"],
            &["housing"],
            COVENTRY,
        );
        let mentor_1 = profile(&["english"], &["sun_afternoon"], &[], LEEDS);
        let mentee_0 = profile(&["english"], &["sun_afternoon"], &["housing"], COVENTRY);
        let mentee_1 = profile(&["tigrinya"], &["sun_afternoon"], &[], LEEDS);
        let mut proposals = propose(&[mentor_0, mentor_1], &[mentee_0, mentee_1]);
        proposals.sort_by_key(|p| p.mentee);
        let pairs: Vec<(usize, usize)> = proposals.iter().map(|p| (p.mentor, p.mentee)).collect();
        assert_eq!(pairs, vec![(1, 0), (0, 1)]);
    }

    #[test]
    fn distances_are_great_circle_kilometres() {
        let km = distance_km(COVENTRY, LEEDS);
        assert!((150.0..160.0).contains(&km), "{km}");
        assert_eq!(distance_km(COVENTRY, COVENTRY), 0.0);
    }
}
