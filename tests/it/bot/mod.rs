//! The bot living with maintainers, end to end: the real binary against the stand-in
//! of `hub.rs`, one test per situation of a maintainer's life (a decision taken, a
//! note written, a label removed, two runs at once, a tick, a huge diff, an unreadable
//! list, a contributor's look-alike comment, a secondary rate limit, a silent API, a
//! pull request's own config, the fixes pull request merged, closed or edited), each
//! counting the API writes GitHub performed.

mod hub;

use crate::cli::paperlint;
use hub::{BOT, Hub, Limit, PR, PR_BASE, PR_HEAD, REPO, TOKEN, World};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::MutexGuard;
use std::time::Duration;
use wiremock::MockServer;

/// The checked commit of scheduled runs.
const SHA: &str = "0123456789abcdef0123456789abcdef01234567";
/// One broken, fixable row (line 4).
const BROKEN: &str = "## Papers\n|Year|Title|\n|---|---|\n|2022|[ClinicalT5](https://aclanthology.2022.findings-emnlp.398/)|\n|2021|[Fine @team #12 <b>x</b>](https://arxiv.org/abs/2101.00001)|\n";
/// The same list, repaired.
const FIXED: &str = "## Papers\n|Year|Title|\n|---|---|\n|2022|[ClinicalT5](https://aclanthology.org/2022.findings-emnlp.398/)|\n|2021|[Fine @team #12 <b>x</b>](https://arxiv.org/abs/2101.00001)|\n";
/// The broken row of `BROKEN` plus a second broken, fixable row (line 5).
const TWO: &str = "## Papers\n|Year|Title|\n|---|---|\n|2022|[ClinicalT5](https://aclanthology.2022.findings-emnlp.398/)|\n|2021|[BioBERT](https://aclanthology.2021.bionlp-1.2/)|\n";
/// The default configuration of the tests: short waits.
const CONFIG: &str = "[github]\nbackoff = \"10ms\"\n";

struct Bot {
    hub: Hub,
    server: MockServer,
    dir: tempfile::TempDir,
}

impl Bot {
    /// A repository whose `main` (at `SHA`) and checkout hold `list`.
    async fn new(list: &str) -> Bot {
        let (hub, server) = Hub::start().await;
        hub.world().main_at(SHA, list);
        let dir = tempfile::tempdir().unwrap();
        let bot = Bot { hub, server, dir };
        bot.write_list(list);
        bot.config(CONFIG);
        bot
    }

    /// A pull request (`PR`) whose base holds `base` and whose checkout holds `head`;
    /// GitHub lists README.md with `patch` (or without one, when `None`).
    async fn pull_request(base: &str, head: &str, patch: Option<&str>) -> Bot {
        let bot = Bot::new(head).await;
        {
            let mut w = bot.w();
            w.main_at(PR_BASE, base);
            w.pr_files = vec![file_entry(patch)];
        }
        bot.config(CONFIG);
        bot
    }

    fn w(&self) -> MutexGuard<'_, World> {
        self.hub.world()
    }

    fn writes(&self) -> usize {
        self.w().writes.len()
    }

    /// GitHub performed exactly `n` writes.
    fn assert_writes(&self, n: usize) {
        let writes = self.w().writes.clone();
        assert_eq!(writes.len(), n, "{writes:?}");
    }

    fn write_list(&self, list: &str) {
        std::fs::write(self.dir.path().join("README.md"), list).unwrap();
    }

    /// The repository's configuration: in the checkout and, for pull requests, on
    /// the base commit (where a pull-request run reads it).
    fn config(&self, toml: &str) {
        self.head_config(toml);
        if let Some(base) = self.w().commits.get_mut(PR_BASE) {
            base.files.insert("paperlint.toml".into(), toml.into());
        }
    }

    /// A configuration in the checkout only (the pull request's own).
    fn head_config(&self, toml: &str) {
        std::fs::write(self.dir.path().join("paperlint.toml"), toml).unwrap();
    }

    fn command(&self, event: &str, sha: &str) -> Command {
        self.command_with(&["check", "--offline", "--github"], event, sha)
    }

    fn command_with(&self, args: &[&str], event: &str, sha: &str) -> Command {
        let event_path: PathBuf = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/github/pull_request.synchronize.json");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_paperlint"));
        cmd.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
        cmd.current_dir(self.dir.path())
            .args(args)
            .env("GITHUB_TOKEN", TOKEN)
            .env("GITHUB_REPOSITORY", REPO)
            .env("GITHUB_EVENT_NAME", event)
            .env("GITHUB_EVENT_PATH", event_path)
            .env("GITHUB_API_URL", self.server.uri())
            .env("GITHUB_SERVER_URL", "https://github.com")
            .env("GITHUB_SHA", sha)
            .env("GITHUB_STEP_SUMMARY", self.dir.path().join("summary.md"))
            .env("GITHUB_OUTPUT", self.dir.path().join("output.txt"));
        cmd
    }

    /// `check --offline --github` as `event` at `sha`.
    fn check(&self, event: &str, sha: &str) -> Output {
        let out = self.command(event, sha).output().unwrap();
        no_token(&out);
        out
    }

    /// `fix --offline --github` at `sha` (a scheduled run).
    fn fix(&self, sha: &str) -> Output {
        let out = paperlint()
            .current_dir(self.dir.path())
            .args(["fix", "--offline", "--github", "README.md"])
            .env("GITHUB_TOKEN", TOKEN)
            .env("GITHUB_REPOSITORY", REPO)
            .env("GITHUB_EVENT_NAME", "schedule")
            .env("GITHUB_API_URL", self.server.uri())
            .env("GITHUB_SHA", sha)
            .output()
            .unwrap();
        no_token(&out);
        out
    }

    fn summary(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("summary.md")).unwrap_or_default()
    }

    /// Nothing the stand-in did not know, no write GitHub refused, always the token.
    fn clean(&self) {
        let w = self.w();
        assert!(w.unexpected.is_empty(), "unexpected: {:?}", w.unexpected);
        assert!(w.refused.is_empty(), "refused writes: {:?}", w.refused);
        assert_eq!(w.unauthenticated, 0);
    }
}

fn file_entry(patch: Option<&str>) -> Value {
    let mut f = json!({"sha": "bbcd538c8e72b8c175046e27cc8f907076331401", "filename": "README.md", "status": "modified", "additions": 1, "deletions": 0, "changes": 1,
        "blob_url": format!("https://github.com/{REPO}/blob/{PR_HEAD}/README.md"), "raw_url": format!("https://github.com/{REPO}/raw/{PR_HEAD}/README.md"),
        "contents_url": format!("https://api.github.com/repos/{REPO}/contents/README.md?ref={PR_HEAD}")});
    if let Some(p) = patch {
        f["patch"] = p.into();
    }
    f
}

fn no_token(out: &Output) {
    for stream in [&out.stdout, &out.stderr] {
        assert!(
            !String::from_utf8_lossy(stream).contains(TOKEN),
            "the token was printed"
        );
    }
}

fn code(out: &Output) -> Option<i32> {
    out.status.code()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn body(v: &Value) -> String {
    v["body"].as_str().unwrap_or_default().to_string()
}

/// Another commit id, for "the next night" or "the next push".
fn sha(n: u8) -> String {
    format!("{n:02x}").repeat(20)
}

// 1. A person's "not planned" stands.
#[tokio::test(flavor = "multi_thread")]
async fn a_tracking_issue_closed_as_not_planned_stays_closed_until_a_new_finding() {
    let bot = Bot::new(BROKEN).await;
    assert_eq!(code(&bot.check("schedule", SHA)), Some(1));
    assert_eq!(bot.writes(), 1);
    bot.w().close_issue(1, "not_planned");
    for night in 2..5 {
        bot.check("schedule", &sha(night));
    }
    assert_eq!(bot.writes(), 1, "three nights, the same findings: no write");
    assert_eq!(bot.w().issue(1)["state"], "closed");
    assert_eq!(bot.w().issue(1)["state_reason"], "not_planned");
    // A finding that was not there when the maintainer decided: a new issue, linked.
    bot.write_list(TWO);
    bot.check("schedule", &sha(5));
    {
        let mut w = bot.w();
        assert_eq!((w.issues.len(), w.writes.len()), (2, 2), "{:?}", w.writes);
        assert_eq!(w.issue(1)["state"], "closed");
        let new = body(w.issue(2));
        assert!(new.contains("#1"), "links the declined issue: {new}");
        assert!(new.contains("bionlp-1.2"), "{new}");
        assert!(
            !new.contains("findings-emnlp.398"),
            "the declined finding is not raised again: {new}"
        );
    }
    bot.check("schedule", &sha(6));
    assert_eq!(bot.writes(), 2);
    bot.clean();
}

// 2. A maintainer's note outside the bot's region survives.
#[tokio::test(flavor = "multi_thread")]
async fn a_maintainers_note_outside_the_bots_region_survives() {
    let bot = Bot::new(BROKEN).await;
    bot.check("schedule", SHA);
    {
        let mut w = bot.w();
        let old = body(w.issue(1));
        w.issue(1)["body"] =
            format!("**Maintainer:** we wait for the Anthology fix.\n\n{old}\n\nSee also #42.\n")
                .into();
    }
    bot.check("schedule", &sha(2));
    assert_eq!(
        bot.writes(),
        1,
        "same findings: the note is no reason to write"
    );
    bot.write_list(TWO);
    bot.check("schedule", &sha(3));
    let mut w = bot.w();
    assert_eq!(w.writes, ["POST /issues", "PATCH /issues/1"]);
    let now = body(w.issue(1));
    assert!(
        now.starts_with("**Maintainer:** we wait for the Anthology fix.\n\n"),
        "{now}"
    );
    assert!(now.trim_end().ends_with("See also #42."), "{now}");
    assert!(now.contains("bionlp-1.2"), "{now}");
}

// 3. Labels are not identity; a body without the marker is still the bot's issue.
#[tokio::test(flavor = "multi_thread")]
async fn removing_the_label_or_the_marker_never_makes_a_second_issue() {
    let bot = Bot::new(BROKEN).await;
    bot.check("schedule", SHA);
    bot.w().issue(1)["labels"] = json!([]);
    bot.check("schedule", &sha(2));
    assert_eq!(bot.w().issues.len(), 1);
    bot.assert_writes(1);
    // The maintainer rewrites the body, marker and all.
    bot.w().issue(1)["body"] = "We are on it.".into();
    bot.check("schedule", &sha(3));
    bot.check("schedule", &sha(4));
    {
        let mut w = bot.w();
        assert_eq!(w.issues.len(), 1, "never a second issue");
        assert_eq!(w.writes, ["POST /issues", "PATCH /issues/1"]);
        let now = body(w.issue(1));
        assert!(now.starts_with("We are on it."), "{now}");
        assert!(now.contains("findings-emnlp.398"), "{now}");
    }
    bot.clean();
}

// 4. Two runs at once.
#[tokio::test(flavor = "multi_thread")]
async fn two_runs_at_once_leave_one_issue_and_close_the_twin_as_a_duplicate() {
    let bot = Bot::new(BROKEN).await;
    bot.w().latency = Duration::from_millis(200);
    let mut a = bot.command("schedule", SHA).spawn().unwrap();
    let mut b = bot.command("workflow_dispatch", SHA).spawn().unwrap();
    assert_eq!(a.wait().unwrap().code(), Some(1));
    assert_eq!(b.wait().unwrap().code(), Some(1));
    let twins = {
        let w = bot.w();
        let open: Vec<&Value> = w.issues.iter().filter(|i| i["state"] == "open").collect();
        assert_eq!(open.len(), 1, "one issue stays open");
        assert_eq!(open[0]["number"], 1, "the oldest survives");
        for twin in w.issues.iter().skip(1) {
            assert_eq!(
                (twin["state"].as_str(), twin["state_reason"].as_str()),
                (Some("closed"), Some("duplicate"))
            );
            let n = twin["number"].as_u64().unwrap();
            let said = w.comments_on(n);
            assert_eq!(said.len(), 1, "one closing comment per twin");
            assert!(body(said[0]).contains("#1"), "links the survivor");
        }
        w.issues.len() - 1
    };
    eprintln!("twins created by the race: {twins}");
    // A create per issue, then a comment and a close per twin.
    bot.assert_writes(1 + 3 * twins);
    bot.w().latency = Duration::ZERO;
    let before = bot.writes();
    bot.check("schedule", &sha(2));
    assert_eq!(bot.writes(), before);
    bot.clean();
}

// 5. A tick belongs to a finding, not to a line.
#[tokio::test(flavor = "multi_thread")]
async fn a_tick_follows_its_finding_when_the_row_moves() {
    let bot = Bot::new(TWO).await;
    bot.check("schedule", SHA);
    {
        let mut w = bot.w();
        let ticked: String = body(w.issue(1))
            .lines()
            .map(|l| {
                if l.contains("#L4") {
                    l.replacen("- [ ] ", "- [x] ", 1)
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        assert!(ticked.contains("- [x] "), "{ticked}");
        w.issue(1)["body"] = ticked.into();
    }
    // A healthy row above: both findings move down one line.
    bot.write_list(&TWO.replace(
        "|---|---|\n",
        "|---|---|\n|2023|[Med-PaLM](https://arxiv.org/abs/2212.13138)|\n",
    ));
    bot.check("schedule", &sha(2));
    let mut w = bot.w();
    assert_eq!(w.writes.len(), 2);
    let now = body(w.issue(1));
    let line = |n: &str| {
        now.lines()
            .find(|l| l.contains(&format!("#{n})")) || l.contains(&format!("#{n}]")))
            .unwrap_or_else(|| panic!("no row for {n}: {now}"))
            .to_string()
    };
    assert!(line("L5").starts_with("- [x] "), "{now}");
    assert!(line("L5").contains("findings-emnlp.398"), "{now}");
    assert!(line("L6").starts_with("- [ ] "), "{now}");
}

// 6. GitHub sends no patch for a huge diff: the file is checked whole.
#[tokio::test(flavor = "multi_thread")]
async fn a_file_without_a_patch_is_checked_whole_and_says_so() {
    let bot = Bot::pull_request(BROKEN, BROKEN, None).await;
    let out = bot.check("pull_request", SHA);
    assert_eq!(code(&out), Some(1), "{}", text(&out));
    let w = bot.w();
    assert_eq!(w.writes, [format!("POST /issues/{PR}/comments")]);
    let said = body(w.comments_on(PR)[0]);
    assert!(said.contains("#L4"), "the whole file was checked: {said}");
    assert!(
        said.contains("diff") && said.contains("whole"),
        "says why: {said}"
    );
}

// 7. An unreadable list never turns into "no problems".
#[tokio::test(flavor = "multi_thread")]
async fn an_unreadable_list_leaves_the_comment_and_the_issue_alone() {
    let patch = "@@ -3,2 +3,2 @@\n |---|---|\n-|2022|[ClinicalT5](https://aclanthology.org/2022.findings-emnlp.398/)|\n+|2022|[ClinicalT5](https://aclanthology.2022.findings-emnlp.398/)|\n";
    let bot = Bot::pull_request(FIXED, BROKEN, Some(patch)).await;
    bot.check("pull_request", SHA);
    let before = body(bot.w().comments_on(PR)[0]);
    std::fs::write(
        bot.dir.path().join("README.md"),
        b"|Year|\n|---|\n|\xff\xfe|\n",
    )
    .unwrap();
    bot.assert_writes(2);
    let out = bot.check("pull_request", &sha(2));
    assert_eq!(code(&out), Some(2), "{}", text(&out));
    bot.assert_writes(2);
    assert_eq!(body(bot.w().comments_on(PR)[0]), before);
    assert!(
        bot.summary().contains("left as it was"),
        "{}",
        bot.summary()
    );

    let bot = Bot::new(BROKEN).await;
    bot.check("schedule", SHA);
    std::fs::write(
        bot.dir.path().join("README.md"),
        b"|Year|\n|---|\n|\xff\xfe|\n",
    )
    .unwrap();
    let out = bot.check("schedule", &sha(2));
    assert_eq!(code(&out), Some(2));
    bot.assert_writes(1);
    assert_eq!(bot.w().issue(1)["state"], "open");
    assert!(
        bot.summary().contains("left as it was"),
        "{}",
        bot.summary()
    );
}

// 8. Identity is marker *and* author.
#[tokio::test(flavor = "multi_thread")]
async fn a_contributors_comment_or_issue_with_the_marker_is_never_taken_over() {
    let bot = Bot::new(BROKEN).await;
    let theirs = "<!-- paperlint:tracking file=README.md -->\nI copied the bot's marker.";
    bot.w().open_issue_as(
        "alice",
        "paperlint: problems in README.md",
        theirs,
        &["paperlint"],
    );
    bot.check("schedule", SHA);
    bot.check("schedule", &sha(2));
    {
        let mut w = bot.w();
        assert_eq!(w.writes, ["POST /issues"], "the bot writes its own issue");
        assert_eq!(body(w.issue(1)), theirs);
        assert_eq!(w.issue(1)["state"], "open");
        assert_eq!(w.issue(2)["user"]["login"], BOT);
    }
    let patch = "@@ -3,2 +3,2 @@\n |---|---|\n-|2022|[ClinicalT5](https://aclanthology.org/2022.findings-emnlp.398/)|\n+|2022|[ClinicalT5](https://aclanthology.2022.findings-emnlp.398/)|\n";
    let bot = Bot::pull_request(FIXED, BROKEN, Some(patch)).await;
    let mine = "<!-- paperlint:pr -->\nlooks fine to me";
    bot.w().comment_as("mallory", PR, mine);
    bot.check("pull_request", SHA);
    let w = bot.w();
    assert_eq!(
        w.writes,
        [
            format!("POST /issues/{PR}/comments"),
            format!("POST /pulls/{PR}/reviews")
        ],
        "its own comment, and a suggestion for the fixable row"
    );
    let said = w.comments_on(PR);
    assert_eq!(body(said[0]), mine);
    assert_eq!(said[1]["user"]["login"], BOT);
}

// 9. A secondary rate limit without headers is waited out and named.
#[tokio::test(flavor = "multi_thread")]
async fn a_secondary_rate_limit_without_headers_is_waited_out_and_named() {
    let patch = "@@ -3,2 +3,2 @@\n |---|---|\n-|2022|[ClinicalT5](https://aclanthology.org/2022.findings-emnlp.398/)|\n+|2022|[ClinicalT5](https://aclanthology.2022.findings-emnlp.398/)|\n";
    let limit = |times| Limit {
        method: "POST".into(),
        route: format!("/issues/{PR}/comments"),
        times,
        retry_after: None,
    };
    let config = "[github]\nbackoff = \"10ms\"\nrate_limit_wait = \"50ms\"\n";
    let bot = Bot::pull_request(FIXED, BROKEN, Some(patch)).await;
    bot.config(config);
    bot.w().limits.push(limit(1));
    let out = bot.check("pull_request", SHA);
    assert_eq!(code(&out), Some(1), "{}", text(&out));
    assert!(!text(&out).contains("read-only"), "{}", text(&out));
    assert_eq!(bot.w().limited, 1);
    bot.assert_writes(2);
    assert_eq!(bot.w().comments_on(PR).len(), 1, "the comment, once");

    // Still limited after every wait: an error that names it, never "read-only".
    let bot = Bot::pull_request(FIXED, BROKEN, Some(patch)).await;
    bot.config(config);
    bot.w().limits.push(limit(1000));
    let out = bot.check("pull_request", SHA);
    assert_eq!(code(&out), Some(2), "{}", text(&out));
    let said = text(&out);
    assert!(!said.contains("read-only"), "{said}");
    let line = said
        .lines()
        .find(|l| l.contains("secondary rate limit"))
        .unwrap_or_else(|| panic!("not named: {said}"));
    assert!(
        line.contains(&format!("POST /issues/{PR}/comments")) && line.contains("403"),
        "{line}"
    );
    assert_eq!(bot.writes(), 0);
}

// 10. An API that never answers.
#[tokio::test(flavor = "multi_thread")]
async fn a_github_api_that_never_answers_ends_the_run() {
    let silent = crate::server::Server::start("127.0.0.1", |_| crate::server::Action::Hang).await;
    let bot = Bot::new(BROKEN).await;
    bot.config("[github]\nbackoff = \"10ms\"\ntimeout = \"200ms\"\n");
    let mut cmd = bot.command("schedule", SHA);
    cmd.env("GITHUB_API_URL", silent.url(""))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    // A liveness guard, not a timing assertion: a hung run fails the test instead of
    // hanging it.
    let mut waited = 0;
    while child.try_wait().unwrap().is_none() {
        if waited > 600 {
            child.kill().unwrap();
            panic!("the run did not end");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += 1;
    }
    let out = child.wait_with_output().unwrap();
    no_token(&out);
    assert_eq!(code(&out), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr
        .lines()
        .find(|l| l.contains("GitHub API"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(
        line.contains("GET /") && line.contains("timed out"),
        "{line}"
    );
}

// 11. A pull request's own config is data.
#[tokio::test(flavor = "multi_thread")]
async fn a_pull_requests_own_config_cannot_widen_the_guard_or_change_github_settings() {
    let probed =
        crate::server::Server::start("127.0.0.1", |_| crate::server::Action::status(200)).await;
    let url = probed.url("/internal/metadata");
    let head = format!("## Papers\n|Year|Title|\n|---|---|\n|2023|[Probe]({url})|\n");
    let patch = format!("@@ -3,1 +3,2 @@\n |---|---|\n+|2023|[Probe]({url})|\n");
    let bot = Bot::pull_request("## Papers\n|Year|Title|\n|---|---|\n", &head, Some(&patch)).await;
    // The base branch's config: report info findings, default guard.
    bot.config("[github]\nbackoff = \"10ms\"\nreport = \"info\"\n");
    // The pull request's config tries to open the guard and take over the bot.
    bot.head_config(
        "[network]\nallow_private = true\n[github]\nbackoff = \"10ms\"\nreport = \"info\"\nmarker = \"hijacked\"\nlabel = \"hijacked\"\n",
    );
    // Online: the link check runs, so the guard matters.
    let out = bot
        .command_with(&["check", "--github"], "pull_request_target", SHA)
        .output()
        .unwrap();
    no_token(&out);
    assert_eq!(probed.requests(), 0, "the guard held: {}", text(&out));
    let w = bot.w();
    assert!(
        w.log.iter().any(|l| l.starts_with("GET ")
            && l.contains("/contents/paperlint.toml")
            && l.contains(PR_BASE)),
        "the trusted config is read from the base commit: {:?}",
        w.log
    );
    for c in w.comments_on(PR) {
        assert!(!body(c).contains("hijacked"), "{}", body(c));
    }
    assert!(
        w.comments_on(PR)
            .iter()
            .all(|c| body(c).contains("<!-- paperlint:pr -->"))
    );
}

// 12a. A merged fixes pull request leads to a fresh one.
#[tokio::test(flavor = "multi_thread")]
async fn after_the_fixes_pr_is_merged_a_fresh_branch_and_a_new_pr() {
    let bot = Bot::new(BROKEN).await;
    let out = bot.fix(SHA);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    assert_eq!(
        bot.w().writes,
        ["POST /git/refs", "PUT /contents/README.md", "POST /pulls"]
    );
    bot.w().merge(100, false);
    // A new broken row lands on main the next week.
    let next = FIXED.replace(
        "|2021|",
        "|2021|[BioBERT](https://aclanthology.2021.bionlp-1.2/)|\n|2021|",
    );
    let at = bot.w().push("main", "maintainer", "README.md", &next);
    bot.write_list(&next);
    for _ in 0..3 {
        let out = bot.fix(&at);
        assert_eq!(code(&out), Some(0), "{}", text(&out));
    }
    let mut w = bot.w();
    assert_eq!(w.pulls.len(), 2, "a new pull request");
    assert_eq!(w.pull(101)["state"], "open");
    assert_eq!(w.pull(100)["merged"], true);
    assert!(
        !w.writes.iter().any(|x| x.contains("/pulls/100")),
        "the merged one is left alone: {:?}",
        w.writes
    );
    assert_eq!(w.writes.len(), 6, "{:?}", w.writes);
    let head = w.refs["paperlint/fixes"].clone();
    assert!(w.commits[&head].files["README.md"].contains("aclanthology.org/2021.bionlp-1.2/"));
    drop(w);
    bot.clean();
}

// 12b. A fixes pull request closed unmerged is a decision.
#[tokio::test(flavor = "multi_thread")]
async fn a_fixes_pr_closed_unmerged_is_not_reopened_for_the_same_fixes() {
    let bot = Bot::new(BROKEN).await;
    bot.fix(SHA);
    bot.w().close_pull(100);
    for _night in 2..5 {
        let out = bot.fix(SHA);
        assert_eq!(code(&out), Some(0), "{}", text(&out));
    }
    bot.assert_writes(3);
    assert_eq!(bot.w().pull(100)["state"], "closed");
    // A new fix: proposed in a new pull request, without the declined one.
    let next = BROKEN.replace(
        "|2021|",
        "|2021|[BioBERT](https://aclanthology.2021.bionlp-1.2/)|\n|2021|",
    );
    let at = bot.w().push("main", "maintainer", "README.md", &next);
    bot.write_list(&next);
    bot.fix(&at);
    bot.fix(&at);
    let mut w = bot.w();
    assert_eq!(w.pulls.len(), 2);
    assert_eq!(w.pull(100)["state"], "closed");
    assert!(body(w.pull(101)).contains("#100"), "{}", body(w.pull(101)));
    let head = w.refs["paperlint/fixes"].clone();
    let proposed = &w.commits[&head].files["README.md"];
    assert!(
        proposed.contains("aclanthology.org/2021.bionlp-1.2/"),
        "{proposed}"
    );
    assert!(
        proposed.contains("aclanthology.2022.findings-emnlp.398"),
        "the declined fix stays declined: {proposed}"
    );
    assert_eq!(w.writes.len(), 6, "{:?}", w.writes);
    drop(w);
    bot.clean();
}

// 12c. A person's commit on the fixes branch is kept.
#[tokio::test(flavor = "multi_thread")]
async fn a_maintainers_commit_on_the_fixes_branch_is_kept() {
    let bot = Bot::new(BROKEN).await;
    bot.fix(SHA);
    let theirs = bot.w().push(
        "paperlint/fixes",
        "alice",
        "README.md",
        &FIXED.replace("## Papers", "## Papers (checked by hand)"),
    );
    let next = BROKEN.replace(
        "|2021|",
        "|2021|[BioBERT](https://aclanthology.2021.bionlp-1.2/)|\n|2021|",
    );
    let at = bot.w().push("main", "maintainer", "README.md", &next);
    bot.write_list(&next);
    let out = bot.fix(&at);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    assert!(text(&out).contains("alice"), "says why: {}", text(&out));
    assert_eq!(
        bot.w().refs["paperlint/fixes"],
        theirs,
        "alice's commit stays"
    );
    bot.assert_writes(3);
    bot.clean();
}

// Per-row titles are plain text from the list: no mentions, no cross-links.
#[tokio::test(flavor = "multi_thread")]
async fn per_row_issue_titles_cannot_ping_or_link() {
    let list = "|Year|Title|\n|---|---|\n|2022|[Fine @team #12 <b>x</b>](https://aclanthology.2022.x.1/)|\n";
    let bot = Bot::new(list).await;
    bot.config("[github]\nbackoff = \"10ms\"\nissues = \"per-row\"\n");
    bot.check("schedule", SHA);
    let mut w = bot.w();
    let title = w.issue(1)["title"].as_str().unwrap().to_string();
    assert!(!title.contains("@team"), "{title}");
    assert!(!title.contains("#12"), "{title}");
    assert!(
        title.contains("@\u{200B}team") && title.contains("#\u{200B}12"),
        "{title}"
    );
}

// The sticky comment changes only when what it says changes.
#[tokio::test(flavor = "multi_thread")]
async fn the_sticky_comment_does_not_churn_on_every_push() {
    let patch = "@@ -3,2 +3,2 @@\n |---|---|\n-|2022|[ClinicalT5](https://aclanthology.org/2022.findings-emnlp.398/)|\n+|2022|[ClinicalT5](https://aclanthology.2022.findings-emnlp.398/)|\n";
    let bot = Bot::pull_request(FIXED, BROKEN, Some(patch)).await;
    bot.config("[github]\nbackoff = \"10ms\"\nsuggestions = 0\n");
    bot.check("pull_request", &sha(1));
    bot.check("pull_request", &sha(2));
    assert_eq!(bot.writes(), 1);
    bot.write_list(FIXED);
    bot.check("pull_request", &sha(3));
    bot.check("pull_request", &sha(4));
    bot.check("pull_request", &sha(5));
    bot.assert_writes(2);
    assert!(body(bot.w().comments_on(PR)[0]).contains("no problems"));
}

// Suggestions where the contributor looks.
#[tokio::test(flavor = "multi_thread")]
async fn fixable_findings_on_changed_lines_become_one_click_suggestions() {
    let patch = "@@ -3,2 +3,3 @@\n |---|---|\n |2022|[ClinicalT5](https://aclanthology.2022.findings-emnlp.398/)|\n+|2021|[BioBERT](https://aclanthology.2021.bionlp-1.2/)|\n";
    let base = "## Papers\n|Year|Title|\n|---|---|\n|2022|[ClinicalT5](https://aclanthology.2022.findings-emnlp.398/)|\n";
    let bot = Bot::pull_request(base, TWO, Some(patch)).await;
    // A person's review comment that quotes the marker is not the bot's.
    bot.w().review_comments.push(json!({"id": 1, "path": "README.md", "line": 5, "user": {"login": "alice", "type": "User"}, "body": "<!-- paperlint:suggestion --> nit", "commit_id": PR_HEAD}));
    let out = bot.check("pull_request", SHA);
    assert_eq!(code(&out), Some(1), "{}", text(&out));
    {
        let w = bot.w();
        assert_eq!(
            w.writes.len(),
            2,
            "a review and the sticky comment: {:?}",
            w.writes
        );
        assert!(w.writes.contains(&format!("POST /pulls/{PR}/reviews")));
        let mine = w.review_comments_by(BOT);
        assert_eq!(mine.len(), 1, "only the changed row: {mine:?}");
        assert_eq!(
            (mine[0]["path"].as_str(), mine[0]["line"].as_u64()),
            (Some("README.md"), Some(5))
        );
        let said = body(mine[0]);
        assert!(
            said.contains(
                "```suggestion\n|2021|[BioBERT](https://aclanthology.org/2021.bionlp-1.2/)|\n```"
            ),
            "{said}"
        );
        assert!(body(&w.review_comments[0]).ends_with("nit"));
    }
    // The next push changes nothing about it: no second suggestion.
    bot.check("pull_request", &sha(2));
    bot.assert_writes(2);
    // The contributor applies it: the suggestion is marked done, the summary clears.
    let fixed = TWO.replace(
        "aclanthology.2021.bionlp-1.2/",
        "aclanthology.org/2021.bionlp-1.2/",
    );
    bot.write_list(&fixed);
    bot.w().pr_files = vec![file_entry(Some(&patch.replace(
        "aclanthology.2021.bionlp-1.2/",
        "aclanthology.org/2021.bionlp-1.2/",
    )))];
    bot.check("pull_request", &sha(3));
    bot.check("pull_request", &sha(4));
    {
        let w = bot.w();
        assert_eq!(w.writes.len(), 4, "{:?}", w.writes);
        let mine = w.review_comments_by(BOT);
        assert_eq!(mine.len(), 1);
        assert!(
            !body(mine[0]).contains("```suggestion"),
            "{}",
            body(mine[0])
        );
        assert!(body(w.comments_on(PR)[0]).contains("no problems"));
    }
    bot.clean();
}

#[tokio::test(flavor = "multi_thread")]
async fn suggestions_are_capped_per_run_and_the_comment_keeps_the_summary() {
    let mut head = String::from("## Papers\n|Year|Title|\n|---|---|\n");
    let mut patch = String::from("@@ -3,1 +3,31 @@\n |---|---|\n");
    for i in 0..30 {
        let row = format!("|2021|[P{i}](https://aclanthology.2021.bionlp-1.{i}/)|\n");
        head.push_str(&row);
        patch.push_str(&format!("+{row}"));
    }
    let bot = Bot::pull_request("## Papers\n|Year|Title|\n|---|---|\n", &head, Some(&patch)).await;
    bot.config("[github]\nbackoff = \"10ms\"\nsuggestions = 5\n");
    bot.check("pull_request", SHA);
    let w = bot.w();
    assert_eq!(w.writes.len(), 2, "{:?}", w.writes);
    assert_eq!(w.review_comments_by(BOT).len(), 5);
    let summary = body(w.comments_on(PR)[0]);
    assert!(summary.contains("30 problems"), "{summary}");
}

// A locked issue: the maintainer closed the conversation; the bot does not comment.
#[tokio::test(flavor = "multi_thread")]
async fn a_locked_tracking_issue_is_closed_without_a_comment() {
    let bot = Bot::new(BROKEN).await;
    bot.check("schedule", SHA);
    bot.w().issue(1)["locked"] = true.into();
    bot.write_list(FIXED);
    let out = bot.check("schedule", &sha(2));
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    let mut w = bot.w();
    assert_eq!(w.writes, ["POST /issues", "PATCH /issues/1"]);
    assert_eq!(w.issue(1)["state"], "closed");
    assert!(w.refused.is_empty(), "{:?}", w.refused);
}

// A personal token: identity from GET /user.
#[tokio::test(flavor = "multi_thread")]
async fn a_personal_token_finds_its_issue_by_its_own_login() {
    let bot = Bot::new(BROKEN).await;
    bot.w().token_user = Some("list-keeper".into());
    bot.check("schedule", SHA);
    bot.check("schedule", &sha(2));
    let mut w = bot.w();
    assert_eq!(w.writes.len(), 1);
    assert_eq!(w.issue(1)["user"]["login"], "list-keeper");
}

// Per-row issues: a row a person closed as not planned stays closed.
#[tokio::test(flavor = "multi_thread")]
async fn a_row_issue_closed_as_not_planned_stays_closed() {
    let bot = Bot::new(TWO).await;
    bot.config("[github]\nbackoff = \"10ms\"\nissues = \"per-row\"\n");
    bot.check("schedule", SHA);
    bot.assert_writes(2);
    let declined = {
        let w = bot.w();
        w.issues
            .iter()
            .find(|i| i["title"].as_str().unwrap().ends_with("ClinicalT5"))
            .unwrap()["number"]
            .as_u64()
            .unwrap()
    };
    bot.w().close_issue(declined, "not_planned");
    for night in 2..4 {
        bot.check("schedule", &sha(night));
    }
    bot.assert_writes(2);
    assert_eq!(bot.w().issue(declined)["state"], "closed");
    assert_eq!(bot.w().issues.len(), 2);
    bot.clean();
}

// A configured login that is not the token's would lose every issue it creates: the
// first create says so instead of a duplicate every night.
#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_login_is_named_after_the_first_create() {
    let bot = Bot::new(BROKEN).await;
    bot.config("[github]\nbackoff = \"10ms\"\nlogin = \"list-app[bot]\"\n");
    let out = bot.check("schedule", SHA);
    assert_eq!(code(&out), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("set [github] login = \"github-actions[bot]\""),
        "{}",
        text(&out)
    );
    bot.assert_writes(1);
}

// A suggestion GitHub refuses never fails the check: the comment stands.
#[tokio::test(flavor = "multi_thread")]
async fn a_refused_suggestion_leaves_the_comment_and_the_verdict() {
    let patch = "@@ -3,2 +3,2 @@\n |---|---|\n-|2022|[ClinicalT5](https://aclanthology.org/2022.findings-emnlp.398/)|\n+|2022|[ClinicalT5](https://aclanthology.2022.findings-emnlp.398/)|\n";
    let bot = Bot::pull_request(FIXED, BROKEN, Some(patch)).await;
    bot.w().refuse_reviews = true;
    let out = bot.check("pull_request", SHA);
    assert_eq!(code(&out), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("::notice title=paperlint::paperlint could not suggest fixes"),
        "{}",
        text(&out)
    );
    assert_eq!(
        bot.w().writes,
        [format!("POST /issues/{PR}/comments")],
        "the comment, and no refused write is retried"
    );
    assert_eq!(bot.w().refused.len(), 1);
}
