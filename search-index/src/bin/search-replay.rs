//! Replays never-repeated searches (those of `scripts/search-varied.lua`, from a fixed seed) against a built
//! index and prints the time they took and a checksum of the answers. Run under `valgrind --tool=callgrind`
//! twice, with 0 and with N searches, the difference is the instructions N searches take: unlike time, that
//! count is the same on a busy machine and a quiet one, so two builds compare to the tenth of a percent
//! (BENCHMARKS.md). The time shows what counting instructions cannot: waiting on memory.
//!
//! `search-replay <gb_places.csv> <index directory> <searches>`

use std::path::Path;
use std::time::Instant;

use search_index::generate::{read_towns, Generator};
use search_index::{Audience, DirectoryIndex, SearchIndexError};

fn main() -> Result<(), SearchIndexError> {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let [places, directory, searches] = &arguments[..] else {
        return Err(SearchIndexError::InvalidRequest(
            "usage: search-replay <gb_places.csv> <index directory> <searches>".to_string(),
        ));
    };
    let searches: usize = searches
        .parse()
        .map_err(|_| SearchIndexError::InvalidRequest(format!("not a number of searches: {searches}")))?;
    if !Path::new(directory).join("meta.json").exists() {
        return Err(SearchIndexError::InvalidRequest(format!(
            "no index in {directory}"
        )));
    }
    let index = DirectoryIndex::open_or_create(Path::new(directory))?;
    let mut generator = Generator::new(read_towns(Path::new(places))?, 7);
    let mut checksum = 0u64;
    let started = Instant::now();
    for _ in 0..searches {
        let results = index.search(&generator.varied_search(Audience::Public))?;
        let mut add = |value: u64| checksum = checksum.wrapping_mul(31).wrapping_add(value);
        add(results.total);
        for hit in &results.hits {
            add(hit
                .snippets
                .description
                .as_ref()
                .map_or(0, |snippet| snippet.len() as u64));
        }
    }
    let elapsed = started.elapsed();
    println!(
        "{searches} searches in {:.3} s ({:.3} ms each), answers' checksum {checksum}",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1_000.0 / searches.max(1) as f64
    );
    Ok(())
}
