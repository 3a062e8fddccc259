//! What an operator watches (`GET /metrics`, Prometheus text format 0.0.4): requests by
//! route, method and status with latency histograms, the group-commit writers' batch sizes,
//! waits and queue depths, the database pools' use, import durations, the messages this
//! process sent and the send queue's depth. Counters live in this process only (each server
//! is scraped on its own, as Prometheus expects); the queue's depth is the database's (all
//! processes share the queue) and is counted by the caller.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::services::shared::imports::ImportKind;

/// Latency buckets, in seconds (the page budgets sit between 0.05 and 0.5).
const SECONDS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
/// Import buckets, in seconds (a 100,000-row roster takes tens of seconds).
const IMPORT_SECONDS: &[f64] = &[0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0];
/// Batch-size buckets (a batch holds at most `writer::MAX_BATCH` requests).
const SIZES: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0];

/// A Prometheus histogram: cumulative buckets rendered from per-bucket counts.
#[derive(Debug, Clone)]
pub struct Histogram {
    bounds: &'static [f64],
    /// One count per bound, and one for above the last.
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    fn new(bounds: &'static [f64]) -> Self {
        Histogram {
            bounds,
            counts: vec![0; bounds.len() + 1],
            sum: 0.0,
            count: 0,
        }
    }

    fn observe(&mut self, value: f64) {
        let at = self
            .bounds
            .iter()
            .position(|b| value <= *b)
            .unwrap_or(self.bounds.len());
        if let Some(c) = self.counts.get_mut(at) {
            *c += 1;
        }
        self.sum += value;
        self.count += 1;
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut running = 0u64;
        for (bound, n) in self.bounds.iter().zip(&self.counts) {
            running += n;
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {running}"
            );
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}",
            self.count
        );
        let _ = writeln!(out, "{name}_sum{{{labels}}} {}", self.sum);
        let _ = writeln!(out, "{name}_count{{{labels}}} {}", self.count);
    }
}

#[derive(Debug)]
struct RouteStats {
    statuses: BTreeMap<u16, u64>,
    latency: Histogram,
}

/// This process's counters.
#[derive(Debug)]
pub struct Metrics {
    /// route template → method → statuses and latency. Keyed so that counting a request
    /// allocates nothing once its route and method have been seen (a lookup by `&str`).
    http: Mutex<HashMap<String, BTreeMap<String, RouteStats>>>,
    imports: Mutex<BTreeMap<&'static str, Histogram>>,
    /// Messages this process handed to the gateway: sent, retried later, failed for good,
    /// skipped.
    messages: [std::sync::atomic::AtomicU64; 4],
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            http: Mutex::new(HashMap::new()),
            imports: Mutex::new(BTreeMap::new()),
            messages: Default::default(),
        }
    }
}

impl Metrics {
    /// One round of the reminder sender.
    pub fn messages(&self, sent: usize, retried: usize, failed: usize, skipped: usize) {
        use std::sync::atomic::Ordering;
        for (counter, n) in self.messages.iter().zip([sent, retried, failed, skipped]) {
            counter.fetch_add(n as u64, Ordering::Relaxed);
        }
    }

    /// One answered request: its route template (`/thong-ke/{code}`, never the raw path, so
    /// the number of series stays bounded), method, status and time taken.
    pub fn request(&self, route: &str, method: &str, status: u16, took: Duration) {
        let Ok(mut http) = self.http.lock() else {
            return;
        };
        if !http.contains_key(route) {
            http.insert(route.to_owned(), BTreeMap::new());
        }
        let Some(methods) = http.get_mut(route) else {
            return;
        };
        if !methods.contains_key(method) {
            methods.insert(
                method.to_owned(),
                RouteStats {
                    statuses: BTreeMap::new(),
                    latency: Histogram::new(SECONDS),
                },
            );
        }
        let Some(stats) = methods.get_mut(method) else {
            return;
        };
        *stats.statuses.entry(status).or_default() += 1;
        stats.latency.observe(took.as_secs_f64());
    }

    /// Times an import (dry run or confirmed) until the returned guard is dropped, however the
    /// import ends.
    pub fn time_import(&self, kind: ImportKind) -> ImportTimer<'_> {
        ImportTimer {
            metrics: self,
            kind,
            started: Instant::now(),
        }
    }

    fn import_took(&self, kind: ImportKind, took: Duration) {
        if let Ok(mut imports) = self.imports.lock() {
            imports
                .entry(kind.code())
                .or_insert_with(|| Histogram::new(IMPORT_SECONDS))
                .observe(took.as_secs_f64());
        }
    }

    /// The requests and imports, in the text format.
    pub fn render_counters(&self, out: &mut String) {
        if let Ok(http) = self.http.lock() {
            // Routes in a stable order.
            let http: BTreeMap<(&str, &str), &RouteStats> = http
                .iter()
                .flat_map(|(route, methods)| {
                    methods
                        .iter()
                        .map(move |(method, stats)| ((route.as_str(), method.as_str()), stats))
                })
                .collect();
            header(
                out,
                "hocvuso_http_requests_total",
                "counter",
                "Requests answered, by route, method and status.",
            );
            for ((route, method), stats) in http.iter() {
                for (status, n) in &stats.statuses {
                    let _ = writeln!(
                        out,
                        "hocvuso_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {n}",
                        escape(route),
                        escape(method)
                    );
                }
            }
            header(
                out,
                "hocvuso_http_request_duration_seconds",
                "histogram",
                "Time from the request's arrival at its route to the answer.",
            );
            for ((route, method), stats) in http.iter() {
                let labels = format!("route=\"{}\",method=\"{}\"", escape(route), escape(method));
                stats
                    .latency
                    .render(out, "hocvuso_http_request_duration_seconds", &labels);
            }
        }
        if let Ok(imports) = self.imports.lock() {
            header(
                out,
                "hocvuso_import_duration_seconds",
                "histogram",
                "Imports of files (dry runs and confirmations), by kind.",
            );
            for (kind, h) in imports.iter() {
                h.render(
                    out,
                    "hocvuso_import_duration_seconds",
                    &format!("kind=\"{kind}\""),
                );
            }
        }
    }
}

/// See [`Metrics::time_import`].
pub struct ImportTimer<'a> {
    metrics: &'a Metrics,
    kind: ImportKind,
    started: Instant,
}

impl Drop for ImportTimer<'_> {
    fn drop(&mut self) {
        self.metrics.import_took(self.kind, self.started.elapsed());
    }
}

/// A group-commit writer's batch sizes and the time each request waited for its commit.
#[derive(Debug)]
pub struct WriterStats {
    inner: Mutex<(Histogram, Histogram)>,
}

impl Default for WriterStats {
    fn default() -> Self {
        WriterStats {
            inner: Mutex::new((Histogram::new(SIZES), Histogram::new(SECONDS))),
        }
    }
}

impl WriterStats {
    pub fn batch(&self, size: usize) {
        if let Ok(mut h) = self.inner.lock() {
            h.0.observe(size as f64);
        }
    }

    pub fn waited(&self, took: Duration) {
        if let Ok(mut h) = self.inner.lock() {
            h.1.observe(took.as_secs_f64());
        }
    }

    /// The batch sizes (`waits` false) or the waits of the writer named `writer`.
    fn render(&self, out: &mut String, writer: &str, waits: bool) {
        let labels = format!("writer=\"{writer}\"");
        if let Ok(h) = self.inner.lock() {
            if waits {
                h.1.render(out, "hocvuso_writer_wait_seconds", &labels);
            } else {
                h.0.render(out, "hocvuso_writer_batch_size", &labels);
            }
        }
    }
}

/// Everything `/metrics` shows, in the text format; `queue` is the send queue's depth
/// (messages waiting, being sent), when the database told it.
pub fn render(state: &crate::services::runtime::Runtime, queue: Option<(u64, u64)>) -> String {
    let mut out = String::with_capacity(16 * 1024);
    header(
        &mut out,
        "hocvuso_build_info",
        "gauge",
        "This program's version and the database it runs on.",
    );
    let _ = writeln!(
        out,
        "hocvuso_build_info{{version=\"{}\",database=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION"),
        state.db.backend().name()
    );
    state.metrics.render_counters(&mut out);
    let writers = [
        ("quiz_starts", state.starts.stats(), state.starts.queued()),
        (
            "quiz_submissions",
            state.submits.stats(),
            state.submits.queued(),
        ),
    ];
    // Each metric's lines together, as the format requires.
    header(
        &mut out,
        "hocvuso_writer_batch_size",
        "histogram",
        "Requests committed together by a group-commit writer.",
    );
    for (name, stats, _) in &writers {
        stats.render(&mut out, name, false);
    }
    header(
        &mut out,
        "hocvuso_writer_wait_seconds",
        "histogram",
        "Time a request waited for its batch to commit.",
    );
    for (name, stats, _) in &writers {
        stats.render(&mut out, name, true);
    }
    header(
        &mut out,
        "hocvuso_writer_queue_depth",
        "gauge",
        "Requests waiting for a writer now.",
    );
    for (name, _, queued) in &writers {
        let _ = writeln!(
            out,
            "hocvuso_writer_queue_depth{{writer=\"{name}\"}} {queued}"
        );
    }
    header(
        &mut out,
        "hocvuso_db_connections",
        "gauge",
        "Database connections by pool and state (open, idle, max).",
    );
    for pool in state.db.pool_use() {
        for (what, n) in [
            ("open", u64::from(pool.open)),
            ("idle", pool.idle as u64),
            ("max", u64::from(pool.max)),
        ] {
            let _ = writeln!(
                out,
                "hocvuso_db_connections{{pool=\"{}\",state=\"{what}\"}} {n}",
                pool.name
            );
        }
    }
    header(
        &mut out,
        "hocvuso_messages_total",
        "counter",
        "Reminder messages this process handled, by outcome.",
    );
    for (outcome, counter) in ["sent", "retried", "failed", "skipped"]
        .iter()
        .zip(&state.metrics.messages)
    {
        let _ = writeln!(
            out,
            "hocvuso_messages_total{{outcome=\"{outcome}\"}} {}",
            counter.load(std::sync::atomic::Ordering::Relaxed)
        );
    }
    if let Some((queued, sending)) = queue {
        header(
            &mut out,
            "hocvuso_job_queue_depth",
            "gauge",
            "Messages of the durable send queue (all processes), by state.",
        );
        let _ = writeln!(out, "hocvuso_job_queue_depth{{state=\"queued\"}} {queued}");
        let _ = writeln!(
            out,
            "hocvuso_job_queue_depth{{state=\"sending\"}} {sending}"
        );
    }
    out
}

/// `# HELP` and `# TYPE` lines of a metric.
pub fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A label value as the text format wants it (backslash, quote and line break escaped).
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_counts_cumulatively() {
        let mut h = Histogram::new(&[1.0, 2.0]);
        for v in [0.5, 1.0, 1.5, 3.0] {
            h.observe(v);
        }
        let mut out = String::new();
        h.render(&mut out, "x", "a=\"b\"");
        assert_eq!(
            out,
            "x_bucket{a=\"b\",le=\"1\"} 2\nx_bucket{a=\"b\",le=\"2\"} 3\n\
             x_bucket{a=\"b\",le=\"+Inf\"} 4\nx_sum{a=\"b\"} 6\nx_count{a=\"b\"} 4\n"
        );
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
