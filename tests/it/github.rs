//! The GitHub bot end to end: the real binary with the Actions environment pointing at
//! a local stand-in for the REST API (a stateful wiremock responder that answers like
//! GitHub and fails loudly on any request it does not expect).

use crate::cli::paperlint;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const TOKEN: &str = "ghp_TESTtokenNEVERprinted0123456789";
const REPO: &str = "octo-org/awesome-papers";

#[derive(Default)]
struct State {
    issues: Vec<Value>,
    comments: Vec<Value>,
    pr_files: Vec<Value>,
    writes: usize,
    /// Create the next issue but answer 502, as a gateway timeout after the write.
    fail_next_create: bool,
    /// Answer 403 to comments, as for a read-only fork token.
    forbid_comments: bool,
    unexpected: Vec<String>,
    unauthenticated: usize,
    /// Answer the next request with a secondary rate limit (403 + retry-after).
    rate_limit_next: bool,
    /// Files of the default branch, by path.
    base_files: std::collections::BTreeMap<String, String>,
    /// Branches other than the default one: name → files.
    branches: std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
    pulls: Vec<Value>,
}

#[derive(Clone, Default)]
struct FakeGitHub(Arc<Mutex<State>>);

fn user() -> Value {
    json!({"login": "github-actions[bot]", "id": 41898282, "node_id": "MDM6Qm90NDE4OTgyODI=", "avatar_url": "https://avatars.githubusercontent.com/in/15368?v=4", "gravatar_id": "", "url": "https://api.github.com/users/github-actions%5Bbot%5D", "html_url": "https://github.com/apps/github-actions", "type": "Bot", "site_admin": false})
}

fn issue_json(number: u64, title: &str, body: &str, labels: &[Value]) -> Value {
    json!({
        "url": format!("https://api.github.com/repos/{REPO}/issues/{number}"),
        "repository_url": format!("https://api.github.com/repos/{REPO}"),
        "labels_url": format!("https://api.github.com/repos/{REPO}/issues/{number}/labels{{/name}}"),
        "comments_url": format!("https://api.github.com/repos/{REPO}/issues/{number}/comments"),
        "events_url": format!("https://api.github.com/repos/{REPO}/issues/{number}/events"),
        "html_url": format!("https://github.com/{REPO}/issues/{number}"),
        "id": 1_000_000 + number, "node_id": format!("I_kwDO{number}"), "number": number,
        "title": title, "user": user(),
        "labels": labels.iter().map(|l| json!({"id": 208045946, "node_id": "MDU6TGFiZWwyMDgwNDU5NDY=", "url": format!("https://api.github.com/repos/{REPO}/labels/{}", l.as_str().unwrap_or_default()), "name": l, "color": "d73a4a", "default": false, "description": null})).collect::<Vec<_>>(),
        "state": "open", "state_reason": null, "locked": false, "assignee": null, "assignees": [], "milestone": null,
        "comments": 0, "created_at": "2026-11-25T10:00:00Z", "updated_at": "2026-11-25T10:00:00Z", "closed_at": null,
        "author_association": "NONE", "active_lock_reason": null, "body": body,
        "reactions": {"url": "", "total_count": 0, "+1": 0, "-1": 0, "laugh": 0, "hooray": 0, "confused": 0, "heart": 0, "rocket": 0, "eyes": 0},
        "timeline_url": format!("https://api.github.com/repos/{REPO}/issues/{number}/timeline"), "performed_via_github_app": null
    })
}

fn comment_json(id: u64, issue: u64, body: &str) -> Value {
    json!({"url": format!("https://api.github.com/repos/{REPO}/issues/comments/{id}"), "html_url": format!("https://github.com/{REPO}/issues/{issue}#issuecomment-{id}"),
        "issue_url": format!("https://api.github.com/repos/{REPO}/issues/{issue}"), "id": id, "node_id": format!("IC_kwDO{id}"), "user": user(),
        "created_at": "2026-11-25T10:00:00Z", "updated_at": "2026-11-25T10:00:00Z", "author_association": "NONE", "body": body, "performed_via_github_app": null})
}

impl Respond for FakeGitHub {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut s = self.0.lock().unwrap();
        let auth = req
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !auth.contains(TOKEN) {
            s.unauthenticated += 1;
        }
        if std::mem::take(&mut s.rate_limit_next) {
            return ResponseTemplate::new(403)
                .insert_header("retry-after", "1")
                .set_body_json(json!({"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}));
        }
        let path = req.url.path().to_string();
        if path == "/user" {
            // The Actions token cannot read its own account.
            return ResponseTemplate::new(403).set_body_json(
                json!({"message": "Resource not accessible by integration", "status": "403"}),
            );
        }
        let base = format!("/repos/{REPO}");
        let Some(route) = path.strip_prefix(&base) else {
            s.unexpected.push(format!("{} {path}", req.method));
            return ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"}));
        };
        let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        let page = req
            .url
            .query_pairs()
            .find(|(k, _)| k == "page")
            .map_or(1, |(_, v)| v.parse().unwrap_or(1));
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD;
        let query = |k: &str| {
            req.url
                .query_pairs()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.into_owned())
        };
        if route.is_empty() && req.method.as_str() == "GET" {
            return ResponseTemplate::new(200).set_body_json(json!({"id": 186853002, "node_id": "R_kgDO", "name": "awesome-papers", "full_name": REPO, "private": false, "default_branch": "main", "fork": false}));
        }
        if let Some(branch) = route.strip_prefix("/git/ref/heads/") {
            return match s.branches.contains_key(branch) {
                true => ResponseTemplate::new(200).set_body_json(json!({"ref": format!("refs/heads/{branch}"), "node_id": "REF_k", "object": {"sha": "abc", "type": "commit"}})),
                false => ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"})),
            };
        }
        if route == "/git/refs" && req.method.as_str() == "POST" {
            s.writes += 1;
            let branch = body["ref"]
                .as_str()
                .unwrap()
                .trim_start_matches("refs/heads/")
                .to_string();
            let files = s.base_files.clone();
            s.branches.insert(branch, files);
            return ResponseTemplate::new(201).set_body_json(
                json!({"ref": body["ref"], "object": {"sha": body["sha"], "type": "commit"}}),
            );
        }
        if let Some(branch) = route.strip_prefix("/git/refs/heads/") {
            s.writes += 1;
            let files = s.base_files.clone();
            s.branches.insert(branch.to_string(), files);
            return ResponseTemplate::new(200).set_body_json(json!({"ref": format!("refs/heads/{branch}"), "object": {"sha": body["sha"], "type": "commit"}}));
        }
        if let Some(file) = route.strip_prefix("/contents/") {
            return match req.method.as_str() {
                "GET" => {
                    let branch = query("ref").unwrap_or_else(|| "main".into());
                    let files = if branch == "main" {
                        Some(&s.base_files)
                    } else {
                        s.branches.get(&branch)
                    };
                    match files.and_then(|f| f.get(file)) {
                        Some(content) => ResponseTemplate::new(200).set_body_json(json!({"type": "file", "encoding": "base64", "name": file, "path": file, "sha": format!("{:x}", content.len()), "content": b64.encode(content)})),
                        None => ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"})),
                    }
                }
                _ => {
                    s.writes += 1;
                    let branch = body["branch"].as_str().unwrap().to_string();
                    let content =
                        String::from_utf8(b64.decode(body["content"].as_str().unwrap()).unwrap())
                            .unwrap();
                    s.branches
                        .get_mut(&branch)
                        .expect("branch exists before a commit")
                        .insert(file.to_string(), content);
                    ResponseTemplate::new(200).set_body_json(json!({"content": {"name": file, "path": file, "sha": "def"}, "commit": {"sha": "0a1b2c", "message": body["message"]}}))
                }
            };
        }
        if route == "/pulls" {
            return match req.method.as_str() {
                "GET" => {
                    let head = query("head").unwrap_or_default();
                    let list: Vec<Value> = if page > 1 {
                        vec![]
                    } else {
                        s.pulls
                            .iter()
                            .filter(|p| {
                                format!(
                                    "{}:{}",
                                    REPO.split('/').next().unwrap(),
                                    p["head"]["ref"].as_str().unwrap()
                                ) == head
                            })
                            .cloned()
                            .collect()
                    };
                    ResponseTemplate::new(200).set_body_json(list)
                }
                _ => {
                    s.writes += 1;
                    let number = 100 + s.pulls.len() as u64;
                    let pr = json!({"url": format!("https://api.github.com/repos/{REPO}/pulls/{number}"), "id": 279147437 + number, "node_id": "PR_k", "html_url": format!("https://github.com/{REPO}/pull/{number}"),
                        "number": number, "state": "open", "locked": false, "title": body["title"], "user": user(), "body": body["body"],
                        "created_at": "2026-11-25T10:00:00Z", "updated_at": "2026-11-25T10:00:00Z", "head": {"ref": body["head"], "sha": "0a1b2c"}, "base": {"ref": body["base"], "sha": SHA}, "draft": false, "merged": false});
                    s.pulls.push(pr.clone());
                    ResponseTemplate::new(201).set_body_json(pr)
                }
            };
        }
        if let Some(n) = route
            .strip_prefix("/pulls/")
            .filter(|n| n.chars().all(|c| c.is_ascii_digit()))
        {
            s.writes += 1;
            let n: u64 = n.parse().unwrap();
            let pr = s.pulls.iter_mut().find(|p| p["number"] == n).unwrap();
            for key in ["body", "state"] {
                if let Some(v) = body.get(key) {
                    pr[key] = v.clone();
                }
            }
            return ResponseTemplate::new(200).set_body_json(pr.clone());
        }
        let parts: Vec<&str> = route.trim_start_matches('/').split('/').collect();
        match (req.method.as_str(), parts.as_slice()) {
            ("GET", ["issues"]) => {
                let label = query("labels");
                let creator = query("creator");
                let list: Vec<Value> = if page > 1 {
                    vec![]
                } else {
                    s.issues
                        .iter()
                        .filter(|i| {
                            label.as_ref().is_none_or(|label| {
                                i["labels"]
                                    .as_array()
                                    .unwrap()
                                    .iter()
                                    .any(|l| l["name"] == label.as_str())
                            })
                        })
                        .filter(|i| {
                            creator
                                .as_ref()
                                .is_none_or(|c| i["user"]["login"] == c.as_str())
                        })
                        .cloned()
                        .collect()
                };
                ResponseTemplate::new(200).set_body_json(list)
            }
            ("POST", ["issues"]) => {
                s.writes += 1;
                let number = s.issues.len() as u64 + 1;
                let issue = issue_json(
                    number,
                    body["title"].as_str().unwrap_or_default(),
                    body["body"].as_str().unwrap_or_default(),
                    body["labels"]
                        .as_array()
                        .map(|a| a.as_slice())
                        .unwrap_or_default(),
                );
                s.issues.push(issue.clone());
                if std::mem::take(&mut s.fail_next_create) {
                    return ResponseTemplate::new(502)
                        .set_body_json(json!({"message": "Server Error"}));
                }
                ResponseTemplate::new(201).set_body_json(issue)
            }
            ("PATCH", ["issues", n]) => {
                s.writes += 1;
                let n: u64 = n.parse().unwrap();
                let issue = &mut s.issues[(n - 1) as usize];
                for key in ["body", "state", "title", "state_reason"] {
                    if let Some(v) = body.get(key) {
                        issue[key] = v.clone();
                    }
                }
                ResponseTemplate::new(200).set_body_json(issue.clone())
            }
            ("POST", ["issues", n, "comments"]) => {
                if s.forbid_comments {
                    return ResponseTemplate::new(403).set_body_json(json!({"message": "Resource not accessible by integration", "documentation_url": "https://docs.github.com/rest/issues/comments#create-an-issue-comment", "status": "403"}));
                }
                s.writes += 1;
                let id = 9000 + s.comments.len() as u64;
                let c = comment_json(
                    id,
                    n.parse().unwrap(),
                    body["body"].as_str().unwrap_or_default(),
                );
                s.comments.push(c.clone());
                ResponseTemplate::new(201).set_body_json(c)
            }
            ("GET", ["issues", n, "comments"]) => {
                let list: Vec<Value> = if page > 1 {
                    vec![]
                } else {
                    s.comments
                        .iter()
                        .filter(|c| {
                            c["issue_url"]
                                .as_str()
                                .unwrap()
                                .ends_with(&format!("/issues/{n}"))
                        })
                        .cloned()
                        .collect()
                };
                ResponseTemplate::new(200).set_body_json(list)
            }
            ("PATCH", ["issues", "comments", id]) => {
                s.writes += 1;
                let id: u64 = id.parse().unwrap();
                let c = s.comments.iter_mut().find(|c| c["id"] == id).unwrap();
                c["body"] = body["body"].clone();
                ResponseTemplate::new(200).set_body_json(c.clone())
            }
            ("GET", ["pulls", _, "files"]) => ResponseTemplate::new(200)
                .set_body_json(if page > 1 { vec![] } else { s.pr_files.clone() }),
            _ => {
                s.unexpected.push(format!("{} {path}", req.method));
                ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"}))
            }
        }
    }
}

struct Site {
    server: MockServer,
    state: FakeGitHub,
    dir: tempfile::TempDir,
}

impl Site {
    async fn new(list: &str) -> Site {
        let server = MockServer::start().await;
        let state = FakeGitHub::default();
        Mock::given(any())
            .respond_with(state.clone())
            .mount(&server)
            .await;
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("README.md"), list).unwrap();
        std::fs::write(
            dir.path().join("paperlint.toml"),
            "[github]\nbackoff = \"10ms\"\n",
        )
        .unwrap();
        Site { server, state, dir }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.0.lock().unwrap()
    }

    fn run(&self, event: &str, sha: &str) -> std::process::Output {
        let event_path: PathBuf = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/github/pull_request.synchronize.json");
        paperlint()
            .current_dir(self.dir.path())
            .args(["check", "--offline", "--github"])
            .env("GITHUB_TOKEN", TOKEN)
            .env("GITHUB_REPOSITORY", REPO)
            .env("GITHUB_EVENT_NAME", event)
            .env("GITHUB_EVENT_PATH", event_path)
            .env("GITHUB_API_URL", self.server.uri())
            .env("GITHUB_SERVER_URL", "https://github.com")
            .env("GITHUB_SHA", sha)
            .env("GITHUB_STEP_SUMMARY", self.dir.path().join("summary.md"))
            .env("GITHUB_OUTPUT", self.dir.path().join("output.txt"))
            .output()
            .unwrap()
    }

    fn write_list(&self, list: &str) {
        std::fs::write(self.dir.path().join("README.md"), list).unwrap();
    }
}

fn no_token(out: &std::process::Output) {
    for stream in [&out.stdout, &out.stderr] {
        assert!(
            !String::from_utf8_lossy(stream).contains(TOKEN),
            "the token was printed"
        );
    }
}

const BROKEN: &str = "## Papers\n|Year|Title|\n|---|---|\n|2022|[ClinicalT5](https://aclanthology.2022.findings-emnlp.398/)|\n|2021|[Fine @team #12 <b>x</b>](https://arxiv.org/abs/2101.00001)|\n";
const FIXED: &str = "## Papers\n|Year|Title|\n|---|---|\n|2022|[ClinicalT5](https://aclanthology.org/2022.findings-emnlp.398/)|\n|2021|[Fine @team #12 <b>x</b>](https://arxiv.org/abs/2101.00001)|\n";
const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

#[tokio::test(flavor = "multi_thread")]
async fn scheduled_runs_create_keep_close_and_reopen_one_tracking_issue() {
    let site = Site::new(BROKEN).await;
    let out = site.run("schedule", SHA);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    no_token(&out);
    {
        let s = site.state();
        assert_eq!((s.issues.len(), s.writes, s.unauthenticated), (1, 1, 0));
        let body = s.issues[0]["body"].as_str().unwrap();
        assert!(
            body.starts_with("<!-- paperlint:tracking file=README.md -->"),
            "{body}"
        );
        assert!(
            body.contains(&format!(
                "https://github.com/{REPO}/blob/{SHA}/README.md#L4"
            )),
            "{body}"
        );
        assert!(body.contains("- [ ] "), "a task box per row");
        assert_eq!(s.issues[0]["labels"][0]["name"], "paperlint");
        assert!(s.unexpected.is_empty(), "{:?}", s.unexpected);
    }
    let summary = std::fs::read_to_string(site.dir.path().join("summary.md")).unwrap();
    assert!(summary.contains("url/malformed"));
    let output = std::fs::read_to_string(site.dir.path().join("output.txt")).unwrap();
    assert!(
        output.contains("findings=1\nerrors=1\nwarnings=0\n"),
        "{output}"
    );

    // Same findings, a later commit: no write.
    site.run("schedule", "fedcba9876543210fedcba9876543210fedcba98");
    assert_eq!(site.state().writes, 1);

    // Fixed: one comment, closed.
    site.write_list(FIXED);
    let out = site.run("schedule", SHA);
    assert_eq!(out.status.code(), Some(0));
    {
        let s = site.state();
        assert_eq!(s.issues[0]["state"], "closed");
        assert_eq!((s.comments.len(), s.writes), (1, 3));
    }
    // Still fixed: nothing to do.
    site.run("schedule", SHA);
    assert_eq!(site.state().writes, 3);

    // Broken again: the same issue is reopened, not a second one.
    site.write_list(BROKEN);
    site.run("schedule", SHA);
    let s = site.state();
    assert_eq!(
        (s.issues.len(), s.issues[0]["state"].as_str()),
        (1, Some("open"))
    );
    assert!(s.unexpected.is_empty(), "{:?}", s.unexpected);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_5xx_on_create_does_not_make_two_issues() {
    let site = Site::new(BROKEN).await;
    site.state().fail_next_create = true;
    let out = site.run("schedule", SHA);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(site.state().issues.len(), 1);
    site.run("workflow_dispatch", SHA);
    assert_eq!(site.state().issues.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_secondary_rate_limit_is_waited_out() {
    let site = Site::new(BROKEN).await;
    site.state().rate_limit_next = true;
    let started = std::time::Instant::now();
    let out = site.run("schedule", SHA);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(1),
        "retry-after honoured"
    );
    assert_eq!(site.state().issues.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn duplicate_tracking_issues_are_closed_keeping_the_oldest() {
    let site = Site::new(BROKEN).await;
    site.run("schedule", SHA);
    {
        let mut s = site.state();
        let copy = s.issues[0].clone();
        let mut dup = copy.clone();
        dup["number"] = json!(2);
        s.issues.push(dup);
    }
    site.run("schedule", SHA);
    let s = site.state();
    assert_eq!(
        (s.issues[0]["state"].as_str(), s.issues[1]["state"].as_str()),
        (Some("open"), Some("closed"))
    );
}

fn pr_files(patch: &str) -> Vec<Value> {
    vec![
        json!({"sha": "bbcd538c8e72b8c175046e27cc8f907076331401", "filename": "README.md", "status": "modified", "additions": 1, "deletions": 0, "changes": 1,
        "blob_url": format!("https://github.com/{REPO}/blob/{SHA}/README.md"), "raw_url": format!("https://github.com/{REPO}/raw/{SHA}/README.md"),
        "contents_url": format!("https://api.github.com/repos/{REPO}/contents/README.md?ref={SHA}"), "patch": patch}),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pull_request_gets_one_sticky_comment_about_its_own_rows() {
    // The PR adds line 5 only; line 4 is old rot.
    let list = "## Papers\n|Year|Title|\n|---|---|\n|2022|[Old](https://aclanthology.2022.findings-emnlp.398/)|\n|2023|[New](https://arxiv.2301.00001)|\n";
    let site = Site::new(list).await;
    site.state().pr_files = pr_files(
        "@@ -3,2 +3,3 @@\n |---|---|\n |2022|[Old](https://aclanthology.2022.findings-emnlp.398/)|\n+|2023|[New](https://arxiv.2301.00001)|\n",
    );
    let out = site.run("pull_request", SHA);
    no_token(&out);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("::error file=README.md,line=5,"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("line=4,"),
        "old rot is not the contributor's problem: {stdout}"
    );
    {
        let s = site.state();
        assert_eq!(s.comments.len(), 1);
        let body = s.comments[0]["body"].as_str().unwrap();
        assert!(
            body.starts_with("<!-- paperlint:pr -->")
                && body.contains("#L5")
                && !body.contains("#L4"),
            "{body}"
        );
        assert!(s.issues.is_empty(), "a PR run opens no issue");
    }
    // A new push that fixes it: the same comment turns into an all clear.
    site.write_list(&list.replace(
        "https://arxiv.2301.00001",
        "https://arxiv.org/abs/2301.00001",
    ));
    site.state().pr_files = pr_files(
        "@@ -3,2 +3,3 @@\n |---|---|\n |2022|[Old](https://aclanthology.2022.findings-emnlp.398/)|\n+|2023|[New](https://arxiv.org/abs/2301.00001)|\n",
    );
    let out = site.run("pull_request", "fedcba9876543210fedcba9876543210fedcba98");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = site.state();
    assert_eq!(s.comments.len(), 1, "never a second comment");
    assert!(
        s.comments[0]["body"]
            .as_str()
            .unwrap()
            .contains("no problems"),
        "{}",
        s.comments[0]["body"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_read_only_token_falls_back_to_annotations_and_summary() {
    let list = "|Year|Title|\n|---|---|\n|2023|[New](https://arxiv.2301.00001)|\n";
    let site = Site::new(list).await;
    {
        let mut s = site.state();
        s.forbid_comments = true;
        s.pr_files =
            pr_files("@@ -2,1 +2,2 @@\n |---|---|\n+|2023|[New](https://arxiv.2301.00001)|\n");
    }
    let out = site.run("pull_request_target", SHA);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the findings still fail the check: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("::notice title=paperlint::paperlint could not comment"),
        "{stdout}"
    );
    assert!(
        stdout.contains("::error file=README.md,line=3,"),
        "{stdout}"
    );
    assert!(
        std::fs::read_to_string(site.dir.path().join("summary.md"))
            .unwrap()
            .contains("url/malformed")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn per_row_mode_opens_one_issue_per_broken_row_and_closes_fixed_ones() {
    let list = "|Year|Title|\n|---|---|\n|2022|[A](https://aclanthology.2022.x.1/)|\n|2022|[B](https://aclanthology.2022.y.2/)|\n";
    let site = Site::new(list).await;
    std::fs::write(
        site.dir.path().join("paperlint.toml"),
        "[github]\nbackoff = \"10ms\"\nissues = \"per-row\"\n",
    )
    .unwrap();
    site.run("schedule", SHA);
    assert_eq!(site.state().issues.len(), 2);
    site.write_list(&list.replace(
        "https://aclanthology.2022.x.1/",
        "https://aclanthology.org/2022.x.1/",
    ));
    site.run("schedule", SHA);
    let s = site.state();
    let state_of = |row: &str| {
        s.issues
            .iter()
            .find(|i| i["title"].as_str().unwrap().ends_with(row))
            .unwrap()["state"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        (state_of(": A"), state_of(": B")),
        ("closed".to_string(), "open".to_string())
    );
    assert_eq!(s.issues.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn bodies_stay_under_the_limit_and_keep_the_marker() {
    let mut list = String::from("## Papers\n|Year|Title|\n|---|---|\n");
    for i in 0..200 {
        list.push_str(&format!("|2022|[A long title for paper number {i} that goes on and on about medicine and models](https://aclanthology.2022.findings-emnlp.{i:03}/)|\n"));
        list.push_str(&format!("|2020|[Another long title for paper number {i} about language models in the clinic](https://arxiv.{i}.x/)|\n"));
    }
    let site = Site::new(&list).await;
    site.run("schedule", SHA);
    let s = site.state();
    let body = s.issues[0]["body"].as_str().unwrap();
    assert!(body.chars().count() <= 65_536, "{}", body.chars().count());
    assert!(body.starts_with("<!-- paperlint:tracking file=README.md -->"));
    assert!(
        body.contains("more in the job summary"),
        "cut at a row boundary with a count"
    );
}

#[test]
fn missing_environment_is_a_clear_error_without_the_token() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.md"), BROKEN).unwrap();
    let out = paperlint()
        .current_dir(dir.path())
        .args(["check", "--offline", "--github"])
        .env("GITHUB_TOKEN", TOKEN)
        .env_remove("GITHUB_REPOSITORY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--github needs GITHUB_REPOSITORY"));
    no_token(&out);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_api_is_exit_2_and_never_leaks_the_token() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500).set_body_string(format!("boom Bearer {TOKEN}")))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.md"), BROKEN).unwrap();
    std::fs::write(
        dir.path().join("paperlint.toml"),
        "[github]\nbackoff = \"10ms\"\n",
    )
    .unwrap();
    let out = paperlint()
        .current_dir(dir.path())
        .args(["check", "--offline", "--github"])
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_REPOSITORY", REPO)
        .env("GITHUB_EVENT_NAME", "schedule")
        .env("GITHUB_API_URL", server.uri())
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_OUTPUT")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("GitHub API: GET /user answered 500"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    no_token(&out);
    let _ = Path::new(".");
}

impl Site {
    fn fix(&self) -> std::process::Output {
        paperlint()
            .current_dir(self.dir.path())
            .args(["fix", "--offline", "--github", "README.md"])
            .env("GITHUB_TOKEN", TOKEN)
            .env("GITHUB_REPOSITORY", REPO)
            .env("GITHUB_EVENT_NAME", "schedule")
            .env("GITHUB_API_URL", self.server.uri())
            .env("GITHUB_SHA", SHA)
            .output()
            .unwrap()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_fix_pull_request_is_opened_once_kept_and_closed() {
    let site = Site::new(BROKEN).await;
    site.state()
        .base_files
        .insert("README.md".into(), BROKEN.into());
    let out = site.fix();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    no_token(&out);
    assert!(String::from_utf8_lossy(&out.stdout).contains("pull request #100 proposes the fixes"));
    {
        let s = site.state();
        assert_eq!(s.pulls.len(), 1);
        assert_eq!(
            s.branches["paperlint/fixes"]["README.md"], FIXED,
            "the branch has the fixed list"
        );
        let body = s.pulls[0]["body"].as_str().unwrap();
        assert!(
            body.starts_with("<!-- paperlint:fixes -->")
                && body.contains("line 4:")
                && body.contains("url/malformed"),
            "{body}"
        );
        assert_eq!(s.pulls[0]["base"]["ref"], "main");
        assert!(
            s.local_readme_untouched(&site.dir),
            "fix --github writes to GitHub, not to the checkout"
        );
        assert!(s.unexpected.is_empty(), "{:?}", s.unexpected);
    }
    // The same fixes again: no write.
    let writes = site.state().writes;
    site.fix();
    assert_eq!(site.state().writes, writes);
    // The list was fixed by hand: nothing left, the pull request is closed.
    site.write_list(FIXED);
    site.state()
        .base_files
        .insert("README.md".into(), FIXED.into());
    let out = site.fix();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("closed pull request #100"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let s = site.state();
    assert_eq!(
        (s.pulls.len(), s.pulls[0]["state"].as_str()),
        (1, Some("closed"))
    );
}

impl State {
    fn local_readme_untouched(&self, dir: &tempfile::TempDir) -> bool {
        std::fs::read_to_string(dir.path().join("README.md")).unwrap() == BROKEN
    }
}
