//! An organisation's JSON body, as `POST /api/v1/organisations` parses and validates it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(input) = serde_json::from_slice::<directory::organisation::OrganisationInput>(data) {
        let _ = input.validated();
    }
});
