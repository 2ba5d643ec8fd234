//! `paperlint check --github`: findings become GitHub artefacts. On a schedule (or
//! push / workflow_dispatch) one tracking issue per checked file (or one per broken
//! row) is created, edited, closed and reopened; on a pull request only the rows the
//! PR adds or changes are reported, in one sticky comment, annotations and the job
//! summary. Writes go one at a time; a failed create is retried only after looking
//! again for its marker, so a 5xx never leaves two issues.

pub mod actions;
pub mod api;
pub mod body;
pub mod diff;
pub mod fixes;
pub mod forge;

use crate::config::{GitHubConfig, IssueMode};
use crate::model::{Finding, Severity};
use api::{Api, ApiError, Issue};
use body::Links;
use forge::Forge;
use sha2::Digest;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;

/// The GitHub Actions environment paperlint reads.
#[derive(Debug, Clone)]
pub struct Env {
    token: String,
    /// `owner/repo`.
    pub repository: String,
    /// `schedule`, `push`, `pull_request`, …
    pub event_name: String,
    /// The event payload file.
    pub event_path: Option<PathBuf>,
    /// The REST API base (GitHub Enterprise and tests set it).
    pub api_url: String,
    /// The web base for permalinks.
    pub server_url: String,
    /// The checked commit.
    pub sha: String,
    /// The job summary and step outputs files.
    pub files: actions::Files,
}

impl Env {
    /// Reads the standard variables; a missing required one is an error naming it.
    pub fn from_env() -> anyhow::Result<Env> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let need = |name: &str| {
            var(name).ok_or_else(|| {
                anyhow::anyhow!("--github needs {name} (run it inside GitHub Actions)")
            })
        };
        Ok(Env {
            token: need("GITHUB_TOKEN")?,
            repository: need("GITHUB_REPOSITORY")?,
            event_name: var("GITHUB_EVENT_NAME").unwrap_or_else(|| "workflow_dispatch".into()),
            event_path: var("GITHUB_EVENT_PATH").map(PathBuf::from),
            api_url: var("GITHUB_API_URL").unwrap_or_else(|| "https://api.github.com".into()),
            server_url: var("GITHUB_SERVER_URL").unwrap_or_else(|| "https://github.com".into()),
            sha: var("GITHUB_SHA").unwrap_or_else(|| "HEAD".into()),
            files: actions::Files::from_env(),
        })
    }

    /// The token (for the API client only; never printed).
    pub(crate) fn token(&self) -> &str {
        &self.token
    }

    /// Whether the event is a pull request.
    pub fn is_pull_request(&self) -> bool {
        matches!(
            self.event_name.as_str(),
            "pull_request" | "pull_request_target"
        )
    }

    fn pr_number(&self) -> anyhow::Result<u64> {
        let path = self
            .event_path
            .as_ref()
            .ok_or_else(|| anyhow::anyhow!("a pull-request run needs GITHUB_EVENT_PATH"))?;
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let event: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{}: not a JSON event: {e}", path.display()))?;
        event["pull_request"]["number"]
            .as_u64()
            .or_else(|| event["number"].as_u64())
            .ok_or_else(|| {
                anyhow::anyhow!("{}: no pull_request.number in the event", path.display())
            })
    }
}

/// What a GitHub run decided.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The findings this run is about (all on a schedule; the PR's rows on a PR).
    pub findings: Vec<Finding>,
    /// Workflow-command annotations to print (capped per level).
    pub annotations: String,
    /// Notices for the log (a read-only token, …).
    pub notices: Vec<String>,
}

/// Runs the GitHub side for the findings of `files` (as named on the command line).
pub async fn run(
    env: &Env,
    config: &GitHubConfig,
    files: &[String],
    findings: Vec<Finding>,
) -> anyhow::Result<Outcome> {
    let mut api = Api::new(&env.api_url, &env.repository, &env.token)?;
    api.backoff = config.backoff;
    let links = Links {
        server: &env.server_url,
        repo: &env.repository,
        sha: &env.sha,
    };
    let reported: Vec<Finding> = findings
        .into_iter()
        .filter(|f| f.severity >= config.report)
        .collect();
    let mut outcome = Outcome {
        findings: Vec::new(),
        annotations: String::new(),
        notices: Vec::new(),
    };
    if env.is_pull_request() {
        let number = env.pr_number()?;
        let changed = api.changed_lines(number).await?;
        outcome.findings = reported
            .into_iter()
            .filter(|f| {
                changed
                    .get(norm(&f.file))
                    .is_some_and(|lines| lines.contains(&f.line))
            })
            .collect();
        let (annotations, hidden) = annotations(&outcome.findings, config.annotations);
        outcome.annotations = annotations;
        match sticky_comment(&api, config, number, &outcome.findings, &links, hidden).await {
            Ok(()) => {}
            Err(e) if e.status == Some(403) || e.status == Some(404) => outcome.notices.push(format!(
                "paperlint could not comment on the pull request ({}): the token is read-only, as for pull requests from forks. The findings are in the annotations and the job summary.",
                e.status.unwrap_or_default()
            )),
            Err(e) => return Err(e.into()),
        }
    } else {
        for file in files {
            let mine: Vec<&Finding> = reported
                .iter()
                .filter(|f| norm(&f.file) == norm(file))
                .collect();
            match config.issues {
                IssueMode::Single => tracking_issue(&api, config, file, &mine, &links).await?,
                IssueMode::PerRow => row_issues(&api, config, file, &mine, &links).await?,
            }
        }
        outcome.findings = reported;
    }
    Ok(outcome)
}

fn norm(file: &str) -> &str {
    file.trim_start_matches("./")
}

/// Marker and comparison helpers: a body is "the same" when only its commit links or
/// a maintainer's ticks differ.
fn comparable(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    for line in body.lines() {
        // The commit a body was written at does not make it different.
        if line.starts_with("Checked at ") {
            continue;
        }
        let line = line.replacen("- [x] ", "- [ ] ", 1);
        // Permalinks carry the commit: /blob/<sha>/ → /blob/*/.
        let line = match (
            line.find("/blob/"),
            line.find("/blob/")
                .and_then(|i| line[i + 6..].find('/').map(|j| i + 6 + j)),
        ) {
            (Some(a), Some(b)) => format!("{}/blob/*{}", &line[..a], &line[b..]),
            _ => line,
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Keeps the ticks a maintainer made on rows that are still there.
fn keep_ticks(old: &str, new: &str) -> String {
    let ticked: BTreeSet<String> = old
        .lines()
        .filter(|l| l.starts_with("- [x] "))
        .map(|l| comparable(&l.replacen("- [x] ", "- [ ] ", 1)))
        .collect();
    new.lines()
        .map(|l| {
            if l.starts_with("- [ ] ") && ticked.contains(&comparable(l)) {
                l.replacen("- [ ] ", "- [x] ", 1)
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + if new.ends_with('\n') { "\n" } else { "" }
}

fn head(marker: &str, title: &str, links: &Links<'_>, intro: &str) -> String {
    format!(
        "{marker}\n## {title}\n\nChecked at [`{}`]({}/{}/commit/{}). {intro}\n",
        links.sha.get(..7).unwrap_or(links.sha),
        links.server.trim_end_matches('/'),
        links.repo,
        links.sha
    )
}

async fn tracking_issue(
    api: &impl Forge,
    config: &GitHubConfig,
    file: &str,
    findings: &[&Finding],
    links: &Links<'_>,
) -> Result<(), ApiError> {
    let marker = format!("<!-- {}:tracking file={} -->", config.marker, norm(file));
    let mine: Vec<Issue> = api.marked_issues(&config.label, &marker).await?;
    if let Some((keep, dups)) = mine.split_first() {
        for dup in dups.iter().filter(|d| d.state == "open") {
            api.close_issue(
                dup.number,
                &format!(
                    "Closing as a duplicate of #{}: paperlint keeps one tracking issue per file.",
                    keep.number
                ),
            )
            .await?;
        }
    }
    let existing = mine.first();
    if findings.is_empty() {
        if let Some(issue) = existing.filter(|i| i.state == "open") {
            api.close_issue(
                issue.number,
                &format!(
                    "All clear at {}: paperlint finds no problems in `{}` any more. Closing.",
                    links.sha,
                    body::escape(norm(file))
                ),
            )
            .await?;
        }
        return Ok(());
    }
    let title = config.title.replace("{file}", norm(file));
    let intro = "Tick a box when a row is handled. paperlint edits this issue when the list changes and closes it when the list is healthy.";
    let text = body::render(
        &head(
            &marker,
            &format!(
                "paperlint: {} in `{}`",
                crate::text::counted(findings.len(), "problem"),
                body::escape(norm(file))
            ),
            links,
            intro,
        ),
        findings,
        links,
        "",
    );
    upsert_issue(
        api,
        config,
        existing,
        &title,
        &text,
        &marker,
        "The problems are back: reopening.",
    )
    .await?;
    Ok(())
}

/// Makes `existing` (or a new issue) say `text`: created when missing, reopened when
/// closed, edited only when its content changed (keeping a maintainer's ticks).
async fn upsert_issue(
    api: &impl Forge,
    config: &GitHubConfig,
    existing: Option<&Issue>,
    title: &str,
    text: &str,
    marker: &str,
    reopen_comment: &str,
) -> Result<(), ApiError> {
    match existing {
        None => {
            create_once(api, title, text, &config.label, marker, config.backoff).await?;
        }
        Some(issue) if issue.state == "closed" => {
            api.reopen_issue(issue.number, text, reopen_comment).await?
        }
        Some(issue) => {
            let old = issue.body.as_deref().unwrap_or_default();
            if comparable(old) != comparable(text) {
                api.update_issue(issue.number, &keep_ticks(old, text))
                    .await?;
            }
        }
    }
    Ok(())
}

/// Creates an issue; after a failure that may have happened anyway (5xx, no answer),
/// looks for the marker before trying again.
async fn create_once(
    api: &impl Forge,
    title: &str,
    text: &str,
    label: &str,
    marker: &str,
    backoff: Duration,
) -> Result<Issue, ApiError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match api.open_issue(title, text, label).await {
            Ok(issue) => return Ok(issue),
            Err(e) if attempt < 3 && e.status.is_none_or(|s| s >= 500) => {
                tokio::time::sleep(backoff * attempt).await;
                let found = api.marked_issues(label, marker).await?.into_iter().next();
                if let Some(issue) = found {
                    return Ok(issue);
                }
            }
            Err(e) => return Err(e),
        }
    }
}

/// A stable key for a row: the file and the URL (or title) it is about.
fn row_key(f: &Finding) -> String {
    let what = f
        .url
        .clone()
        .or_else(|| f.title.clone())
        .unwrap_or_else(|| format!("{}:{}", f.rule, f.line));
    let digest = sha2::Sha256::digest(format!("{}\n{what}", norm(&f.file)).as_bytes());
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

async fn row_issues(
    api: &impl Forge,
    config: &GitHubConfig,
    file: &str,
    findings: &[&Finding],
    links: &Links<'_>,
) -> Result<(), ApiError> {
    let prefix = format!("<!-- {}:row file={} key=", config.marker, norm(file));
    let mut rows: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
    for f in findings.iter().filter(|f| f.severity >= Severity::Error) {
        rows.entry(row_key(f)).or_default().push(f);
    }
    let existing: Vec<Issue> = api.marked_issues(&config.label, &prefix).await?;
    let key_of = |i: &Issue| {
        i.body
            .as_deref()
            .unwrap_or_default()
            .split(&prefix)
            .nth(1)
            .and_then(|r| r.split(' ').next())
            .map(String::from)
    };
    for (key, fs) in &rows {
        let marker = format!("{prefix}{key} -->");
        let what = fs[0]
            .title
            .clone()
            .or_else(|| fs[0].url.clone())
            .unwrap_or_else(|| format!("line {}", fs[0].line));
        let title = format!(
            "paperlint: broken row in {}: {}",
            norm(file),
            crate::text::excerpt(&what, 80)
        );
        let text = body::render(
            &head(
                &marker,
                &format!("paperlint: a broken row in `{}`", body::escape(norm(file))),
                links,
                "paperlint closes this issue when the row is fixed or removed.",
            ),
            fs,
            links,
            "",
        );
        let mine = existing
            .iter()
            .filter(|i| key_of(i).as_deref() == Some(key.as_str()))
            .min_by_key(|i| i.number);
        upsert_issue(
            api,
            config,
            mine,
            &title,
            &text,
            &marker,
            "The row is broken again: reopening.",
        )
        .await?;
    }
    for issue in existing
        .iter()
        .filter(|i| i.state == "open" && key_of(i).is_none_or(|k| !rows.contains_key(&k)))
    {
        api.close_issue(
            issue.number,
            &format!("Fixed or removed at {}: closing.", links.sha),
        )
        .await?;
    }
    Ok(())
}

/// Workflow-command annotations, at most `cap` per level (GitHub shows 10 errors and
/// 10 warnings per step); returns them and how many were left out.
pub fn annotations(findings: &[Finding], cap: usize) -> (String, usize) {
    let mut counts: BTreeMap<Severity, usize> = BTreeMap::new();
    let (mut kept, mut hidden) = (Vec::new(), 0);
    for f in findings {
        let n = counts.entry(f.severity).or_default();
        if *n < cap {
            *n += 1;
            kept.push(f.clone());
        } else {
            hidden += 1;
        }
    }
    let report = crate::report::Report::new(0, 0, 0, kept);
    let mut out = Vec::new();
    let _ = crate::report::render(&report, crate::report::Format::Github, &mut out);
    (String::from_utf8_lossy(&out).into_owned(), hidden)
}

async fn sticky_comment(
    api: &impl Forge,
    config: &GitHubConfig,
    number: u64,
    findings: &[Finding],
    links: &Links<'_>,
    hidden: usize,
) -> Result<(), ApiError> {
    let marker = format!("<!-- {}:pr -->", config.marker);
    let existing = api.marked_comment(number, &marker).await?;
    let text = if findings.is_empty() {
        format!(
            "{marker}\n✅ **paperlint**: no problems in the rows this pull request adds or changes (checked at `{}`).\n",
            links.sha.get(..7).unwrap_or(links.sha)
        )
    } else {
        let refs: Vec<&Finding> = findings.iter().collect();
        let foot = if hidden > 0 {
            format!(
                "\n_{hidden} of these are not shown as annotations: GitHub limits them per step._\n"
            )
        } else {
            String::new()
        };
        body::render(
            &head(
                &marker,
                &format!(
                    "paperlint: {} in the rows this pull request changes",
                    crate::text::counted(findings.len(), "problem")
                ),
                links,
                "Only rows added or changed by this pull request are checked here.",
            ),
            &refs,
            links,
            &foot,
        )
    };
    match existing {
        Some(c) if comparable(c.body.as_deref().unwrap_or_default()) != comparable(&text) => {
            api.edit_comment(c.id, &text).await?;
        }
        None if !findings.is_empty() => {
            api.post_comment(number, &text).await?;
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_compare_without_commit_or_ticks_and_ticks_survive() {
        let old = "<!-- m -->\n- [x] [README.md#L3](https://github.com/o/r/blob/aaa/README.md#L3) **error** x\n- [ ] [README.md#L9](https://github.com/o/r/blob/aaa/README.md#L9) **error** y\n";
        let new = "<!-- m -->\n- [ ] [README.md#L3](https://github.com/o/r/blob/bbb/README.md#L3) **error** x\n- [ ] [README.md#L9](https://github.com/o/r/blob/bbb/README.md#L9) **error** y\n";
        assert_eq!(comparable(old), comparable(new));
        assert!(
            keep_ticks(old, new)
                .starts_with("<!-- m -->\n- [x] [README.md#L3](https://github.com/o/r/blob/bbb/")
        );
    }
}
