//! Simulated time. A cluster's clock starts at the real "now" and runs at a chosen speed, so a
//! test or demo can live through a crash-loop backoff or a week of usage in seconds. Every
//! timestamp a cluster writes and every controller delay is read from this clock.

use std::sync::Arc;
use std::time::{Duration, Instant};

/// A clock running at `speed` times real time from a starting instant.
#[derive(Debug, Clone)]
pub struct SimClock {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    origin_real: Instant,
    origin: jiff::Timestamp,
    speed: f64,
}

impl SimClock {
    /// A clock at real time.
    pub fn real_time() -> Self {
        Self::accelerated(1.0)
    }

    /// A clock running `speed` times faster than real time (clamped to 0.001..=100000).
    pub fn accelerated(speed: f64) -> Self {
        Self::starting_at(jiff::Timestamp::now(), speed)
    }

    /// A clock that reads `origin` now and runs at `speed`.
    pub fn starting_at(origin: jiff::Timestamp, speed: f64) -> Self {
        let speed = if speed.is_finite() { speed.clamp(0.001, 100_000.0) } else { 1.0 };
        Self { inner: Arc::new(Inner { origin_real: Instant::now(), origin, speed }) }
    }

    /// The clock's speed factor.
    pub fn speed(&self) -> f64 {
        self.inner.speed
    }

    /// Simulated time elapsed since the clock started.
    pub fn elapsed(&self) -> Duration {
        self.inner.origin_real.elapsed().mul_f64(self.inner.speed)
    }

    /// The current simulated time.
    pub fn now(&self) -> jiff::Timestamp {
        let elapsed = jiff::SignedDuration::try_from(self.elapsed()).unwrap_or(jiff::SignedDuration::ZERO);
        self.inner.origin.checked_add(elapsed).unwrap_or(self.inner.origin)
    }

    /// The real duration that `sim` of simulated time takes.
    pub fn real_duration(&self, sim: Duration) -> Duration {
        sim.div_f64(self.inner.speed)
    }

    /// Sleeps for `sim` of simulated time.
    pub async fn sleep(&self, sim: Duration) {
        tokio::time::sleep(self.real_duration(sim)).await;
    }
}

impl Default for SimClock {
    fn default() -> Self {
        Self::real_time()
    }
}

/// A small deterministic generator (SplitMix64): the same seed gives the same names, uids and
/// behaviour samples, so scenarios are reproducible.
#[derive(Debug, Clone)]
pub struct SimRng {
    state: u64,
}

impl SimRng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self { state: seed ^ 0x9E37_79B9_7F4A_7C15 }
    }

    /// A generator derived from a seed and a label (e.g. an object's namespace/name), so each
    /// object has its own stable stream whatever order objects are created in.
    pub fn derived(seed: u64, label: &str) -> Self {
        // FNV-1a over the label, mixed with the seed.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in label.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        Self::new(seed ^ h)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform float in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A standard normal sample (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.next_f64().max(f64::MIN_POSITIVE);
        let u2 = self.next_f64();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }

    /// A version-4 style UUID string from this stream.
    pub fn uuid(&mut self) -> String {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        b[8..].copy_from_slice(&self.next_u64().to_le_bytes());
        uuid::Builder::from_random_bytes(b).into_uuid().to_string()
    }

    /// `len` characters from apimachinery's name-suffix alphabet.
    pub fn suffix(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
        (0..len).map(|_| ALPHABET[(self.next_u64() % ALPHABET.len() as u64) as usize] as char).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accelerated_clock_runs_faster() {
        let c = SimClock::accelerated(1000.0);
        let t0 = c.now();
        std::thread::sleep(Duration::from_millis(20));
        let dt = c.now().duration_since(t0).as_secs_f64();
        assert!(dt >= 19.0, "20ms real at 1000x is at least 19s simulated, got {dt}");
        assert_eq!(c.real_duration(Duration::from_secs(10)), Duration::from_millis(10));
    }

    #[test]
    fn same_seed_same_stream() {
        let mut a = SimRng::derived(7, "default/web");
        let mut b = SimRng::derived(7, "default/web");
        assert_eq!(a.uuid(), b.uuid());
        assert_eq!(a.suffix(5), b.suffix(5));
        assert_ne!(SimRng::derived(7, "default/db").next_u64(), SimRng::derived(8, "default/db").next_u64());
        let mean: f64 = (0..2000).map(|_| a.normal()).sum::<f64>() / 2000.0;
        assert!(mean.abs() < 0.1, "normal samples centre on 0: {mean}");
    }
}
