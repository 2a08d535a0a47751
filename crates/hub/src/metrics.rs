//! Process-wide counters, exposed by the server as Prometheus text at `GET /metrics`.
//!
//! They count what crossed the wire in this process since it started (several `serve` processes
//! on one database each count their own), so operators can watch deduplication and Xet traffic,
//! and the client tests can check from the outside what a real client actually sent.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// One counter: its Prometheus name, help text, and value.
pub struct Counter {
    name: &'static str,
    help: &'static str,
    value: AtomicU64,
}

impl Counter {
    const fn new(name: &'static str, help: &'static str) -> Counter {
        Counter {
            name,
            help,
            value: AtomicU64::new(0),
        }
    }

    pub fn add(&self, n: u64) {
        self.value.fetch_add(n, Ordering::Relaxed);
    }

    pub fn inc(&self) {
        self.add(1);
    }

    pub fn get(&self) -> u64 {
        self.value.load(Ordering::Relaxed)
    }
}

/// The counters the hub keeps.
pub struct Metrics {
    pub xet_tokens_issued: Counter,
    pub xet_xorbs_received: Counter,
    pub xet_xorb_bytes_received: Counter,
    pub xet_shards_received: Counter,
    pub xet_dedup_queries: Counter,
    pub xet_reconstructions: Counter,
    pub xet_fetches: Counter,
    pub xet_fetch_bytes: Counter,
    pub xet_plain_reads: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            xet_tokens_issued: Counter::new(
                "commonhold_xet_tokens_issued_total",
                "Xet CAS tokens issued by the xet-read-token and xet-write-token routes (refreshes included).",
            ),
            xet_xorbs_received: Counter::new(
                "commonhold_xet_xorbs_received_total",
                "Xorb uploads that passed validation (new or already stored).",
            ),
            xet_xorb_bytes_received: Counter::new(
                "commonhold_xet_xorb_bytes_received_total",
                "Serialized bytes of the xorb uploads that passed validation.",
            ),
            xet_shards_received: Counter::new(
                "commonhold_xet_shards_received_total",
                "Shard uploads that passed validation and were recorded.",
            ),
            xet_dedup_queries: Counter::new(
                "commonhold_xet_dedup_queries_total",
                "Global deduplication queries (GET /v1/chunks).",
            ),
            xet_reconstructions: Counter::new(
                "commonhold_xet_reconstructions_total",
                "Reconstruction plans served (one per requested range).",
            ),
            xet_fetches: Counter::new(
                "commonhold_xet_fetches_total",
                "Signed xorb range fetches served.",
            ),
            xet_fetch_bytes: Counter::new(
                "commonhold_xet_fetch_bytes_total",
                "Bytes of xorb ranges served by signed fetches.",
            ),
            xet_plain_reads: Counter::new(
                "commonhold_xet_plain_reads_total",
                "Plain HTTP reads of Xet-stored files, rebuilt from xorbs on the server.",
            ),
        }
    }
}

impl Metrics {
    fn all(&self) -> [&Counter; 9] {
        [
            &self.xet_tokens_issued,
            &self.xet_xorbs_received,
            &self.xet_xorb_bytes_received,
            &self.xet_shards_received,
            &self.xet_dedup_queries,
            &self.xet_reconstructions,
            &self.xet_fetches,
            &self.xet_fetch_bytes,
            &self.xet_plain_reads,
        ]
    }

    /// The Prometheus text exposition format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::new();
        for c in self.all() {
            let _ = writeln!(out, "# HELP {} {}", c.name, c.help);
            let _ = writeln!(out, "# TYPE {} counter", c.name);
            let _ = writeln!(out, "{} {}", c.name, c.get());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::Metrics;

    #[test]
    fn renders_every_counter_with_help_type_and_value() {
        let m = Metrics::default();
        m.xet_fetch_bytes.add(42);
        m.xet_fetches.inc();
        let text = m.render();
        assert!(text.contains("# TYPE commonhold_xet_fetch_bytes_total counter\n"));
        assert!(text.contains("\ncommonhold_xet_fetch_bytes_total 42\n"));
        assert!(text.contains("\ncommonhold_xet_fetches_total 1\n"));
        assert!(text.contains("\ncommonhold_xet_reconstructions_total 0\n"));
        assert_eq!(text.matches("# HELP ").count(), m.all().len());
    }
}
