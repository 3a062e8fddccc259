//! `hocvuso-load`: the load generator of hocvuso's benchmarks. It runs as its own process and
//! talks HTTP/1.1 to a server on 127.0.0.1 (never anywhere else).
//!
//! * `get`: closed loop, C connections send the same GET for S seconds.
//! * `replay`: closed loop over a file of prepared requests, each sent once (until the file or
//!   the time runs out); `--repeat` cycles through the file instead. `--acks FILE` lists the
//!   tags of acknowledged requests (status 2xx/3xx). Connection errors are counted and the
//!   connection re-made, so it keeps going while a server is killed and restarted.
//! * `storm`: open loop, N prepared requests; request i is sent at i·T/N on a new connection,
//!   and its latency counts from that scheduled time.
//!
//! Every command ends with one line `RESULT key=value …` for scripts.
//! Request file: one request per line, tab-separated: METHOD, PATH, COOKIE, BODY, TAG.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

#[derive(Clone)]
struct Req {
    method: Method,
    path: String,
    cookie: String,
    body: Bytes,
    tag: String,
}

fn parse_file(path: &str) -> anyhow::Result<Vec<Req>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?;
    text.lines()
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, line)| {
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() != 5 {
                bail!("{path}:{}: expected 5 tab-separated fields", i + 1);
            }
            Ok(Req {
                method: f[0]
                    .parse()
                    .map_err(|_| anyhow!("{path}:{}: bad method", i + 1))?,
                path: f[1].to_owned(),
                cookie: f[2].to_owned(),
                body: Bytes::from(f[3].to_owned()),
                tag: f[4].to_owned(),
            })
        })
        .collect()
}

async fn connect(addr: SocketAddr) -> anyhow::Result<SendRequest<Full<Bytes>>> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

/// Sends one request and reads the whole response; returns the status.
async fn send(
    sender: &mut SendRequest<Full<Bytes>>,
    addr: SocketAddr,
    r: &Req,
) -> anyhow::Result<u16> {
    sender.ready().await?;
    let mut b = Request::builder()
        .method(r.method.clone())
        .uri(r.path.as_str())
        .header("host", addr.to_string());
    if !r.cookie.is_empty() {
        b = b.header("cookie", r.cookie.as_str());
    }
    if r.method == Method::POST {
        b = b.header("content-type", "application/x-www-form-urlencoded");
    }
    let res = sender
        .send_request(b.body(Full::new(r.body.clone()))?)
        .await?;
    let status = res.status().as_u16();
    res.into_body().collect().await?;
    Ok(status)
}

#[derive(Default)]
struct Stats {
    latencies_us: Vec<u64>,
    statuses: BTreeMap<u16, u64>,
    errors: u64,
    acks: Vec<String>,
}

impl Stats {
    fn merge(&mut self, o: Stats) {
        self.latencies_us.extend(o.latencies_us);
        for (k, v) in o.statuses {
            *self.statuses.entry(k).or_default() += v;
        }
        self.errors += o.errors;
        self.acks.extend(o.acks);
    }

    fn report(&mut self, name: &str, elapsed: Duration) {
        self.latencies_us.sort_unstable();
        let n = self.latencies_us.len();
        let pct = |p: f64| -> f64 {
            if n == 0 {
                return 0.0;
            }
            let i = ((p / 100.0) * n as f64).ceil() as usize;
            self.latencies_us[i.clamp(1, n) - 1] as f64 / 1000.0
        };
        let ok: u64 = self
            .statuses
            .iter()
            .filter(|(s, _)| (200..400).contains(*s))
            .map(|(_, c)| c)
            .sum();
        let statuses: Vec<String> = self
            .statuses
            .iter()
            .map(|(s, c)| format!("{s}:{c}"))
            .collect();
        println!(
            "RESULT scenario={name} requests={n} ok={ok} errors={} seconds={:.2} rps={:.0} p50_ms={:.2} p90_ms={:.2} p95_ms={:.2} p99_ms={:.2} max_ms={:.2} statuses={}",
            self.errors,
            elapsed.as_secs_f64(),
            n as f64 / elapsed.as_secs_f64().max(1e-9),
            pct(50.0),
            pct(90.0),
            pct(95.0),
            pct(99.0),
            pct(100.0),
            if statuses.is_empty() { "-".to_owned() } else { statuses.join(",") }
        );
    }
}

/// Closed loop: `connections` workers take requests from `next` until it runs out or time is up.
async fn closed_loop(
    addr: SocketAddr,
    reqs: Arc<Vec<Req>>,
    repeat: bool,
    connections: usize,
    seconds: f64,
) -> (Stats, Duration) {
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (reqs, next) = (reqs.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut st = Stats::default();
            let mut sender = None;
            while Instant::now() < deadline {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let r = if repeat {
                    &reqs[i % reqs.len()]
                } else if let Some(r) = reqs.get(i) {
                    r
                } else {
                    break;
                };
                if sender.is_none() {
                    match connect(addr).await {
                        Ok(s) => sender = Some(s),
                        Err(_) => {
                            st.errors += 1;
                            tokio::time::sleep(Duration::from_millis(20)).await;
                            continue;
                        }
                    }
                }
                let Some(s) = sender.as_mut() else { continue };
                let t = Instant::now();
                match send(s, addr, r).await {
                    Ok(status) => {
                        st.latencies_us.push(t.elapsed().as_micros() as u64);
                        *st.statuses.entry(status).or_default() += 1;
                        if (200..400).contains(&status) {
                            st.acks.push(r.tag.clone());
                        }
                    }
                    Err(_) => {
                        st.errors += 1;
                        sender = None;
                    }
                }
            }
            st
        }));
    }
    let mut all = Stats::default();
    for t in tasks {
        if let Ok(st) = t.await {
            all.merge(st);
        }
    }
    (all, start.elapsed())
}

/// Open loop: request i is due at start + i·within/N and goes on its own new connection.
async fn storm(addr: SocketAddr, reqs: Vec<Req>, within: Duration) -> (Stats, Duration) {
    let n = reqs.len().max(1) as u32;
    let start = Instant::now() + Duration::from_millis(200);
    let mut tasks = Vec::with_capacity(reqs.len());
    for (i, r) in reqs.into_iter().enumerate() {
        let due = start + within * i as u32 / n;
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep_until(due.into()).await;
            let result = async {
                let mut s = connect(addr).await?;
                send(&mut s, addr, &r).await
            }
            .await;
            (result.ok(), due.elapsed(), r.tag)
        }));
    }
    let mut st = Stats::default();
    for t in tasks {
        match t.await {
            Ok((Some(status), took, tag)) => {
                st.latencies_us.push(took.as_micros() as u64);
                *st.statuses.entry(status).or_default() += 1;
                if (200..400).contains(&status) {
                    st.acks.push(tag);
                }
            }
            _ => st.errors += 1,
        }
    }
    (st, start.elapsed())
}

fn arg<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

fn parsed<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> anyhow::Result<T> {
    match arg(args, name) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| anyhow!("{name}: cannot read {v:?}")),
    }
}

const USAGE: &str = "usage:
  hocvuso-load get    --addr 127.0.0.1:PORT --path /x [--cookie C] [--connections 32] [--seconds 10] [--name N]
  hocvuso-load replay --addr 127.0.0.1:PORT --file REQS [--repeat] [--connections 32] [--seconds 10] [--acks FILE] [--name N]
  hocvuso-load storm  --addr 127.0.0.1:PORT --file REQS [--within-ms 1000] [--acks FILE] [--name N]";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = args.first().map(String::as_str) else {
        bail!("{USAGE}");
    };
    let addr: SocketAddr = arg(&args, "--addr")
        .ok_or_else(|| anyhow!("--addr is required\n{USAGE}"))?
        .parse()?;
    if !addr.ip().is_loopback() {
        bail!("refusing to send load to {addr}: only loopback addresses are allowed");
    }
    let name = arg(&args, "--name").unwrap_or(cmd).to_owned();
    let (mut stats, elapsed) = match cmd {
        "get" => {
            let r = Req {
                method: Method::GET,
                path: arg(&args, "--path").unwrap_or("/").to_owned(),
                cookie: arg(&args, "--cookie").unwrap_or("").to_owned(),
                body: Bytes::new(),
                tag: String::new(),
            };
            closed_loop(
                addr,
                Arc::new(vec![r]),
                true,
                parsed(&args, "--connections", 32)?,
                parsed(&args, "--seconds", 10.0)?,
            )
            .await
        }
        "replay" => {
            let file = arg(&args, "--file").ok_or_else(|| anyhow!("--file is required"))?;
            closed_loop(
                addr,
                Arc::new(parse_file(file)?),
                args.iter().any(|a| a == "--repeat"),
                parsed(&args, "--connections", 32)?,
                parsed(&args, "--seconds", 10.0)?,
            )
            .await
        }
        "storm" => {
            let file = arg(&args, "--file").ok_or_else(|| anyhow!("--file is required"))?;
            let within = Duration::from_millis(parsed(&args, "--within-ms", 1000)?);
            storm(addr, parse_file(file)?, within).await
        }
        other => bail!("unknown command {other}\n{USAGE}"),
    };
    if let Some(path) = arg(&args, "--acks") {
        let mut text = stats.acks.join("\n");
        text.push('\n');
        std::fs::write(path, text).with_context(|| format!("writing {path}"))?;
    }
    stats.report(&name, elapsed);
    Ok(())
}
