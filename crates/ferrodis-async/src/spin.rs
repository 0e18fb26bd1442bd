//! When the multiplexed driver, waiting for replies, polls again at once instead of
//! parking: a deterministic policy, kept apart from the driver so that it can be tested
//! without a runtime or a server.
//!
//! ## Why spin at all
//!
//! A driver that parks while its replies are on their way hands its worker thread back
//! to the runtime, which parks the thread, and the CPU goes idle. When the replies
//! arrive, the kernel has to wake that CPU first. On a virtual machine, waking an idle
//! vCPU costs tens of microseconds, often more than the server took to answer: on the
//! project's benchmark VM, 50 tasks sharing one connection spent about a third of each
//! round trip waiting for the client's own CPU to wake up. Polling again at once for a
//! short while keeps the CPU awake, so that a reply due in a few microseconds is read as
//! soon as it lands (`cargo xtask bench`, `get-50-tasks`: about 1.3-1.7x the throughput
//! of parking, in interleaved rounds; docs/benchmarks.md).
//!
//! ## Why it adapts
//!
//! Spinning pays only when replies come back quickly and there are many of them: a
//! loopback or same-host server, a connection shared by several callers. So the driver
//! spins only while at least [`SPIN_MIN_OWED`] requests are owed (a lone caller waiting
//! for its reply parks, and costs no CPU while it waits), and never longer than the
//! limit. Over a network whose round trip is longer than the limit, every spin would
//! burn CPU for nothing. So the policy keeps a moving average of how often spinning
//! paid (the replies came before the limit), and spins only while it pays at least half
//! the time. A connection whose replies take 300 µs stops spinning after a few waits
//! with the default 100 µs limit, but for one wait in 16 (a probe: the server may have
//! come closer, and a wait spent parked cannot tell, since it includes the very wake-up
//! that spinning saves); one whose replies take 20 µs keeps spinning, and a spin that
//! misses now and then (a slow command, a busy server) parks at the limit and changes
//! little. A limit of zero turns spinning
//! off (`ClientBuilder::spin_wait`).
//!
//! What it costs: in the same benchmark, ferrodis used about 2.2 µs of CPU per `GET`
//! with spinning (the process as a whole, every thread), redis-rs 3.4 µs without: the
//! CPU that spinning burns is less than what the wake-ups it saves would have cost.

use std::time::{Duration, Instant};

/// The default spin limit of a multiplexed connection (see the [module docs](self)).
pub const DEFAULT_SPIN_WAIT: Duration = Duration::from_micros(100);

/// The driver spins only while at least this many requests are owed: a busy connection
/// shared by several callers. A lone caller waiting for its one reply parks.
pub const SPIN_MIN_OWED: usize = 2;

/// The hit rate is kept in fixed point: this is 100%.
const FULL: u32 = 1024;

/// How much one new outcome weighs in the moving hit rate: 1/8.
const WEIGHT_SHIFT: u32 = 3;

/// While spinning does not pay, one wait in this many still spins, to find out whether
/// it would now.
const PROBE_EVERY: u32 = 16;

/// The driver's spin-or-park decision. See the [module docs](self).
#[derive(Debug, Clone)]
pub(crate) struct SpinPolicy {
    /// The longest the driver spins for one wait; zero: never.
    limit: Duration,
    /// The moving rate (out of [`FULL`]) of spins whose replies came within the limit.
    hit_rate: u32,
    /// When the current wait began: the driver found nothing to do while replies were
    /// owed. `None` when not waiting.
    waiting_since: Option<Instant>,
    /// Whether the current wait spins.
    spinning: bool,
    /// Waits left until the next probe (see [`PROBE_EVERY`]).
    probe_in: u32,
}

impl SpinPolicy {
    /// A policy that spins for at most `limit` per wait. A new connection spins until it
    /// learns that it does not pay.
    pub(crate) fn new(limit: Duration) -> SpinPolicy {
        SpinPolicy {
            limit,
            hit_rate: FULL,
            waiting_since: None,
            spinning: false,
            probe_in: PROBE_EVERY,
        }
    }

    /// The driver has nothing to do and replies are owed: `true` to poll again at once
    /// (spin), `false` to park until woken.
    pub(crate) fn keep_spinning(&mut self, now: Instant) -> bool {
        if self.limit.is_zero() {
            return false;
        }
        let since = match self.waiting_since {
            Some(since) => since,
            None => {
                self.waiting_since = Some(now);
                self.spinning = self.pays() || self.probe();
                now
            }
        };
        self.spinning && now.saturating_duration_since(since) < self.limit
    }

    /// Whether spinning paid at least half the time lately.
    fn pays(&self) -> bool {
        self.hit_rate >= FULL / 2
    }

    /// Counts down to the next probe; `true` when it is due.
    fn probe(&mut self) -> bool {
        self.probe_in -= 1;
        if self.probe_in == 0 {
            self.probe_in = PROBE_EVERY;
            true
        } else {
            false
        }
    }

    /// Replies arrived: ends the current wait, if any, and if the driver spun for it,
    /// learns whether that paid (the replies came within the limit).
    pub(crate) fn replies_arrived(&mut self, now: Instant) {
        let Some(since) = self.waiting_since.take() else {
            return;
        };
        if !self.spinning {
            return;
        }
        let hit = now.saturating_duration_since(since) < self.limit;
        let target = if hit { FULL } else { 0 };
        // hit_rate += (target - hit_rate) / 8
        self.hit_rate = if target >= self.hit_rate {
            self.hit_rate + ((target - self.hit_rate) >> WEIGHT_SHIFT)
        } else {
            self.hit_rate - ((self.hit_rate - target) >> WEIGHT_SHIFT)
        };
    }

    /// Nothing is owed any more (the last reply came, or the connection ended): no wait
    /// is in progress.
    pub(crate) fn idle(&mut self) {
        self.waiting_since = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const US: Duration = Duration::from_micros(1);

    /// One wait whose replies come after `reply`: whether the driver spun for it.
    fn wait(policy: &mut SpinPolicy, t: &mut Instant, reply: Duration) -> bool {
        let spun = policy.keep_spinning(*t);
        if spun {
            assert!(policy.keep_spinning(*t + reply.min(policy.limit) / 2));
        }
        *t += reply;
        policy.replies_arrived(*t);
        *t += US;
        spun
    }

    #[test]
    fn a_zero_limit_never_spins() {
        let mut policy = SpinPolicy::new(Duration::ZERO);
        assert!(!policy.keep_spinning(Instant::now()));
    }

    #[test]
    fn a_new_connection_spins_up_to_the_limit_then_parks() {
        let mut policy = SpinPolicy::new(100 * US);
        let t0 = Instant::now();
        assert!(policy.keep_spinning(t0));
        assert!(policy.keep_spinning(t0 + 99 * US));
        assert!(!policy.keep_spinning(t0 + 100 * US));
    }

    #[test]
    fn quick_replies_keep_it_spinning_and_a_few_misses_do_not_stop_it() {
        let mut policy = SpinPolicy::new(100 * US);
        let mut t = Instant::now();
        for i in 0..1_000 {
            // One wait in ten is a slow command.
            let reply = if i % 10 == 9 { 900 * US } else { 20 * US };
            assert!(wait(&mut policy, &mut t, reply), "wait {i} parked");
        }
    }

    #[test]
    fn slow_replies_stop_the_spinning_but_for_probes() {
        let mut policy = SpinPolicy::new(100 * US);
        let mut t = Instant::now();
        // A server 300 µs away: after a few waits the driver parks at once...
        for _ in 0..10 {
            wait(&mut policy, &mut t, 300 * US);
        }
        // ...but for one wait in PROBE_EVERY, which spins up to the limit.
        let spun = (0..10 * PROBE_EVERY)
            .filter(|_| wait(&mut policy, &mut t, 300 * US))
            .count();
        assert_eq!(spun, 10);
    }

    #[test]
    fn probes_that_get_quick_replies_turn_spinning_back_on() {
        let mut policy = SpinPolicy::new(100 * US);
        let mut t = Instant::now();
        for _ in 0..10 {
            wait(&mut policy, &mut t, 300 * US);
        }
        assert!(!policy.pays());
        // The server is quick again. A parked wait cannot tell (it would take the
        // wake-up too: say 150 µs); the probes' replies come in 20 µs.
        let mut waits = 0;
        while !policy.pays() {
            let spinning = policy.keep_spinning(t);
            t += if spinning { 20 * US } else { 150 * US };
            policy.replies_arrived(t);
            waits += 1;
            assert!(waits <= 10 * PROBE_EVERY, "spinning never came back");
        }
        for _ in 0..100 {
            assert!(wait(&mut policy, &mut t, 20 * US));
        }
    }

    #[test]
    fn replies_read_without_a_wait_teach_nothing() {
        let mut policy = SpinPolicy::new(100 * US);
        let before = policy.hit_rate;
        policy.replies_arrived(Instant::now() + 10_000 * US);
        assert_eq!(policy.hit_rate, before);
    }

    #[test]
    fn idle_ends_the_wait_without_learning() {
        let mut policy = SpinPolicy::new(100 * US);
        let t = Instant::now();
        assert!(policy.keep_spinning(t));
        policy.idle();
        let before = policy.hit_rate;
        policy.replies_arrived(t + 5_000 * US);
        assert_eq!(policy.hit_rate, before);
        // A new wait starts from the next call.
        assert!(policy.keep_spinning(t + 10_000 * US));
    }
}
