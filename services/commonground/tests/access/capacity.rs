//! The capacity tracker's mutating endpoints in the role matrix, and what each attempt acts on.

use shared::test_support::TestApp;

use super::{Endpoint, People};

/// What a capacity attempt acts on (nothing yet).
pub struct Fixture {}

pub async fn fixture(_app: &TestApp, _people: &People) -> Fixture {
    Fixture {}
}

pub fn endpoints() -> Vec<Endpoint> {
    Vec::new()
}
