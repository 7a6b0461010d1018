//! A circuit breaker in front of the provider.
//!
//! After [`Breaker::threshold`] failures in a row (no answer, or a 5xx), the
//! circuit **opens**: for the cool-down, calls are refused at once (the browser
//! gets 503 with `Retry-After`) instead of piling up on a provider that is down.
//! Then one trial call goes through (**half-open**): an answer closes the
//! circuit, a failure opens it for another cool-down. Every other call made
//! while the trial is in flight is refused.
//!
//! The state machine is pure (the time is passed in), so it is tested without
//! sleeping.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Where the circuit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Calls go through; `failures` in a row so far.
    Closed {
        /// Consecutive failures.
        failures: u32,
    },
    /// Calls are refused until `until`.
    Open {
        /// End of the cool-down.
        until: Instant,
    },
    /// One trial call is in flight; the others are refused.
    HalfOpen,
}

/// A call may not be made now; try again after this long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    /// Time until the circuit lets a call through (at least 1 s when rounded
    /// up for `Retry-After`).
    pub retry_after: Duration,
}

impl Refused {
    /// Whole seconds for `Retry-After`, rounded up, at least 1.
    pub fn retry_after_secs(&self) -> u64 {
        let s = self.retry_after.as_secs() + u64::from(self.retry_after.subsec_nanos() > 0);
        s.max(1)
    }
}

/// The breaker: a threshold, a cool-down, and the state behind a mutex.
#[derive(Debug)]
pub struct Breaker {
    /// Failures in a row that open the circuit (0 never opens it).
    pub threshold: u32,
    /// How long the circuit stays open.
    pub cool_down: Duration,
    state: Mutex<State>,
}

impl Breaker {
    /// A closed breaker.
    pub fn new(threshold: u32, cool_down: Duration) -> Self {
        Self {
            threshold,
            cool_down,
            state: Mutex::new(State::Closed { failures: 0 }),
        }
    }

    /// The current state.
    pub fn state(&self) -> State {
        *self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// May a call start at `now`? On `Ok`, the caller must [`Self::record`]
    /// its outcome.
    pub fn admit(&self, now: Instant) -> Result<(), Refused> {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match *st {
            State::Closed { .. } => Ok(()),
            State::Open { until } if now >= until => {
                *st = State::HalfOpen;
                Ok(())
            }
            State::Open { until } => Err(Refused {
                retry_after: until - now,
            }),
            State::HalfOpen => Err(Refused {
                retry_after: Duration::from_secs(1),
            }),
        }
    }

    /// The outcome of an admitted call that ended at `now`: `ok` is any answer
    /// but a 5xx.
    pub fn record(&self, ok: bool, now: Instant) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        *st = match (*st, ok) {
            (_, true) => State::Closed { failures: 0 },
            (State::HalfOpen, false) => State::Open {
                until: now + self.cool_down,
            },
            (State::Closed { failures }, false) => {
                let failures = failures.saturating_add(1);
                if self.threshold > 0 && failures >= self.threshold {
                    State::Open {
                        until: now + self.cool_down,
                    }
                } else {
                    State::Closed { failures }
                }
            }
            // A call admitted before the circuit opened, ending after: the
            // circuit stays open.
            (open @ State::Open { .. }, false) => open,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COOL: Duration = Duration::from_secs(5);

    #[test]
    fn opens_after_the_threshold_and_refuses_until_the_cool_down_ends() {
        let b = Breaker::new(3, COOL);
        let t0 = Instant::now();
        for _ in 0..2 {
            assert_eq!(b.admit(t0), Ok(()));
            b.record(false, t0);
        }
        assert_eq!(b.state(), State::Closed { failures: 2 });
        assert_eq!(b.admit(t0), Ok(()));
        b.record(false, t0);
        assert_eq!(b.state(), State::Open { until: t0 + COOL });
        let r = b.admit(t0 + Duration::from_millis(1500)).unwrap_err();
        assert_eq!(r.retry_after, Duration::from_millis(3500));
        assert_eq!(r.retry_after_secs(), 4);
    }

    #[test]
    fn an_answer_resets_the_count() {
        let b = Breaker::new(3, COOL);
        let t0 = Instant::now();
        b.record(false, t0);
        b.record(false, t0);
        b.record(true, t0);
        b.record(false, t0);
        assert_eq!(b.state(), State::Closed { failures: 1 });
    }

    #[test]
    fn half_open_lets_one_trial_through_and_its_outcome_decides() {
        let b = Breaker::new(1, COOL);
        let t0 = Instant::now();
        b.record(false, t0);
        let later = t0 + COOL;
        assert_eq!(b.admit(later), Ok(()), "the trial");
        assert_eq!(b.state(), State::HalfOpen);
        assert!(b.admit(later).is_err(), "one trial at a time");
        b.record(false, later);
        assert_eq!(
            b.state(),
            State::Open {
                until: later + COOL
            }
        );
        let again = later + COOL;
        assert_eq!(b.admit(again), Ok(()));
        b.record(true, again);
        assert_eq!(b.state(), State::Closed { failures: 0 });
        assert_eq!(b.admit(again), Ok(()));
    }

    #[test]
    fn threshold_zero_never_opens() {
        let b = Breaker::new(0, COOL);
        let t0 = Instant::now();
        for _ in 0..100 {
            b.record(false, t0);
        }
        assert_eq!(b.admit(t0), Ok(()));
    }
}
