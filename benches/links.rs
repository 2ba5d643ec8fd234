//! Link-checking benchmark: local servers with a fixed latency on loopback aliases
//! (127.0.0.10, .11, ... are distinct hosts), a generated list, and the release
//! `paperlint check` binary timed end to end, with its peak memory.
//!
//! Run: `cargo bench --bench links` (add `-- 5000 50` for N URLs over H hosts).
//! Scenarios: N URLs over H hosts at 50 ms latency with per-host concurrency 8; and one
//! host that answers 429 above 5 requests per second (expected: nothing broken, about
//! N/5 seconds). If `lychee` is on PATH it runs on the same list for comparison.

#[path = "../tests/it/server.rs"]
#[allow(dead_code)]
mod server;

use server::{Action, Server};
use std::collections::VecDeque;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn write_list(dir: &Path, urls: &[String]) -> std::path::PathBuf {
    let mut md = String::from("# Bench\n\n|Year|Title|\n|---|---|\n");
    for (i, u) in urls.iter().enumerate() {
        md.push_str(&format!("|2024|[Paper {i}]({u})|\n"));
    }
    let path = dir.join("README.md");
    std::fs::write(&path, md).unwrap();
    path
}

/// Runs the binary; returns (wall time, peak RSS in MB, parsed JSON report).
fn run_paperlint(dir: &Path, config: &str) -> (Duration, f64, serde_json::Value) {
    std::fs::write(dir.join("paperlint.toml"), config).unwrap();
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_paperlint"))
        .current_dir(dir)
        .args([
            "check",
            "--quiet",
            "--format",
            "json",
            "--fail-on",
            "never",
            "README.md",
        ])
        .output()
        .expect("run paperlint");
    let wall = started.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        wall,
        peak_child_rss_mb(),
        serde_json::from_slice(&out.stdout).expect("json report"),
    )
}

/// Largest resident set of any child waited for so far (Linux reports KiB).
fn peak_child_rss_mb() -> f64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given; RUSAGE_CHILDREN is always valid.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr());
        usage.assume_init()
    };
    usage.ru_maxrss as f64 / 1024.0
}

fn lychee(dir: &Path, hosts: usize) {
    if Command::new("lychee").arg("--version").output().is_err() {
        println!("lychee: not installed (cargo install lychee) — no comparison");
        return;
    }
    let started = Instant::now();
    let status = Command::new("lychee")
        .current_dir(dir)
        .args([
            "--no-progress",
            "--max-concurrency",
            &(hosts * 8).to_string(),
            "README.md",
        ])
        .output();
    println!(
        "lychee: {:.2}s ({:?})",
        started.elapsed().as_secs_f64(),
        status.map(|o| o.status)
    );
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n = args.first().copied().unwrap_or(2000);
    let hosts = args.get(1).copied().unwrap_or(20);
    let dir = tempfile::tempdir().unwrap();

    // Scenario 1: many hosts with latency.
    let mut servers = Vec::new();
    for h in 0..hosts {
        let ip = format!("127.0.0.{}", 10 + h);
        servers.push(
            Server::start(&ip, |_| Action::Respond {
                status: 200,
                headers: vec![],
                body: vec![],
                delay: Duration::from_millis(50),
            })
            .await,
        );
    }
    let urls: Vec<String> = (0..n)
        .map(|i| servers[i % hosts].url(&format!("/paper/{i}")))
        .collect();
    write_list(dir.path(), &urls);
    let config =
        "[network]\nallow_private = true\nhost_concurrency = 8\nconcurrency = 256\ncache = \"\"\n";
    let (wall, rss, report) = tokio::task::spawn_blocking({
        let dir = dir.path().to_path_buf();
        move || run_paperlint(&dir, config)
    })
    .await
    .unwrap();
    let requests: usize = servers.iter().map(|s| s.requests()).sum();
    println!(
        "latency: {n} URLs over {hosts} hosts at 50 ms, host_concurrency 8: {:.2}s wall, peak RSS {rss:.1} MB, {} ok, {requests} requests",
        wall.as_secs_f64(),
        report["summary"]["network"]["ok"]
    );
    lychee(dir.path(), hosts);
    drop(servers);

    // Scenario 2: a host that allows 5 requests per second.
    let limited_n = (n / 40).max(25);
    let window = Arc::new(Mutex::new(VecDeque::<Instant>::new()));
    let rejected = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (w, r) = (window.clone(), rejected.clone());
    let strict = Server::start("127.0.0.9", move |_| {
        let mut w = w.lock().unwrap();
        let now = Instant::now();
        if std::env::var_os("BENCH_TRACE").is_some() {
            eprintln!("{:?} window={}", now, w.len());
        }
        while w
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
        {
            w.pop_front();
        }
        if w.len() >= 5 {
            r.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            return Action::Respond {
                status: 429,
                headers: vec![("retry-after".into(), "1".into())],
                body: vec![],
                delay: Duration::ZERO,
            };
        }
        w.push_back(now);
        Action::status(200)
    })
    .await;
    let urls: Vec<String> = (0..limited_n)
        .map(|i| strict.url(&format!("/paper/{i}")))
        .collect();
    write_list(dir.path(), &urls);
    let config = "[network]\nallow_private = true\ncache = \"\"\n";
    let (wall, _, report) = tokio::task::spawn_blocking({
        let dir = dir.path().to_path_buf();
        move || run_paperlint(&dir, config)
    })
    .await
    .unwrap();
    let ideal = limited_n as f64 / 5.0;
    println!(
        "rate limit: {limited_n} URLs on a host allowing 5 req/s: {:.2}s wall, {:.2}s checking (ideal {ideal:.1}s, {:+.0}%), {} ok, {} broken, {} unverified, {} answered 429",
        wall.as_secs_f64(),
        report["summary"]["network"]["seconds"]
            .as_f64()
            .unwrap_or_default(),
        (wall.as_secs_f64() / ideal - 1.0) * 100.0,
        report["summary"]["network"]["ok"],
        report["summary"]["network"]["broken"],
        report["summary"]["network"]["unverified"],
        rejected.load(std::sync::atomic::Ordering::SeqCst)
    );
}
