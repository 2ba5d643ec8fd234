//! `paperlint fix --github`: the fixes proposed as one pull request from a fixed
//! branch (`fix.branch`), found again by its marker and author on later runs; the
//! branch is reset onto the checked commit and the fixed files committed through the
//! contents API; a run with the same fixes writes nothing; a run with nothing left to
//! fix closes the pull request. A maintainer's decision stands: a pull request closed
//! without merging declines its fixes (each carries a hidden key), a merged one is
//! never reopened, and a person's commit on the branch makes the bot stop and say why.

use super::Env;
use super::api::{Api, ApiError, Issue};
use super::forge::Forge;
use crate::config::Config;
use crate::fix::{Edit, Repair};
use base64::Engine;
use serde_json::json;
use std::collections::BTreeSet;

/// One file's proposal: its path, the text with the proposed edits applied, and
/// those edits.
struct Proposal<'a> {
    path: String,
    fixed: String,
    edits: Vec<&'a Edit>,
}

/// The identity of a fix, stable across runs and line moves: file, rule, the text it
/// replaces and its replacement.
fn fix_key(path: &str, text: &str, e: &Edit) -> String {
    use sha2::Digest;
    let was = text.get(e.start..e.end).unwrap_or_default();
    let digest =
        sha2::Sha256::digest(format!("{path}\n{}\n{was}\n{}", e.rule, e.replacement).as_bytes());
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// The fix keys a pull request body lists.
fn keys_in(body: &str) -> BTreeSet<String> {
    body.match_indices("<!-- fix=")
        .filter_map(|(i, m)| body[i + m.len()..].split_whitespace().next())
        .map(String::from)
        .collect()
}

/// `text` with `edits` (non-overlapping, any order) applied.
fn apply(text: &str, edits: &[&Edit]) -> String {
    let mut sorted: Vec<&&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| e.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for e in sorted {
        out.push_str(&text[at..e.start]);
        out.push_str(&e.replacement);
        at = e.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Opens, updates or closes the fixes pull request; returns what it did, in a line.
/// A person's decision stands: fixes of a pull request closed without merging are
/// not proposed again, a merged one is never reopened (new fixes get a new pull
/// request), and a person's commit on the branch stops the bot, which says why.
pub async fn propose(env: &Env, config: &Config, repairs: &[Repair<'_>]) -> anyhow::Result<String> {
    let mut api = Api::with_network(&env.api_url, &env.repository, env.token(), &config.network)?;
    api.configure(&config.github);
    propose_on(&api, env, config, repairs).await
}

/// [`propose`] on any [`Forge`].
pub async fn propose_on(
    api: &impl Forge,
    env: &Env,
    config: &Config,
    repairs: &[Repair<'_>],
) -> anyhow::Result<String> {
    let me = api.identity(&config.github.login).await?;
    let branch = &config.fix.branch;
    let marker = format!("<!-- {}:fixes -->", config.github.marker);
    let ours: Vec<Issue> = api.marked_pulls(branch, &marker, &me).await?;
    let declined: Vec<&Issue> = ours
        .iter()
        .filter(|p| p.state == "closed" && p.merged_at.is_none())
        .collect();
    let declined_keys: BTreeSet<String> = declined
        .iter()
        .flat_map(|p| keys_in(p.body.as_deref().unwrap_or_default()))
        .collect();
    let proposals: Vec<Proposal> = repairs
        .iter()
        .filter_map(|r| {
            let path = r.source.display_path().trim_start_matches("./").to_string();
            let edits: Vec<&Edit> = r
                .done
                .iter()
                .filter(|e| !declined_keys.contains(&fix_key(&path, &r.source.text, e)))
                .collect();
            if edits.is_empty() {
                return None;
            }
            let fixed = if edits.len() == r.done.len() {
                r.fixed.clone()
            } else {
                apply(&r.source.text, &edits)
            };
            Some(Proposal { path, fixed, edits })
        })
        .collect();
    let open = ours.iter().rev().find(|p| p.state == "open");
    if proposals.is_empty() {
        return match open {
            Some(pr) => {
                api.close_pull(
                    pr.number,
                    &format!("Nothing is left to fix at {}: closing.", env.sha),
                )
                .await?;
                Ok(format!(
                    "paperlint: nothing to fix; closed pull request #{}",
                    pr.number
                ))
            }
            None if !declined.is_empty() => Ok(format!(
                "paperlint: nothing new to fix; the fixes left were declined in pull request #{}",
                declined.last().map_or(0, |p| p.number)
            )),
            None => Ok("paperlint: nothing to fix".into()),
        };
    }
    // The newest closed or merged one: the new body says what became of it.
    let previous = ours.iter().rev().find(|p| p.state != "open");
    let body = pr_body(&marker, &proposals, repairs, env, previous);
    // A person's commit on the branch is theirs: never overwritten.
    {
        let others = api.foreign_commits(branch, &me).await?;
        if !others.is_empty() {
            return Ok(format!(
                "paperlint: the branch `{branch}` has commits by {}; paperlint leaves it{} as it is. Merge or close the pull request, or delete the branch, and the next run proposes the new fixes.",
                others.join(", "),
                open.map(|p| format!(" and pull request #{}", p.number))
                    .unwrap_or_default()
            ));
        }
    }
    if let Some(pr) = open {
        let mut same = true;
        for p in &proposals {
            let on_branch = api.file_on(&p.path, branch).await?;
            if on_branch.as_ref().map(|(content, _)| content.as_str()) != Some(p.fixed.as_str()) {
                same = false;
            }
        }
        if same {
            if pr.body.as_deref() != Some(body.as_str()) {
                api.update_pull(pr.number, Some(&body), false).await?;
            }
            return Ok(format!(
                "paperlint: pull request #{} is up to date",
                pr.number
            ));
        }
    }
    // The branch starts again from the checked commit (only the bot's own commits
    // are on it, or they were merged), then gets the fixed files.
    api.reset_branch(branch, &env.sha).await?;
    for p in &proposals {
        let sha = api.file_on(&p.path, branch).await?.map(|(_, sha)| sha);
        let message = format!(
            "paperlint: {} in {}",
            crate::text::counted(p.edits.len(), "fix"),
            p.path
        );
        api.commit_file(&p.path, branch, &p.fixed, sha.as_deref(), &message)
            .await?;
    }
    let number = match open {
        Some(pr) => {
            api.update_pull(pr.number, Some(&body), false).await?;
            pr.number
        }
        None => {
            api.open_pull("paperlint: fix broken links and rows", branch, &body)
                .await?
                .number
        }
    };
    Ok(format!(
        "paperlint: pull request #{number} proposes the fixes"
    ))
}

fn pr_body(
    marker: &str,
    proposals: &[Proposal],
    repairs: &[Repair<'_>],
    env: &Env,
    previous: Option<&Issue>,
) -> String {
    let mut body = format!(
        "{marker}\n## paperlint fixes\n\nFixes that paperlint could make safely, from the list at `{}`. Each is an exact edit of the line named; nothing else changed.\n",
        env.sha.get(..7).unwrap_or(&env.sha)
    );
    if let Some(p) = previous {
        body.push_str(&if p.merged_at.is_some() {
            format!("\n_#{} was merged; these are the fixes found since._\n", p.number)
        } else {
            format!(
                "\n_#{} was closed without merging; the fixes it proposed are not proposed again._\n",
                p.number
            )
        });
    }
    for p in proposals {
        let text = repairs
            .iter()
            .find(|r| r.source.display_path().trim_start_matches("./") == p.path)
            .map_or("", |r| r.source.text.as_str());
        body.push_str(&format!("\n### `{}`\n\n", super::body::escape(&p.path)));
        for e in &p.edits {
            body.push_str(&format!(
                "- line {}: {} (`{}`) → {} <!-- fix={} -->\n",
                e.line,
                super::body::escape(&e.reason),
                e.rule,
                super::body::escape(&e.replacement.replace('\n', "⏎")),
                fix_key(&p.path, text, e)
            ));
        }
    }
    if body.chars().count() > super::body::BODY_LIMIT {
        body = body
            .chars()
            .take(super::body::BODY_LIMIT - 100)
            .collect::<String>()
            + "\n\n_…the list of changes is cut here; the diff has them all._\n";
    }
    body
}

impl Api {
    /// Pull requests (any state) whose head is `branch` in this repository.
    pub async fn pulls_from(&self, branch: &str) -> Result<Vec<super::api::Issue>, ApiError> {
        let owner = self
            .repo()
            .split('/')
            .next()
            .unwrap_or_default()
            .to_string();
        self.list(&format!(
            "/pulls?state=all&head={}",
            url::form_urlencoded::byte_serialize(format!("{owner}:{branch}").as_bytes())
                .collect::<String>()
        ))
        .await
    }

    /// Edits a pull request's body and/or state.
    pub async fn edit_pull(
        &self,
        number: u64,
        body: Option<&str>,
        state: Option<&str>,
    ) -> Result<(), ApiError> {
        self.patch(
            &format!("/pulls/{number}"),
            &super::api::edit_payload(body, state, false),
        )
        .await
        .map(|_| ())
    }

    /// Opens a pull request.
    pub async fn create_pull(
        &self,
        title: &str,
        head: &str,
        base: &str,
        body: &str,
    ) -> Result<super::api::Issue, ApiError> {
        let v = self
            .post(
                "/pulls",
                &json!({"title": title, "head": head, "base": base, "body": body}),
            )
            .await?;
        serde_json::from_value(v).map_err(|e| ApiError {
            method: "POST".into(),
            path: "/pulls".into(),
            what: format!("unexpected answer: {e}"),
            status: None,
            rate_limited: false,
        })
    }

    /// The repository's default branch.
    pub async fn default_branch(&self) -> Result<String, ApiError> {
        let v = self.get("").await?;
        Ok(v["default_branch"].as_str().unwrap_or("main").to_string())
    }

    /// A file's content and blob sha on a branch, or `None` when it is not there.
    pub async fn file_on(
        &self,
        path: &str,
        branch: &str,
    ) -> Result<Option<(String, String)>, ApiError> {
        match self
            .get(&format!(
                "/contents/{path}?ref={}",
                url::form_urlencoded::byte_serialize(branch.as_bytes()).collect::<String>()
            ))
            .await
        {
            Ok(v) => {
                let bytes = super::api::content_bytes(&v).unwrap_or_default();
                Ok(Some((
                    String::from_utf8_lossy(&bytes).into_owned(),
                    v["sha"].as_str().unwrap_or_default().to_string(),
                )))
            }
            Err(e) if e.status == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Whether `branch` exists.
    pub async fn branch_exists(&self, branch: &str) -> Result<bool, ApiError> {
        match self.get(&format!("/git/ref/heads/{branch}")).await {
            Ok(_) => Ok(true),
            Err(e) if e.status == Some(404) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The authors other than `me` of the commits on `branch` that the default
    /// branch lacks (none when the branch does not exist).
    pub async fn foreign_commits(&self, branch: &str, me: &str) -> Result<Vec<String>, ApiError> {
        if !self.branch_exists(branch).await? {
            return Ok(Vec::new());
        }
        let base = self.default_branch().await?;
        let v = self.get(&format!("/compare/{base}...{branch}")).await?;
        let mut who: Vec<String> = v["commits"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|c| {
                c["author"]["login"]
                    .as_str()
                    .or_else(|| c["commit"]["author"]["name"].as_str())
                    .unwrap_or("someone")
                    .to_string()
            })
            .filter(|login| login != me)
            .collect();
        who.sort();
        who.dedup();
        Ok(who)
    }

    /// Points `branch` at `sha`, creating it when it does not exist.
    pub async fn reset_branch(&self, branch: &str, sha: &str) -> Result<(), ApiError> {
        match self.get(&format!("/git/ref/heads/{branch}")).await {
            Ok(_) => self
                .patch(
                    &format!("/git/refs/heads/{branch}"),
                    &json!({"sha": sha, "force": true}),
                )
                .await
                .map(|_| ()),
            Err(e) if e.status == Some(404) => self
                .post(
                    "/git/refs",
                    &json!({"ref": format!("refs/heads/{branch}"), "sha": sha}),
                )
                .await
                .map(|_| ()),
            Err(e) => Err(e),
        }
    }

    /// Commits a file's new content on a branch.
    pub async fn put_file(
        &self,
        path: &str,
        branch: &str,
        content: &str,
        sha: Option<&str>,
        message: &str,
    ) -> Result<(), ApiError> {
        let mut payload = json!({"message": message, "branch": branch, "content": base64::engine::general_purpose::STANDARD.encode(content)});
        if let Some(sha) = sha {
            payload["sha"] = sha.into();
        }
        self.put(&format!("/contents/{path}"), &payload)
            .await
            .map(|_| ())
    }
}
