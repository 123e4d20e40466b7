//! Placeholder: the capacity benchmark.
fn main() {}
