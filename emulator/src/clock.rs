//! Time for the emulator: the clock every part reads the time from, and the durations of
//! the backend's timers, which a time scale shortens so tests and demos need not wait
//! five minutes.
//!
//! The clock is read at the edges (an HTTP request arriving, the timer loop waking, a
//! workflow step starting) and the time is passed down from there, so a test can run the
//! whole emulator on a [`ManualClock`] and move time instead of sleeping.

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::watch;

/// Where the emulator gets the time from.
pub trait Clock: Send + Sync + Debug {
    /// Milliseconds since the Unix epoch, now.
    fn now_ms(&self) -> i64;

    /// Resolves once [`Clock::now_ms`] has reached `deadline_ms` (at once if it has).
    fn sleep_until(&self, deadline_ms: i64) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;
}

/// The wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64)
    }

    fn sleep_until(&self, deadline_ms: i64) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        let wait_ms = (deadline_ms - self.now_ms()).max(0) as u64;
        Box::pin(tokio::time::sleep(Duration::from_millis(wait_ms)))
    }
}

/// A clock that stands still until a test sets or advances it; whoever sleeps on it
/// wakes when it is moved past their deadline.
#[derive(Debug)]
pub struct ManualClock {
    now_ms: watch::Sender<i64>,
}

impl ManualClock {
    /// A clock showing `start_ms`.
    pub fn new(start_ms: i64) -> Self {
        Self {
            now_ms: watch::Sender::new(start_ms),
        }
    }

    /// A clock showing the wall clock's time, then standing still.
    pub fn starting_now() -> Self {
        Self::new(SystemClock.now_ms())
    }

    /// Sets the time (it may go backwards, as a wall clock can).
    pub fn set(&self, now_ms: i64) {
        self.now_ms.send_replace(now_ms);
    }

    /// Moves the time forward by `by`.
    pub fn advance(&self, by: Duration) {
        self.advance_ms(i64::try_from(by.as_millis()).unwrap_or(i64::MAX));
    }

    /// Moves the time forward by `ms` milliseconds.
    pub fn advance_ms(&self, ms: i64) {
        self.now_ms.send_modify(|now| *now = now.saturating_add(ms));
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        *self.now_ms.borrow()
    }

    fn sleep_until(&self, deadline_ms: i64) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        let mut moved = self.now_ms.subscribe();
        Box::pin(async move {
            // The sender lives as long as `self`, so this only ends at the deadline.
            let _ = moved.wait_for(|now| *now >= deadline_ms).await;
        })
    }
}

/// The backend's timers (contract §3.2, §6.1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timings {
    /// Validator bucket length: 5 minutes.
    pub bucket_ms: i64,
    /// How long the customer has to choose a drink: 300 s.
    pub customer_wait_ms: i64,
    /// How long the baristas have to finish an order: 900 s.
    pub barista_wait_ms: i64,
}

impl Timings {
    pub const AWS: Timings = Timings {
        bucket_ms: 300_000,
        customer_wait_ms: 300_000,
        barista_wait_ms: 900_000,
    };

    /// The whole-number scale these timings run at, when every timer is the AWS one
    /// divided by it (so the apps can scale their windows the same); None for timings a
    /// test shortened one by one, and for real time.
    pub fn scale(&self) -> Option<u32> {
        let scale = Self::AWS.bucket_ms / self.bucket_ms.max(1);
        let uniform = scale > 1
            && Self::AWS.bucket_ms % self.bucket_ms.max(1) == 0
            && Self::scaled(scale as f64) == *self;
        uniform.then(|| u32::try_from(scale).ok()).flatten()
    }

    /// Every duration divided by `scale` (60 turns five minutes into five seconds).
    pub fn scaled(scale: f64) -> Self {
        let scale = if scale.is_finite() && scale > 0.0 {
            scale
        } else {
            1.0
        };
        let div = |ms: i64| ((ms as f64 / scale).round() as i64).max(1);
        Self {
            bucket_ms: div(Self::AWS.bucket_ms),
            customer_wait_ms: div(Self::AWS.customer_wait_ms),
            barista_wait_ms: div(Self::AWS.barista_wait_ms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_manual_clock_wakes_sleepers_when_moved_past_their_deadline() {
        let clock = std::sync::Arc::new(ManualClock::new(1_000));
        assert_eq!(clock.now_ms(), 1_000);
        let sleeper = {
            let clock = std::sync::Arc::clone(&clock);
            tokio::spawn(async move { clock.sleep_until(61_000).await })
        };
        clock.advance(Duration::from_secs(30));
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished(), "30 s of the 60 have passed");
        clock.advance_ms(30_000);
        tokio::time::timeout(Duration::from_secs(5), sleeper)
            .await
            .expect("the sleeper wakes")
            .unwrap();
        assert_eq!(clock.now_ms(), 61_000);
        clock.set(5);
        assert_eq!(clock.now_ms(), 5);
        // A deadline already passed resolves at once.
        tokio::time::timeout(Duration::from_secs(5), clock.sleep_until(0))
            .await
            .unwrap();
    }

    #[test]
    fn scaling_divides_every_timer() {
        assert_eq!(Timings::scaled(1.0), Timings::AWS);
        let fast = Timings::scaled(60.0);
        assert_eq!(fast.bucket_ms, 5_000);
        assert_eq!(fast.customer_wait_ms, 5_000);
        assert_eq!(fast.barista_wait_ms, 15_000);
        assert_eq!(
            Timings::scaled(0.0),
            Timings::AWS,
            "nonsense scales mean real time"
        );
        assert_eq!(fast.scale(), Some(60));
        assert_eq!(Timings::scaled(10.0).scale(), Some(10));
        assert_eq!(Timings::AWS.scale(), None, "real time");
        let shortened = Timings {
            customer_wait_ms: 2_000,
            ..Timings::AWS
        };
        assert_eq!(shortened.scale(), None, "one timer shortened is no scale");
    }
}
