//! Benchmark: the directory's search index side by side with PostgreSQL doing the same job (tsvector + GIN
//! for text, earthdistance/cube and point GiST indexes for geography), on the same generated network and
//! the same query mix, in one run. Prints indexing time, p50/p99 per query kind for both and the ratio,
//! and how soon a change is searchable.
//!
//! `search-vs-postgres [organisations, default 100000] [searches per kind, default 200]`
//! PostgreSQL: `BENCH_DATABASE_URL` if set, else a private cluster in a temporary folder (needs the
//! PostgreSQL server binaries and the contrib extensions cube and earthdistance).

use std::time::{Duration, Instant};

use directory::demo::towns;
use search_index::generate::{Generator, SearchKind};
use search_index::{Audience, Change, DirectoryIndex, Order, OutboxEntry, SearchArea, SearchRequest};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, NoTls};

type Outcome<T> = Result<T, Box<dyn std::error::Error>>;

fn percentile(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[index].as_secs_f64() * 1_000.0
}

/// The SQL and parameters of the same search in PostgreSQL, over what the public may see.
fn sql(kind: SearchKind, request: &SearchRequest) -> (String, Vec<Box<dyn ToSql + Sync + Send>>) {
    let text = request.text.clone().unwrap_or_default();
    let centre = match (&request.order, &request.area) {
        (Order::DistanceFrom(c), _) | (_, Some(SearchArea::Near { centre: c, .. })) => Some(*c),
        _ => None,
    };
    let near = |radius_km: f64| -> Vec<Box<dyn ToSql + Sync + Send>> {
        let c = centre.expect("a centre");
        vec![
            Box::new(c.latitude),
            Box::new(c.longitude),
            Box::new(radius_km * 1_000.0),
        ]
    };
    const NEAR: &str = "SELECT organisation_id, min(earth_distance(ll_to_earth(latitude, longitude), ll_to_earth($1, $2))) AS d
        FROM bench.locations WHERE earth_box(ll_to_earth($1, $2), $3) @> ll_to_earth(latitude, longitude)
          AND earth_distance(ll_to_earth(latitude, longitude), ll_to_earth($1, $2)) <= $3
        GROUP BY organisation_id";
    match (kind, &request.area) {
        (SearchKind::Text, _) => (
            "SELECT id FROM bench.organisations, websearch_to_tsquery('english', $1) q WHERE doc @@ q
             ORDER BY ts_rank(doc, q) DESC LIMIT 10"
                .into(),
            vec![Box::new(text)],
        ),
        (SearchKind::Radius, Some(SearchArea::Near { radius_km, .. })) => {
            (format!("{NEAR} ORDER BY d LIMIT 10"), near(*radius_km))
        }
        (SearchKind::TextRadiusTheme, Some(SearchArea::Near { radius_km, .. })) => {
            let mut parameters = near(*radius_km);
            parameters.push(Box::new(text));
            parameters.push(Box::new(request.filters[0].any_of.clone()));
            (
                format!(
                    "WITH near AS MATERIALIZED ({NEAR}) SELECT o.id FROM near JOIN bench.organisations o ON o.id = near.organisation_id,
                     websearch_to_tsquery('english', $4) q WHERE o.doc @@ q AND o.themes && $5
                     ORDER BY ts_rank(o.doc, q) DESC LIMIT 10"
                ),
                parameters,
            )
        }
        (SearchKind::Nearest10, _) => {
            let c = centre.expect("a centre");
            (
                "SELECT organisation_id FROM bench.locations
                 ORDER BY ll_to_earth(latitude, longitude) <-> ll_to_earth($1, $2) LIMIT 10"
                    .into(),
                vec![Box::new(c.latitude), Box::new(c.longitude)],
            )
        }
        (SearchKind::BoundingBox, Some(SearchArea::BoundingBox { south, west, north, east })) => (
            format!(
                "SELECT DISTINCT organisation_id FROM bench.locations
                 WHERE point(longitude, latitude) <@ box(point({west}, {south}), point({east}, {north})) LIMIT 10"
            ),
            vec![],
        ),
        (SearchKind::Polygon, Some(SearchArea::Region(area))) => {
            let ring: Vec<String> =
                area.0[0].exterior().points().map(|p| format!("({},{})", p.x(), p.y())).collect();
            (
                format!(
                    "SELECT DISTINCT organisation_id FROM bench.locations
                     WHERE point(longitude, latitude) <@ polygon '({})' LIMIT 10",
                    ring.join(",")
                ),
                vec![],
            )
        }
        _ => unreachable!("the generator makes these shapes"),
    }
}

async fn load_postgres(client: &Client, network: &[search_index::Organisation]) -> Outcome<()> {
    use futures_util::pin_mut;
    use tokio_postgres::binary_copy::BinaryCopyInWriter;
    use tokio_postgres::types::Type;
    client
        .batch_execute(
            "CREATE EXTENSION IF NOT EXISTS cube; CREATE EXTENSION IF NOT EXISTS earthdistance;
             DROP SCHEMA IF EXISTS bench CASCADE; CREATE SCHEMA bench;
             CREATE TABLE bench.organisations (id text PRIMARY KEY, name text, description text, themes text[]);
             CREATE TABLE bench.locations (organisation_id text, latitude float8, longitude float8);",
        )
        .await?;
    let sink = client
        .copy_in("COPY bench.organisations FROM STDIN BINARY")
        .await?;
    let writer = BinaryCopyInWriter::new(sink, &[Type::TEXT, Type::TEXT, Type::TEXT, Type::TEXT_ARRAY]);
    pin_mut!(writer);
    for organisation in network {
        let public = organisation.seen_by(Audience::Public);
        let description = public.description.unwrap_or_default();
        writer
            .as_mut()
            .write(&[
                &organisation.id,
                &organisation.name,
                &description,
                &public.themes.to_vec(),
            ])
            .await?;
    }
    writer.finish().await?;
    let sink = client.copy_in("COPY bench.locations FROM STDIN BINARY").await?;
    let writer = BinaryCopyInWriter::new(sink, &[Type::TEXT, Type::FLOAT8, Type::FLOAT8]);
    pin_mut!(writer);
    for organisation in network {
        for location in organisation.seen_by(Audience::Public).locations {
            let c = location.coordinates;
            writer
                .as_mut()
                .write(&[&organisation.id, &c.latitude, &c.longitude])
                .await?;
        }
    }
    writer.finish().await?;
    client
        .batch_execute(
            "ALTER TABLE bench.organisations ADD COLUMN doc tsvector;
             UPDATE bench.organisations SET doc = setweight(to_tsvector('simple', name), 'A') ||
                 setweight(to_tsvector('english', description || ' ' || array_to_string(themes, ' ')), 'B');
             CREATE INDEX ON bench.organisations USING gin (doc);
             CREATE INDEX ON bench.organisations USING gin (themes);
             CREATE INDEX ON bench.locations USING gist (ll_to_earth(latitude, longitude));
             CREATE INDEX ON bench.locations USING gist (point(longitude, latitude));
             ANALYZE bench.organisations; ANALYZE bench.locations;
             SET jit = off; SET work_mem = '64MB';",
        )
        .await?;
    Ok(())
}

#[tokio::main]
async fn main() -> Outcome<()> {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let organisations: u64 = arguments.first().map_or(Ok(100_000), |n| n.parse())?;
    let searches: usize = arguments.get(1).map_or(Ok(200), |n| n.parse())?;
    let scratch = std::env::temp_dir().join(format!("search-vs-postgres-{}", std::process::id()));

    let mut generator = Generator::new(towns(), 1);
    let network: Vec<_> = (0..organisations).map(|n| generator.organisation(n)).collect();
    println!("{organisations} organisations, {searches} searches per kind, public audience, top 10\n");

    let started = Instant::now();
    let index = DirectoryIndex::rebuild(&scratch.join("index"), network.clone(), 0, |_| ())?;
    let index_build = started.elapsed();

    let (local, config) = match std::env::var("BENCH_DATABASE_URL") {
        Ok(url) => (None, url.parse::<tokio_postgres::Config>()?),
        Err(_) => {
            let local = shared::local_postgres::LocalPostgres::start(&scratch.join("postgres"))?;
            let config = local.config("postgres");
            (Some(local), config)
        }
    };
    let (client, connection) = config.connect(NoTls).await?;
    tokio::spawn(connection);
    let started = Instant::now();
    load_postgres(&client, &network).await?;
    let postgres_build = started.elapsed();
    println!(
        "| | this project (tantivy + geo cells) | PostgreSQL (GIN + GiST) | PostgreSQL ÷ this project |"
    );
    println!("| --- | --- | --- | --- |");
    println!(
        "| load + index build | {:.1} s | {:.1} s | {:.1}× |",
        index_build.as_secs_f64(),
        postgres_build.as_secs_f64(),
        postgres_build.as_secs_f64() / index_build.as_secs_f64()
    );

    for kind in SearchKind::ALL {
        let requests: Vec<SearchRequest> = (0..searches)
            .map(|_| generator.search(kind, Audience::Public))
            .collect();
        let mut ours = Vec::with_capacity(searches);
        for request in &requests {
            let started = Instant::now();
            index.search(request)?;
            ours.push(started.elapsed());
        }
        let mut theirs = Vec::with_capacity(searches);
        for request in &requests {
            let (statement, parameters) = sql(kind, request);
            let parameters: Vec<&(dyn ToSql + Sync)> =
                parameters.iter().map(|p| &**p as &(dyn ToSql + Sync)).collect();
            let started = Instant::now();
            client.query(&statement, &parameters).await?;
            theirs.push(started.elapsed());
        }
        let (our_p50, our_p99) = (percentile(&mut ours, 0.5), percentile(&mut ours, 0.99));
        let (their_p50, their_p99) = (percentile(&mut theirs, 0.5), percentile(&mut theirs, 0.99));
        println!(
            "| {} | {our_p50:.2} / {our_p99:.2} ms | {their_p50:.2} / {their_p99:.2} ms | {:.1}× at p50 |",
            kind.name(),
            their_p50 / our_p50
        );
    }

    // Freshness: one change, applied and committed, until a search finds it.
    let mut fresh = Vec::new();
    for position in 1..=20_i64 {
        let mut changed = network[position as usize % network.len()].clone();
        changed.name = format!("Freshly renamed {position}");
        let started = Instant::now();
        index.apply(&[OutboxEntry {
            position,
            change: Change::Upsert(changed),
        }])?;
        let mut probe = SearchRequest::new(Audience::Public);
        probe.text = Some(format!("freshly renamed {position}"));
        assert!(index.search(&probe)?.total >= 1);
        fresh.push(started.elapsed());
    }
    println!(
        "| write → searchable (apply, commit, reload, search) | {:.1} / {:.1} ms | | |",
        percentile(&mut fresh, 0.5),
        percentile(&mut fresh, 0.99)
    );
    drop(index);
    if let Some(local) = local {
        local.stop()?;
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}
