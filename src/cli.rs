//! The command line: `check`, `fix`, `entries`, `rules`, `init`, `completions` and
//! `man`. `run` returns the exit code; errors that stop a file are printed as one
//! line each and make the code 2. A reader that goes away (`paperlint entries | head`)
//! ends the run quietly with exit 0, as it does for other Unix tools.

use crate::config::Config;
use crate::model::Severity;
use crate::report::entries::EntryRecord;
use crate::report::{self, Format, Report};
use crate::source::Source;
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
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
    /// Apply the fixes that can be applied safely.
    Fix(FixArgs),
    /// Print every extracted entry.
    Entries(EntriesArgs),
    /// List the rules with their default severities.
    Rules(RulesArgs),
    /// Set up paperlint in this repository: paperlint.toml and the two workflows.
    Init(InitArgs),
    /// Print the completion script for a shell.
    Completions(CompletionsArgs),
    /// Print the man page (roff).
    Man,
}

#[derive(Debug, Args)]
struct Common {
    /// Markdown files to read (default: `check.files` of the configuration, README.md).
    paths: Vec<PathBuf>,
    /// Configuration file (default: paperlint.toml or .paperlint.toml, here or in a
    /// folder above up to the repository root; else the built-in defaults).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
    format: RulesFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum RulesFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
struct InitArgs {
    /// The list to check (default: the markdown file with the most entries).
    #[arg(long, value_name = "FILE")]
    list: Option<PathBuf>,
    /// Overwrite files that exist.
    #[arg(long)]
    force: bool,
}

#[derive(Debug, Args)]
struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
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
    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Do not check URLs matching REGEX (repeatable), like `network.exclude`.
    #[arg(long, value_name = "REGEX")]
    exclude: Vec<String>,
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

#[derive(Debug, Args)]
struct FixArgs {
    #[command(flatten)]
    common: Common,
    /// Print a unified diff and write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Apply only the fixes of this rule (repeatable); default: `fix.rules`.
    #[arg(long = "rule", value_name = "ID")]
    rules: Vec<String>,
    /// Use only the checks that need no network.
    #[arg(long)]
    offline: bool,
    /// Do not check URLs matching REGEX (repeatable), like `network.exclude`.
    #[arg(long, value_name = "REGEX")]
    exclude: Vec<String>,
    /// Print nothing but the diff or the summary of changes.
    #[arg(long, short)]
    quiet: bool,
    /// Inside GitHub Actions: propose the fixes as one pull request (updated on later
    /// runs, closed when nothing is left to fix) instead of writing files.
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
    /// Write the entries to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
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
    // Masked in everything printed, whatever the command and its shape.
    for var in ["GITHUB_TOKEN", "GH_TOKEN"] {
        if let Ok(token) = std::env::var(var) {
            crate::output::register_secret(&token);
        }
    }
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
        // The reader went away (`| head`): what it wanted, it got.
        Err(e) if closed_pipe(&e) => exit::OK,
        Err(e) => {
            crate::output::say(crate::output::error_line(&e));
            exit::TROUBLE
        }
    }
}

/// Whether an error is a write to a pipe whose reader has gone.
fn closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Check(args) => check(args),
        Command::Fix(args) => fix(args),
        Command::Entries(args) => entries(args),
        Command::Rules(args) => rules(args),
        Command::Init(args) => init(args),
        Command::Completions(args) => {
            let mut out = stdout();
            clap_complete::generate(args.shell, &mut Cli::command(), "paperlint", &mut out);
            out.flush()?;
            Ok(exit::OK)
        }
        Command::Man => {
            let mut out = stdout();
            clap_mangen::Man::new(Cli::command()).render(&mut out)?;
            for sub in Cli::command().get_subcommands() {
                let name = format!("paperlint-{}", sub.get_name());
                clap_mangen::Man::new(sub.clone().name(name)).render(&mut out)?;
            }
            out.flush()?;
            Ok(exit::OK)
        }
    }
}

/// `paperlint rules`: one line per rule, or a JSON array.
fn rules(args: RulesArgs) -> anyhow::Result<u8> {
    let mut out = stdout();
    match args.format {
        RulesFormat::Text => {
            for r in crate::model::RULES {
                writeln!(out, "{:<20} {:<8} {}", r.name, r.default, r.summary)?;
            }
        }
        RulesFormat::Json => {
            let rules: Vec<serde_json::Value> = crate::model::RULES
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.name,
                        "default": r.default.to_string(),
                        "summary": r.summary,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &rules)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(exit::OK)
}

/// `paperlint init`: the configuration and the workflows, at the repository root.
fn init(args: InitArgs) -> anyhow::Result<u8> {
    let cwd = std::env::current_dir()?;
    let config = Config::default();
    let setup = match crate::init::plan(&cwd, args.list.as_deref(), &config)
        .and_then(|setup| crate::init::write(&setup, args.force).map(|()| setup))
    {
        Ok(setup) => setup,
        Err(e) => {
            eprintln!("paperlint: {e}");
            return Ok(exit::TROUBLE);
        }
    };
    let mut out = stdout();
    for (path, _) in &setup.files {
        writeln!(out, "wrote {}", setup.root.join(path).display())?;
    }
    writeln!(
        out,
        "checking {} with {}; commit these files to turn the workflows on",
        setup.list,
        crate::init::action_ref()
    )?;
    Ok(exit::OK)
}

/// The configuration and the lists to read: the paths given, else `check.files`
/// (relative to the configuration file that names them).
struct Setup {
    config: Config,
    paths: Vec<PathBuf>,
    /// Whether the paths are the defaults rather than named on the command line.
    defaulted: bool,
}

fn load_config(common: &Common) -> anyhow::Result<Setup> {
    let cwd = std::env::current_dir()?;
    let (config, file) = Config::discover(common.config.as_deref(), &cwd)?;
    if !common.paths.is_empty() {
        return Ok(Setup {
            config,
            paths: common.paths.clone(),
            defaulted: false,
        });
    }
    let base = file
        .as_deref()
        .and_then(Path::parent)
        .map(|dir| cwd.join(dir))
        .unwrap_or_else(|| cwd.clone());
    let paths = config
        .check
        .files
        .iter()
        .map(|name| {
            let path = base.join(name);
            // Named from the working directory when it is below it, as a person would.
            path.strip_prefix(&cwd)
                .map_or(path.clone(), Path::to_path_buf)
        })
        .collect();
    Ok(Setup {
        config,
        paths,
        defaulted: true,
    })
}

/// Adds `--exclude` patterns to `network.exclude`, refusing a bad one by name.
fn add_excludes(config: &mut Config, exclude: &[String]) -> anyhow::Result<()> {
    for pattern in exclude {
        if let Err(e) = regex::Regex::new(pattern) {
            let why = e.to_string();
            let why = why.lines().last().unwrap_or_default().trim();
            anyhow::bail!("--exclude {pattern}: not a regular expression ({why})");
        }
        config.network.exclude.push(pattern.clone());
    }
    Ok(())
}

/// Reads every path; unreadable ones are reported on stderr and counted. With
/// `warm_venues`, the venue model is built meanwhile.
fn load_sources(setup: &Setup, warm_venues: bool) -> (Vec<Source>, usize) {
    // The venue model (about sixty regexes to compile, a quarter of the instructions
    // of checking 2,000 links) is needed by extraction (bullets) and the rules (a
    // venue spelled two ways, the network findings). Offline, it is built on its own
    // thread while the files are read and parsed, so that it is ready when they first
    // ask. Online, that thread would take a core from the first requests, and a list
    // without bullets or venue cells never needs the model: it is built when first
    // asked for.
    if warm_venues {
        std::thread::spawn(|| {
            crate::venue::VenueModel::builtin();
        });
    }
    let mut sources = Vec::new();
    let mut failed = 0;
    for path in &setup.paths {
        match Source::load(path, setup.config.check.max_file_size) {
            Ok(s) => sources.push(s),
            Err(e) if setup.defaulted && !path.exists() => {
                eprintln!(
                    "paperlint: no {} here: name the list (paperlint check FILE) or set check.files in paperlint.toml",
                    path.display()
                );
                let _ = e;
                failed += 1;
            }
            Err(e) => {
                crate::output::say(&e);
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
            write(&mut crate::output::Masked::new(anstream::StripStream::new(
                &mut buf,
            )))?;
            std::fs::write(path, buf)
                .map_err(|e| anyhow::anyhow!("{}: cannot write output: {e}", path.display()))?;
        }
        None => {
            let mut out = stdout();
            write(&mut out)?;
            out.flush()?;
        }
    }
    Ok(())
}

/// Standard output, locked once and buffered, colours kept or stripped as the real
/// terminal allows: a report goes out in a few large writes instead of one per line
/// (`std`'s stdout flushes at every newline). Callers flush before they return.
fn stdout() -> anstream::AutoStream<Box<dyn Write>> {
    let stdout = std::io::stdout();
    let choice = anstream::AutoStream::choice(&stdout);
    // Secrets are masked on their way out, whatever writes them.
    let buffered: Box<dyn Write> = Box::new(crate::output::Masked::new(
        std::io::BufWriter::with_capacity(64 * 1024, stdout.lock()),
    ));
    anstream::AutoStream::new(buffered, choice)
}

/// How the network stages run for a command.
#[derive(Debug, Clone, Copy)]
struct Stages {
    /// A progress bar and summary lines on stderr.
    interactive: bool,
    /// Every link checked, not only the landing pages the registries need.
    check_links: bool,
}

/// Reads every file on every core with `read` (handed the network stages' feed when
/// they run, `stages`), the network stages taking each file's links as it is read;
/// then runs `beside` on what was read while the network stages are still at work.
/// Returns what `read` made of each file (in file order), what `beside` made, and the
/// network stages' result.
fn read_beside_network<'s, T: Send, R>(
    sources: &'s [Source],
    config: &Config,
    stages: Option<Stages>,
    read: impl Fn(&'s Source, Option<&crate::online::Feed>) -> T + Sync,
    beside: impl FnOnce(&[T]) -> R,
) -> (Vec<T>, R, Option<anyhow::Result<crate::online::Online>>) {
    std::thread::scope(|scope| {
        let (feed, network) = match stages {
            Some(Stages {
                interactive,
                check_links,
            }) => {
                let (feed, intake) = crate::online::feed();
                let network = scope.spawn(move || {
                    crate::online::bring_up(intake, config, interactive, check_links)
                });
                (Some(feed), Some(network))
            }
            None => (None, None),
        };
        let read =
            crate::pipeline::in_parallel(sources, |s| s.text.len(), |s| read(s, feed.as_ref()));
        // The list is complete: the registries can start.
        drop(feed);
        let made = beside(&read);
        let network = network.map(|n| {
            n.join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
        (read, made, network)
    })
}

/// The entries of one file, each batch's links sent to `feed` as the file is read (a
/// long file's first links leave while the rest of it is parsed).
fn read_entries<'s>(
    source: &'s Source,
    config: &Config,
    feed: Option<&crate::online::Feed>,
) -> Vec<crate::model::Entry<'s>> {
    match feed {
        Some(feed) => crate::pipeline::entries_in_batches(source, config, |batch| feed.send(batch)),
        None => crate::pipeline::entries(source, config),
    }
}

/// The network stages' result: `None` when they did not run, or could not (then said
/// once, the offline report kept, and `failed` counted).
fn network_result(
    network: Option<anyhow::Result<crate::online::Online>>,
    failed: &mut usize,
) -> Option<crate::online::Online> {
    match network? {
        Ok(online) => Some(online),
        Err(e) => {
            // No network (or no runtime): say so once, keep the offline report.
            crate::output::say(crate::output::error_line(&e));
            *failed += 1;
            None
        }
    }
}

/// An online `check` of lists up to this size (all files together, in bytes) keeps
/// their entries through the network run and makes the link and paper findings from
/// them; a larger one keeps none and reads its files a second time for those findings
/// (`gather_as_read`). `entries` writes a file over this size as it reads it.
///
/// Entries cost up to about eight times their list (short rows): at most about 32 MB
/// here, less than the network stages' own state for the same links. The second
/// parse costs about 90 ms of CPU per MB, all of it after the last answer: at 1 MiB,
/// a list of 20,000 links (1.2 MB) finished 110 ms later than with its entries kept,
/// 5 % of its run.
pub const ENTRIES_KEPT_UP_TO: usize = 4 << 20;

/// Everything `check` and `fix` learn about the files: per file, its source, entries
/// and findings (offline rules, then link and paper findings when online). The
/// entries borrow from the sources, which the caller loaded and keeps; an offline
/// run that does not ask for them keeps none (see [`gather`]).
struct Gathered<'s> {
    files: Vec<(&'s Source, crate::pipeline::Linted<'s>)>,
    /// Entries and links read, in all files.
    entries: usize,
    links: usize,
    online: Option<crate::online::Online>,
    /// 1 when the network stages could not run, else 0.
    failed: usize,
    /// Findings silenced by suppression comments in the files.
    silenced: usize,
}

/// Reads, lints and (unless `offline`) checks the files, keeping their entries: the
/// network findings and `fix` need them once the rules are done. An offline `check`
/// needs none of them: see [`gather_as_read`].
fn gather<'s>(config: &Config, sources: &'s [Source], offline: bool, quiet: bool) -> Gathered<'s> {
    let mut failed = 0;
    let size = |s: &Source| s.text.len();
    let stages = (!offline).then_some(Stages {
        interactive: !quiet,
        check_links: true,
    });
    let read = |s, feed: Option<&_>| read_entries(s, config, feed);
    let (entries, findings, network) =
        read_beside_network(sources, config, stages, read, |files| {
            for (source, e) in sources.iter().zip(files) {
                say_if_empty(source, e.len(), quiet);
            }
            // The offline rules and the suppression comments need nothing from the
            // network: they are done beside it.
            let files: Vec<(&Source, &Vec<crate::model::Entry>)> =
                sources.iter().zip(files).collect();
            crate::pipeline::in_parallel(
                &files,
                |(s, _)| size(s),
                |(s, e)| {
                    let comments = crate::suppress::Suppressions::parse(&s.text);
                    (crate::rules::lint(s, e, config), comments)
                },
            )
        });
    let online = network_result(network, &mut failed);
    // Link and paper findings exist only where the network stages ran.
    let network_findings = |(source, entries): &(&Source, &Vec<crate::model::Entry>)| {
        online.as_ref().map_or_else(Vec::new, |results| {
            results.findings(source, entries, config)
        })
    };
    let pairs: Vec<(&Source, &Vec<crate::model::Entry>)> = sources.iter().zip(&entries).collect();
    let more = crate::pipeline::in_parallel(&pairs, |(s, _)| size(s), network_findings);
    drop(pairs);
    let mut silenced = 0;
    let entry_count = entries.iter().map(Vec::len).sum();
    let link_count = entries.iter().flatten().map(|e| e.links.len()).sum();
    let files = sources
        .iter()
        .zip(entries.into_iter().zip(findings).zip(more))
        .map(|(source, ((entries, (mut findings, comments)), more))| {
            crate::rules::join_in_source_order(&mut findings, more);
            silenced += suppress(source, &comments, &mut findings, quiet);
            (source, crate::pipeline::Linted { entries, findings })
        })
        .collect();
    Gathered {
        files,
        entries: entry_count,
        links: link_count,
        online,
        failed,
        silenced,
    }
}

/// [`gather`] for a `check`, each file linted as it is read
/// (`pipeline::lint_as_read`, `lint_handing_on`): the files' entries are counted, not
/// kept. Online, each batch's links go to the network stages as it is read, and once
/// they are done each file is read again for the link and paper findings
/// (`online::Online::findings_as_read`): a second parse instead of every entry kept
/// through the network run.
fn gather_as_read<'s>(
    config: &Config,
    sources: &'s [Source],
    online: bool,
    quiet: bool,
) -> Gathered<'s> {
    let size = |s: &Source| s.text.len();
    let stages = online.then_some(Stages {
        interactive: !quiet,
        check_links: true,
    });
    let read = |s: &Source, feed: Option<&crate::online::Feed>| {
        let tally = match feed {
            Some(feed) => crate::pipeline::lint_handing_on(s, config, |batch| feed.send(batch)),
            None => crate::pipeline::lint_as_read(s, config),
        };
        (tally, crate::suppress::Suppressions::parse(&s.text))
    };
    let (tallies, (), network) = read_beside_network(sources, config, stages, read, |tallies| {
        for (source, (tally, _)) in sources.iter().zip(tallies) {
            say_if_empty(source, tally.entries, quiet);
        }
    });
    let mut failed = 0;
    let online = network_result(network, &mut failed);
    if online.is_some() {
        // What the first read and the requests freed goes back before the second read
        // (a long list's peak is the second read, once its findings are made).
        crate::memory::give_back_freed();
    }
    // Link and paper findings exist only where the network stages ran.
    let more = match &online {
        Some(results) => {
            crate::pipeline::in_parallel(sources, size, |s| results.findings_as_read(s, config))
        }
        None => Vec::new(),
    };
    let mut more = more.into_iter();
    let (mut silenced, mut entries, mut links) = (0, 0, 0);
    let files = sources
        .iter()
        .zip(tallies)
        .map(|(source, (mut tally, comments))| {
            entries += tally.entries;
            links += tally.links;
            if let Some(more) = more.next().filter(|more| !more.is_empty()) {
                // The offline findings are in this order already: without network
                // findings there is nothing to sort.
                crate::rules::join_in_source_order(&mut tally.findings, more);
            }
            silenced += suppress(source, &comments, &mut tally.findings, quiet);
            let linted = crate::pipeline::Linted {
                entries: Vec::new(),
                findings: tally.findings,
            };
            (source, linted)
        })
        .collect();
    Gathered {
        files,
        entries,
        links,
        online,
        failed,
        silenced,
    }
}

/// Unless `quiet`, says that a file where no entry was found (`entries` is 0) has
/// no tables or links: most likely the wrong file was named.
fn say_if_empty(source: &Source, entries: usize, quiet: bool) {
    if entries == 0 && !quiet {
        crate::output::say(format_args!(
            "{}: no tables or links found",
            source.display_path()
        ));
    }
}

/// Drops the findings the file's suppression comments silence; returns how many.
/// A rule name in a comment that names no rule or family is a typo worth a warning.
fn suppress(
    source: &Source,
    comments: &crate::suppress::Suppressions,
    findings: &mut Vec<crate::model::Finding>,
    quiet: bool,
) -> usize {
    if comments.is_empty() {
        return 0;
    }
    if !quiet {
        for (line, name) in comments.named_rules() {
            let known = crate::model::RULES
                .iter()
                .any(|r| r.name == name || r.name.split('/').next() == Some(name));
            if !known {
                eprintln!(
                    "paperlint: {}:{line}: warning: `{name}` in a paperlint comment is not a rule (see `paperlint rules`)",
                    source.display_path()
                );
            }
        }
    }
    let before = findings.len();
    findings.retain(|f| !comments.silences(f.line, f.rule.as_str()));
    before - findings.len()
}

fn check(args: CheckArgs) -> anyhow::Result<u8> {
    let mut setup = load_config(&args.common)?;
    add_excludes(&mut setup.config, &args.exclude)?;
    if args.github {
        setup.config = trusted_config(setup.config, &args.common)?;
    }
    let (loaded, unread) = load_sources(&setup, args.offline);
    let listed: usize = loaded.iter().map(|s| s.text.len()).sum();
    let Gathered {
        mut files,
        entries,
        links,
        online,
        mut failed,
        silenced,
    } = if args.offline || listed > ENTRIES_KEPT_UP_TO {
        gather_as_read(&setup.config, &loaded, !args.offline, args.quiet)
    } else {
        gather(&setup.config, &loaded, false, args.quiet)
    };
    failed += unread;
    let Setup { config, paths, .. } = setup;
    if files.is_empty() && failed > 0 && !args.github {
        // Nothing could be read: there is no report to give, only the reasons above.
        // (On GitHub the bot still says that it left its issue or comment alone.)
        return Ok(exit::TROUBLE);
    }
    let sources: Vec<&Source> = files.iter().map(|(s, _)| *s).collect();
    // The findings move into the report: no second copy of them while it is rendered.
    let mut findings: Vec<crate::model::Finding> = Vec::new();
    for (_, linted) in files.iter_mut() {
        if findings.is_empty() {
            // Moved, not copied: a long list's findings exist once.
            findings = std::mem::take(&mut linted.findings);
        } else {
            findings.append(&mut linted.findings);
        }
    }
    let mut left_alone = Vec::new();
    if args.github {
        let files: Vec<String> = sources.iter().map(|s| s.display_path()).collect();
        // Files named but not read (exit 2): their issue or comment stays as it was.
        let unreadable: Vec<String> = paths
            .iter()
            .filter(|p| !sources.iter().any(|s| &s.path == *p))
            .map(|p| p.display().to_string())
            .collect();
        match github_side(&config, &files, &unreadable, findings.clone()) {
            Ok(outcome) => {
                left_alone = outcome.summary.clone();
                let mut out = crate::output::Masked::new(std::io::stdout());
                for notice in &outcome.notices {
                    writeln!(out, "{}", crate::github::actions::notice(notice))?;
                }
                write!(out, "{}", outcome.annotations)?;
                out.flush()?;
                findings = outcome.findings;
            }
            Err(e) => {
                crate::output::say(crate::output::error_line(&e));
                failed += 1;
            }
        }
    }
    let mut report = Report::new(sources.len(), entries, links, findings);
    report.summary.silenced = silenced;
    report.summary.network = online.as_ref().map(|o| o.links.stats.clone());
    report.summary.metadata = online.as_ref().and_then(|o| o.meta.clone());
    write_output(args.output.as_deref(), |out| {
        report::render(&report, args.format, out)
    })?;
    if args.github {
        let files = crate::github::actions::Files::from_env();
        files.write(&report)?;
        files.note(&left_alone)?;
    }
    let threshold = match args.fail_on {
        Some(FailOn::Error) => Some(Severity::Error),
        Some(FailOn::Warning) => Some(Severity::Warning),
        Some(FailOn::Info) => Some(Severity::Info),
        Some(FailOn::Never) => None,
        None => Some(config.check.fail_on),
    };
    let code = if failed > 0 {
        exit::TROUBLE
    } else if threshold.is_some_and(|t| report.fails(t)) {
        exit::FINDINGS
    } else {
        exit::OK
    };
    // The process ends right after this: freeing every entry, link status and
    // finding one by one (tens of thousands of small allocations) would only delay
    // the exit; the system takes the memory back at once.
    drop(sources);
    std::mem::forget((files, online, report));
    Ok(code)
}

fn fix(args: FixArgs) -> anyhow::Result<u8> {
    use crate::fix;
    let mut setup = load_config(&args.common)?;
    add_excludes(&mut setup.config, &args.exclude)?;
    let only = args
        .rules
        .iter()
        .map(|rule| {
            crate::model::RuleId::from_name(rule).ok_or_else(|| {
                anyhow::anyhow!("--rule {rule}: no such rule (see `paperlint rules`)")
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let (loaded, unread) = load_sources(&setup, true);
    let Gathered {
        files, mut failed, ..
    } = gather(&setup.config, &loaded, args.offline, args.quiet);
    failed += unread;
    let config = setup.config;
    let mut repairs = Vec::new();
    for (source, linted) in files {
        let applied = fix::repair(source, &linted, &config, &only);
        for (edit, why) in &applied.skipped {
            crate::output::say(format_args!(
                "{}:{}: {} fix skipped: {why}",
                source.display_path(),
                edit.line,
                edit.rule
            ));
        }
        repairs.push(fix::Repair {
            fixed: applied.text,
            done: applied.done,
            source,
        });
    }
    if args.github {
        let env = crate::github::Env::from_env()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let said = runtime.block_on(crate::github::fixes::propose(&env, &config, &repairs))?;
        writeln!(crate::output::Masked::new(std::io::stdout()), "{said}")?;
        return Ok(if failed > 0 { exit::TROUBLE } else { exit::OK });
    }
    let mut out = stdout();
    for r in &repairs {
        let path = r.source.display_path();
        if r.done.is_empty() {
            continue;
        }
        if args.dry_run {
            write!(
                out,
                "{}",
                fix::unified_diff(&path, &r.source.text, &r.fixed)
            )?;
            continue;
        }
        match crate::source::write_atomic(&r.source.path, r.fixed.as_bytes()) {
            Ok(()) => {
                writeln!(out, "{path}: {}", crate::text::counted(r.done.len(), "fix"))?;
                if !args.quiet {
                    for e in &r.done {
                        writeln!(out, "  {path}:{}: {} ({})", e.line, e.reason, e.rule)?;
                    }
                }
            }
            Err(e) => {
                crate::output::say(format_args!(
                    "{path}: cannot write the fixes, the file is unchanged: {e}"
                ));
                failed += 1;
            }
        }
    }
    out.flush()?;
    let total: usize = repairs.iter().map(|r| r.done.len()).sum();
    if total == 0 && !args.quiet {
        crate::output::say("nothing to fix");
    }
    Ok(if failed > 0 { exit::TROUBLE } else { exit::OK })
}

/// In a pull-request run, the configuration with its reach (guard, endpoints,
/// `[github]`) taken from the base commit: the checkout may be the contributor's.
fn trusted_config(config: Config, common: &Common) -> anyhow::Result<Config> {
    let Ok(env) = crate::github::Env::from_env() else {
        // The GitHub side reports the missing environment itself.
        return Ok(config);
    };
    if !env.is_pull_request() {
        return Ok(config);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(crate::github::trust::trusted(
        &env,
        config,
        common.config.as_deref(),
    ))
}

/// The GitHub side of `check --github`.
fn github_side(
    config: &Config,
    files: &[String],
    unreadable: &[String],
    findings: Vec<crate::model::Finding>,
) -> anyhow::Result<crate::github::Outcome> {
    let env = crate::github::Env::from_env()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(crate::github::run(
        &env,
        &config.github,
        &config.network,
        files,
        unreadable,
        findings,
    ))
}

fn entries(args: EntriesArgs) -> anyhow::Result<u8> {
    let setup = load_config(&args.common)?;
    let (sources, mut failed) = load_sources(&setup, !args.resolve);
    let config = setup.config;
    if sources.is_empty() && failed > 0 {
        return Ok(exit::TROUBLE);
    }
    let mut papers = std::collections::BTreeMap::new();
    let stages = args.resolve.then_some(Stages {
        interactive: false,
        check_links: false,
    });
    // A file over `ENTRIES_KEPT_UP_TO` keeps no entry: its links go to the network
    // stages as it is read (with --resolve), and it is read again, batch by batch, as
    // its records are written. The others are extracted on every core meanwhile.
    let streamed = |s: &Source| s.text.len() > ENTRIES_KEPT_UP_TO;
    let read = |s, feed: Option<&_>| {
        if !streamed(s) {
            return read_entries(s, &config, feed);
        }
        if let Some(feed) = feed {
            crate::extract::for_each_batch(&s.text, &config.columns, |batch| feed.send(&batch));
        }
        Vec::new()
    };
    let (per_file, (), network) = read_beside_network(&sources, &config, stages, read, |_| ());
    if let Some(online) = network_result(network, &mut failed) {
        papers = online.papers;
    }
    let format = match args.format {
        EntriesFormat::Json => report::entries::Format::Json,
        EntriesFormat::Csv => report::entries::Format::Csv,
        EntriesFormat::Bibtex => report::entries::Format::Bibtex,
    };
    write_output(args.output.as_deref(), |out| {
        let mut records = report::entries::Records::new(format, out)?;
        for (source, entries) in sources.iter().zip(&per_file) {
            let name = source.display_path();
            if !streamed(source) {
                for e in entries {
                    records.push(&EntryRecord::new(source, &name, e).with_paper(e, &papers))?;
                }
                continue;
            }
            let mut written = Ok(());
            crate::extract::for_each_batch(&source.text, &config.columns, |batch| {
                for e in &batch {
                    if written.is_ok() {
                        let record = EntryRecord::new(source, &name, e).with_paper(e, &papers);
                        written = records.push(&record);
                    }
                }
            });
            written?;
        }
        records.finish()
    })?;
    Ok(if failed > 0 { exit::TROUBLE } else { exit::OK })
}
