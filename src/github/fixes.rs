//! `paperlint fix --github`: the fixes proposed as one pull request from a fixed
//! branch (`fix.branch`), found again by its marker on later runs; the branch is
//! reset onto the checked commit and the fixed files committed through the contents
//! API; a run with the same fixes writes nothing; a run with nothing left to fix
//! closes the pull request.

use super::Env;
use super::api::{Api, ApiError};
use super::forge::Forge;
use crate::config::Config;
use crate::fix::Repair;
use base64::Engine;
use serde_json::json;

/// Opens, updates or closes the fixes pull request; returns what it did, in a line.
pub async fn propose(env: &Env, config: &Config, repairs: &[Repair]) -> anyhow::Result<String> {
    let mut api = Api::new(&env.api_url, &env.repository, env.token())?;
    api.backoff = config.github.backoff;
    propose_on(&api, env, config, repairs).await
}

/// [`propose`] on any [`Forge`].
pub async fn propose_on(
    forge: &impl Forge,
    env: &Env,
    config: &Config,
    repairs: &[Repair],
) -> anyhow::Result<String> {
    let branch = &config.fix.branch;
    let marker = format!("<!-- {}:fixes -->", config.github.marker);
    let changed: Vec<&Repair> = repairs.iter().filter(|r| !r.done.is_empty()).collect();
    let existing = forge.marked_pull(branch, &marker).await?;
    if changed.is_empty() {
        return match existing.filter(|p| p.state == "open") {
            Some(pr) => {
                forge
                    .close_pull(
                        pr.number,
                        &format!("Nothing is left to fix at {}: closing.", env.sha),
                    )
                    .await?;
                Ok(format!(
                    "paperlint: nothing to fix; closed pull request #{}",
                    pr.number
                ))
            }
            None => Ok("paperlint: nothing to fix".into()),
        };
    }
    let body = pr_body(&marker, &changed, env);
    // Same fixes already on the branch and proposed: nothing to write.
    let mut same = true;
    for r in &changed {
        let path = r.source.display_path();
        let on_branch = forge.file_on(path.trim_start_matches("./"), branch).await?;
        if on_branch.as_ref().map(|(content, _)| content.as_str()) != Some(r.fixed.as_str()) {
            same = false;
        }
    }
    if same && let Some(pr) = existing.as_ref().filter(|p| p.state == "open") {
        if pr.body.as_deref() != Some(body.as_str()) {
            forge.update_pull(pr.number, Some(&body), false).await?;
        }
        return Ok(format!(
            "paperlint: pull request #{} is up to date",
            pr.number
        ));
    }
    // The branch starts again from the checked commit, then gets the fixed files.
    forge.reset_branch(branch, &env.sha).await?;
    for r in &changed {
        let path = r.source.display_path();
        let path = path.trim_start_matches("./");
        let blob = forge.file_on(path, branch).await?.map(|(_, blob)| blob);
        let message = format!(
            "paperlint: {} in {path}",
            crate::text::counted(r.done.len(), "fix")
        );
        forge
            .commit_file(path, branch, &r.fixed, blob.as_deref(), &message)
            .await?;
    }
    let number = match existing {
        Some(pr) => {
            forge
                .update_pull(pr.number, Some(&body), pr.state != "open")
                .await?;
            pr.number
        }
        None => {
            forge
                .open_pull("paperlint: fix broken links and rows", branch, &body)
                .await?
                .number
        }
    };
    Ok(format!(
        "paperlint: pull request #{number} proposes the fixes"
    ))
}

fn pr_body(marker: &str, changed: &[&Repair], env: &Env) -> String {
    let mut body = format!(
        "{marker}\n## paperlint fixes\n\nFixes that paperlint could make safely, from the list at `{}`. Each is an exact edit of the line named; nothing else changed.\n",
        env.sha.get(..7).unwrap_or(&env.sha)
    );
    for r in changed {
        body.push_str(&format!(
            "\n### `{}`\n\n",
            super::body::escape(r.source.display_path().trim_start_matches("./"))
        ));
        for e in &r.done {
            body.push_str(&format!(
                "- line {}: {} (`{}`) → {}\n",
                e.line,
                super::body::escape(&e.reason),
                e.rule,
                super::body::escape(&e.replacement.replace('\n', "⏎"))
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
                let raw: String = v["content"]
                    .as_str()
                    .unwrap_or_default()
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(raw)
                    .unwrap_or_default();
                Ok(Some((
                    String::from_utf8_lossy(&bytes).into_owned(),
                    v["sha"].as_str().unwrap_or_default().to_string(),
                )))
            }
            Err(e) if e.status == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
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
