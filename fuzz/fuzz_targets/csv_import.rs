//! A CSV file of organisations, as the import endpoint and `commonground import` read it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parsed = directory::import::parse(data, |_| {});
    // Every row is either an organisation or has errors.
    assert!(parsed.organisations.len() <= parsed.rows);
});
