//! The capacity benchmark (a command, not a timed test): the matcher over 1,000 mentors × 1,000 mentees, and
//! the network report over 1,000 organisations with five years of quarterly assessments, in a fresh
//! database on `BENCH_DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`), dropped after.
//!
//! `cargo run --release -p capacity --bin capacity-benchmark`

use std::time::{Duration, Instant};

use capacity::distance::Period;
use capacity::matching::{self, Profile};
use time::macros::date;
use tokio_postgres::NoTls;

/// A small deterministic generator (xorshift), so every run sees the same network.
struct Generator(u64);

impl Generator {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// `least` to `least + spread - 1` labels drawn from `from`.
    fn pick(&mut self, from: &[&str], least: usize, spread: usize) -> Vec<String> {
        let count = least + self.below(spread);
        (0..count)
            .map(|_| from[self.below(from.len())].to_string())
            .collect()
    }
}

const LANGUAGES: [&str; 12] = [
    "english",
    "arabic",
    "urdu",
    "polish",
    "romanian",
    "tigrinya",
    "farsi",
    "kurdish",
    "somali",
    "spanish",
    "portuguese",
    "bengali",
];
const SKILLS: [&str; 12] = [
    "funding",
    "governance",
    "campaigns",
    "media",
    "safeguarding",
    "finance",
    "volunteers",
    "advice",
    "data",
    "partnerships",
    "organising",
    "evaluation",
];
const LIVED: [&str; 6] = [
    "asylum",
    "detention",
    "domestic_work",
    "statelessness",
    "eu_settlement",
    "care_leaver",
];

fn profile(generator: &mut Generator, mentor: bool) -> Profile {
    let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let parts = ["morning", "afternoon", "evening"];
    let availability = (0..2 + generator.below(4))
        .map(|_| format!("{}_{}", days[generator.below(7)], parts[generator.below(3)]))
        .collect();
    let mut languages = generator.pick(&LANGUAGES[1..], 1, 2);
    if generator.below(10) < 7 {
        languages.push("english".into());
    }
    Profile {
        languages,
        latitude: 50.5 + generator.below(4000) as f64 / 1000.0,
        longitude: -3.5 + generator.below(4000) as f64 / 1000.0,
        skills: generator.pick(&SKILLS, 1, 3),
        lived_experience: generator.pick(&LIVED, 0, 2),
        availability,
        safeguarding_done: !mentor || generator.below(10) < 9,
        capacity: if mentor { 1 + generator.below(2) } else { 1 },
    }
}

fn median_and_worst(mut timings: Vec<Duration>) -> (Duration, Duration) {
    timings.sort();
    (timings[timings.len() / 2], timings[timings.len() - 1])
}

fn bench_matching() {
    let mut generator = Generator(0x5eed_cafe_f00d);
    let mentors: Vec<Profile> = (0..1000).map(|_| profile(&mut generator, true)).collect();
    let mentees: Vec<Profile> = (0..1000).map(|_| profile(&mut generator, false)).collect();
    let places: usize = mentors.iter().map(|m| m.capacity).sum();
    let mut timings = Vec::new();
    let mut matched = 0;
    for _ in 0..5 {
        let started = Instant::now();
        matched = matching::propose(&mentors, &mentees).len();
        timings.push(started.elapsed());
    }
    let (median, worst) = median_and_worst(timings);
    println!(
        "matching 1000 mentors ({places} places) x 1000 mentees: {matched} proposals; median {:.0} ms, worst {:.0} ms over 5 runs (target < 1 s)",
        median.as_secs_f64() * 1e3,
        worst.as_secs_f64() * 1e3
    );
}

/// 1,000 organisations, each assessed every quarter for five years (eight dimensions, two raters), with a
/// training series, attendance and mentoring matches.
const LOAD: &str = "
INSERT INTO directory.organisations (id, name, membership, profile_visibility, contact_visibility,
    locations_visibility, membership_visibility)
SELECT md5('org' || n)::uuid, 'Organisation ' || n, 'member', 'public', 'network', 'public', 'network'
FROM generate_series(1, 1000) n;
INSERT INTO capacity.assessments (id, organisation_id, framework_version)
SELECT md5('a' || o || '-' || q)::uuid, md5('org' || o)::uuid, 1 FROM generate_series(1, 1000) o, generate_series(0, 19) q;
INSERT INTO capacity.assessment_versions (assessment_id, version, assessed_on, method, status)
SELECT md5('a' || o || '-' || q)::uuid, 1, date '2021-01-15' + (q * 3) * interval '1 month', 'facilitated', 'final'
FROM generate_series(1, 1000) o, generate_series(0, 19) q;
INSERT INTO capacity.ratings (assessment_id, version, dimension_key, rater, score)
SELECT md5('a' || o || '-' || q)::uuid, 1, d.key, r.rater, least(5, 1 + (o + q / 4 + d.position + r.n) % 3 + q / 8)
FROM generate_series(1, 1000) o, generate_series(0, 19) q, capacity.dimensions d,
     (VALUES (0, 'chair'), (1, 'facilitator')) r(n, rater)
WHERE d.framework_version = 1;
INSERT INTO capacity.assessment_scores (assessment_id, dimension_key, organisation_id, assessed_on, final, score)
SELECT r.assessment_id, r.dimension_key, a.organisation_id, v.assessed_on, true, avg(r.score)
FROM capacity.ratings r JOIN capacity.assessments a ON a.id = r.assessment_id
JOIN capacity.assessment_versions v ON v.assessment_id = r.assessment_id AND v.version = r.version
GROUP BY r.assessment_id, r.dimension_key, a.organisation_id, v.assessed_on;
INSERT INTO capacity.programmes (id, name, kind) VALUES (md5('series')::uuid, 'Training series', 'training_series');
INSERT INTO capacity.cohorts (id, programme_id, name, starts_on, ends_on)
SELECT md5('cohort' || y)::uuid, md5('series')::uuid, 'Year ' || y, make_date(y, 1, 1), make_date(y, 12, 31)
FROM generate_series(2021, 2025) y;
INSERT INTO capacity.sessions (id, cohort_id, title, held_on, actions)
SELECT md5('session' || y || '-' || s)::uuid, md5('cohort' || y)::uuid, 'Session ' || s, make_date(y, 1 + s / 2, 10),
       ARRAY[(ARRAY['speak_out', 'connect', 'grow_power', 'build_common_ground'])[1 + s % 4]]
FROM generate_series(2021, 2025) y, generate_series(0, 23) s;
INSERT INTO capacity.people (id, name, organisation_id)
SELECT md5('person' || p)::uuid, 'Person ' || p, md5('org' || (1 + p % 1000))::uuid FROM generate_series(1, 5000) p;
INSERT INTO capacity.attendance (id, session_id, person_id, organisation_id, status)
SELECT md5('att' || p || '-' || s)::uuid, md5('session' || (2021 + p % 5) || '-' || s)::uuid, md5('person' || p)::uuid,
       md5('org' || (1 + p % 1000))::uuid, (ARRAY['registered', 'attended', 'attended', 'cancelled'])[1 + (p + s) % 4]
FROM generate_series(1, 5000) p, generate_series(0, 23, 4) s;
INSERT INTO capacity.enrolments (id, cohort_id, kind, person_id, organisation_id, status)
SELECT md5('enr' || p)::uuid, md5('cohort' || (2021 + p % 5))::uuid, 'person', md5('person' || p)::uuid,
       md5('org' || (1 + p % 1000))::uuid, CASE WHEN p % 3 = 0 THEN 'enrolled' ELSE 'completed' END
FROM generate_series(1, 5000) p;
INSERT INTO capacity.mentoring_profiles (id, person_id, role, languages, latitude, longitude, availability,
    safeguarding_checked_on)
SELECT md5('profile' || p)::uuid, md5('person' || p)::uuid, CASE WHEN p <= 200 THEN 'mentor' ELSE 'mentee' END,
       '{english}', 52.4, -1.5, '{mon_evening}', date '2021-01-01'
FROM generate_series(1, 600) p;
INSERT INTO capacity.matches (id, mentor_id, mentee_id, status, origin, started_on, ended_on)
SELECT md5('match' || p)::uuid, md5('profile' || (1 + p % 200))::uuid, md5('profile' || p)::uuid,
       CASE WHEN p % 2 = 0 THEN 'active' ELSE 'ended' END, 'matcher', date '2021-03-01' + p * 3,
       CASE WHEN p % 2 = 0 THEN NULL ELSE date '2021-09-01' + p * 3 END
FROM generate_series(201, 600) p;
ANALYZE;
";

async fn bench_network_report() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let server: tokio_postgres::Config = url.parse()?;
    let (admin, connection) = server.connect(NoTls).await?;
    tokio::spawn(connection);
    let name = format!("capacity_bench_{}", uuid::Uuid::new_v4().simple());
    admin
        .batch_execute(&format!("CREATE DATABASE \"{name}\""))
        .await?;
    let mut config = server.clone();
    config.dbname(&name);
    let result = async {
        shared::migrations::migrate(&config).await?;
        let pool = shared::db::pool(config.clone(), 2);
        let client = pool.get().await?;
        let started = Instant::now();
        client.batch_execute(LOAD).await?;
        let ratings: i64 = client.query_one("SELECT count(*) FROM capacity.ratings", &[]).await?.get(0);
        println!(
            "loaded 1000 organisations x 20 quarterly assessments ({ratings} ratings) in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let period = Period {
            from: Some(date!(2021 - 01 - 01)),
            to: Some(date!(2025 - 12 - 31)),
        };
        let mut timings = Vec::new();
        let mut report = None;
        for _ in 0..21 {
            let started = Instant::now();
            report = Some(capacity::reports::network(&client, period).await?);
            timings.push(started.elapsed());
        }
        timings.remove(0);
        let report = report.expect("at least one run");
        let (median, worst) = median_and_worst(timings);
        println!(
            "network report 2021-2025: {} organisations supported, {} assessments, mean change in {} = {:+.2}; median {:.1} ms, worst {:.1} ms over 20 runs after a warm-up (target < 200 ms)",
            report.organisations_supported,
            report.assessments_done,
            report.mean_change[0].dimension,
            report.mean_change[0].change,
            median.as_secs_f64() * 1e3,
            worst.as_secs_f64() * 1e3
        );
        Ok::<(), Box<dyn std::error::Error>>(())
    }
    .await;
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await?;
    result
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    bench_matching();
    bench_network_report().await
}
