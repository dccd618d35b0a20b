//! What the task runner (`src/main.rs`) shares with the tests: the settings written for a
//! deployment (`aws`), the pages' Content-Security-Policy (`csp`) and the deploy itself
//! (`deploy`), which `tests/tests/deploy.rs` runs against a local AWS stand-in.

pub mod aws;
pub mod csp;
pub mod deploy;
