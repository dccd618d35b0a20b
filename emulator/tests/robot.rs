//! The order robot places orders through the public APIs and its barista completes them,
//! in W and in an event of E.

mod common;

use common::*;
use emulator::robot::{self, RobotStats};
use emulator::Variant;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

async fn robot_orders_are_placed_made_and_completed(variant: Variant) {
    let emu = start_as(variant).await;
    let template = client(&emu);
    let name = |who: &str, i: usize| match emu.variant {
        Variant::W => format!("robot-{who}@example.com"),
        Variant::E { .. } => format!("+1555555{:04}", 9000 + i),
    };
    let barista = robot::robot_user_like(
        &template,
        &emu.cognito,
        &emu.backend.store,
        &name("barista", 0),
        &["admin"],
    )
    .await
    .unwrap();
    if barista.is_e() {
        open_store(&barista).await;
    }
    let board = barista
        .subscribe("serverlesspresso-robot-barista", &[&barista.admin_topic()])
        .await
        .unwrap();
    let mut watcher = admin_events(&barista).await;
    let mut customers = Vec::new();
    for i in 0..2 {
        let c = robot::robot_user_like(
            &template,
            &emu.cognito,
            &emu.backend.store,
            &name(&i.to_string(), i + 1),
            &["robot"],
        )
        .await
        .unwrap();
        let topic = c.user_topic().unwrap();
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

#[tokio::test]
async fn w_robot_orders_are_placed_made_and_completed() {
    robot_orders_are_placed_made_and_completed(Variant::W).await;
}

#[tokio::test]
async fn e_robot_orders_are_placed_made_and_completed() {
    robot_orders_are_placed_made_and_completed(e()).await;
}
