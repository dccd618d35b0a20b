//! The order robot places orders through the public APIs and its barista completes them.

mod common;

use common::*;
use emulator::clock::Timings;
use emulator::robot::{self, RobotStats};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[tokio::test]
async fn robot_orders_are_placed_made_and_completed() {
    let emu = start(Timings::AWS, None).await;
    let base = emu.base_url();
    let barista = robot::robot_user(
        &base,
        &emu.cognito,
        &emu.backend.store,
        "robot-barista@example.com",
        &["admin"],
    )
    .await
    .unwrap();
    let board = barista
        .subscribe(
            "serverlesspresso-robot-barista",
            &["serverlesspresso-admin"],
        )
        .await
        .unwrap();
    let mut watcher = admin_events(&barista).await;
    let mut customers = Vec::new();
    for i in 0..2 {
        let c = robot::robot_user(
            &base,
            &emu.cognito,
            &emu.backend.store,
            &format!("robot-{i}@example.com"),
            &["robot"],
        )
        .await
        .unwrap();
        let topic = format!("serverlesspresso-user-{}", c.sub().unwrap());
        let events = c
            .subscribe(&format!("serverlesspresso-robot-{i}"), &[&topic])
            .await
            .unwrap();
        customers.push((c, events));
    }
    let stats = Arc::new(RobotStats::default());
    let making = tokio::spawn(robot::run_barista(
        barista.clone(),
        board,
        Arc::clone(&stats),
    ));
    let ordering = tokio::spawn(robot::run_customers(
        barista,
        customers,
        240.0,
        Arc::clone(&stats),
    ));

    // Robot orders reach the baristas flagged as robot orders.
    let card = watcher
        .expect("OrderManager.WaitingCompletion", None, WAIT)
        .await
        .unwrap();
    assert_eq!(card["robot"], true);
    let deadline = Instant::now() + WAIT;
    while stats.completed.load(Ordering::Relaxed) < 3 {
        assert!(
            Instant::now() < deadline,
            "the robot completed too few orders"
        );
        watcher.next_message(Duration::from_secs(5)).await.unwrap();
    }
    ordering.abort();
    making.abort();
    assert_eq!(stats.failed.load(Ordering::Relaxed), 0);
}
