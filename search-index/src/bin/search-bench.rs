//! Benchmark of the directory index: generates a network of organisations in real UK towns, builds the
//! index, measures how soon a change is searchable, and runs the query mix, printing p50/p99 per kind, then
//! a mix that never repeats (as `scripts/search-varied.lua` sends over HTTP).
//!
//! `search-bench <gb_places.csv> <organisations> [searches per kind, default 500] [index directory]`
//! (without a directory, a fresh one under the system's temporary directory, removed afterwards).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use search_index::generate::{read_towns, Generator, SearchKind};
use search_index::{Audience, Change, DirectoryIndex, OutboxEntry, SearchIndexError, SearchRequest};

fn main() -> Result<(), SearchIndexError> {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let usage = || {
        SearchIndexError::InvalidRequest(
            "usage: search-bench <gb_places.csv> <organisations> [searches per kind] [index directory]"
                .to_string(),
        )
    };
    let places = PathBuf::from(arguments.first().ok_or_else(usage)?);
    let organisations: u64 = arguments.get(1).and_then(|n| n.parse().ok()).ok_or_else(usage)?;
    let searches: usize = arguments
        .get(2)
        .map_or(Ok(500), |n| n.parse().map_err(|_| usage()))?;
    let (directory, temporary) = match arguments.get(3) {
        Some(directory) => (PathBuf::from(directory), false),
        None => (
            std::env::temp_dir().join(format!("search-bench-{}", std::process::id())),
            true,
        ),
    };

    let mut generator = Generator::new(read_towns(&places)?, 1);
    let started = Instant::now();
    let network: Vec<_> = (0..organisations)
        .map(|number| generator.organisation(number))
        .collect();
    println!(
        "generated {organisations} organisations in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    // An index directory given and already built (by an earlier run with the same arguments) is reused.
    let reused = !temporary && directory.join("meta.json").exists();
    let index = if reused {
        DirectoryIndex::open_or_create(&directory)?
    } else {
        DirectoryIndex::rebuild(&directory, network, 0, |_| ())?
    };
    println!(
        "{} in {:.1} s ({} organisations)",
        if reused { "opened" } else { "indexed" },
        started.elapsed().as_secs_f64(),
        index.organisation_count()
    );
    println!(
        "points and facet values decoded for searches: {:.0} MB",
        index.decoded_bytes() as f64 / 1e6
    );

    let mut freshness = Vec::new();
    for position in 1..=20 {
        let change = Change::Upsert(generator.organisation(organisations + position as u64));
        let started = Instant::now();
        if index.apply(&[OutboxEntry { position, change }])? == 1 {
            freshness.push(started.elapsed());
        }
    }
    if !freshness.is_empty() {
        println!(
            "write -> searchable (apply one change, commit, reload): p50 {}",
            milliseconds(percentile(&mut freshness, 50))
        );
    }

    println!(
        "{:<30} {:>10} {:>10} {:>12}",
        "query", "p50 ms", "p99 ms", "mean total"
    );
    // SEARCH_BENCH_KINDS=radius,polygon runs only the kinds whose names contain one of the words.
    let only: Option<Vec<String>> = std::env::var("SEARCH_BENCH_KINDS")
        .ok()
        .map(|kinds| kinds.split(',').map(str::to_string).collect());
    let mut mix = Vec::new();
    for kind in SearchKind::ALL {
        if only
            .as_ref()
            .is_some_and(|only| !only.iter().any(|word| kind.name().contains(word.as_str())))
        {
            continue;
        }
        let requests: Vec<_> = (0..searches)
            .map(|_| generator.search(kind, Audience::Public))
            .collect();
        for request in requests.iter().take(20) {
            index.search(request)?;
        }
        mix.extend(requests.iter().cloned());
        let mut times = Vec::with_capacity(searches);
        let mut totals = 0;
        for request in &requests {
            let started = Instant::now();
            let results = index.search(request)?;
            times.push(started.elapsed());
            totals += results.total;
        }
        println!(
            "{:<30} {:>10} {:>10} {:>12}",
            kind.name(),
            milliseconds(percentile(&mut times, 50)),
            milliseconds(percentile(&mut times, 99)),
            totals / searches.max(1) as u64
        );
    }
    println!(
        "throughput, 2 threads over the mix: {:.0} searches/s",
        throughput(&index, &mix)
    );

    // Never repeated: what `scripts/search-varied.lua` asks over HTTP, here in process.
    let varied: Vec<_> = (0..searches * 4)
        .map(|_| generator.varied_search(Audience::Public))
        .collect();
    for request in varied.iter().take(20) {
        index.search(request)?;
    }
    let mut times = Vec::with_capacity(varied.len());
    let started = Instant::now();
    for request in &varied {
        let started = Instant::now();
        index.search(request)?;
        times.push(started.elapsed());
    }
    let mean = started.elapsed() / varied.len().max(1) as u32;
    println!(
        "never repeated (area + theme, half with a word, facet counts, 20 hits): mean {} p50 {} p99 {} ms; \
         {:.0} searches/s on 2 threads",
        milliseconds(mean),
        milliseconds(percentile(&mut times, 50)),
        milliseconds(percentile(&mut times, 99)),
        throughput(&index, &varied)
    );
    drop(index);
    if temporary {
        std::fs::remove_dir_all(&directory)?;
    }
    Ok(())
}

/// Searches per second with 2 threads (the machine's cores) each running all of `mix`, from different
/// starting points.
fn throughput(index: &DirectoryIndex, mix: &[SearchRequest]) -> f64 {
    let threads = 2;
    let done = std::sync::atomic::AtomicUsize::new(0);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for thread in 0..threads {
            let done = &done;
            scope.spawn(move || {
                for request in mix
                    .iter()
                    .skip(thread)
                    .step_by(threads)
                    .chain(mix.iter().step_by(threads))
                {
                    index.search(request).expect("the search runs");
                    done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            });
        }
    });
    done.into_inner() as f64 / started.elapsed().as_secs_f64()
}

fn percentile(times: &mut [Duration], percent: usize) -> Duration {
    times.sort_unstable();
    times[(times.len() * percent / 100).min(times.len() - 1)]
}

fn milliseconds(duration: Duration) -> String {
    format!("{:.3}", duration.as_secs_f64() * 1_000.0)
}
