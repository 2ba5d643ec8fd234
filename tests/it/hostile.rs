//! Hostile hosts, broken registries and bad files (issue 13), through the real binary:
//! rate-limit storms and `Retry-After` values no run can wait out, a counting proxy
//! that must never see a private name, redirects to private hosts and to non-http
//! schemes, sockets that accept and never answer, two processes on one cache, damaged
//! and misplaced caches, read-only files and symlinks for `fix`, devices and pipes as
//! input, bad configs, and the token in shapes other than `ghs_…`.
//!
//! Nothing here times the run: budgets are made small and the outcome is asserted
//! (the status and reason of each link, how many requests reached a server).

use crate::cli::{check_json, example, paperlint, site};
use crate::proxy::{CountingProxy, answer};
use crate::server::{Action, Server};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;
use wiremock::matchers::{any, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// `paperlint.toml` with metadata off, loopback allowed, no cache and quick retries;
/// `network` entries (raw TOML values) override those defaults or add keys; `tail` is
/// appended verbatim (remaps, other tables).
fn config(network: &[(&str, &str)], tail: &str) -> String {
    let mut keys: BTreeMap<&str, String> = [
        ("allow_private", "true"),
        ("cache", "\"\""),
        ("backoff", "\"10ms\""),
        ("timeout", "\"5s\""),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_string()))
    .collect();
    for (k, v) in network {
        keys.insert(k, v.to_string());
    }
    let mut text = String::from("[metadata]\nenabled = false\n\n[network]\n");
    for (k, v) in keys {
        text.push_str(&format!("{k} = {v}\n"));
    }
    text.push('\n');
    text.push_str(tail);
    text
}

/// A remap sending every list URL to `base` (`http://IP:PORT`), host kept in the path.
fn remap_to(base: &str) -> String {
    format!(
        "[[network.remap]]\npattern = '^https?://([^/]+)/(.*)$'\nreplacement = '{base}/$1/$2'\n"
    )
}

/// A one-table list linking each URL.
fn list(urls: &[String]) -> String {
    let mut text = String::from("## Papers\n|Year|Title|\n|---|---|\n");
    for (i, u) in urls.iter().enumerate() {
        text.push_str(&format!("|2023|[Paper {i}]({u})|\n"));
    }
    text
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The findings about `url`.
fn about<'a>(report: &'a Value, url: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["url"] == url)
        .collect()
}

/// Rate limits no run can sit out: the host is given up as a whole and its links are
/// unverified (info), never broken, and the server sees only a handful of requests.
mod storms {
    use super::*;

    fn refusing(status: u16, retry_after: String) -> impl Fn(&crate::server::Request) -> Action {
        move |_| Action::Respond {
            status,
            headers: vec![("retry-after".into(), retry_after.clone())],
            body: Vec::new(),
            delay: Duration::ZERO,
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn twenty_urls_on_a_host_that_refuses_everything_are_given_up_together() {
        for (ip, status) in [("127.0.0.6", 429), ("127.0.0.7", 503)] {
            let server = Server::start(ip, refusing(status, "1".into())).await;
            let urls: Vec<String> = (0..20)
                .map(|i| format!("https://storm.example.com/paper/{i}"))
                .collect();
            let dir = site(
                &list(&urls),
                &config(
                    &[("host_budget", "\"3s\""), ("run_budget", "\"60s\"")],
                    &remap_to(&format!("http://{}", server.addr)),
                ),
            );
            let (out, report) = check_json(dir.path(), &[]);
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
            for u in &urls {
                let found = about(&report, u);
                assert_eq!(found.len(), 1, "{u}: {found:?}");
                assert_eq!(
                    (found[0]["rule"].as_str(), found[0]["severity"].as_str()),
                    (Some("link/unverified"), Some("info")),
                    "{u}"
                );
                let message = found[0]["message"].as_str().unwrap();
                assert!(message.contains(&status.to_string()), "{message}");
            }
            assert_eq!(report["summary"]["network"]["broken"], 0);
            assert!(
                server.requests() <= 10,
                "{status}: a host that refuses everything is given up as a whole, yet it got {} requests",
                server.requests()
            );
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_retry_after_beyond_the_budget_means_give_up_now() {
        let far =
            httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(86400));
        for (ip, status, retry_after) in [
            ("127.0.0.8", 429, "86400".to_string()),
            ("127.0.0.9", 503, "86400".to_string()),
            ("127.0.0.10", 429, far),
        ] {
            let server = Server::start(ip, refusing(status, retry_after.clone())).await;
            let url = "https://patient.example.com/paper".to_string();
            let dir = site(
                &list(std::slice::from_ref(&url)),
                &config(
                    &[("host_budget", "\"30s\"")],
                    &remap_to(&format!("http://{}", server.addr)),
                ),
            );
            let (out, report) = check_json(dir.path(), &[]);
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
            let found = about(&report, &url);
            assert_eq!(found.len(), 1, "{found:?}");
            assert_eq!(found[0]["rule"], "link/unverified");
            let message = found[0]["message"].as_str().unwrap();
            assert!(
                message.contains("host_budget"),
                "the reason names the budget the wait exceeds: {message}"
            );
            // HEAD, and GET for a 503 (its body may be a challenge page); no retry.
            assert!(
                server.requests() <= 2,
                "{status} Retry-After {retry_after}: {} requests",
                server.requests()
            );
        }
    }

    /// A list pointing at registries that all push back: no `paper/not-found`, every
    /// paper "unknown", and each registry asked only a few times.
    #[tokio::test(flavor = "multi_thread")]
    async fn rate_limiting_registries_leave_papers_unresolved_and_are_given_up() {
        let registry = MockServer::start().await;
        Mock::given(path_regex("^/works/"))
            .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "60"))
            .mount(&registry)
            .await;
        Mock::given(path("/api/query"))
            .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "86400"))
            .mount(&registry)
            .await;
        let urls: Vec<String> = ["10.5555/one", "10.5555/two", "10.5555/three"]
            .iter()
            .map(|d| format!("https://doi.org/{d}"))
            .chain(
                ["2301.00001", "2301.00002"]
                    .iter()
                    .map(|id| format!("https://arxiv.org/abs/{id}")),
            )
            .collect();
        let uri = registry.uri();
        let text = format!(
            "[metadata]\narxiv_api = \"{uri}/api/query\"\ncrossref_api = \"{uri}\"\ndoi_api = \"{uri}\"\narxiv_interval = \"1ms\"\n\n[network]\nhost_budget = \"5s\"\ncache = \"\"\n"
        );
        let dir = site(&list(&urls), &text);
        let out = paperlint()
            .current_dir(dir.path())
            .args(["entries", "--resolve"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let records: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        let statuses: Vec<&str> = records
            .iter()
            .map(|r| r["paper"]["status"].as_str().unwrap_or("none"))
            .collect();
        assert_eq!(statuses, vec!["unknown"; 5], "{records:?}");
        let asked = registry.received_requests().await.unwrap();
        let crossref = asked
            .iter()
            .filter(|r| r.url.path().starts_with("/works/"))
            .count();
        let arxiv = asked
            .iter()
            .filter(|r| r.url.path() == "/api/query")
            .count();
        assert!(
            crossref <= 3,
            "Retry-After 60 is beyond the budget: each DOI asked once at most, got {crossref}"
        );
        assert_eq!(arxiv, 1, "Retry-After 86400: arXiv asked once");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_handle_api_storm_is_unknown_never_not_found() {
        let registry = MockServer::start().await;
        Mock::given(path_regex("^/works/"))
            .respond_with(ResponseTemplate::new(404))
            .mount(&registry)
            .await;
        Mock::given(path_regex("^/api/handles/"))
            .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "1"))
            .mount(&registry)
            .await;
        let urls: Vec<String> = (0..6)
            .map(|i| format!("https://doi.org/10.5555/storm{i}"))
            .collect();
        let uri = registry.uri();
        let text = format!(
            "[metadata]\ncrossref_api = \"{uri}\"\ndoi_api = \"{uri}\"\ncrossref_concurrency = 1\n\n[network]\nhost_budget = \"3s\"\ncache = \"\"\n"
        );
        let dir = site(&list(&urls), &text);
        let out = paperlint()
            .current_dir(dir.path())
            .args(["entries", "--resolve"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let records: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        for r in &records {
            assert_eq!(r["paper"]["status"], "unknown", "{r}");
        }
        let handles = registry
            .received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|r| r.url.path().starts_with("/api/handles/"))
            .count();
        assert!(
            handles <= 8,
            "the handle API refused everything: given up, yet asked {handles} times"
        );
    }

    /// GitHub asking to wait a day: the run ends now with one line, not after hours.
    #[tokio::test(flavor = "multi_thread")]
    async fn a_github_rate_limit_beyond_the_budget_ends_the_run_now() {
        let api = MockServer::start().await;
        Mock::given(any())
            .respond_with(
                ResponseTemplate::new(403)
                    .insert_header("retry-after", "86400")
                    .set_body_json(
                        serde_json::json!({"message": "You have exceeded a secondary rate limit."}),
                    ),
            )
            .mount(&api)
            .await;
        let dir = site(
            &list(&["https://arxiv.org/abs/2301.00001".into()]),
            "[network]\nhost_budget = \"5s\"\n\n[github]\nbackoff = \"10ms\"\n",
        );
        let out = github_run(
            dir.path(),
            &api.uri(),
            "ghp_BudgetTokenNeverPrinted0123456789",
        );
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("rate limit") && err.contains("host_budget") && err.contains("1day"),
            "{err}"
        );
        let asked = api.received_requests().await.unwrap().len();
        assert!(asked <= 2, "asked {asked} times despite Retry-After: 86400");
    }
}

/// `check --offline --github` against `api` as a scheduled run, with the Actions files
/// in `dir`.
fn github_run(dir: &Path, api: &str, token: &str) -> Output {
    paperlint()
        .current_dir(dir)
        .args(["check", "--offline", "--github", "--format", "json"])
        .args(["--output", "report.json"])
        .env("GITHUB_TOKEN", token)
        .env("GITHUB_REPOSITORY", "octo-org/awesome-papers")
        .env("GITHUB_EVENT_NAME", "schedule")
        .env("GITHUB_API_URL", api)
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567")
        .env("GITHUB_STEP_SUMMARY", dir.join("summary.md"))
        .env("GITHUB_OUTPUT", dir.join("output.txt"))
        .output()
        .unwrap()
}

/// The address guard for every client and every hop, with and without a proxy.
mod guard {
    use super::*;

    fn proxied(proxy: &CountingProxy) -> Vec<(&'static str, String)> {
        [
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "http_proxy",
            "https_proxy",
            "ALL_PROXY",
        ]
        .into_iter()
        .map(|k| (k, proxy.url()))
        .collect()
    }

    /// Sends the intranet's pages to `localhost`: a name (not an address literal), so
    /// only resolving it tells that it is loopback.
    const LOOPBACK_REMAP: &str = "[[network.remap]]\npattern = '^https://intranet\\.example\\.com/(.*)$'\nreplacement = 'http://localhost:9/$1'\n";

    fn run_proxied(dir: &Path, proxy: &CountingProxy) -> (Output, Value) {
        let mut cmd = paperlint();
        cmd.current_dir(dir)
            .args(["check", "--format", "json"])
            .env_remove("NO_PROXY")
            .env_remove("no_proxy");
        for (k, v) in proxied(proxy) {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        let report = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("no report ({e}): {}", stderr(&out)));
        (out, report)
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_proxy_never_sees_a_name_that_resolves_to_loopback() {
        let proxy = CountingProxy::start(|_| answer(200, &[])).await;
        let url = "https://intranet.example.com/admin".to_string();
        // Allowed, the proxy is asked: the environment's proxy is really in use.
        let open = site(
            &list(std::slice::from_ref(&url)),
            &config(&[], LOOPBACK_REMAP),
        );
        let (_, report) = run_proxied(open.path(), &proxy);
        assert!(
            !proxy.seen().is_empty(),
            "with allow_private the request goes through the proxy: {report}"
        );
        let asked_before = proxy.seen().len();
        let guarded = site(
            &list(std::slice::from_ref(&url)),
            &config(&[("allow_private", "false")], LOOPBACK_REMAP),
        );
        let (out, report) = run_proxied(guarded.path(), &proxy);
        assert_eq!(
            proxy.seen().len(),
            asked_before,
            "the proxy got a request for a name that resolves to loopback: {:?}",
            proxy.seen()
        );
        assert!(
            !crate::cli::rules_of(&report).contains(&"link/broken"),
            "{report}"
        );
        let found = about(&report, &url);
        assert_eq!(found.len(), 1, "{}", stderr(&out));
        assert!(
            found[0]["message"]
                .as_str()
                .unwrap()
                .contains("private address"),
            "{found:?}"
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn every_link_on_one_guarded_name_gets_the_one_verdict_of_its_name() {
        // Hundreds of links on one name, checked at once: each gets the verdict of the
        // name's one lookup, and none of them reaches the proxy.
        let proxy = CountingProxy::start(|_| answer(200, &[])).await;
        let urls: Vec<String> = (0..300)
            .map(|i| format!("https://intranet.example.com/p/{i}"))
            .collect();
        let dir = site(
            &list(&urls),
            &config(&[("allow_private", "false")], LOOPBACK_REMAP),
        );
        let (out, report) = run_proxied(dir.path(), &proxy);
        assert!(proxy.seen().is_empty(), "{:?}", proxy.seen());
        let messages: BTreeSet<&str> = urls
            .iter()
            .map(|u| {
                let found = about(&report, u);
                assert_eq!(found.len(), 1, "{u}: {}", stderr(&out));
                found[0]["message"].as_str().unwrap()
            })
            .collect();
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(
            messages.iter().all(|m| m.contains("private address")),
            "{messages:?}"
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_redirect_to_a_private_host_is_refused_before_the_proxy() {
        // The proxy plays a public site whose pages redirect into the runner's network.
        let proxy = CountingProxy::start(|target| {
            let to = if target.ends_with("/to-name") {
                "http://localhost:9/secret"
            } else if target.ends_with("/to-v4") {
                "http://127.0.0.1:9/secret"
            } else if target.ends_with("/to-v6") {
                "http://[::1]:9/secret"
            } else {
                "http://10.0.0.1/secret"
            };
            answer(302, &[("location", to)])
        })
        .await;
        let urls: Vec<String> = ["to-name", "to-v4", "to-v6", "to-private"]
            .iter()
            .map(|p| format!("http://93.184.216.34/{p}"))
            .collect();
        let dir = site(&list(&urls), &config(&[("allow_private", "false")], ""));
        let (out, report) = run_proxied(dir.path(), &proxy);
        let seen = proxy.seen();
        assert!(
            !seen.is_empty(),
            "the public first hop goes through the proxy"
        );
        for line in &seen {
            assert!(
                line.contains("93.184.216.34"),
                "a redirect hop to a private host reached the proxy: {line}"
            );
        }
        assert!(
            !crate::cli::rules_of(&report).contains(&"link/broken"),
            "{report}"
        );
        for u in &urls {
            assert_eq!(about(&report, u).len(), 1, "{u}: {}", stderr(&out));
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn the_doi_resolver_cannot_send_the_metadata_client_to_a_private_host() {
        let inside_by_name = Server::start("127.0.0.1", |_| Action::status(200)).await;
        let inside_by_address = Server::start("127.0.0.2", |_| Action::status(200)).await;
        let registry = MockServer::start().await;
        Mock::given(path_regex("^/works/"))
            .respond_with(ResponseTemplate::new(404))
            .mount(&registry)
            .await;
        Mock::given(path_regex("^/api/handles/"))
            .respond_with(
                ResponseTemplate::new(200).set_body_string(r#"{"responseCode":1,"values":[]}"#),
            )
            .mount(&registry)
            .await;
        Mock::given(path("/10.5555/by-name"))
            .respond_with(ResponseTemplate::new(302).insert_header(
                "location",
                format!("http://localhost:{}/csl", inside_by_name.addr.port()),
            ))
            .mount(&registry)
            .await;
        Mock::given(path("/10.5555/by-address"))
            .respond_with(
                ResponseTemplate::new(302).insert_header("location", inside_by_address.url("/csl")),
            )
            .mount(&registry)
            .await;
        let urls: Vec<String> = ["10.5555/by-name", "10.5555/by-address"]
            .iter()
            .map(|d| format!("https://doi.org/{d}"))
            .collect();
        let uri = registry.uri();
        let text = format!(
            "[metadata]\ncrossref_api = \"{uri}\"\ndoi_api = \"{uri}\"\n\n[network]\nallow_private = false\ncache = \"\"\n"
        );
        let dir = site(&list(&urls), &text);
        let out = paperlint()
            .current_dir(dir.path())
            .args(["entries", "--resolve"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(
            inside_by_name.requests(),
            0,
            "followed a redirect to `localhost`"
        );
        assert_eq!(
            inside_by_address.requests(),
            0,
            "followed a redirect to 127.0.0.2"
        );
        let records: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        for r in &records {
            assert_ne!(r["paper"]["status"], "missing", "{r}");
        }
    }
}

/// Redirects that leave HTTP end the chain as "unverified", naming the target; they
/// are not transient failures, so no run ever calls them broken.
#[tokio::test(flavor = "multi_thread")]
async fn redirects_to_file_and_ftp_are_never_broken_and_name_the_target() {
    let server = MockServer::start().await;
    Mock::given(path("/files.example.com/passwd"))
        .respond_with(ResponseTemplate::new(301).insert_header("location", "file:///etc/passwd"))
        .mount(&server)
        .await;
    Mock::given(path("/files.example.com/ftp"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", "ftp://ftp.example.org/pub/paper.pdf"),
        )
        .mount(&server)
        .await;
    let urls = vec![
        "https://files.example.com/passwd".to_string(),
        "https://files.example.com/ftp".to_string(),
    ];
    let state = tempfile::tempdir().unwrap();
    let cache = state.path().join("cache.json");
    let dir = site(
        &list(&urls),
        &config(
            &[
                ("cache", &format!("'{}'", cache.display())),
                ("failure_threshold", "2"),
            ],
            &remap_to(&server.uri()),
        ),
    );
    for run in 0..3 {
        let (out, report) = check_json(dir.path(), &[]);
        assert_eq!(out.status.code(), Some(0), "run {run}: {}", stderr(&out));
        for (u, target) in urls
            .iter()
            .zip(["file:///etc/passwd", "ftp://ftp.example.org/pub/paper.pdf"])
        {
            let found = about(&report, u);
            assert_eq!(found.len(), 1, "run {run} {u}: {found:?}");
            assert_ne!(found[0]["rule"], "link/broken", "run {run}: {u}");
            assert!(
                found[0]["message"].as_str().unwrap().contains(target),
                "run {run}: the message names the target: {}",
                found[0]["message"]
            );
        }
    }
    // One HEAD per URL per run: nothing retried as if it might pass.
    assert_eq!(server.received_requests().await.unwrap().len(), 6);
}

/// Sockets that accept and never answer: the first-byte timeout ends the request,
/// whatever the whole-request limit.
mod timeouts {
    use super::*;

    #[tokio::test(flavor = "multi_thread")]
    async fn a_link_that_never_sends_a_byte_times_out_on_the_first_byte() {
        let server = Server::start("127.0.0.11", |_| Action::Hang).await;
        let url = "https://silent.example.com/paper".to_string();
        let dir = site(
            &list(std::slice::from_ref(&url)),
            &config(
                &[
                    // Longer than the server hangs: only the first-byte limit can end it.
                    ("timeout", "\"300s\""),
                    ("read_timeout", "\"300ms\""),
                    ("retries", "0"),
                ],
                &remap_to(&format!("http://{}", server.addr)),
            ),
        );
        let (out, report) = check_json(dir.path(), &[]);
        let found = about(&report, &url);
        assert_eq!(found.len(), 1, "{}", stderr(&out));
        assert_eq!(found[0]["rule"], "link/unverified");
        assert!(
            found[0]["message"].as_str().unwrap().contains("timed out"),
            "{}",
            found[0]["message"]
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_github_api_that_never_answers_ends_the_run_with_one_line() {
        let server = Server::start("127.0.0.12", |_| Action::Hang).await;
        let dir = site(
            &list(&["https://arxiv.org/abs/2301.00001".into()]),
            "[network]\ntimeout = \"300s\"\nread_timeout = \"300ms\"\n\n[github]\nbackoff = \"10ms\"\n",
        );
        let out = github_run(
            dir.path(),
            &server.url(""),
            "ghp_HangTokenNeverPrinted0123456789",
        );
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let errors: Vec<String> = stderr(&out)
            .lines()
            .filter(|l| l.contains("GitHub API"))
            .map(String::from)
            .collect();
        assert_eq!(errors.len(), 1, "{}", stderr(&out));
        assert!(errors[0].contains("timed out"), "{}", errors[0]);
    }
}

/// The shared cache file.
mod cache {
    use super::*;

    fn cached_urls(path: &Path) -> Vec<String> {
        let cache: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        cache["entries"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn two_processes_sharing_a_cache_keep_both_runs_entries() {
        let server = MockServer::start().await;
        // Slow answers: both runs have loaded the cache before either writes it.
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_millis(400)))
            .mount(&server)
            .await;
        let state = tempfile::tempdir().unwrap();
        let cache = state.path().join("cache.json");
        let lists: Vec<Vec<String>> = ["a", "b"]
            .iter()
            .map(|name| {
                (0..5)
                    .map(|i| format!("https://{name}.example.com/paper/{i}"))
                    .collect()
            })
            .collect();
        let dirs: Vec<tempfile::TempDir> = lists
            .iter()
            .map(|urls| {
                site(
                    &list(urls),
                    &config(
                        &[("cache", &format!("'{}'", cache.display()))],
                        &remap_to(&server.uri()),
                    ),
                )
            })
            .collect();
        let runs: Vec<std::process::Child> = dirs
            .iter()
            .map(|d| {
                std::process::Command::new(env!("CARGO_BIN_EXE_paperlint"))
                    .current_dir(d.path())
                    .args(["check", "--format", "json", "--quiet"])
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for run in runs {
            let out = run.wait_with_output().unwrap();
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        }
        let kept = cached_urls(&cache);
        for u in lists.iter().flatten() {
            assert!(
                kept.contains(u),
                "{u} was lost from the shared cache: {kept:?}"
            );
        }
        let leftovers: Vec<_> = std::fs::read_dir(state.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "cache.json" && !n.ends_with(".lock"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_directory_in_the_cache_place_leaves_nothing_behind() {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200))
            .mount(&server)
            .await;
        let state = tempfile::tempdir().unwrap();
        let cache = state.path().join("cache.json");
        std::fs::create_dir(&cache).unwrap();
        let url = "https://ok.example.com/paper".to_string();
        let dir = site(
            &list(std::slice::from_ref(&url)),
            &config(
                &[("cache", &format!("'{}'", cache.display()))],
                &remap_to(&server.uri()),
            ),
        );
        for _ in 0..2 {
            let (out, report) = check_json(dir.path(), &[]);
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
            assert!(about(&report, &url).is_empty(), "{report}");
            let err = stderr(&out);
            let warnings: Vec<&str> = err.lines().filter(|l| l.contains("warning")).collect();
            assert!(
                !warnings.is_empty() && warnings.iter().all(|l| l.contains("cache.json")),
                "{}",
                stderr(&out)
            );
        }
        let names: Vec<String> = std::fs::read_dir(state.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            vec!["cache.json".to_string()],
            "temporary files left behind"
        );
        assert!(cache.is_dir(), "the directory is left as it was");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_damaged_cache_is_set_aside_with_a_warning() {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200))
            .mount(&server)
            .await;
        let state = tempfile::tempdir().unwrap();
        let cache = state.path().join("cache.json");
        let damaged = "{ \"version\": 1, \"entries\": { \"https://x\": [1, 2";
        std::fs::write(&cache, damaged).unwrap();
        let url = "https://ok.example.com/paper".to_string();
        let dir = site(
            &list(std::slice::from_ref(&url)),
            &config(
                &[("cache", &format!("'{}'", cache.display()))],
                &remap_to(&server.uri()),
            ),
        );
        let (out, _) = check_json(dir.path(), &[]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let aside: Vec<PathBuf> = std::fs::read_dir(state.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p != &cache && p.extension().is_none_or(|e| e != "lock"))
            .collect();
        assert_eq!(aside.len(), 1, "{aside:?}");
        assert_eq!(
            std::fs::read_to_string(&aside[0]).unwrap(),
            damaged,
            "the damaged file is kept"
        );
        let name = aside[0].file_name().unwrap().to_string_lossy().into_owned();
        let err = stderr(&out);
        let warning: Vec<&str> = err.lines().filter(|l| l.contains("damaged")).collect();
        assert_eq!(warning.len(), 1, "{}", stderr(&out));
        assert!(
            warning[0].contains(&name),
            "the warning says where it went: {}",
            warning[0]
        );
        assert_eq!(
            cached_urls(&cache),
            vec![url],
            "a fresh cache took its place"
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn entries_dated_in_the_future_are_not_fresh() {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200))
            .mount(&server)
            .await;
        let state = tempfile::tempdir().unwrap();
        let cache = state.path().join("cache.json");
        let url = "https://ok.example.com/paper".to_string();
        let future = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 10 * 365 * 24 * 3600;
        let text = serde_json::json!({
            "version": 1,
            "entries": {url.clone(): {"checked": future, "status": {"status": "ok", "code": 200, "hops": []}, "failures": 0}},
            "metadata": {}
        });
        std::fs::write(&cache, text.to_string()).unwrap();
        let dir = site(
            &list(std::slice::from_ref(&url)),
            &config(
                &[("cache", &format!("'{}'", cache.display()))],
                &remap_to(&server.uri()),
            ),
        );
        let (out, report) = check_json(dir.path(), &[]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(report["summary"]["network"]["cached"], 0, "{report}");
        assert_eq!(server.received_requests().await.unwrap().len(), 1);
    }
}

/// `fix` respects the file it is given.
mod fix {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_read_only_file_is_reported_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("README.md");
        std::fs::copy(example(), &file).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o444)).unwrap();
        let before = std::fs::read(&file).unwrap();
        let out = paperlint()
            .args(["fix", "--offline"])
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("README.md") && err.contains("read-only"),
            "{err}"
        );
        assert_eq!(std::fs::read(&file).unwrap(), before);
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o444);
    }

    #[test]
    fn a_symlink_keeps_being_a_link_and_its_target_is_edited() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("lists")).unwrap();
        let target = dir.path().join("lists/medical.md");
        std::fs::copy(example(), &target).unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("README.md");
        std::os::unix::fs::symlink("lists/medical.md", &link).unwrap();
        let out = paperlint()
            .args(["fix", "--offline"])
            .arg(&link)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink(),
            "the link was replaced by a file"
        );
        assert_eq!(
            std::fs::read_link(&link).unwrap(),
            PathBuf::from("lists/medical.md")
        );
        let fixed = std::fs::read_to_string(&target).unwrap();
        assert!(
            fixed.contains("https://aclanthology.org/2022.findings-emnlp.398/"),
            "the target was not edited"
        );
        let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        for folder in [dir.path().to_path_buf(), dir.path().join("lists")] {
            let n = std::fs::read_dir(&folder).unwrap().count();
            assert_eq!(
                n,
                if folder == dir.path() { 2 } else { 1 },
                "leftovers in {folder:?}"
            );
        }
    }
}

/// Input that is not a regular file: the size limit holds for devices and pipes.
mod input {
    use super::*;
    use std::os::unix::process::CommandExt;

    #[test]
    fn dev_zero_is_refused_at_the_size_limit() {
        let dir = tempfile::tempdir().unwrap();
        let config_path = dir.path().join("c.toml");
        std::fs::write(&config_path, "[check]\nmax_file_size = 1000000\n").unwrap();
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_paperlint"));
        cmd.args(["check", "--offline", "--config"])
            .arg(&config_path)
            .arg("/dev/zero");
        // Should the limit not hold, the run fails on this cap instead of exhausting
        // the machine's memory.
        unsafe {
            cmd.pre_exec(|| {
                let limit = libc::rlimit {
                    rlim_cur: 1 << 30,
                    rlim_max: 1 << 30,
                };
                libc::setrlimit(libc::RLIMIT_AS, &limit);
                Ok(())
            });
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("/dev/zero") && err.contains("limit"), "{err}");
    }

    /// A FIFO fed by a thread: the whole content when it fits, a clear error when not.
    #[test]
    fn a_pipe_is_read_up_to_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let config_path = dir.path().join("c.toml");
        std::fs::write(&config_path, "[check]\nmax_file_size = 100000\n").unwrap();
        for (size, code) in [(1usize, 0), (3_000_000, 2)] {
            let fifo = dir.path().join(format!("list{size}.md"));
            let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
            let writer_path = fifo.clone();
            // Not joined: if the reader stops early the writer gets EPIPE and ends.
            std::thread::spawn(move || {
                use std::io::Write;
                let mut w = std::fs::OpenOptions::new()
                    .write(true)
                    .open(writer_path)
                    .unwrap();
                let table =
                    "|Year|Title|\n|---|---|\n|2023|[A](https://arxiv.org/abs/2301.00001)|\n";
                let _ = w.write_all(table.as_bytes());
                let filler = "x".repeat(1000) + "\n";
                for _ in 0..size / 1000 {
                    if w.write_all(filler.as_bytes()).is_err() {
                        break;
                    }
                }
            });
            let out = paperlint()
                .args(["check", "--offline", "--config"])
                .arg(&config_path)
                .arg(&fifo)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(code), "{size}: {}", stderr(&out));
            if code == 2 {
                let err = stderr(&out);
                assert_eq!(err.lines().count(), 1, "{err}");
                assert!(err.contains("limit"), "{err}");
            }
        }
    }
}

/// Errors that stop the run: one line each, printed once, naming file, key and line.
mod errors {
    use super::*;

    #[test]
    fn a_missing_config_file_is_one_line_printed_once() {
        let dir = tempfile::tempdir().unwrap();
        let out = paperlint()
            .args(["check", "--offline", "--config"])
            .arg(dir.path().join("none.toml"))
            .arg(example())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("none.toml"), "{err}");
        assert_eq!(err.matches("No such file").count(), 1, "{err}");
    }

    #[test]
    fn a_bad_regex_is_one_line_naming_the_key_and_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let config_path = dir.path().join("c.toml");
        for (text, key, line) in [
            (
                "[check]\nfail_on = \"error\"\n\n[network]\nexclude = [\"(\"]\n",
                "network.exclude",
                5,
            ),
            (
                "[network]\ninclude = [\"ok\", \"[z-a]\"]\n",
                "network.include",
                2,
            ),
            (
                "[network]\n\n[[network.remap]]\npattern = 'a{2,1}'\nreplacement = 'x'\n",
                "network.remap.pattern",
                4,
            ),
        ] {
            std::fs::write(&config_path, text).unwrap();
            let out = paperlint()
                .args(["check", "--offline", "--config"])
                .arg(&config_path)
                .arg(example())
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(2));
            let err = stderr(&out);
            assert_eq!(err.lines().count(), 1, "{err}");
            assert!(err.contains(&format!("c.toml:{line}:")), "{err}");
            assert!(err.contains(&format!("`{key}`")), "{err}");
        }
    }
}

/// The token, echoed back by the API in any shape, is masked in every output.
#[tokio::test(flavor = "multi_thread")]
async fn the_token_is_masked_whatever_its_shape_wherever_output_goes() {
    for token in [
        "ghp_ClassicTokenNeverPrinted0123456789ab",
        "github_pat_11AAAAAAA0FineGrainedNeverPrinted_abcdefghijklmnopqrstuvwxyz",
        "Zq8-enterprise-s3cret-77fb1c",
    ] {
        let api = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
                "message": format!("Bad credentials for token:{token} (access_token={token}; Authorization: token {token})")
            })))
            .mount(&api)
            .await;
        // The list itself carries it too (a link pasted with its query string).
        // (No real top-level domain: url/malformed reports it, URL and all.)
        let leaky = format!("https://example/data?access_token={token}");
        let dir = site(&list(&[leaky]), "[github]\nbackoff = \"10ms\"\n");
        let out = github_run(dir.path(), &api.uri(), token);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("401"), "{}", stderr(&out));
        let mut outputs = vec![
            (
                "stdout".to_string(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
            ),
            ("stderr".to_string(), stderr(&out)),
        ];
        for file in ["report.json", "summary.md", "output.txt"] {
            if let Ok(text) = std::fs::read_to_string(dir.path().join(file)) {
                outputs.push((file.to_string(), text));
            }
        }
        assert!(outputs.len() >= 4, "the report and summary were written");
        for (name, text) in outputs {
            assert!(
                !text.contains(token),
                "{name} shows the token {token}:\n{text}"
            );
        }
    }
}
