//! The GitHub REST calls paperlint needs, through octocrab (auth, base URI): issues,
//! issue comments and pull-request files. Reads are retried on 5xx; any request that
//! was rate-limited (primary or secondary: 403/429 with `retry-after` or
//! `x-ratelimit-remaining: 0`) waits and is sent again, since it was not performed.
//! A write that failed otherwise is *not* retried here: the caller decides (a create
//! is retried only after looking again for its marker). The token never appears in
//! an error message.

use crate::net::RateLimit;
use http::{Method, StatusCode};
use octocrab::Octocrab;
use serde::Deserialize;
use serde_json::Value;
use std::time::Duration;

/// A GitHub API failure, safe to print.
#[derive(Debug, thiserror::Error)]
#[error("GitHub API: {method} {path} {what}")]
pub struct ApiError {
    /// HTTP method.
    pub method: String,
    /// The route (no host, no token).
    pub path: String,
    /// What happened.
    pub what: String,
    /// The status, when GitHub answered.
    pub status: Option<u16>,
}

/// An issue, as much as paperlint needs.
#[derive(Debug, Clone, Deserialize)]
pub struct Issue {
    /// Issue number.
    pub number: u64,
    /// `open` or `closed`.
    pub state: String,
    /// Title.
    #[serde(default)]
    pub title: String,
    /// Body (may be null).
    #[serde(default)]
    pub body: Option<String>,
    /// Present on pull requests listed as issues.
    #[serde(default)]
    pub pull_request: Option<Value>,
}

/// An issue or pull-request comment.
#[derive(Debug, Clone, Deserialize)]
pub struct Comment {
    /// Comment id.
    pub id: u64,
    /// Body.
    #[serde(default)]
    pub body: Option<String>,
}

/// A file of a pull request.
#[derive(Debug, Clone, Deserialize)]
pub struct PrFile {
    /// Path in the head commit.
    pub filename: String,
    /// The unified diff of the file (absent for binary or huge files).
    #[serde(default)]
    pub patch: Option<String>,
}

/// The REST client for one repository.
pub struct Api {
    octo: Octocrab,
    base: String,
    repo: String,
    /// Longest wait a rate limit may impose before giving up.
    pub rate_limit_cap: Duration,
    /// First backoff after a 5xx on a read.
    pub backoff: Duration,
}

const READ_ATTEMPTS: u32 = 4;

impl Api {
    /// A client for `owner/repo` at `base` (`GITHUB_API_URL`).
    pub fn new(base: &str, repo: &str, token: &str) -> anyhow::Result<Api> {
        let octo = Octocrab::builder()
            .base_uri(base)
            .map_err(|_| anyhow::anyhow!("GITHUB_API_URL `{base}` is not a valid URL"))?
            .personal_token(token.to_string())
            // paperlint decides what may be retried (never a write blindly).
            .add_retry_config(octocrab::service::middleware::retry::RetryConfig::None)
            .build()
            .map_err(|e| anyhow::anyhow!("cannot build the GitHub client: {e}"))?;
        Ok(Api {
            octo,
            base: base.trim_end_matches('/').to_string(),
            repo: repo.to_string(),
            rate_limit_cap: Duration::from_secs(120),
            backoff: Duration::from_secs(1),
        })
    }

    fn url(&self, route: &str) -> String {
        format!("{}/repos/{}{}", self.base, self.repo, route)
    }

    /// Sends a request; returns status and parsed JSON body.
    async fn send(
        &self,
        method: Method,
        route: &str,
        body: Option<&Value>,
    ) -> Result<(StatusCode, Value), ApiError> {
        let url = self.url(route);
        let err = |what: String, status: Option<u16>| ApiError {
            method: method.to_string(),
            path: route.to_string(),
            what,
            status,
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let response = match method {
                Method::GET => self.octo._get(url.as_str()).await,
                Method::POST => self.octo._post(url.as_str(), body).await,
                Method::PATCH => self.octo._patch(url.as_str(), body).await,
                Method::PUT => self.octo._put(url.as_str(), body).await,
                _ => unreachable!("only GET, POST, PATCH and PUT are used"),
            };
            let response = match response {
                Ok(r) => r,
                Err(e) if method == Method::GET && attempt < READ_ATTEMPTS => {
                    let _ = e;
                    tokio::time::sleep(self.backoff * attempt).await;
                    continue;
                }
                Err(e) => return Err(err(format!("failed: {}", safe(&e.to_string())), None)),
            };
            let status = response.status();
            let headers = response.headers().clone();
            let text = self.octo.body_to_string(response).await.unwrap_or_default();
            if let Some(wait) = rate_limited(status, &headers, self.rate_limit_cap) {
                if attempt < READ_ATTEMPTS + 2 {
                    tokio::time::sleep(wait).await;
                    continue;
                }
                return Err(err(
                    format!("rate-limited ({})", status.as_u16()),
                    Some(status.as_u16()),
                ));
            }
            if status.is_server_error() && method == Method::GET && attempt < READ_ATTEMPTS {
                tokio::time::sleep(self.backoff * attempt).await;
                continue;
            }
            if !status.is_success() {
                let message = serde_json::from_str::<Value>(&text)
                    .ok()
                    .and_then(|v| v["message"].as_str().map(String::from))
                    .unwrap_or_default();
                return Err(err(
                    format!(
                        "answered {}{}",
                        status.as_u16(),
                        if message.is_empty() {
                            String::new()
                        } else {
                            format!(": {}", safe(&message))
                        }
                    ),
                    Some(status.as_u16()),
                ));
            }
            let json = if text.trim().is_empty() {
                Value::Null
            } else {
                serde_json::from_str(&text).map_err(|e| {
                    err(format!("answered invalid JSON: {e}"), Some(status.as_u16()))
                })?
            };
            return Ok((status, json));
        }
    }

    /// `owner/repo`.
    pub fn repo(&self) -> &str {
        &self.repo
    }

    /// GET a route of the repository (`""` is the repository itself).
    pub async fn get(&self, route: &str) -> Result<Value, ApiError> {
        self.send(Method::GET, route, None).await.map(|(_, v)| v)
    }

    /// POST to a route of the repository.
    pub async fn post(&self, route: &str, body: &Value) -> Result<Value, ApiError> {
        self.send(Method::POST, route, Some(body))
            .await
            .map(|(_, v)| v)
    }

    /// PATCH a route of the repository.
    pub async fn patch(&self, route: &str, body: &Value) -> Result<Value, ApiError> {
        self.send(Method::PATCH, route, Some(body))
            .await
            .map(|(_, v)| v)
    }

    /// PUT to a route of the repository.
    pub async fn put(&self, route: &str, body: &Value) -> Result<Value, ApiError> {
        self.send(Method::PUT, route, Some(body))
            .await
            .map(|(_, v)| v)
    }

    /// Every item of a paginated list route.
    pub async fn list<T: for<'de> Deserialize<'de>>(
        &self,
        route: &str,
    ) -> Result<Vec<T>, ApiError> {
        self.get_all(route).await
    }

    async fn get_all<T: for<'de> Deserialize<'de>>(&self, route: &str) -> Result<Vec<T>, ApiError> {
        let mut out = Vec::new();
        for page in 1..=50 {
            let sep = if route.contains('?') { '&' } else { '?' };
            let (_, json) = self
                .send(
                    Method::GET,
                    &format!("{route}{sep}per_page=100&page={page}"),
                    None,
                )
                .await?;
            let items: Vec<T> = serde_json::from_value(json).map_err(|e| ApiError {
                method: "GET".into(),
                path: route.into(),
                what: format!("unexpected answer: {e}"),
                status: None,
            })?;
            let n = items.len();
            out.extend(items);
            if n < 100 {
                break;
            }
        }
        Ok(out)
    }

    /// Every issue (open and closed, pull requests left out) carrying `label`.
    pub async fn issues_with_label(&self, label: &str) -> Result<Vec<Issue>, ApiError> {
        let issues: Vec<Issue> = self
            .get_all(&format!("/issues?state=all&labels={}", encode(label)))
            .await?;
        Ok(issues
            .into_iter()
            .filter(|i| i.pull_request.is_none())
            .collect())
    }

    /// Opens an issue.
    pub async fn create_issue(
        &self,
        title: &str,
        body: &str,
        label: &str,
    ) -> Result<Issue, ApiError> {
        let payload = serde_json::json!({"title": title, "body": body, "labels": [label]});
        let (_, json) = self.send(Method::POST, "/issues", Some(&payload)).await?;
        serde_json::from_value(json).map_err(|e| ApiError {
            method: "POST".into(),
            path: "/issues".into(),
            what: format!("unexpected answer: {e}"),
            status: None,
        })
    }

    /// Edits an issue's body and/or state.
    pub async fn edit_issue(
        &self,
        number: u64,
        body: Option<&str>,
        state: Option<&str>,
    ) -> Result<(), ApiError> {
        let payload = edit_payload(body, state, true);
        self.send(Method::PATCH, &format!("/issues/{number}"), Some(&payload))
            .await
            .map(|_| ())
    }

    /// Comments on an issue or pull request.
    pub async fn comment(&self, number: u64, body: &str) -> Result<Comment, ApiError> {
        let (_, json) = self
            .send(
                Method::POST,
                &format!("/issues/{number}/comments"),
                Some(&serde_json::json!({"body": body})),
            )
            .await?;
        serde_json::from_value(json).map_err(|e| ApiError {
            method: "POST".into(),
            path: format!("/issues/{number}/comments"),
            what: format!("unexpected answer: {e}"),
            status: None,
        })
    }

    /// The comments of an issue or pull request.
    pub async fn comments(&self, number: u64) -> Result<Vec<Comment>, ApiError> {
        self.get_all(&format!("/issues/{number}/comments")).await
    }

    /// Edits a comment.
    pub async fn edit_comment(&self, id: u64, body: &str) -> Result<(), ApiError> {
        self.send(
            Method::PATCH,
            &format!("/issues/comments/{id}"),
            Some(&serde_json::json!({"body": body})),
        )
        .await
        .map(|_| ())
    }

    /// The files a pull request changes.
    pub async fn pr_files(&self, number: u64) -> Result<Vec<PrFile>, ApiError> {
        self.get_all(&format!("/pulls/{number}/files")).await
    }
}

/// The PATCH body that changes a body and/or a state; a closed issue is closed as
/// "completed" (`with_reason`; pull requests have no reason).
pub fn edit_payload(body: Option<&str>, state: Option<&str>, with_reason: bool) -> Value {
    let mut payload = serde_json::Map::new();
    if let Some(b) = body {
        payload.insert("body".into(), Value::String(b.into()));
    }
    if let Some(s) = state {
        payload.insert("state".into(), Value::String(s.into()));
        if s == "closed" && with_reason {
            payload.insert("state_reason".into(), Value::String("completed".into()));
        }
    }
    Value::Object(payload)
}

/// A 403/429 that is a rate limit: how long to wait (capped). Without a reset time,
/// an exhausted quota waits a minute.
fn rate_limited(status: StatusCode, headers: &http::HeaderMap, cap: Duration) -> Option<Duration> {
    if status != StatusCode::FORBIDDEN && status != StatusCode::TOO_MANY_REQUESTS {
        return None;
    }
    let limits = RateLimit::read(headers, cap);
    if let Some(wait) = limits.retry_after {
        return Some(wait);
    }
    if limits.exhausted {
        return Some(limits.reset_in.unwrap_or(Duration::from_secs(60).min(cap)));
    }
    // A secondary rate limit says so in its message; without headers, it is an error.
    None
}

/// Removes anything that looks like a token from text that came back from GitHub.
fn safe(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            if w.starts_with("ghp_")
                || w.starts_with("ghs_")
                || w.starts_with("github_pat_")
                || w.to_lowercase().starts_with("bearer")
            {
                "[redacted]"
            } else {
                w
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
