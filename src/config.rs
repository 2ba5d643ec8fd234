//! The configuration file: discovery (`--config`, else `paperlint.toml` or
//! `.paperlint.toml` from the working directory up to the repository root, else the
//! defaults; never a `config.toml`, which is as likely a static site's), parsing with unknown keys rejected (naming the key and its line), and
//! the per-rule severities.

use crate::model::{RULES, RuleId, Severity};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The names configuration discovery looks for, in order. Only names that are
/// paperlint's own: a `config.toml` in a list's repository is as likely a static site's
/// (Hugo reads one), so it is read only when named with `--config`.
pub const DISCOVERED_NAMES: [&str; 2] = ["paperlint.toml", ".paperlint.toml"];

/// The configuration file discovery would use from `dir`: the nearest of
/// [`DISCOVERED_NAMES`] from `dir` up to the repository root.
pub fn discovered_file(dir: &Path) -> Option<PathBuf> {
    // Outside a repository, looking further up could pick up a stranger's file.
    let root = dir.ancestors().find(|d| d.join(".git").exists());
    let folders: Vec<&Path> = match root {
        Some(root) => dir
            .ancestors()
            .take_while(|d| d.starts_with(root))
            .collect(),
        None => vec![dir],
    };
    folders
        .into_iter()
        .flat_map(|d| DISCOVERED_NAMES.iter().map(move |name| d.join(name)))
        .find(|path| path.is_file())
}

/// A configuration problem, rendered as `file:line:column: message`.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file named by `--config` could not be read.
    #[error("{path}: cannot read config: {source}")]
    Read {
        /// The path.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML for this schema.
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        /// The path.
        path: String,
        /// 1-based line of the offending key or value.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong, naming the key.
        message: String,
    },
}

/// A severity as the config writes it: a level, or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Report as info.
    Info,
    /// Report as warning.
    Warning,
    /// Report as error.
    Error,
    /// Do not run the rule.
    Off,
}

impl Level {
    /// The severity, or `None` for `off`.
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Info => Some(Severity::Info),
            Level::Warning => Some(Severity::Warning),
            Level::Error => Some(Severity::Error),
            Level::Off => None,
        }
    }
}

/// The whole configuration. Every field has a default; see `config.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `[check]`: what a run reads and when it fails.
    pub check: CheckConfig,
    /// `[rules]`: severity per rule id, or `off`.
    pub rules: BTreeMap<String, Level>,
    /// `[columns]`: header names that identify each column.
    pub columns: ColumnConfig,
    /// `[venues]`: preferred spellings.
    pub venues: VenueConfig,
    /// `[network]`: how links are checked over the network.
    pub network: NetworkConfig,
    /// `[metadata]`: the registries papers are resolved through.
    pub metadata: MetadataConfig,
    /// `[github]`: what `check --github` writes to GitHub.
    pub github: GitHubConfig,
    /// `[fix]`: which repairs `paperlint fix` applies.
    pub fix: FixConfig,
}

/// `[fix]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FixConfig {
    /// Rules whose fixes are applied by default (ids checked against the registry).
    pub rules: Vec<RuleId>,
    /// Also replace titles with the registry's (`paper/title-mismatch`).
    pub titles: bool,
    /// Also re-sort tables that `entry/order` finds out of order.
    pub sort: bool,
    /// Also rewrite arXiv PDF links (`/pdf/ID.pdf`) to abstract pages (`/abs/ID`).
    pub arxiv_abs: bool,
    /// Rewrite stale venue cells (`arXiv`, a wrong edition) to where the paper was
    /// published, in the list's own style (`paper/published`, `paper/year-mismatch`).
    pub venues: bool,
    /// The branch `fix --github` proposes its pull request from.
    pub branch: String,
}

impl Default for FixConfig {
    fn default() -> Self {
        FixConfig {
            rules: vec![
                RuleId::UrlMalformed,
                RuleId::LinkRedirect,
                RuleId::VenueSpelling,
            ],
            titles: false,
            sort: false,
            arxiv_abs: false,
            venues: false,
            branch: "paperlint/fixes".into(),
        }
    }
}

/// How scheduled runs track problems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IssueMode {
    /// One tracking issue per checked file.
    Single,
    /// One issue per broken or malformed row.
    PerRow,
}

/// `[github]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GitHubConfig {
    /// `single` or `per-row`.
    pub issues: IssueMode,
    /// The label of paperlint's issues.
    pub label: String,
    /// The name in paperlint's hidden markers (`<!-- paperlint:… -->`).
    pub marker: String,
    /// The title of a tracking issue; `{file}` is replaced.
    pub title: String,
    /// Findings at or above this severity go into issues, comments and summaries.
    pub report: Severity,
    /// Annotations per level (GitHub shows 10 errors and 10 warnings per step).
    pub annotations: usize,
    /// Wait before looking again after a failed write.
    #[serde(with = "humantime_serde")]
    pub backoff: Duration,
    /// The most one GitHub request may take, answer included.
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    /// The wait after a secondary rate limit that names no time.
    #[serde(with = "humantime_serde")]
    pub rate_limit_wait: Duration,
    /// The bot's login when the token cannot say who it is (the Actions token and
    /// app tokens cannot read `GET /user`): `github-actions[bot]` or `APP[bot]`.
    pub login: String,
    /// Suggested fixes posted as review comments per pull-request run (0: none).
    pub suggestions: usize,
}

impl Default for GitHubConfig {
    fn default() -> Self {
        GitHubConfig {
            issues: IssueMode::Single,
            label: "paperlint".into(),
            marker: "paperlint".into(),
            title: "paperlint: problems in {file}".into(),
            report: Severity::Warning,
            annotations: 10,
            backoff: Duration::from_secs(2),
            timeout: Duration::from_secs(30),
            rate_limit_wait: Duration::from_secs(60),
            login: "github-actions[bot]".into(),
            suggestions: 20,
        }
    }
}

/// `[metadata]`: registries (every endpoint configurable), pacing and venue aliases.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetadataConfig {
    /// Resolve papers at all (when not `--offline`).
    pub enabled: bool,
    /// The arXiv API query endpoint.
    pub arxiv_api: String,
    /// The Crossref REST API base.
    pub crossref_api: String,
    /// The DOI resolver base (handle API at `/api/handles/{doi}`, content negotiation at `/{doi}`).
    pub doi_api: String,
    /// Minimum time between two arXiv API requests (arXiv asks for 3 s).
    #[serde(with = "humantime_serde")]
    pub arxiv_interval: Duration,
    /// arXiv ids per API request (at most 100).
    pub arxiv_batch: usize,
    /// Requests in flight at once to Crossref (its polite pool allows 3).
    pub crossref_concurrency: usize,
    /// Contact for Crossref's polite pool (`mailto=`); empty uses `network.mailto`.
    pub mailto: String,
    /// Time limit of one registry request.
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    /// How long resolved metadata is reused from the cache.
    #[serde(with = "humantime_serde")]
    pub cache_ttl: Duration,
    /// How long a "does not exist" answer is reused before it is asked again
    /// (registries recover and ids get registered; an unresolved answer is never kept).
    #[serde(with = "humantime_serde")]
    pub negative_ttl: Duration,
    /// Extra venue aliases: canonical name → other names.
    pub venue_aliases: BTreeMap<String, Vec<String>>,
    /// Look up where arXiv papers were published (Semantic Scholar, then DBLP).
    pub venues: bool,
    /// The Semantic Scholar Graph API base (`POST {api}/paper/batch`); an API key is
    /// read from `SEMANTIC_SCHOLAR_API_KEY`.
    pub semantic_scholar_api: String,
    /// Ids per Semantic Scholar batch request (at most 500).
    pub semantic_scholar_batch: usize,
    /// The DBLP base (`GET {api}/search/publ/api`).
    pub dblp_api: String,
    /// Minimum time between two DBLP queries.
    #[serde(with = "humantime_serde")]
    pub dblp_interval: Duration,
    /// Hits asked per DBLP query.
    pub dblp_hits: usize,
    /// Time each of Semantic Scholar and DBLP may make a run wait after 429s; past it
    /// the run carries on without that source.
    #[serde(with = "humantime_serde")]
    pub venue_wait_budget: Duration,
    /// How long "only a preprint" (or "no matching record") is reused from the cache;
    /// a published paper keeps `cache_ttl`.
    #[serde(with = "humantime_serde")]
    pub preprint_ttl: Duration,
}

/// `kind` of a `[venues.known.ACRONYM]` venue (an unknown word is a config error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum VenueEntryKind {
    /// A conference (its workshops are its Workshop track).
    #[default]
    Conference,
    /// A journal.
    Journal,
    /// A workshop of its own.
    Workshop,
    /// A preprint server: never compared.
    Preprint,
    /// A proceedings series naming many conferences: never compared.
    Series,
}

/// One `[venues.known.ACRONYM]` table: a venue added to the venue model, or more
/// names for a venue it knows.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct VenueEntry {
    /// What kind of venue it is.
    pub kind: VenueEntryKind,
    /// Long names, found anywhere in a venue string ("Proceedings of the … `<name>`").
    pub names: Vec<String>,
    /// Other spellings, matched as a whole.
    pub aliases: Vec<String>,
    /// DBLP stream keys (`conf/foo`).
    pub dblp: Vec<String>,
}

impl Default for MetadataConfig {
    fn default() -> Self {
        MetadataConfig {
            enabled: true,
            arxiv_api: "https://export.arxiv.org/api/query".into(),
            crossref_api: "https://api.crossref.org".into(),
            doi_api: "https://doi.org".into(),
            arxiv_interval: Duration::from_secs(3),
            arxiv_batch: 100,
            crossref_concurrency: 3,
            mailto: String::new(),
            timeout: Duration::from_secs(30),
            cache_ttl: Duration::from_secs(30 * 24 * 3600),
            negative_ttl: Duration::from_secs(24 * 3600),
            venue_aliases: BTreeMap::new(),
            venues: true,
            semantic_scholar_api: "https://api.semanticscholar.org/graph/v1".into(),
            semantic_scholar_batch: 500,
            dblp_api: "https://dblp.org".into(),
            dblp_interval: Duration::from_secs(1),
            dblp_hits: 30,
            venue_wait_budget: Duration::from_secs(60),
            preprint_ttl: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

/// `[network]`: limits, politeness, safety and the cache of the link checker.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetworkConfig {
    /// Requests in flight at once, over all hosts.
    pub concurrency: usize,
    /// Requests in flight at once to one host.
    pub host_concurrency: usize,
    /// Minimum time between two requests to one host.
    #[serde(with = "humantime_serde")]
    pub host_interval: Duration,
    /// Time limit of one request (a HEAD gets half of it).
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    /// Time limit of establishing a connection, for every client.
    #[serde(with = "humantime_serde")]
    pub connect_timeout: Duration,
    /// Longest silence while waiting for an answer (its first byte included) or its
    /// body, for every client.
    #[serde(with = "humantime_serde")]
    pub read_timeout: Duration,
    /// How long one host (or registry, or GitHub) may hold the run up with the pauses
    /// it asks for; beyond it, the host is given up for this run.
    #[serde(with = "humantime_serde")]
    pub host_budget: Duration,
    /// How long the network stages (registries, links) may take together.
    #[serde(with = "humantime_serde")]
    pub run_budget: Duration,
    /// Retries of a transient failure (timeout, reset, 5xx, 408, 429).
    pub retries: u32,
    /// First backoff between retries; it doubles each time, with jitter.
    #[serde(with = "humantime_serde")]
    pub backoff: Duration,
    /// Longest wait a `Retry-After` or `X-RateLimit-Reset` may impose.
    #[serde(with = "humantime_serde")]
    pub retry_after_cap: Duration,
    /// Redirects followed before giving up.
    pub max_redirects: usize,
    /// Bytes of a GET body read at most.
    pub max_body: usize,
    /// The User-Agent; empty means `paperlint/VERSION`.
    pub user_agent: String,
    /// A contact address added to the User-Agent.
    pub mailto: String,
    /// Allow requests to loopback, private and link-local addresses.
    pub allow_private: bool,
    /// URLs matching any of these regexes are not checked...
    pub exclude: Vec<String>,
    /// ...unless they match one of these.
    pub include: Vec<String>,
    /// Statuses accepted as alive besides 2xx.
    pub accept: Vec<u16>,
    /// URL rewrites applied before a request only.
    pub remap: Vec<Remap>,
    /// The cache file; empty disables the cache.
    pub cache: String,
    /// How long a success is reused from the cache.
    #[serde(with = "humantime_serde")]
    pub cache_ttl: Duration,
    /// Consecutive runs a transient failure must repeat before it is reported broken.
    pub failure_threshold: u32,
    /// Per-host overrides, keyed by host name.
    pub hosts: BTreeMap<String, HostConfig>,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        NetworkConfig {
            concurrency: 64,
            host_concurrency: 4,
            host_interval: Duration::ZERO,
            timeout: Duration::from_secs(20),
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(15),
            host_budget: Duration::from_secs(60),
            run_budget: Duration::from_secs(5 * 60),
            retries: 2,
            backoff: Duration::from_millis(500),
            retry_after_cap: Duration::from_secs(60),
            max_redirects: 10,
            max_body: 4 * 1024 * 1024,
            user_agent: String::new(),
            mailto: String::new(),
            allow_private: false,
            exclude: Vec::new(),
            include: Vec::new(),
            accept: Vec::new(),
            remap: Vec::new(),
            cache: ".paperlint/cache.json".to_string(),
            cache_ttl: Duration::from_secs(7 * 24 * 3600),
            failure_threshold: 2,
            hosts: BTreeMap::new(),
        }
    }
}

/// One `[[network.remap]]` rule: a regex and its replacement (`$1` groups).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Remap {
    /// Regex matched against the whole URL.
    pub pattern: String,
    /// Replacement, with `$1`-style groups.
    pub replacement: String,
}

/// `[network.hosts."example.org"]`: overrides for one host.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct HostConfig {
    /// Requests in flight at once to this host.
    pub concurrency: Option<usize>,
    /// Minimum time between two requests to this host.
    #[serde(with = "humantime_serde")]
    pub interval: Option<Duration>,
    /// Statuses accepted as alive for this host, besides 2xx.
    pub accept: Vec<u16>,
    /// Extra request headers.
    pub headers: BTreeMap<String, String>,
}

/// `[check]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CheckConfig {
    /// The lists checked when no path is given, relative to the configuration file.
    pub files: Vec<String>,
    /// Findings at or above this severity make the exit code 1.
    pub fail_on: Severity,
    /// Files larger than this many bytes are refused.
    pub max_file_size: u64,
}

impl Default for CheckConfig {
    fn default() -> Self {
        CheckConfig {
            files: vec!["README.md".to_owned()],
            fail_on: Severity::Error,
            max_file_size: 16 * 1024 * 1024,
        }
    }
}

/// `[columns]`: header names per role, compared case-insensitively with markup and
/// punctuation removed; earlier names win when several columns match.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ColumnConfig {
    /// The year or date column.
    pub year: Vec<String>,
    /// The title column.
    pub title: Vec<String>,
    /// The venue column.
    pub venue: Vec<String>,
    /// Code columns.
    pub code: Vec<String>,
    /// Columns holding the paper link when the title has none.
    pub link: Vec<String>,
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

impl Default for ColumnConfig {
    fn default() -> Self {
        ColumnConfig {
            year: strings(&[
                "year",
                "date",
                "pub date",
                "release date",
                "time",
                "年份",
                "日期",
                "时间",
            ]),
            title: strings(&[
                "title",
                "paper title",
                "paper",
                "papers",
                "name",
                "model",
                "method",
                "论文",
                "名称",
            ]),
            venue: strings(&[
                "venue",
                "conference",
                "journal",
                "publication",
                "pub",
                "conf",
                "published in",
                "source",
                "会议",
            ]),
            code: strings(&[
                "code",
                "repo",
                "repository",
                "github",
                "implementation",
                "official code",
                "代码",
            ]),
            link: strings(&[
                "link",
                "links",
                "paper",
                "pdf",
                "url",
                "arxiv",
                "paper link",
                "resources",
                "链接",
            ]),
        }
    }
}

/// `[venues]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct VenueConfig {
    /// Spellings preferred when a venue is written several ways, on top of the
    /// built-in ones (arXiv, NeurIPS, ICLR, ...). They break ties between the list's
    /// spellings; the list's majority wins otherwise.
    pub preferred: Vec<String>,
    /// Propose a preferred spelling even against the list's majority.
    pub prefer_everywhere: bool,
    /// Venues added to the built-in venue model (`data/venues.toml`), keyed by
    /// acronym, or more names for venues it knows.
    pub known: BTreeMap<String, VenueEntry>,
}

impl Config {
    /// Finds and loads the configuration: `explicit` (an error if it cannot be read or
    /// is not paperlint's), else the first of [`DISCOVERED_NAMES`] in `dir` or a folder
    /// above it, up to the repository root (the nearest folder with `.git`; without one,
    /// only `dir`), else the defaults. Returns the file used, if any.
    pub fn discover(
        explicit: Option<&Path>,
        dir: &Path,
    ) -> Result<(Config, Option<PathBuf>), ConfigError> {
        let path = match explicit {
            Some(path) => Some(path.to_path_buf()),
            None => discovered_file(dir),
        };
        let Some(path) = path else {
            return Ok((Config::default(), None));
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let config = Config::parse(&text, &path.display().to_string())?;
        Ok((config, Some(path)))
    }

    /// Takes from `trusted` every setting that widens what paperlint may reach or
    /// write: the address guard, the cache path and every endpoint (`[network]`,
    /// `[metadata]`) and the bot's behaviour (`[github]`). Used in pull-request runs,
    /// where the checked-out configuration is the contributor's. A new section that
    /// names hosts or writes belongs here too.
    pub fn take_reach_from(&mut self, trusted: &Config) {
        self.network = trusted.network.clone();
        self.metadata = trusted.metadata.clone();
        self.github = trusted.github.clone();
    }

    /// Parses configuration text; `name` is used in error messages.
    pub fn parse(text: &str, name: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
            let mut message = e.message().trim().to_string();
            // Value errors name no key ("wanted string or table"): name it.
            if let Some(key) = key_on_line(text, line)
                && !message.contains(&format!("`{key}`"))
            {
                message = format!("`{key}`: {message}");
            }
            ConfigError::Invalid {
                path: name.to_string(),
                line,
                column,
                message,
            }
        })?;
        for id in config.rules.keys() {
            if RuleId::from_name(id).is_none() {
                let offset = text
                    .find(&format!("\"{id}\""))
                    .or_else(|| text.find(id.as_str()))
                    .unwrap_or(0);
                return Err(invalid_at(
                    text,
                    name,
                    offset,
                    format!(
                        "unknown rule `{id}` in [rules], expected one of {}",
                        RULES
                            .iter()
                            .map(|r| format!("`{}`", r.name))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
        config.validate_network(text, name)?;
        if config.check.max_file_size > crate::source::MAX_LEN {
            return Err(invalid_at(
                text,
                name,
                text.find("max_file_size").unwrap_or(0),
                format!(
                    "`check.max_file_size` must be at most {} (4 GiB less one byte)",
                    crate::source::MAX_LEN
                ),
            ));
        }
        Ok(config)
    }

    /// Regexes must compile and limits must be positive; errors name key and line.
    fn validate_network(&self, text: &str, name: &str) -> Result<(), ConfigError> {
        // The pattern's own line: its key's first mention, then the pattern after it.
        let invalid = |key: &str, pattern: &str, message: String| {
            let offset = text
                .find(key)
                .and_then(|k| text[k..].find(pattern).map(|o| k + o))
                .or_else(|| text.find(pattern))
                .unwrap_or(0);
            invalid_at(text, name, offset, message)
        };
        let n = &self.network;
        for (key, patterns) in [("exclude", &n.exclude), ("include", &n.include)] {
            for p in patterns {
                if let Err(e) = regex::Regex::new(p) {
                    return Err(invalid(
                        key,
                        p,
                        format!("`network.{key}`: invalid regex: {}", regex_problem(&e)),
                    ));
                }
            }
        }
        for r in &n.remap {
            if let Err(e) = regex::Regex::new(&r.pattern) {
                return Err(invalid(
                    "pattern",
                    &r.pattern,
                    format!(
                        "`network.remap.pattern`: invalid regex: {}",
                        regex_problem(&e)
                    ),
                ));
            }
        }
        for (key, value) in [
            ("concurrency", n.concurrency),
            ("host_concurrency", n.host_concurrency),
            ("max_body", n.max_body),
        ] {
            if value == 0 {
                return Err(invalid(
                    key,
                    key,
                    format!("`network.{key}` must be at least 1"),
                ));
            }
        }
        Ok(())
    }

    /// The severity a rule reports at, or `None` when it is switched off.
    pub fn severity(&self, rule: RuleId) -> Option<Severity> {
        match self.rules.get(rule.as_str()) {
            Some(level) => level.severity(),
            None => Some(rule.default_severity()),
        }
    }
}

/// An invalid configuration `name`, pointing at byte `offset` of its `text`.
fn invalid_at(text: &str, name: &str, offset: usize, message: String) -> ConfigError {
    let (line, column) = line_col(text, offset);
    ConfigError::Invalid {
        path: name.to_string(),
        line,
        column,
        message,
    }
}

/// A regex error in one line: the regex crate draws the pattern with a caret under
/// the problem over several lines; the last line says what the problem is.
fn regex_problem(e: &regex::Error) -> String {
    let text = e.to_string();
    let last = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    last.trim().trim_start_matches("error: ").to_string()
}

/// The key of a `key = value` line, if line `line` (1-based) is one.
fn key_on_line(text: &str, line: usize) -> Option<String> {
    let l = text.lines().nth(line - 1)?;
    let (key, _) = l.split_once('=')?;
    let key = key.trim().trim_matches('"');
    (!key.is_empty() && !key.starts_with('#')).then(|| key.to_string())
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let p = crate::source::position_in(text, offset);
    (p.line, p.column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_names_the_key_and_line() {
        let err =
            Config::parse("[check]\nfail_on = \"error\"\nfial_on = 1\n", "c.toml").unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with("c.toml:3:1: unknown field `fial_on`"),
            "{msg}"
        );
    }

    #[test]
    fn unknown_rule_in_fix_rules_is_located() {
        let err = Config::parse(
            "[fix]\nrules = [\"url/malformed\", \"link/redirct\"]\n",
            "c.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("c.toml:2:"), "{err}");
        assert!(err.contains("unknown rule `link/redirct`"), "{err}");
        let ok = Config::parse("[fix]\nrules = [\"entry/order\"]\n", "c.toml").unwrap();
        assert_eq!(ok.fix.rules, vec![RuleId::EntryOrder]);
    }

    #[test]
    fn a_file_size_limit_beyond_32_bit_offsets_is_an_error() {
        let err = Config::parse("[check]\nmax_file_size = 4294967296\n", "c.toml")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("c.toml:2:1: `check.max_file_size` must be at most 4294967295"),
            "{err}"
        );
        let ok = Config::parse("[check]\nmax_file_size = 4294967295\n", "c.toml").unwrap();
        assert_eq!(ok.check.max_file_size, crate::source::MAX_LEN);
    }

    #[test]
    fn unknown_rule_and_bad_level_are_errors() {
        let err = Config::parse("[rules]\n\"url/nope\" = \"off\"\n", "c.toml").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("c.toml:2:1: unknown rule `url/nope`"),
            "{err}"
        );
        let err = Config::parse("[rules]\n\"url/malformed\" = \"loud\"\n", "c.toml").unwrap_err();
        assert!(err.to_string().starts_with("c.toml:2:"), "{err}");
    }

    #[test]
    fn known_venues_extend_the_venue_model_and_a_bad_kind_is_an_error() {
        let c = Config::parse(
            "[venues.known.FooConf]\nkind = \"journal\"\nnames = [\"Journal of Foo\"]\naliases = [\"J Foo\"]\n",
            "c.toml",
        )
        .unwrap();
        let foo = &c.venues.known["FooConf"];
        assert_eq!(
            (foo.kind, foo.aliases.as_slice()),
            (VenueEntryKind::Journal, &["J Foo".to_string()][..])
        );
        let err =
            Config::parse("[venues.known.FooConf]\nkind = \"magazine\"\n", "c.toml").unwrap_err();
        assert!(err.to_string().starts_with("c.toml:2:"), "{err}");
    }

    #[test]
    fn rule_levels_override_defaults() {
        let c = Config::parse(
            "[rules]\n\"entry/order\" = \"off\"\n\"venue/spelling\" = \"error\"\n",
            "c",
        )
        .unwrap();
        assert_eq!(c.severity(RuleId::EntryOrder), None);
        assert_eq!(c.severity(RuleId::VenueSpelling), Some(Severity::Error));
        assert_eq!(c.severity(RuleId::UrlMalformed), Some(Severity::Error));
    }
}
