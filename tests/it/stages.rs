//! The network stages overlap (issue 15): links start while the registries are still
//! answering, and a link on a registry's own host waits only for its paper's verdict.
//! Through the real binary, against loopback stand-ins; the assertions are on the order
//! in which the servers saw things (a [`Journal`]), never on how long anything took.

use crate::cli::paperlint;
use crate::metadata::fixture;
use crate::server::{Action, Journal, Server};
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// `check --format json` in `dir`, off the test's runtime (the stand-ins run on it).
async fn check(dir: &Path) -> (i32, Value, String) {
    let dir = dir.to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        paperlint()
            .current_dir(dir)
            .args(["check", "--format", "json", "--fail-on", "never"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{stderr}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap_or(-1), report, stderr)
}

fn ok(status: u16) -> Action {
    Action::status(status)
}

/// The recorded arXiv feed for `0808.05394,1707.08567`: the second is there, so the
/// first does not exist.
fn arxiv_feed() -> Action {
    Action::Respond {
        status: 200,
        headers: vec![("content-type".into(), "application/atom+xml".into())],
        body: fixture("arxiv_two_ids_one_missing.atom.xml").into_bytes(),
        delay: Duration::ZERO,
    }
}

/// `paperlint.toml`: arXiv at `arxiv`, arxiv.org's pages at `pages`, no venue truth
/// (it would ask the real services), loopback allowed, no cache.
fn config(arxiv: &Server, pages: &Server) -> String {
    format!(
        "[metadata]\narxiv_api = \"{}\"\narxiv_interval = \"1ms\"\nvenues = false\n\n\
         [network]\nallow_private = true\ncache = \"\"\nbackoff = \"10ms\"\n\n\
         [[network.remap]]\npattern = '^https://arxiv\\.org/(.*)$'\nreplacement = 'http://{}/$1'\n",
        arxiv.url("/api/query"),
        pages.addr
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn links_start_while_the_registry_answers_and_registry_links_wait_for_their_verdict() {
    let journal = Journal::default();
    let gate = Arc::new(tokio::sync::Notify::new());
    // The arXiv API answers only once the other host has been asked: with the stages
    // one after another, it would wait in vain and say so.
    let arxiv = Server::start("127.0.0.2", {
        let (journal, gate) = (journal.clone(), gate.clone());
        move |_| {
            journal.note("arXiv asked");
            Action::Gated {
                gate: gate.clone(),
                journal: journal.clone(),
                note: "arXiv answered".into(),
                then: Box::new(arxiv_feed()),
            }
        }
    })
    .await;
    let site = Server::start("127.0.0.3", {
        let (journal, gate) = (journal.clone(), gate.clone());
        move |_| {
            journal.note("site asked");
            gate.notify_one();
            ok(200)
        }
    })
    .await;
    let pages = Server::start("127.0.0.4", {
        let journal = journal.clone();
        move |_| {
            journal.note("arxiv.org page asked");
            ok(200)
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let list = format!(
        "## Papers\n|Year|Title|Code|\n|---|---|---|\n\
         |2017|[Proceedings of Workshop AEW10](https://arxiv.org/abs/1707.08567)|[code]({})|\n\
         |2008|[A paper arXiv does not have](https://arxiv.org/abs/0808.05394)| |\n",
        site.url("/code")
    );
    std::fs::write(dir.path().join("README.md"), list).unwrap();
    std::fs::write(dir.path().join("paperlint.toml"), config(&arxiv, &pages)).unwrap();

    let (code, report, stderr) = check(dir.path()).await;
    assert_eq!(code, 0, "{stderr}");
    let events = journal.events();
    assert!(
        !events.iter().any(|e| e.contains("timed out")),
        "the link check waited for the registry: {events:?}"
    );
    let at = |e: &str| {
        journal
            .position(e)
            .unwrap_or_else(|| panic!("no `{e}` in {events:?}"))
    };
    assert!(at("site asked") < at("arXiv answered"), "{events:?}");
    // The paper arXiv found is vouched for; the one it does not have is checked on its
    // own page, after the verdict.
    assert_eq!(pages.requests(), 1, "{events:?}");
    assert!(
        at("arXiv answered") < at("arxiv.org page asked"),
        "{events:?}"
    );
    assert_eq!(arxiv.requests(), 1);
    let network = &report["summary"]["network"];
    assert_eq!(
        (network["checked"].as_u64(), network["ok"].as_u64()),
        (Some(3), Some(3)),
        "{network}"
    );
    let missing: Vec<&Value> = crate::cli::with_rule(&report, "paper/not-found").collect();
    assert_eq!(missing.len(), 1, "{report}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_badge_elsewhere_does_not_undo_the_registrys_word() {
    // The same arXiv URL behind a badge in one list (a link like any other) and as a
    // paper link in another: the registry found the paper, so the page's own answer
    // (a 404 here, as arXiv gives bots on a bad day) is not reported, whichever file
    // reached the link check first.
    let arxiv = Server::start("127.0.0.2", |_| arxiv_feed()).await;
    let pages = Server::start("127.0.0.4", |_| ok(404)).await;
    let dir = tempfile::tempdir().unwrap();
    let url = "https://arxiv.org/abs/1707.08567";
    std::fs::write(
        dir.path().join("badges.md"),
        format!(
            "## Papers\n|Year|Title|\n|---|---|\n|2017|Workshop AEW10 [![arXiv](arxiv-badge.svg)]({url})|\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("papers.md"),
        format!(
            "## Papers\n|Year|Title|\n|---|---|\n|2017|[Proceedings of Workshop AEW10]({url})|\n"
        ),
    )
    .unwrap();
    let config = config(&arxiv, &pages) + "\n[check]\nfiles = [\"badges.md\", \"papers.md\"]\n";
    std::fs::write(dir.path().join("paperlint.toml"), config).unwrap();

    let (code, report, stderr) = check(dir.path()).await;
    assert_eq!(code, 0, "{stderr}");
    let about: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().is_some_and(|r| r.starts_with("link/")))
        .collect();
    assert!(about.is_empty(), "{about:?}");
    let network = &report["summary"]["network"];
    assert_eq!(
        (network["checked"].as_u64(), network["ok"].as_u64()),
        (Some(1), Some(1)),
        "{network}"
    );
}
