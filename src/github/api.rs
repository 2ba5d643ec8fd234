//! The GitHub REST calls paperlint needs, through octocrab (auth, base URI): the
//! token's identity, issues, issue comments, pull-request files and review comments.
//! Every request has a timeout. Reads are retried on 5xx and on no answer; any
//! request that was rate-limited (primary: 403/429 with `retry-after` or
//! `x-ratelimit-remaining: 0`; secondary: a 403/429 whose message says "secondary
//! rate limit", often without any header) waits and is sent again, since GitHub did
//! not perform it, as long as the run's rate-limit budget lasts. A write that failed
//! otherwise is *not* retried here: the caller decides (a create is retried only
//! after looking again for its marker). The token never appears in an error message.

use crate::config::NetworkConfig;
use crate::net::RateLimit;
use http::{Method, StatusCode};
use octocrab::Octocrab;
use serde::Deserialize;
use serde_json::Value;
use std::time::Duration;

/// The bytes of a file the contents API returned: its `content` is base64 with line
/// breaks.
pub(crate) fn content_bytes(file: &Value) -> Result<Vec<u8>, base64::DecodeError> {
    use base64::Engine;
    let raw: String = file["content"]
        .as_str()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD.decode(raw)
}

/// A GitHub API failure, safe to print: one line with method, route and status.
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
    /// GitHub refused for a rate limit (never a permission problem).
    pub rate_limited: bool,
}

impl ApiError {
    fn new(method: &str, path: &str, what: String, status: Option<u16>) -> ApiError {
        ApiError {
            method: method.to_string(),
            path: path.to_string(),
            what,
            status,
            rate_limited: false,
        }
    }

    /// Whether GitHub refused the request for lack of permission (a read-only token,
    /// as on pull requests from forks), as opposed to a rate limit.
    pub fn is_forbidden(&self) -> bool {
        matches!(self.status, Some(403) | Some(404)) && !self.rate_limited
    }
}

/// A GitHub account (the author of an issue or comment).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct User {
    /// The login (`github-actions[bot]` for the Actions token).
    #[serde(default)]
    pub login: String,
    /// `User` or `Bot`.
    #[serde(default, rename = "type")]
    pub kind: String,
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
    /// Who opened it.
    #[serde(default)]
    pub user: Option<User>,
    /// Why it was closed: `completed`, `not_planned`, `duplicate`, or `reopened`.
    #[serde(default)]
    pub state_reason: Option<String>,
    /// Whether a maintainer locked the conversation.
    #[serde(default)]
    pub locked: bool,
    /// When a pull request was merged (pull requests only).
    #[serde(default)]
    pub merged_at: Option<String>,
}

impl Issue {
    /// The login of its author.
    pub fn author(&self) -> &str {
        self.user.as_ref().map_or("", |u| u.login.as_str())
    }

    /// Whether a person closed it as not planned (a decision the bot keeps).
    pub fn declined(&self) -> bool {
        self.state == "closed" && self.state_reason.as_deref() == Some("not_planned")
    }
}

/// An issue or pull-request comment.
#[derive(Debug, Clone, Deserialize)]
pub struct Comment {
    /// Comment id.
    pub id: u64,
    /// Body.
    #[serde(default)]
    pub body: Option<String>,
    /// Who wrote it.
    #[serde(default)]
    pub user: Option<User>,
    /// File of a review comment.
    #[serde(default)]
    pub path: Option<String>,
    /// Line of a review comment in the new file.
    #[serde(default)]
    pub line: Option<u64>,
}

impl Comment {
    /// The login of its author.
    pub fn author(&self) -> &str {
        self.user.as_ref().map_or("", |u| u.login.as_str())
    }
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
    /// The longest a run may spend waiting out rate limits, all requests together.
    pub rate_limit_cap: Duration,
    /// The wait after a secondary rate limit that names no time (GitHub asks for at
    /// least a minute).
    pub rate_limit_wait: Duration,
    /// First backoff after a 5xx on a read.
    pub backoff: Duration,
    /// The most one request may take, answer included.
    pub timeout: Duration,
    /// The most one wait may take, and all waits together (`network.host_budget`):
    /// a limit asking for more ends the run's GitHub side at once.
    pub budget: Duration,
    /// Rate-limit waits spent so far, in milliseconds.
    waited: std::sync::atomic::AtomicU64,
}

const READ_ATTEMPTS: u32 = 4;
/// Rate-limited sends of one request before giving up.
const LIMITED_ATTEMPTS: u32 = 6;

impl Api {
    /// A client for `owner/repo` at `base` (`GITHUB_API_URL`), with the default
    /// network limits.
    pub fn new(base: &str, repo: &str, token: &str) -> anyhow::Result<Api> {
        Api::with_network(base, repo, token, &NetworkConfig::default())
    }

    /// A client for `owner/repo` at `base`, with the connect and read timeouts and
    /// the time budget of `network` (the whole-request limit is `[github] timeout`).
    pub fn with_network(
        base: &str,
        repo: &str,
        token: &str,
        network: &NetworkConfig,
    ) -> anyhow::Result<Api> {
        let octo = Octocrab::builder()
            .base_uri(base)
            .map_err(|_| anyhow::anyhow!("GITHUB_API_URL `{base}` is not a valid URL"))?
            .personal_token(token.to_string())
            // paperlint decides what may be retried (never a write blindly).
            .add_retry_config(octocrab::service::middleware::retry::RetryConfig::None)
            // A socket that accepts and never answers must not hold the run.
            .set_connect_timeout(Some(network.connect_timeout))
            .set_read_timeout(Some(network.read_timeout))
            .set_write_timeout(Some(network.read_timeout))
            .build()
            .map_err(|e| anyhow::anyhow!("cannot build the GitHub client: {e}"))?;
        Ok(Api {
            octo,
            base: base.trim_end_matches('/').to_string(),
            repo: repo.to_string(),
            rate_limit_cap: Duration::from_secs(600),
            rate_limit_wait: Duration::from_secs(60),
            backoff: Duration::from_secs(1),
            timeout: Duration::from_secs(30),
            budget: network.host_budget,
            waited: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// Applies the `[github]` settings: waits and the per-request timeout.
    pub fn configure(&mut self, config: &crate::config::GitHubConfig) {
        self.backoff = config.backoff;
        self.timeout = config.timeout;
        self.rate_limit_wait = config.rate_limit_wait;
    }

    fn url(&self, route: &str) -> String {
        match route.strip_prefix('@') {
            // `@/user`: a route outside the repository.
            Some(top) => format!("{}{}", self.base, top),
            None => format!("{}/repos/{}{}", self.base, self.repo, route),
        }
    }

    /// Takes `wait` from the run's rate-limit budget; false when it is spent.
    fn spend(&self, wait: Duration) -> bool {
        use std::sync::atomic::Ordering;
        let ms = wait.as_millis() as u64;
        let before = self.waited.fetch_add(ms, Ordering::SeqCst);
        before + ms <= self.rate_limit_cap.min(self.budget).as_millis() as u64
    }

    /// Sends a request; returns status and parsed JSON body.
    async fn send(
        &self,
        method: Method,
        route: &str,
        body: Option<&Value>,
    ) -> Result<(StatusCode, Value), ApiError> {
        let url = self.url(route);
        let shown = route.trim_start_matches('@');
        let err =
            |what: String, status: Option<u16>| ApiError::new(method.as_str(), shown, what, status);
        let mut attempt = 0;
        let mut limited = 0;
        loop {
            attempt += 1;
            let request = async {
                let response = match method {
                    Method::GET => self.octo._get(url.as_str()).await,
                    Method::POST => self.octo._post(url.as_str(), body).await,
                    Method::PATCH => self.octo._patch(url.as_str(), body).await,
                    Method::PUT => self.octo._put(url.as_str(), body).await,
                    Method::DELETE => self.octo._delete(url.as_str(), body).await,
                    _ => unreachable!("only GET, POST, PATCH, PUT and DELETE are used"),
                }?;
                let status = response.status();
                let headers = response.headers().clone();
                let text = self.octo.body_to_string(response).await?;
                Ok::<_, octocrab::Error>((status, headers, text))
            };
            let answer = match tokio::time::timeout(self.timeout, request).await {
                Ok(Ok(answer)) => answer,
                Ok(Err(_)) | Err(_) if method == Method::GET && attempt < READ_ATTEMPTS => {
                    tokio::time::sleep(self.backoff * attempt).await;
                    continue;
                }
                Ok(Err(e)) if timed_out(&e) => return Err(err("failed: timed out".into(), None)),
                Ok(Err(e)) => return Err(err(format!("failed: {}", safe(&e.to_string())), None)),
                Err(_) => {
                    return Err(err(
                        format!(
                            "timed out after {}",
                            humantime::format_duration(self.timeout)
                        ),
                        None,
                    ));
                }
            };
            let (status, headers, text) = answer;
            let message = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| v["message"].as_str().map(String::from))
                .unwrap_or_default();
            if let Some(limit) = rate_limited(
                status,
                &headers,
                &message,
                self.rate_limit_wait,
                // Uncapped: a wait beyond the budget is refused, and named as asked.
                Duration::MAX,
            ) {
                limited += 1;
                // A wait the run cannot afford ends it now, not after the wait.
                if limit.wait > self.rate_limit_cap.min(self.budget) {
                    let mut e = err(
                        format!(
                            "answered {}: {}, asked to wait {}: more than this run allows (network.host_budget {})",
                            status.as_u16(),
                            limit.kind,
                            humantime::format_duration(Duration::from_secs(
                                limit.wait.as_secs().max(1)
                            )),
                            humantime::format_duration(self.budget)
                        ),
                        Some(status.as_u16()),
                    );
                    e.rate_limited = true;
                    return Err(e);
                }
                let wait = limit.wait;
                if limited < LIMITED_ATTEMPTS && self.spend(wait) {
                    tokio::time::sleep(wait).await;
                    attempt -= 1;
                    continue;
                }
                let mut e = err(
                    format!(
                        "answered {}: {}, still limited after {limited} tries",
                        status.as_u16(),
                        limit.kind
                    ),
                    Some(status.as_u16()),
                );
                e.rate_limited = true;
                return Err(e);
            }
            if status.is_server_error() && method == Method::GET && attempt < READ_ATTEMPTS {
                tokio::time::sleep(self.backoff * attempt).await;
                continue;
            }
            if !status.is_success() {
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
                rate_limited: false,
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
            rate_limited: false,
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
            rate_limited: false,
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

    /// The login the token acts as: `GET /user` for a personal token; the Actions
    /// token and app installation tokens may not read it (403), then `fallback`
    /// (`github-actions[bot]`, or the app's bot login from the config).
    pub async fn identity(&self, fallback: &str) -> Result<String, ApiError> {
        match self.get("@/user").await {
            Ok(v) => Ok(v["login"]
                .as_str()
                .filter(|l| !l.is_empty())
                .unwrap_or(fallback)
                .to_string()),
            Err(e) if matches!(e.status, Some(401 | 403 | 404)) && !e.rate_limited => {
                Ok(fallback.to_string())
            }
            Err(e) => Err(e),
        }
    }

    /// Every issue (open and closed, pull requests left out) opened by `login`.
    pub async fn issues_by(&self, login: &str) -> Result<Vec<Issue>, ApiError> {
        let issues: Vec<Issue> = self
            .get_all(&format!("/issues?state=all&creator={}", encode(login)))
            .await?;
        Ok(issues
            .into_iter()
            .filter(|i| i.pull_request.is_none() && i.author() == login)
            .collect())
    }

    /// Closes an issue with a reason (`completed`, `not_planned`, `duplicate`).
    pub async fn close_as(&self, number: u64, reason: &str) -> Result<(), ApiError> {
        let payload = serde_json::json!({"state": "closed", "state_reason": reason});
        self.send(Method::PATCH, &format!("/issues/{number}"), Some(&payload))
            .await
            .map(|_| ())
    }

    /// The review comments (on lines) of a pull request.
    pub async fn review_comments(&self, number: u64) -> Result<Vec<Comment>, ApiError> {
        self.get_all(&format!("/pulls/{number}/comments")).await
    }

    /// Submits one review (event `COMMENT`) carrying line comments at `commit`.
    pub async fn create_review(
        &self,
        number: u64,
        commit: &str,
        body: &str,
        comments: &[Value],
    ) -> Result<(), ApiError> {
        let payload = serde_json::json!({"commit_id": commit, "event": "COMMENT", "body": body, "comments": comments});
        self.send(
            Method::POST,
            &format!("/pulls/{number}/reviews"),
            Some(&payload),
        )
        .await
        .map(|_| ())
    }

    /// Edits a review comment.
    pub async fn edit_review_comment(&self, id: u64, body: &str) -> Result<(), ApiError> {
        self.send(
            Method::PATCH,
            &format!("/pulls/comments/{id}"),
            Some(&serde_json::json!({"body": body})),
        )
        .await
        .map(|_| ())
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

/// A rate limit GitHub answered with: how long to wait and which kind it was.
struct Limit {
    wait: Duration,
    kind: &'static str,
}

/// A 403/429 that is a rate limit, primary (quota headers) or secondary (its message
/// says so; GitHub often sends no header with it, then `fallback` is the wait).
fn rate_limited(
    status: StatusCode,
    headers: &http::HeaderMap,
    message: &str,
    fallback: Duration,
    cap: Duration,
) -> Option<Limit> {
    if status != StatusCode::FORBIDDEN && status != StatusCode::TOO_MANY_REQUESTS {
        return None;
    }
    let limits = RateLimit::read(headers, cap);
    let lower = message.to_lowercase();
    let secondary = lower.contains("secondary rate limit") || lower.contains("abuse detection");
    let kind = if secondary {
        "secondary rate limit"
    } else {
        "rate limit"
    };
    if let Some(wait) = limits.retry_after {
        return Some(Limit { wait, kind });
    }
    if limits.exhausted {
        return Some(Limit {
            wait: limits.reset_in.unwrap_or(fallback.min(cap)),
            kind,
        });
    }
    (secondary || status == StatusCode::TOO_MANY_REQUESTS).then_some(Limit {
        wait: fallback,
        kind,
    })
}

/// Whether an octocrab error is a timeout (connect, read or write), somewhere in its
/// chain of causes.
fn timed_out(e: &octocrab::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
        {
            return true;
        }
        let text = err.to_string().to_lowercase();
        if text.contains("timed out") || text.contains("timeout") {
            return true;
        }
        source = err.source();
    }
    false
}

/// Removes the token, and anything else that looks like one, from text that came
/// back from GitHub.
fn safe(s: &str) -> String {
    let s = crate::output::mask(s);
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
