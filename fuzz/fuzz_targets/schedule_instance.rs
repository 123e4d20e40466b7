//! A schedule instance file, as `commonground schedule` reads it: parsed, and solved when it is small.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(instance) = summit_solver::Instance::from_json(text) {
        let _ = summit_solver::solve(&instance, &summit_solver::Options::default());
    }
});
