//! Time for the emulator: the wall clock, and the durations of the backend's timers,
//! which a time scale shortens so tests and demos need not wait five minutes.

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
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
