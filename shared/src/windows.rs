//! The backend's time windows (contract §3.2, §6.1, §7) and the rules that follow from
//! them, in one place. An emulator started with `--time-scale N` runs every timer N times
//! faster; the apps learn N from their settings and scale the same windows, so a demo
//! shows rotation, countdowns and timeouts within a minute or two.

use crate::model::{Order, OrderState, OrderStatus};

/// Every window the apps reason about, in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Windows {
    /// The validator's QR window (bucket): a new code every 5 minutes.
    pub qr_ms: i64,
    /// The customer's time to choose a drink after scanning (5 minutes).
    pub choose_ms: i64,
    /// The baristas' time to finish an order (15 minutes); an open order older than
    /// this timed out in the workflow, although W leaves it `CREATED` (a "zombie").
    pub barista_ms: i64,
    /// How long a ready order stays on the TV's Ready list (10 minutes).
    pub ready_on_board_ms: i64,
    /// How long a completed card stays in the barista's Pickup column (1 minute).
    pub pickup_ms: i64,
    /// How long the barista's last completed or cancelled order can be recalled.
    pub recall_ms: i64,
    /// Completed orders younger than this are loaded into Pickup after a reload.
    pub recent_completed_ms: i64,
}

impl Windows {
    /// The windows of the AWS deployment.
    pub const AWS: Windows = Windows {
        qr_ms: 300_000,
        choose_ms: 300_000,
        barista_ms: 900_000,
        ready_on_board_ms: 600_000,
        pickup_ms: 60_000,
        recall_ms: 60_000,
        recent_completed_ms: 300_000,
    };

    /// Every window divided by `scale` (0 counts as 1).
    pub fn scaled(scale: u32) -> Self {
        let scale = i64::from(scale.max(1));
        let div = |ms: i64| (ms / scale).max(1);
        let aws = Self::AWS;
        Self {
            qr_ms: div(aws.qr_ms),
            choose_ms: div(aws.choose_ms),
            barista_ms: div(aws.barista_ms),
            ready_on_board_ms: div(aws.ready_on_board_ms),
            pickup_ms: div(aws.pickup_ms),
            recall_ms: div(aws.recall_ms),
            recent_completed_ms: div(aws.recent_completed_ms),
        }
    }

    /// The whole-number scale these windows run at, when every one is the AWS one divided
    /// by it (an emulator's `--time-scale`, which the apps then learn from their
    /// settings); `None` for real time, and for windows a test shortened one by one.
    pub fn scale(&self) -> Option<u32> {
        let scale = Self::AWS.qr_ms / self.qr_ms.max(1);
        let scale = u32::try_from(scale).ok().filter(|s| *s > 1)?;
        (Self::scaled(scale) == *self).then_some(scale)
    }

    /// Whether an order is still with the baristas: submitted (it has a number and a
    /// drink), not finished, and younger than their window. `TS` is set when the order
    /// reaches the baristas, so that is where its age starts.
    pub fn is_live(&self, order: &Order, now_ms: i64) -> bool {
        order.state == OrderState::Created
            && order.number.is_some()
            && order.drink.is_some()
            && order.ts_ms.is_some_and(|ts| now_ms - ts < self.barista_ms)
    }

    /// Where `order` is, as people are told: an open order whose window ran out timed
    /// out, although W never writes that down.
    pub fn status(&self, order: &Order, now_ms: i64) -> OrderStatus {
        let age = order.ts_ms.map_or(i64::MAX, |ts| now_ms - ts);
        match order.state {
            OrderState::Completed => OrderStatus::Ready,
            OrderState::Cancelled if order.timed_out.is_some() => OrderStatus::TimedOut,
            OrderState::Cancelled => OrderStatus::Cancelled,
            OrderState::Created if self.is_live(order, now_ms) => OrderStatus::InQueue,
            OrderState::Created if order.drink.is_none() && age < self.choose_ms => {
                OrderStatus::Choosing
            }
            OrderState::Created => OrderStatus::TimedOut,
            OrderState::Other(_) => OrderStatus::Unknown,
        }
    }

    /// When the QR window after the one holding `now_ms` starts: windows are counted
    /// from the epoch (contract §3.2).
    pub fn next_qr_window_ms(&self, now_ms: i64) -> i64 {
        (now_ms.div_euclid(self.qr_ms) + 1) * self.qr_ms
    }
}

impl Default for Windows {
    fn default() -> Self {
        Self::AWS
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_scale_is_found_only_when_every_window_follows_it() {
        assert_eq!(Windows::AWS.scale(), None, "real time");
        assert_eq!(Windows::scaled(60).scale(), Some(60));
        assert_eq!(Windows::scaled(48).scale(), Some(48));
        let fast = Windows::scaled(60);
        assert_eq!(
            (fast.qr_ms, fast.choose_ms, fast.barista_ms),
            (5_000, 5_000, 15_000)
        );
        let shortened = Windows {
            choose_ms: 2_000,
            ..Windows::AWS
        };
        assert_eq!(shortened.scale(), None, "one window shortened is no scale");
        assert_eq!(Windows::scaled(0), Windows::AWS, "0 counts as 1");
    }

    use super::*;
    use crate::model::DrinkOrder;

    fn order(state: OrderState, number: Option<u32>, drink: bool, ts: i64) -> Order {
        Order {
            state,
            number,
            drink: drink.then(|| DrinkOrder::plain("Latte")),
            ..Order::scanned("o", ts)
        }
    }

    #[test]
    fn scaling_divides_every_window() {
        assert_eq!(Windows::scaled(1), Windows::AWS);
        assert_eq!(Windows::scaled(0), Windows::AWS, "0 means real time");
        let fast = Windows::scaled(60);
        assert_eq!(fast.qr_ms, 5_000);
        assert_eq!(fast.choose_ms, 5_000);
        assert_eq!(fast.barista_ms, 15_000);
        assert_eq!(fast.ready_on_board_ms, 10_000);
        assert_eq!(fast.pickup_ms, 1_000);
    }

    #[test]
    fn live_means_submitted_open_and_young() {
        let w = Windows::AWS;
        let now = 10_000_000;
        assert!(w.is_live(&order(OrderState::Created, Some(1), true, now - 1_000), now));
        assert!(
            !w.is_live(&order(OrderState::Created, None, false, now), now),
            "still choosing"
        );
        assert!(!w.is_live(&order(OrderState::Completed, Some(1), true, now), now));
        assert!(!w.is_live(&order(OrderState::Cancelled, Some(1), true, now), now));
        assert!(
            !w.is_live(
                &order(OrderState::Created, Some(1), true, now - 900_000),
                now
            ),
            "a zombie: the baristas' window is over"
        );
        assert!(Windows::scaled(60).is_live(
            &order(OrderState::Created, Some(1), true, now - 14_000),
            now
        ));
        assert!(!Windows::scaled(60).is_live(
            &order(OrderState::Created, Some(1), true, now - 15_000),
            now
        ));
    }

    #[test]
    fn statuses_in_one_vocabulary() {
        let w = Windows::AWS;
        let now = 10_000_000;
        let status =
            |state, number, drink, age| w.status(&order(state, number, drink, now - age), now);
        assert_eq!(
            status(OrderState::Created, None, false, 1_000),
            OrderStatus::Choosing
        );
        assert_eq!(
            status(OrderState::Created, None, false, w.choose_ms),
            OrderStatus::TimedOut
        );
        assert_eq!(
            status(OrderState::Created, Some(3), true, 1_000),
            OrderStatus::InQueue
        );
        assert_eq!(
            status(OrderState::Created, Some(3), true, w.barista_ms),
            OrderStatus::TimedOut
        );
        assert_eq!(
            status(OrderState::Completed, Some(3), true, DAY),
            OrderStatus::Ready
        );
        assert_eq!(
            status(OrderState::Cancelled, Some(3), true, 0),
            OrderStatus::Cancelled
        );
        assert_eq!(OrderStatus::Ready.label(), "Ready");
    }

    const DAY: i64 = 86_400_000;

    #[test]
    fn next_qr_window() {
        let w = Windows::AWS;
        assert_eq!(w.next_qr_window_ms(0), 300_000);
        assert_eq!(w.next_qr_window_ms(299_999), 300_000);
        assert_eq!(w.next_qr_window_ms(300_000), 600_000);
        assert_eq!(Windows::scaled(60).next_qr_window_ms(7_000), 10_000);
    }
}
