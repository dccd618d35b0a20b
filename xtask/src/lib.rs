//! What the task runner (`src/main.rs`) shares with the tests: the settings written for a
//! deployment (`aws`), the browser engines and which tests run in each (`browsers`), the
//! pages' Content-Security-Policy (`csp`) and the deploy itself (`deploy`), which
//! `tests/tests/deploy.rs` runs against a local AWS stand-in.

pub mod aws;
pub mod browsers;
pub mod csp;
pub mod deploy;
