//! `paperlint check --github`: findings become GitHub artefacts. On a schedule (or
//! push / workflow_dispatch) one tracking issue per checked file (or one per broken
//! row) is created, edited, closed and reopened; on a pull request only the rows the
//! PR adds or changes are reported, in one sticky comment, suggested fixes on the
//! lines (`review`), annotations and the job summary.
//!
//! The bot lives with maintainers: it finds its issues and comments by marker *and*
//! author (the token's account), never by label; it rewrites only its marked region
//! of a body; an issue a person closed as not planned stays closed for the findings
//! it listed; twins from concurrent runs are closed as duplicates; an unreadable list
//! leaves everything as it was. Writes go one at a time; a failed create is retried
//! only after looking again for its marker, so a 5xx never leaves two issues.

pub mod actions;
pub mod api;
pub mod body;
pub mod diff;
pub mod fixes;
pub mod forge;
pub mod region;
pub mod review;
pub mod trust;

use crate::config::{GitHubConfig, IssueMode};
use crate::model::{Finding, Severity};
use api::{Api, ApiError, Issue};
use body::Links;
use forge::{Changed, Forge};
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

    /// The pull request's head commit (what review comments must name; `GITHUB_SHA`
    /// is the merge commit on pull-request events).
    pub fn pr_head_sha(&self) -> Option<String> {
        self.event()?["pull_request"]["head"]["sha"]
            .as_str()
            .map(String::from)
    }

    /// The pull request's base commit (where its trusted configuration is read).
    pub fn pr_base_sha(&self) -> Option<String> {
        self.event()?["pull_request"]["base"]["sha"]
            .as_str()
            .map(String::from)
    }

    fn event(&self) -> Option<serde_json::Value> {
        let text = std::fs::read_to_string(self.event_path.as_ref()?).ok()?;
        serde_json::from_str(&text).ok()
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
    /// Lines for the job summary (what was left alone and why).
    pub summary: Vec<String>,
}

/// Runs the GitHub side for the findings of `files` (as named on the command line);
/// `unreadable` names the files that could not be read, whose issue or comment is
/// left as it was (an unreadable list is never "no problems").
pub async fn run(
    env: &Env,
    config: &GitHubConfig,
    network: &crate::config::NetworkConfig,
    files: &[String],
    unreadable: &[String],
    findings: Vec<Finding>,
) -> anyhow::Result<Outcome> {
    let mut api = Api::with_network(&env.api_url, &env.repository, &env.token, network)?;
    api.configure(config);
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
        summary: Vec::new(),
    };
    let me = api.identity(&config.login).await?;
    if env.is_pull_request() {
        let number = env.pr_number()?;
        let changed = api.changed_lines(number).await?;
        outcome.findings = reported
            .iter()
            .filter(|f| {
                changed
                    .get(norm(&f.file))
                    .is_some_and(|c| c.contains(f.line))
            })
            .cloned()
            .collect();
        let (annotations, hidden) = annotations(&outcome.findings, config.annotations);
        outcome.annotations = annotations;
        if !unreadable.is_empty() {
            outcome.summary.push(format!(
                "paperlint could not read {}; the pull-request comment was left as it was.",
                unreadable
                    .iter()
                    .map(|f| format!("`{}`", body::escape(norm(f))))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            return Ok(outcome);
        }
        let whole: Vec<&str> = changed
            .iter()
            .filter(|(file, c)| **c == Changed::Whole && files.iter().any(|f| norm(f) == *file))
            .map(|(file, _)| file.as_str())
            .collect();
        let pr = Pr {
            number,
            me: &me,
            links: &links,
        };
        let written = async {
            sticky_comment(&api, config, &pr, &outcome.findings, hidden, &whole).await?;
            if config.suggestions > 0 {
                let head = env.pr_head_sha().unwrap_or_else(|| env.sha.clone());
                let suggested = review::suggest(
                    &api,
                    config,
                    &pr,
                    &head,
                    &outcome.findings,
                    &reported,
                    &changed,
                )
                .await;
                match suggested {
                    // GitHub refused a suggestion (a line it does not count as part
                    // of the diff): the summary comment stands, the run goes on.
                    Err(e) if e.status == Some(422) => outcome.notices.push(format!(
                        "paperlint could not suggest fixes on the lines ({e}); the comment lists them."
                    )),
                    other => other?,
                }
            }
            Ok::<(), ApiError>(())
        };
        match written.await {
            Ok(()) => {}
            Err(e) if e.is_forbidden() => outcome.notices.push(format!(
                "paperlint could not comment on the pull request ({}): the token is read-only, as for pull requests from forks. The findings are in the annotations and the job summary.",
                e.status.unwrap_or_default()
            )),
            Err(e) => return Err(e.into()),
        }
    } else {
        for file in unreadable {
            outcome.summary.push(format!(
                "paperlint could not read `{}`; its GitHub issue was left as it was.",
                body::escape(norm(file))
            ));
        }
        let ours = api.issues_by(&me).await?;
        for file in files {
            let mine: Vec<&Finding> = reported
                .iter()
                .filter(|f| norm(&f.file) == norm(file))
                .collect();
            match config.issues {
                IssueMode::Single => {
                    tracking_issue(&api, config, &me, &ours, file, &mine, &links).await?
                }
                IssueMode::PerRow => {
                    row_issues(&api, config, &me, &ours, file, &mine, &links).await?
                }
            }
        }
        outcome.findings = reported;
    }
    Ok(outcome)
}

/// The pull request a run is about, and who the bot is there.
pub(crate) struct Pr<'a> {
    /// Its number.
    pub number: u64,
    /// The bot's login.
    pub me: &'a str,
    /// Permalinks at the checked commit.
    pub links: &'a Links<'a>,
}

fn norm(file: &str) -> &str {
    file.trim_start_matches("./")
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

/// The issues of one thread of work (one file's tracking issue, one row's issue):
/// the declined ones (closed as not planned by a person), the one the bot keeps
/// writing to, and open twins left by concurrent runs.
struct Thread<'a> {
    declined: Vec<&'a Issue>,
    active: Option<&'a Issue>,
    twins: Vec<&'a Issue>,
}

impl<'a> Thread<'a> {
    fn of(issues: Vec<&'a Issue>) -> Thread<'a> {
        let (declined, live): (Vec<&Issue>, Vec<&Issue>) =
            issues.into_iter().partition(|i| i.declined());
        let live: Vec<&Issue> = live
            .into_iter()
            .filter(|i| i.state_reason.as_deref() != Some("duplicate"))
            .collect();
        let active = live
            .iter()
            .copied()
            .find(|i| i.state == "open")
            .or_else(|| live.last().copied());
        let twins = live
            .iter()
            .copied()
            .filter(|i| i.state == "open" && Some(i.number) != active.map(|a| a.number))
            .collect();
        Thread {
            declined,
            active,
            twins,
        }
    }
}

/// Closes `twin` as a duplicate of `survivor`, saying so.
async fn close_twin(api: &impl Forge, twin: &Issue, survivor: u64) -> Result<(), ApiError> {
    let say = format!(
        "Duplicate of #{survivor}: two paperlint runs opened an issue at the same time; #{survivor} is the one kept."
    );
    api.close_issue(
        twin.number,
        "duplicate",
        (!twin.locked).then_some(say.as_str()),
    )
    .await
}

/// The parts of one issue the bot writes.
struct Draft<'a> {
    title: String,
    marker: &'a str,
    end: String,
    region: String,
    reopen: &'a str,
}

async fn tracking_issue(
    api: &impl Forge,
    config: &GitHubConfig,
    me: &str,
    ours: &[Issue],
    file: &str,
    findings: &[&Finding],
    links: &Links<'_>,
) -> Result<(), ApiError> {
    let marker = format!("<!-- {}:tracking file={} -->", config.marker, norm(file));
    let end = region::end_marker(&config.marker);
    let title = body::escape_title(&config.title.replace("{file}", norm(file)));
    // The bot's issues for this file: its marker, or (when a person removed the
    // marker) its title; never an issue someone else opened.
    let thread = Thread::of(
        ours.iter()
            .filter(|i| i.body.as_deref().unwrap_or_default().contains(&marker) || i.title == title)
            .collect(),
    );
    let declined_keys: BTreeSet<String> = thread
        .declined
        .iter()
        .flat_map(|i| {
            region::keys(region::region(
                i.body.as_deref().unwrap_or_default(),
                &marker,
                &end,
            ))
        })
        .collect();
    if let Some(active) = thread.active {
        for twin in &thread.twins {
            close_twin(api, twin, active.number).await?;
        }
    }
    let wanted: Vec<&Finding> = findings
        .iter()
        .copied()
        .filter(|f| !declined_keys.contains(&body::key(f)))
        .collect();
    if wanted.is_empty() {
        if let Some(issue) = thread.active.filter(|i| i.state == "open") {
            let say = format!(
                "All clear at {}: paperlint finds no problems in `{}` any more. Closing.",
                links.sha,
                body::escape(norm(file))
            );
            api.close_issue(
                issue.number,
                "completed",
                (!issue.locked).then_some(say.as_str()),
            )
            .await?;
        }
        return Ok(());
    }
    let intro = "Tick a box when a row is handled. paperlint edits only this part of the issue when the list changes and closes it when the list is healthy; write your notes above or below it.";
    let foot = declined_note(&thread.declined, findings.len() - wanted.len());
    let region = body::render(
        &head(
            &marker,
            &format!(
                "paperlint: {} in `{}`",
                crate::text::counted(wanted.len(), "problem"),
                body::escape(norm(file))
            ),
            links,
            intro,
        ),
        &wanted,
        links,
        &foot,
    ) + &end
        + "\n";
    let draft = Draft {
        title,
        marker: &marker,
        end,
        region,
        reopen: "The problems are back: reopening.",
    };
    upsert_issue(api, config, me, thread.active, &draft).await
}

/// Says which issues a person closed as not planned and how many findings of this
/// run they cover (left out here).
fn declined_note(declined: &[&Issue], left_out: usize) -> String {
    if declined.is_empty() {
        return String::new();
    }
    let refs = declined
        .iter()
        .map(|i| format!("#{}", i.number))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "\n_{refs} was closed as not planned; the {} it listed {} not raised again here._\n",
        crate::text::counted(left_out, "finding"),
        if left_out == 1 { "is" } else { "are" }
    )
}

/// Makes the active issue (or a new one) carry `draft`: created when missing (then
/// any younger twin from a concurrent run is closed), reopened when closed, edited
/// only when its region's content changed; the person's text around the region and
/// the ticks stay.
async fn upsert_issue(
    api: &impl Forge,
    config: &GitHubConfig,
    me: &str,
    active: Option<&Issue>,
    draft: &Draft<'_>,
) -> Result<(), ApiError> {
    let Some(issue) = active else {
        let created = create_once(
            api,
            &draft.title,
            &draft.region,
            &config.label,
            draft.marker,
            me,
            config.backoff,
        )
        .await?;
        // An identity that is not the token's would lose the issue: say so now.
        if !created.author().is_empty() && created.author() != me {
            return Err(ApiError {
                method: "POST".into(),
                path: "/issues".into(),
                what: format!(
                    "created #{} as `{}`, but paperlint looks for its issues as `{me}`: set [github] login = \"{}\"",
                    created.number,
                    created.author(),
                    created.author()
                ),
                status: None,
                rate_limited: false,
            });
        }
        // Another run may have created the same issue meanwhile: the younger closes.
        let again = api.issues_by(me).await?;
        let older = again
            .iter()
            .filter(|i| {
                i.state == "open"
                    && i.number < created.number
                    && !i.declined()
                    && i.body.as_deref().unwrap_or_default().contains(draft.marker)
            })
            .min_by_key(|i| i.number);
        if let Some(older) = older {
            close_twin(api, &created, older.number).await?;
        }
        return Ok(());
    };
    let old = issue.body.as_deref().unwrap_or_default();
    let old_region = region::region(old, draft.marker, &draft.end);
    let new_region = region::with_ticks(&draft.region, old_region);
    let text = region::replace(old, draft.marker, &draft.end, &new_region);
    if issue.state == "closed" {
        api.reopen_issue(issue.number, &text, (!issue.locked).then_some(draft.reopen))
            .await
    } else if region::comparable(old_region) != region::comparable(&new_region) {
        api.update_issue(issue.number, &text).await
    } else {
        Ok(())
    }
}

/// Creates an issue; after a failure that may have happened anyway (5xx, no answer),
/// looks for the marker among the bot's issues before trying again.
async fn create_once(
    api: &impl Forge,
    title: &str,
    text: &str,
    label: &str,
    marker: &str,
    me: &str,
    backoff: Duration,
) -> Result<Issue, ApiError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match api.open_issue(title, text, label).await {
            Ok(issue) => return Ok(issue),
            Err(e) if attempt < 3 && !e.rate_limited && e.status.is_none_or(|s| s >= 500) => {
                tokio::time::sleep(backoff * attempt).await;
                let found = api.issues_by(me).await?.into_iter().find(|i| {
                    i.state == "open" && i.body.as_deref().unwrap_or_default().contains(marker)
                });
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
    me: &str,
    ours: &[Issue],
    file: &str,
    findings: &[&Finding],
    links: &Links<'_>,
) -> Result<(), ApiError> {
    let prefix = format!("<!-- {}:row file={} key=", config.marker, norm(file));
    let end = region::end_marker(&config.marker);
    let mut rows: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
    for f in findings.iter().filter(|f| f.severity >= Severity::Error) {
        rows.entry(row_key(f)).or_default().push(f);
    }
    let key_of = |i: &Issue| {
        i.body
            .as_deref()
            .unwrap_or_default()
            .split(&prefix)
            .nth(1)
            .and_then(|r| r.split(' ').next())
            .map(String::from)
    };
    let existing: Vec<&Issue> = ours.iter().filter(|i| key_of(i).is_some()).collect();
    for (key, fs) in &rows {
        let marker = format!("{prefix}{key} -->");
        let thread = Thread::of(
            existing
                .iter()
                .copied()
                .filter(|i| key_of(i).as_deref() == Some(key.as_str()))
                .collect(),
        );
        if !thread.declined.is_empty() {
            // A person closed this row's issue as not planned: it stays closed.
            continue;
        }
        if let Some(active) = thread.active {
            for twin in &thread.twins {
                close_twin(api, twin, active.number).await?;
            }
        }
        let what = fs[0]
            .title
            .clone()
            .or_else(|| fs[0].url.clone())
            .unwrap_or_else(|| format!("line {}", fs[0].line));
        let title = body::escape_title(&format!(
            "paperlint: broken row in {}: {}",
            norm(file),
            crate::text::excerpt(&what, 80)
        ));
        let region = body::render(
            &head(
                &marker,
                &format!("paperlint: a broken row in `{}`", body::escape(norm(file))),
                links,
                "paperlint closes this issue when the row is fixed or removed.",
            ),
            fs,
            links,
            "",
        ) + &end
            + "\n";
        let draft = Draft {
            title,
            marker: &marker,
            end: end.clone(),
            region,
            reopen: "The row is broken again: reopening.",
        };
        upsert_issue(api, config, me, thread.active, &draft).await?;
    }
    for issue in existing
        .iter()
        .filter(|i| i.state == "open" && key_of(i).is_none_or(|k| !rows.contains_key(&k)))
    {
        let say = format!("Fixed or removed at {}: closing.", links.sha);
        api.close_issue(
            issue.number,
            "completed",
            (!issue.locked).then_some(say.as_str()),
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
    pr: &Pr<'_>,
    findings: &[Finding],
    hidden: usize,
    whole: &[&str],
) -> Result<(), ApiError> {
    let marker = format!("<!-- {}:pr -->", config.marker);
    let existing = api.marked_comment(pr.number, &marker, pr.me).await?;
    let text = if findings.is_empty() {
        // No commit id here: an all clear reads the same on every push.
        format!(
            "{marker}\n✅ **paperlint**: no problems in the rows this pull request adds or changes.\n"
        )
    } else {
        let refs: Vec<&Finding> = findings.iter().collect();
        let mut foot = String::new();
        for file in whole {
            foot.push_str(&format!(
                "\n_GitHub sent no diff for `{}` (too large to show), so paperlint checked the whole file._\n",
                body::escape(file)
            ));
        }
        if hidden > 0 {
            foot.push_str(&format!(
                "\n_{hidden} of these are not shown as annotations: GitHub limits them per step._\n"
            ));
        }
        body::render(
            &head(
                &marker,
                &format!(
                    "paperlint: {} in the rows this pull request changes",
                    crate::text::counted(findings.len(), "problem")
                ),
                pr.links,
                "Only rows added or changed by this pull request are checked here; fixes paperlint is sure of are suggested on the lines.",
            ),
            &refs,
            pr.links,
            &foot,
        )
    };
    match existing {
        Some(c)
            if region::comparable(c.body.as_deref().unwrap_or_default())
                != region::comparable(&text) =>
        {
            api.edit_comment(c.id, &text).await?;
        }
        None if !findings.is_empty() => {
            api.post_comment(pr.number, &text).await?;
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(number: u64, state: &str, reason: Option<&str>) -> Issue {
        serde_json::from_value(
            serde_json::json!({"number": number, "state": state, "state_reason": reason}),
        )
        .unwrap()
    }

    #[test]
    fn a_thread_keeps_the_oldest_open_issue_and_sets_declined_ones_apart() {
        let (a, b, c, d) = (
            issue(1, "closed", Some("not_planned")),
            issue(2, "open", None),
            issue(3, "open", None),
            issue(4, "closed", Some("duplicate")),
        );
        let t = Thread::of(vec![&a, &b, &c, &d]);
        assert_eq!(t.declined.len(), 1);
        assert_eq!(t.active.map(|i| i.number), Some(2));
        assert_eq!(t.twins.iter().map(|i| i.number).collect::<Vec<_>>(), [3]);
        let e = issue(5, "closed", Some("completed"));
        assert_eq!(Thread::of(vec![&a, &e]).active.map(|i| i.number), Some(5));
    }
}
