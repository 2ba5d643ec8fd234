//! A stateful stand-in for the GitHub REST API, richer than the one in `github.rs`:
//! issue authors and `state_reason`, locking, comment authors (people and bots),
//! pull requests that merge, branches pointing at commits (with authors and parents),
//! the contents and compare routes, review comments with suggestions, secondary rate
//! limits without headers, and latency. It answers like GitHub, refuses what GitHub
//! refuses (422 on reopening a merged pull request, on a review comment off the diff,
//! on a non-fast-forward ref update), and logs every write it performed.

use base64::Engine;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The token the bot is given; it must never be printed.
pub const TOKEN: &str = "ghs_ACTIONStokenNEVERprinted0123456789";
/// The repository.
pub const REPO: &str = "octo-org/awesome-papers";
/// The bot's login with the Actions token.
pub const BOT: &str = "github-actions[bot]";
/// The pull request of `tests/fixtures/github/pull_request.synchronize.json`.
pub const PR: u64 = 7;
/// Its head commit (review comments must name it).
pub const PR_HEAD: &str = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
/// Its base commit (where a pull-request run reads its trusted configuration).
pub const PR_BASE: &str = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e";

/// A commit: its files, parent and author.
#[derive(Clone, Debug)]
pub struct Commit {
    pub files: BTreeMap<String, String>,
    pub parent: Option<String>,
    pub author: String,
}

/// A scripted secondary rate limit: the next `times` requests matching `method` and
/// a route starting with `route` get a 403 (with `retry_after` when set).
#[derive(Clone, Debug)]
pub struct Limit {
    pub method: String,
    pub route: String,
    pub times: usize,
    pub retry_after: Option<u64>,
}

/// Everything the stand-in knows.
#[derive(Default)]
pub struct World {
    /// Issues, number = index + 1.
    pub issues: Vec<Value>,
    /// Issue and pull-request conversation comments.
    pub comments: Vec<Value>,
    /// Pull requests, number = 100 + index.
    pub pulls: Vec<Value>,
    /// Review comments (on lines of a pull request).
    pub review_comments: Vec<Value>,
    /// Reviews submitted.
    pub reviews: Vec<Value>,
    /// Files of pull request `PR`, as `GET /pulls/7/files` lists them.
    pub pr_files: Vec<Value>,
    /// Branch → commit sha.
    pub refs: BTreeMap<String, String>,
    /// Commit sha → commit.
    pub commits: BTreeMap<String, Commit>,
    /// `METHOD /route` of every write GitHub performed.
    pub writes: Vec<String>,
    /// Writes GitHub refused (4xx), with the status.
    pub refused: Vec<String>,
    /// Requests no route matched.
    pub unexpected: Vec<String>,
    /// Requests without the token.
    pub unauthenticated: usize,
    /// Secondary rate limits still to give.
    pub limits: Vec<Limit>,
    /// Rate-limited answers given.
    pub limited: usize,
    /// When set, `GET /user` answers as this person (a personal token) instead of
    /// refusing (the Actions token).
    pub token_user: Option<String>,
    /// Latency of every answer.
    pub latency: Duration,
    /// Refuse every review (422), as GitHub does for a line it does not count as
    /// part of the diff.
    pub refuse_reviews: bool,
    /// Requests seen, by `METHOD /route?query`.
    pub log: Vec<String>,
    /// Branch heads merged into main.
    merged: Vec<String>,
    seq: u64,
}

fn user(login: &str) -> Value {
    let kind = if login.ends_with("[bot]") {
        "Bot"
    } else {
        "User"
    };
    json!({"login": login, "id": 41898282 + login.len(), "node_id": "MDM6Qm90", "avatar_url": "https://avatars.githubusercontent.com/u/1?v=4", "gravatar_id": "", "url": format!("https://api.github.com/users/{login}"), "html_url": format!("https://github.com/{login}"), "type": kind, "site_admin": false})
}

fn label(name: &str) -> Value {
    json!({"id": 208045946, "node_id": "MDU6TGFiZWw", "url": format!("https://api.github.com/repos/{REPO}/labels/{name}"), "name": name, "color": "d73a4a", "default": false, "description": null})
}

fn not_found() -> ResponseTemplate {
    ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"}))
}

fn unprocessable(message: &str) -> ResponseTemplate {
    ResponseTemplate::new(422).set_body_json(json!({"message": message, "documentation_url": "https://docs.github.com/rest", "status": "422"}))
}

impl World {
    /// The login the token acts as.
    pub fn me(&self) -> String {
        self.token_user.clone().unwrap_or_else(|| BOT.to_string())
    }

    fn stamp(&mut self) -> String {
        self.seq += 1;
        format!(
            "2026-11-25T10:{:02}:{:02}Z",
            self.seq / 60 % 60,
            self.seq % 60
        )
    }

    /// A commit on top of `parent`, returns its sha.
    pub fn commit(
        &mut self,
        parent: Option<&str>,
        files: BTreeMap<String, String>,
        author: &str,
    ) -> String {
        self.seq += 1;
        let sha = format!("{:040x}", 0xc0ffee_u64 * 1_000 + self.seq);
        self.commits.insert(
            sha.clone(),
            Commit {
                files,
                parent: parent.map(String::from),
                author: author.into(),
            },
        );
        sha
    }

    /// Sets up `main` at `sha` with `README.md` = `readme`.
    pub fn main_at(&mut self, sha: &str, readme: &str) {
        let files = BTreeMap::from([("README.md".to_string(), readme.to_string())]);
        let parent = self.refs.get("main").cloned();
        self.commits.insert(
            sha.into(),
            Commit {
                files,
                parent,
                author: "maintainer".into(),
            },
        );
        self.refs.insert("main".into(), sha.into());
    }

    /// A person's commit on `branch` setting `path` to `content`.
    pub fn push(&mut self, branch: &str, author: &str, path: &str, content: &str) -> String {
        let head = self.refs[branch].clone();
        let mut files = self.commits[&head].files.clone();
        files.insert(path.into(), content.into());
        let sha = self.commit(Some(&head), files, author);
        self.refs.insert(branch.into(), sha.clone());
        sha
    }

    /// An issue opened by `author`.
    pub fn open_issue_as(&mut self, author: &str, title: &str, body: &str, labels: &[&str]) -> u64 {
        let number = self.issues.len() as u64 + 1;
        let at = self.stamp();
        self.issues.push(json!({
            "url": format!("https://api.github.com/repos/{REPO}/issues/{number}"),
            "repository_url": format!("https://api.github.com/repos/{REPO}"),
            "html_url": format!("https://github.com/{REPO}/issues/{number}"),
            "id": 1_000_000 + number, "node_id": format!("I_kwDO{number}"), "number": number,
            "title": title, "user": user(author),
            "labels": labels.iter().map(|l| label(l)).collect::<Vec<_>>(),
            "state": "open", "state_reason": null, "locked": false, "active_lock_reason": null,
            "assignee": null, "assignees": [], "milestone": null, "comments": 0,
            "created_at": at, "updated_at": at, "closed_at": null,
            "author_association": "NONE", "body": body, "performed_via_github_app": null
        }));
        number
    }

    /// The issue `number`.
    pub fn issue(&mut self, number: u64) -> &mut Value {
        &mut self.issues[(number - 1) as usize]
    }

    /// A person closes an issue (`completed`, `not_planned`).
    pub fn close_issue(&mut self, number: u64, reason: &str) {
        let issue = self.issue(number);
        issue["state"] = "closed".into();
        issue["state_reason"] = reason.into();
    }

    /// A comment on issue or pull request `number` by `author`.
    pub fn comment_as(&mut self, author: &str, number: u64, body: &str) -> u64 {
        let id = 9000 + self.comments.len() as u64;
        let at = self.stamp();
        self.comments.push(json!({"url": format!("https://api.github.com/repos/{REPO}/issues/comments/{id}"), "html_url": format!("https://github.com/{REPO}/issues/{number}#issuecomment-{id}"),
            "issue_url": format!("https://api.github.com/repos/{REPO}/issues/{number}"), "id": id, "node_id": format!("IC_kwDO{id}"), "user": user(author),
            "created_at": at, "updated_at": at, "author_association": "NONE", "body": body, "performed_via_github_app": null}));
        id
    }

    /// Comments on issue or pull request `number`, oldest first.
    pub fn comments_on(&self, number: u64) -> Vec<&Value> {
        self.comments
            .iter()
            .filter(|c| {
                c["issue_url"]
                    .as_str()
                    .unwrap()
                    .ends_with(&format!("/issues/{number}"))
            })
            .collect()
    }

    /// The pull request `number`.
    pub fn pull(&mut self, number: u64) -> &mut Value {
        &mut self.pulls[(number - 100) as usize]
    }

    /// A person merges pull request `number` into main (and may delete its branch).
    pub fn merge(&mut self, number: u64, delete_branch: bool) {
        let head_ref = self.pull(number)["head"]["ref"]
            .as_str()
            .unwrap()
            .to_string();
        let head = self.refs[&head_ref].clone();
        let files = self.commits[&head].files.clone();
        let main = self.refs["main"].clone();
        let merged = self.commit(Some(&main), files, "maintainer");
        // The merge commit has two parents; the stand-in keeps one and remembers
        // the branch head as merged.
        self.merged.push(head);
        self.refs.insert("main".into(), merged);
        if delete_branch {
            self.refs.remove(&head_ref);
        }
        let pr = self.pull(number);
        pr["state"] = "closed".into();
        pr["merged"] = true.into();
        pr["merged_at"] = "2026-11-26T08:00:00Z".into();
    }

    /// A person closes pull request `number` without merging.
    pub fn close_pull(&mut self, number: u64) {
        let pr = self.pull(number);
        pr["state"] = "closed".into();
        pr["closed_at"] = "2026-11-26T08:00:00Z".into();
    }

    /// Every ancestor of `sha` (itself included).
    fn ancestry(&self, sha: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut at = Some(sha.to_string());
        while let Some(s) = at {
            let Some(c) = self.commits.get(&s) else { break };
            out.push(s.clone());
            at = c.parent.clone();
        }
        out
    }

    /// Commits reachable from `head` but not from `base` (newest first), counting the
    /// heads merged into `base` as reachable from it.
    fn ahead(&self, base: &str, head: &str) -> Vec<String> {
        let mut known: Vec<String> = self.ancestry(base);
        for merged in &self.merged {
            known.extend(self.ancestry(merged));
        }
        self.ancestry(head)
            .into_iter()
            .take_while(|s| !known.contains(s))
            .collect()
    }

    /// Review comments on pull request `PR`.
    pub fn review_comments_by(&self, login: &str) -> Vec<&Value> {
        self.review_comments
            .iter()
            .filter(|c| c["user"]["login"] == login)
            .collect()
    }

    fn limited_now(&mut self, method: &str, route: &str) -> Option<ResponseTemplate> {
        let limit = self
            .limits
            .iter_mut()
            .find(|l| l.times > 0 && l.method == method && route.starts_with(&l.route))?;
        limit.times -= 1;
        let retry_after = limit.retry_after;
        self.limited += 1;
        let mut answer = ResponseTemplate::new(403).set_body_json(json!({"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0400:3B5F:1A2B3C:4D5E6F:67890ABC.", "documentation_url": "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits", "status": "403"}));
        if let Some(secs) = retry_after {
            answer = answer.insert_header("retry-after", secs.to_string().as_str());
        }
        Some(answer)
    }
}

/// The new-file lines a review comment may sit on: added and context lines.
fn commentable(patch: &str) -> Vec<u64> {
    let mut lines = Vec::new();
    let mut next = 0u64;
    for l in patch.lines() {
        if let Some(rest) = l.strip_prefix("@@ ") {
            next = rest
                .split_whitespace()
                .find_map(|p| p.strip_prefix('+'))
                .and_then(|p| p.split(',').next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
        } else if l.starts_with('-') || l.starts_with('\\') {
        } else {
            lines.push(next);
            next += 1;
        }
    }
    lines
}

/// The stand-in: a wiremock server answering from a shared [`World`].
#[derive(Clone, Default)]
pub struct Hub(pub Arc<Mutex<World>>);

impl Hub {
    /// Starts the server.
    pub async fn start() -> (Hub, MockServer) {
        let server = MockServer::start().await;
        let hub = Hub::default();
        Mock::given(any())
            .respond_with(hub.clone())
            .mount(&server)
            .await;
        (hub, server)
    }

    /// The world, locked.
    pub fn world(&self) -> MutexGuard<'_, World> {
        self.0.lock().unwrap()
    }
}

impl Respond for Hub {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut w = self.0.lock().unwrap();
        let latency = w.latency;
        let answer = answer(&mut w, req);
        answer.set_delay(latency)
    }
}

fn answer(w: &mut World, req: &Request) -> ResponseTemplate {
    let auth = req
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !auth.contains(TOKEN) {
        w.unauthenticated += 1;
    }
    let method = req.method.as_str().to_string();
    let path = req.url.path().to_string();
    w.log.push(format!(
        "{method} {path}{}",
        req.url.query().map(|q| format!("?{q}")).unwrap_or_default()
    ));
    if path == "/user" && method == "GET" {
        return match w.token_user.clone() {
            Some(login) => ResponseTemplate::new(200).set_body_json(user(&login)),
            None => ResponseTemplate::new(403).set_body_json(json!({"message": "Resource not accessible by integration", "documentation_url": "https://docs.github.com/rest/users/users#get-the-authenticated-user", "status": "403"})),
        };
    }
    let base = format!("/repos/{REPO}");
    let Some(route) = path.strip_prefix(&base).map(String::from) else {
        w.unexpected.push(format!("{method} {path}"));
        return not_found();
    };
    if let Some(limited) = w.limited_now(&method, &route) {
        return limited;
    }
    let write = method != "GET";
    let answer = route_answer(w, req, &method, &route);
    if write {
        let status = answer_status(&answer);
        if (200..300).contains(&status) {
            w.writes.push(format!("{method} {route}"));
        } else if (400..500).contains(&status) {
            w.refused.push(format!("{method} {route} {status}"));
        }
    }
    answer.0
}

/// A response and its status (wiremock's template does not expose it).
struct Answer(ResponseTemplate, u16);

fn answer_status(a: &Answer) -> u16 {
    a.1
}

fn ok(status: u16, body: Value) -> Answer {
    Answer(ResponseTemplate::new(status).set_body_json(body), status)
}

fn refuse(status: u16, template: ResponseTemplate) -> Answer {
    Answer(template, status)
}

fn route_answer(w: &mut World, req: &Request, method: &str, route: &str) -> Answer {
    let b64 = base64::engine::general_purpose::STANDARD;
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let query = |k: &str| {
        req.url
            .query_pairs()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.into_owned())
    };
    let page: usize = query("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    let per_page: usize = query("per_page").and_then(|p| p.parse().ok()).unwrap_or(30);
    let paged = |items: Vec<Value>| -> Answer {
        let items: Vec<Value> = items
            .into_iter()
            .skip((page - 1) * per_page)
            .take(per_page)
            .collect();
        ok(200, Value::Array(items))
    };
    let me = w.me();
    let parts: Vec<&str> = route.trim_start_matches('/').split('/').collect();
    match (method, parts.as_slice()) {
        ("GET", [""]) => ok(
            200,
            json!({"id": 186853002, "name": "awesome-papers", "full_name": REPO, "private": false, "default_branch": "main", "fork": false}),
        ),
        ("GET", ["issues"]) => {
            let label = query("labels");
            let creator = query("creator");
            let state = query("state").unwrap_or_else(|| "open".into());
            let list: Vec<Value> = w
                .issues
                .iter()
                .filter(|i| state == "all" || i["state"] == state.as_str())
                .filter(|i| {
                    label.as_ref().is_none_or(|l| {
                        i["labels"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .any(|x| x["name"] == l.as_str())
                    })
                })
                .filter(|i| {
                    creator
                        .as_ref()
                        .is_none_or(|c| i["user"]["login"] == c.as_str())
                })
                .cloned()
                .collect();
            paged(list)
        }
        ("POST", ["issues"]) => {
            let labels: Vec<&str> = body["labels"]
                .as_array()
                .map(|a| a.iter().filter_map(|l| l.as_str()).collect())
                .unwrap_or_default();
            let n = w.open_issue_as(
                &me,
                body["title"].as_str().unwrap_or_default(),
                body["body"].as_str().unwrap_or_default(),
                &labels,
            );
            ok(201, w.issue(n).clone())
        }
        ("GET", ["issues", n]) => match n.parse::<u64>() {
            Ok(n) if n >= 1 && (n as usize) <= w.issues.len() => ok(200, w.issue(n).clone()),
            _ => refuse(404, not_found()),
        },
        ("PATCH", ["issues", n]) => {
            let Ok(n) = n.parse::<u64>() else {
                return refuse(404, not_found());
            };
            if n < 1 || n as usize > w.issues.len() {
                return refuse(404, not_found());
            }
            let issue = w.issue(n);
            for key in ["body", "title", "state", "state_reason"] {
                if let Some(v) = body.get(key) {
                    issue[key] = v.clone();
                }
            }
            if body.get("state").is_some_and(|s| s == "open") {
                issue["state_reason"] = "reopened".into();
            }
            if body.get("state").is_some_and(|s| s == "closed")
                && body.get("state_reason").is_none()
            {
                issue["state_reason"] = "completed".into();
            }
            ok(200, issue.clone())
        }
        ("GET", ["issues", n, "comments"]) => {
            let n: u64 = n.parse().unwrap_or(0);
            let list = w.comments_on(n).into_iter().cloned().collect();
            paged(list)
        }
        ("POST", ["issues", n, "comments"]) => {
            let n: u64 = n.parse().unwrap_or(0);
            let locked = w
                .issues
                .get((n as usize).wrapping_sub(1))
                .is_some_and(|i| i["locked"] == true);
            if locked {
                return refuse(
                    403,
                    ResponseTemplate::new(403).set_body_json(json!({"message": "Unable to create comment because issue is locked.", "documentation_url": "https://docs.github.com/articles/locking-conversations/", "status": "403"})),
                );
            }
            let id = w.comment_as(&me, n, body["body"].as_str().unwrap_or_default());
            let c = w.comments.iter().find(|c| c["id"] == id).unwrap().clone();
            ok(201, c)
        }
        ("PATCH", ["issues", "comments", id]) => {
            let id: u64 = id.parse().unwrap_or(0);
            match w.comments.iter_mut().find(|c| c["id"] == id) {
                Some(c) => {
                    c["body"] = body["body"].clone();
                    ok(200, c.clone())
                }
                None => refuse(404, not_found()),
            }
        }
        ("GET", ["pulls"]) => {
            let head = query("head");
            let state = query("state").unwrap_or_else(|| "open".into());
            let owner = REPO.split('/').next().unwrap();
            let list: Vec<Value> = w
                .pulls
                .iter()
                .filter(|p| state == "all" || p["state"] == state.as_str())
                .filter(|p| {
                    head.as_ref().is_none_or(|h| {
                        *h == format!("{owner}:{}", p["head"]["ref"].as_str().unwrap())
                    })
                })
                .cloned()
                .collect();
            paged(list)
        }
        ("POST", ["pulls"]) => {
            let head_ref = body["head"].as_str().unwrap_or_default().to_string();
            let base_ref = body["base"].as_str().unwrap_or("main").to_string();
            let Some(head) = w.refs.get(&head_ref).cloned() else {
                return refuse(422, unprocessable("Validation Failed: head invalid"));
            };
            if w.pulls
                .iter()
                .any(|p| p["state"] == "open" && p["head"]["ref"] == head_ref.as_str())
            {
                return refuse(
                    422,
                    unprocessable(&format!(
                        "Validation Failed: A pull request already exists for octo-org:{head_ref}."
                    )),
                );
            }
            let base = w.refs[&base_ref].clone();
            if w.ahead(&base, &head).is_empty() {
                return refuse(
                    422,
                    unprocessable(&format!(
                        "Validation Failed: No commits between {base_ref} and {head_ref}"
                    )),
                );
            }
            let number = 100 + w.pulls.len() as u64;
            let pr = json!({"url": format!("https://api.github.com/repos/{REPO}/pulls/{number}"), "id": 279147437 + number, "node_id": "PR_k", "html_url": format!("https://github.com/{REPO}/pull/{number}"),
                "number": number, "state": "open", "locked": false, "title": body["title"], "user": user(&me), "body": body["body"],
                "created_at": "2026-11-25T10:00:00Z", "updated_at": "2026-11-25T10:00:00Z", "closed_at": null, "merged_at": null,
                "head": {"ref": head_ref, "sha": head, "label": format!("octo-org:{head_ref}")}, "base": {"ref": base_ref, "sha": base}, "draft": false, "merged": false});
            w.pulls.push(pr.clone());
            ok(201, pr)
        }
        ("GET", ["pulls", n]) => match n.parse::<u64>() {
            Ok(n) if n >= 100 && ((n - 100) as usize) < w.pulls.len() => ok(200, w.pull(n).clone()),
            _ => refuse(404, not_found()),
        },
        ("PATCH", ["pulls", n]) => {
            let Ok(n) = n.parse::<u64>() else {
                return refuse(404, not_found());
            };
            if n < 100 || (n - 100) as usize >= w.pulls.len() {
                return refuse(404, not_found());
            }
            let head_ref = w.pull(n)["head"]["ref"].as_str().unwrap().to_string();
            let head_sha = w.pull(n)["head"]["sha"].clone();
            let branch_now = w.refs.get(&head_ref).cloned();
            let pr = w.pull(n);
            if body.get("state").is_some_and(|s| s == "open") && pr["state"] == "closed" {
                if pr["merged"] == true {
                    return refuse(
                        422,
                        unprocessable(
                            "Validation Failed: state cannot be changed. The pull request cannot be reopened because it has been merged.",
                        ),
                    );
                }
                if branch_now.as_ref().is_none_or(|b| *b != head_sha) {
                    return refuse(
                        422,
                        unprocessable(&format!(
                            "Validation Failed: state cannot be changed. The {head_ref} branch was force-pushed or recreated."
                        )),
                    );
                }
            }
            for key in ["body", "title", "state"] {
                if let Some(v) = body.get(key) {
                    pr[key] = v.clone();
                }
            }
            ok(200, pr.clone())
        }
        ("GET", ["pulls", _, "files"]) => paged(w.pr_files.clone()),
        ("GET", ["pulls", _, "comments"]) => paged(w.review_comments.clone()),
        ("POST", ["pulls", n, "reviews"]) => {
            let n: u64 = n.parse().unwrap_or(0);
            if n != PR {
                return refuse(404, not_found());
            }
            if w.refuse_reviews {
                return refuse(
                    422,
                    unprocessable(
                        "Unprocessable Entity: \"Pull request review thread line must be part of the diff\"",
                    ),
                );
            }
            if body["commit_id"].as_str().is_some_and(|c| c != PR_HEAD) {
                return refuse(
                    422,
                    unprocessable("Validation Failed: commit_id is not part of the pull request"),
                );
            }
            let comments = body["comments"].as_array().cloned().unwrap_or_default();
            for c in &comments {
                let path = c["path"].as_str().unwrap_or_default();
                let line = c["line"].as_u64().unwrap_or(0);
                let ok_line = w
                    .pr_files
                    .iter()
                    .find(|f| f["filename"] == path)
                    .and_then(|f| f["patch"].as_str())
                    .is_some_and(|p| commentable(p).contains(&line));
                if !ok_line || c["side"].as_str().is_some_and(|s| s != "RIGHT") {
                    return refuse(
                        422,
                        unprocessable(
                            "Unprocessable Entity: \"Pull request review thread line must be part of the diff\"",
                        ),
                    );
                }
            }
            let review_id = 5000 + w.reviews.len() as u64;
            let review = json!({"id": review_id, "node_id": "PRR_k", "user": user(&me), "body": body["body"], "state": "COMMENTED", "commit_id": PR_HEAD, "html_url": format!("https://github.com/{REPO}/pull/{n}#pullrequestreview-{review_id}")});
            w.reviews.push(review.clone());
            for c in comments {
                let id = 7000 + w.review_comments.len() as u64;
                w.review_comments.push(json!({"url": format!("https://api.github.com/repos/{REPO}/pulls/comments/{id}"), "pull_request_review_id": review_id, "id": id, "node_id": "PRRC_k",
                    "path": c["path"], "line": c["line"], "original_line": c["line"], "side": "RIGHT", "commit_id": PR_HEAD, "original_commit_id": PR_HEAD,
                    "user": user(&me), "body": c["body"], "created_at": "2026-11-25T10:00:00Z", "updated_at": "2026-11-25T10:00:00Z",
                    "html_url": format!("https://github.com/{REPO}/pull/{n}#discussion_r{id}"), "pull_request_url": format!("https://api.github.com/repos/{REPO}/pulls/{n}"), "author_association": "NONE", "in_reply_to_id": null}));
            }
            ok(200, review)
        }
        ("PATCH", ["pulls", "comments", id]) => {
            let id: u64 = id.parse().unwrap_or(0);
            match w.review_comments.iter_mut().find(|c| c["id"] == id) {
                Some(c) => {
                    c["body"] = body["body"].clone();
                    ok(200, c.clone())
                }
                None => refuse(404, not_found()),
            }
        }
        ("DELETE", ["pulls", "comments", id]) => {
            let id: u64 = id.parse().unwrap_or(0);
            let before = w.review_comments.len();
            w.review_comments.retain(|c| c["id"] != id);
            if w.review_comments.len() < before {
                Answer(ResponseTemplate::new(204), 204)
            } else {
                refuse(404, not_found())
            }
        }
        ("GET", ["git", "ref", "heads", branch @ ..]) => {
            let branch = branch.join("/");
            match w.refs.get(&branch) {
                Some(sha) => ok(
                    200,
                    json!({"ref": format!("refs/heads/{branch}"), "node_id": "REF_k", "object": {"sha": sha, "type": "commit"}}),
                ),
                None => refuse(404, not_found()),
            }
        }
        ("POST", ["git", "refs"]) => {
            let branch = body["ref"]
                .as_str()
                .unwrap_or_default()
                .trim_start_matches("refs/heads/")
                .to_string();
            let sha = body["sha"].as_str().unwrap_or_default().to_string();
            if w.refs.contains_key(&branch) {
                return refuse(422, unprocessable("Reference already exists"));
            }
            if !w.commits.contains_key(&sha) {
                return refuse(422, unprocessable("Object does not exist"));
            }
            w.refs.insert(branch.clone(), sha.clone());
            ok(
                201,
                json!({"ref": format!("refs/heads/{branch}"), "object": {"sha": sha, "type": "commit"}}),
            )
        }
        ("PATCH", ["git", "refs", "heads", branch @ ..]) => {
            let branch = branch.join("/");
            let sha = body["sha"].as_str().unwrap_or_default().to_string();
            let Some(now) = w.refs.get(&branch).cloned() else {
                return refuse(422, unprocessable("Reference does not exist"));
            };
            if !w.commits.contains_key(&sha) {
                return refuse(422, unprocessable("Object does not exist"));
            }
            if body["force"] != true && !w.ancestry(&sha).contains(&now) {
                return refuse(422, unprocessable("Update is not a fast forward"));
            }
            w.refs.insert(branch.clone(), sha.clone());
            ok(
                200,
                json!({"ref": format!("refs/heads/{branch}"), "object": {"sha": sha, "type": "commit"}}),
            )
        }
        ("DELETE", ["git", "refs", "heads", branch @ ..]) => {
            let branch = branch.join("/");
            match w.refs.remove(&branch) {
                Some(_) => Answer(ResponseTemplate::new(204), 204),
                None => refuse(422, unprocessable("Reference does not exist")),
            }
        }
        ("GET", ["contents", file @ ..]) => {
            let file = file.join("/");
            let at = query("ref").unwrap_or_else(|| "main".into());
            let sha = w.refs.get(&at).cloned().unwrap_or(at);
            match w.commits.get(&sha).and_then(|c| c.files.get(&file)) {
                Some(content) => ok(
                    200,
                    json!({"type": "file", "encoding": "base64", "name": file, "path": file, "size": content.len(), "sha": blob_sha(content), "content": b64.encode(content)}),
                ),
                None => refuse(404, not_found()),
            }
        }
        ("PUT", ["contents", file @ ..]) => {
            let file = file.join("/");
            let branch = body["branch"].as_str().unwrap_or("main").to_string();
            let Some(head) = w.refs.get(&branch).cloned() else {
                return refuse(404, not_found());
            };
            let mut files = w.commits[&head].files.clone();
            let current = files.get(&file).map(|c| blob_sha(c));
            if current.as_deref() != body["sha"].as_str() {
                return refuse(
                    409,
                    ResponseTemplate::new(409).set_body_json(json!({"message": format!("{file} does not match {}", body["sha"].as_str().unwrap_or_default()), "status": "409"})),
                );
            }
            let content = String::from_utf8(
                b64.decode(body["content"].as_str().unwrap_or_default())
                    .unwrap_or_default(),
            )
            .unwrap_or_default();
            files.insert(file.clone(), content.clone());
            let sha = w.commit(Some(&head), files, &me);
            w.refs.insert(branch, sha.clone());
            ok(
                200,
                json!({"content": {"name": file, "path": file, "sha": blob_sha(&content)}, "commit": {"sha": sha, "message": body["message"]}}),
            )
        }
        ("GET", ["compare", spec @ ..]) => {
            let spec = spec.join("/");
            let Some((base, head)) = spec.split_once("...") else {
                return refuse(404, not_found());
            };
            let resolve = |r: &str| w.refs.get(r).cloned().unwrap_or_else(|| r.to_string());
            let (base, head) = (resolve(base), resolve(head));
            if !w.commits.contains_key(&base) || !w.commits.contains_key(&head) {
                return refuse(404, not_found());
            }
            let ahead = w.ahead(&base, &head);
            let commits: Vec<Value> = ahead
                .iter()
                .rev()
                .map(|s| {
                    let c = &w.commits[s];
                    json!({"sha": s, "author": user(&c.author), "committer": user(&c.author), "commit": {"author": {"name": c.author, "email": format!("{}@users.noreply.github.com", c.author)}, "message": "edit"}})
                })
                .collect();
            ok(
                200,
                json!({"status": if ahead.is_empty() { "behind" } else { "ahead" }, "ahead_by": ahead.len(), "behind_by": 0, "total_commits": ahead.len(), "commits": commits}),
            )
        }
        _ => {
            w.unexpected.push(format!("{method} {route}"));
            refuse(404, not_found())
        }
    }
}

/// A blob sha for content (any stable digest does).
fn blob_sha(content: &str) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in content.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}{:024x}", content.len())
}
