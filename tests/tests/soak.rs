//! A day at the bar with every fault: the short day runs with every test; `cargo xtask
//! soak` runs a whole day (the ignored test) and prints its figures.

use anyhow::{ensure, Result};
use e2e::soak::{day_at_the_bar, Plan};

async fn run(plan: Plan) -> Result<()> {
    let report = day_at_the_bar(plan).await?;
    for line in &report.lines {
        println!("{line}");
    }
    ensure!(report.lost == 0, "orders were lost");
    ensure!(report.sign_outs == 0, "people were signed out");
    ensure!(report.heap_flat, "memory grew");
    Ok(())
}

#[tokio::test]
async fn a_short_day_at_the_bar() -> Result<()> {
    run(Plan::short()).await
}

#[tokio::test]
#[ignore = "a whole day: run with `cargo xtask soak`"]
async fn a_whole_day_at_the_bar() -> Result<()> {
    run(Plan::day()).await
}
