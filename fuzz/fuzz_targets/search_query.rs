//! A search query string: parsed as the API parses it, then its words searched in a small in-memory index
//! with facet counts, so the tokenizer, typo expansion and query building see arbitrary text.
#![no_main]

use std::sync::OnceLock;

use directory::search::SearchParams;
use libfuzzer_sys::fuzz_target;
use search_index::{Audience, DirectoryIndex, SearchRequest};

fn index() -> &'static DirectoryIndex {
    static INDEX: OnceLock<DirectoryIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let index = DirectoryIndex::in_memory().unwrap();
        let mut generator = search_index::generate::Generator::new(directory::demo::towns(), 7);
        let entries: Vec<_> = (1..=200)
            .map(|n| search_index::OutboxEntry {
                position: n as i64,
                change: search_index::Change::Upsert(generator.organisation(n)),
            })
            .collect();
        index.apply(&entries).unwrap();
        index
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else { return };
    let Ok(params) = shared::http::parse_query::<SearchParams>(query) else { return };
    let mut request = SearchRequest::new(Audience::Network);
    request.text = params.q;
    request.count_facets = true;
    let _ = index().search(&request);
});
