//! The command line: `check`, `entries` and `rules`. [`run`] returns the exit code;
//! errors that stop a file are printed as one line each and make the code 2.

use crate::config::Config;
use crate::finding::Severity;
use crate::report::entries::EntryRecord;
use crate::report::{self, Format, Report};
use crate::source::Source;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Link-health and metadata checker for curated lists of research papers.
#[derive(Debug, Parser)]
#[command(name = "paperlint", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check paper lists and report what is broken.
    Check(CheckArgs),
    /// Print every extracted entry.
    Entries(EntriesArgs),
    /// List the rules with their default severities.
    Rules,
}

#[derive(Debug, Args)]
struct Common {
    /// Markdown files to read.
    #[arg(default_value = "README.md")]
    paths: Vec<PathBuf>,
    /// Configuration file (default: paperlint.toml, else config.toml, else built-in).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Write the output to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct CheckArgs {
    #[command(flatten)]
    common: Common,
    /// Run only the checks that need no network.
    #[arg(long)]
    offline: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Exit 1 when a finding is at or above this severity (default: check.fail_on).
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Print nothing but the report.
    #[arg(long, short)]
    quiet: bool,
    /// Inside GitHub Actions: open or update tracking issues (scheduled runs), or a
    /// sticky comment and annotations for the rows a pull request changes.
    #[arg(long)]
    github: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum EntriesFormat {
    Json,
    Csv,
    Bibtex,
}

#[derive(Debug, Args)]
struct EntriesArgs {
    #[command(flatten)]
    common: Common,
    /// Output format.
    #[arg(long, value_enum, default_value_t = EntriesFormat::Json)]
    format: EntriesFormat,
    /// Resolve each paper through its registry (arXiv, Crossref, landing page) and
    /// include the metadata.
    #[arg(long)]
    resolve: bool,
}

/// Exit codes: the interface other tools rely on.
pub mod exit {
    /// No finding at or above the failing severity.
    pub const OK: u8 = 0;
    /// There are such findings.
    pub const FINDINGS: u8 = 1;
    /// It could not run (missing file, bad config, unreadable input).
    pub const TROUBLE: u8 = 2;
}

/// Parses the arguments and runs; returns the exit code.
pub fn main() -> u8 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::TROUBLE
            } else {
                exit::OK
            };
            let _ = e.print();
            return code;
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("paperlint: {e:#}");
            exit::TROUBLE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Check(args) => check(args),
        Command::Entries(args) => entries(args),
        Command::Rules => {
            let mut out = anstream::stdout();
            for r in crate::rules::RULES {
                writeln!(out, "{:<20} {:<8} {}", r.id, r.default, r.summary)?;
            }
            Ok(exit::OK)
        }
    }
}

fn load_config(common: &Common) -> anyhow::Result<Config> {
    let cwd = std::env::current_dir()?;
    let (config, _) = Config::discover(common.config.as_deref(), &cwd)?;
    Ok(config)
}

/// Reads every path; unreadable ones are reported on stderr and counted.
fn load_sources(paths: &[PathBuf], config: &Config) -> (Vec<Source>, usize) {
    let mut sources = Vec::new();
    let mut failed = 0;
    for path in paths {
        match Source::load(path, config.check.max_file_size) {
            Ok(s) => sources.push(s),
            Err(e) => {
                eprintln!("paperlint: {e}");
                failed += 1;
            }
        }
    }
    (sources, failed)
}

fn write_output(
    output: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    match output {
        Some(path) => {
            let mut buf = Vec::new();
            write(&mut anstream::StripStream::new(&mut buf))?;
            std::fs::write(path, buf)
                .map_err(|e| anyhow::anyhow!("{}: cannot write output: {e}", path.display()))?;
        }
        None => {
            let mut out = anstream::stdout();
            write(&mut out)?;
            out.flush()?;
        }
    }
    Ok(())
}

fn check(args: CheckArgs) -> anyhow::Result<u8> {
    let config = load_config(&args.common)?;
    let (sources, mut failed) = load_sources(&args.common.paths, &config);
    let linted: Vec<crate::Linted> = sources.iter().map(|s| crate::lint(s, &config)).collect();
    for (source, l) in sources.iter().zip(&linted) {
        if l.entries.is_empty() && !args.quiet {
            eprintln!(
                "paperlint: {}: no tables or links found",
                source.display_path()
            );
        }
    }
    let mut online = None;
    if !args.offline {
        match go_online(&linted, &config, !args.quiet, true) {
            Ok(o) => online = Some(o),
            Err(e) => {
                // No network (or no runtime): say so once, keep the offline report.
                eprintln!("paperlint: {e:#}");
                failed += 1;
            }
        }
    }
    let empty = crate::online::Online::default();
    let results = online.as_ref().unwrap_or(&empty);
    let (mut entries, mut links, mut findings) = (0, 0, Vec::new());
    for (source, l) in sources.iter().zip(linted) {
        entries += l.entries.len();
        links += l.entries.iter().map(|e| e.links.len()).sum::<usize>();
        let mut file_findings = l.findings;
        file_findings.extend(crate::rules::link_findings(
            source,
            &l.entries,
            &results.links.results,
            &config,
        ));
        file_findings.extend(crate::rules::paper_findings(
            source,
            &l.entries,
            &results.papers,
            &config,
        ));
        file_findings.sort_by(|a, b| (a.offset, a.rule).cmp(&(b.offset, b.rule)));
        findings.extend(file_findings);
    }
    if args.github {
        let files: Vec<String> = sources.iter().map(|s| s.display_path()).collect();
        match github_side(&config, &files, findings.clone()) {
            Ok(outcome) => {
                for notice in &outcome.notices {
                    println!(
                        "::notice title=paperlint::{}",
                        notice.replace('%', "%25").replace('\n', "%0A")
                    );
                }
                print!("{}", outcome.annotations);
                findings = outcome.findings;
            }
            Err(e) => {
                eprintln!("paperlint: {e:#}");
                failed += 1;
            }
        }
    }
    let mut report = Report::new(sources.len(), entries, links, findings);
    report.summary.network = online.as_ref().map(|o| o.links.stats.clone());
    report.summary.metadata = online.as_ref().and_then(|o| o.meta.clone());
    write_output(args.common.output.as_deref(), |out| {
        report::render(&report, args.format, out)
    })?;
    if args.github {
        actions_files(&report)?;
    }
    let threshold = match args.fail_on {
        Some(FailOn::Error) => Some(Severity::Error),
        Some(FailOn::Warning) => Some(Severity::Warning),
        Some(FailOn::Info) => Some(Severity::Info),
        Some(FailOn::Never) => None,
        None => Some(config.check.fail_on),
    };
    Ok(if failed > 0 {
        exit::TROUBLE
    } else if threshold.is_some_and(|t| report.fails(t)) {
        exit::FINDINGS
    } else {
        exit::OK
    })
}

/// The GitHub side of `check --github`.
fn github_side(
    config: &Config,
    files: &[String],
    findings: Vec<crate::finding::Finding>,
) -> anyhow::Result<crate::github::Outcome> {
    let env = crate::github::Env::from_env()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(crate::github::run(&env, &config.github, files, findings))
}

/// Appends the job summary (`GITHUB_STEP_SUMMARY`) and the counts (`GITHUB_OUTPUT`).
fn actions_files(report: &Report) -> anyhow::Result<()> {
    use std::io::Write as _;
    let append = |var: &str, text: &[u8]| -> anyhow::Result<()> {
        if let Some(path) = std::env::var_os(var).filter(|p| !p.is_empty()) {
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(|e| {
                    anyhow::anyhow!("{var}: cannot open {}: {e}", PathBuf::from(&path).display())
                })?;
            file.write_all(text)?;
        }
        Ok(())
    };
    let mut summary = Vec::new();
    report::render(report, Format::Markdown, &mut summary)?;
    append("GITHUB_STEP_SUMMARY", &summary)?;
    let s = &report.summary;
    append(
        "GITHUB_OUTPUT",
        format!(
            "findings={}\nerrors={}\nwarnings={}\n",
            s.findings, s.errors, s.warnings
        )
        .as_bytes(),
    )
}

/// Runs the network stages (papers through their registries, then links) over every
/// entry of every file, with the persistent cache.
fn go_online(
    linted: &[crate::Linted],
    config: &Config,
    interactive: bool,
    check_links: bool,
) -> anyhow::Result<crate::online::Online> {
    use std::io::IsTerminal;
    let cache_path =
        (!config.network.cache.is_empty()).then(|| PathBuf::from(&config.network.cache));
    let mut cache = cache_path
        .as_deref()
        .map(crate::check::cache::Cache::load)
        .unwrap_or_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let progress = interactive && std::io::stderr().is_terminal();
    let online = runtime.block_on(crate::online::run(
        linted,
        config,
        &mut cache,
        progress,
        check_links,
    ));
    // DNS lookups still pending in blocking threads must not hold up the exit.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    let online = online?;
    if let Some(path) = &cache_path
        && let Err(e) = cache.save(path)
    {
        eprintln!(
            "paperlint: warning: cannot write cache {}: {e}",
            path.display()
        );
    }
    if interactive {
        if check_links {
            eprintln!("paperlint: {}", report::network_line(&online.links.stats));
        }
        if let Some(m) = &online.meta {
            eprintln!("paperlint: {}", report::metadata_line(m));
        }
    }
    Ok(online)
}

fn entries(args: EntriesArgs) -> anyhow::Result<u8> {
    let config = load_config(&args.common)?;
    let (sources, mut failed) = load_sources(&args.common.paths, &config);
    let linted: Vec<crate::Linted> = sources
        .iter()
        .map(|s| {
            let entries = crate::entries(s, &config);
            crate::Linted {
                entries,
                findings: Vec::new(),
            }
        })
        .collect();
    let mut papers = std::collections::BTreeMap::new();
    if args.resolve {
        match go_online(&linted, &config, false, false) {
            Ok(online) => papers = online.papers,
            Err(e) => {
                eprintln!("paperlint: {e:#}");
                failed += 1;
            }
        }
    }
    let records: Vec<EntryRecord> = sources
        .iter()
        .zip(&linted)
        .flat_map(|(s, l)| {
            l.entries
                .iter()
                .map(|e| EntryRecord::new(s, e).with_paper(e, &papers))
                .collect::<Vec<_>>()
        })
        .collect();
    write_output(args.common.output.as_deref(), |out| match args.format {
        EntriesFormat::Json => report::entries::json(&records, out),
        EntriesFormat::Csv => report::entries::csv(&records, out),
        EntriesFormat::Bibtex => report::entries::bibtex(&records, out),
    })?;
    Ok(if failed > 0 { exit::TROUBLE } else { exit::OK })
}
