//! The link checker against real local servers: wiremock for ordinary answers, the
//! scripted server for hangs, resets, endless bodies and concurrency counting.

use crate::server::{Action, Server};
use paperlint::cache::Cache;
use paperlint::check::{LinkRun, run};
use paperlint::config::{HostConfig, NetworkConfig, Remap};
use paperlint::model::LinkStatus;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Limits suited to tests: loopback allowed, short timeouts and backoff, no cache file.
fn config() -> NetworkConfig {
    NetworkConfig {
        allow_private: true,
        timeout: Duration::from_millis(800),
        backoff: Duration::from_millis(10),
        retry_after_cap: Duration::from_secs(2),
        cache: String::new(),
        ..NetworkConfig::default()
    }
}

async fn check(urls: &[String], config: &NetworkConfig) -> LinkRun {
    run(urls.iter().cloned(), config, &mut Cache::default(), false)
        .await
        .expect("network run")
}

fn status<'a>(run: &'a LinkRun, url: &str) -> &'a LinkStatus {
    run.results
        .get(url)
        .unwrap_or_else(|| panic!("no result for {url}"))
}

/// A loopback port nothing listens on: connecting to it is refused.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A loopback address and port where no connection completes: a listener whose
/// accept queue is full (backlog 0, one connection never accepted) drops every
/// further SYN, as a firewall that drops packets does. The listener and the queued
/// connection must stay alive while the port is used.
fn silent_port(ip: &str) -> (tokio::net::TcpListener, std::net::TcpStream, u16) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(format!("{ip}:0").parse().unwrap()).unwrap();
    let listener = socket.listen(0).unwrap();
    let port = listener.local_addr().unwrap().port();
    let queued = std::net::TcpStream::connect((ip, port)).unwrap();
    (listener, queued, port)
}

fn is_broken(s: &LinkStatus) -> bool {
    matches!(s, LinkStatus::Broken { .. })
}

fn is_unverified(s: &LinkStatus) -> bool {
    matches!(s, LinkStatus::Unverified { .. })
}

#[tokio::test(flavor = "multi_thread")]
async fn ok_gone_and_blocked_statuses() {
    let server = MockServer::start().await;
    for (p, code) in [
        ("/ok", 200),
        ("/missing", 404),
        ("/gone", 410),
        ("/forbidden", 403),
        ("/linkedin", 999),
        ("/teapot", 418),
    ] {
        Mock::given(path(p))
            .respond_with(ResponseTemplate::new(code))
            .mount(&server)
            .await;
    }
    let urls: Vec<String> = [
        "/ok",
        "/missing",
        "/gone",
        "/forbidden",
        "/linkedin",
        "/teapot",
    ]
    .iter()
    .map(|p| format!("{}{p}", server.uri()))
    .collect();
    let r = check(&urls, &config()).await;
    assert!(matches!(
        status(&r, &urls[0]),
        LinkStatus::Ok { code: 200, .. }
    ));
    assert_eq!(
        status(&r, &urls[1]),
        &LinkStatus::Broken {
            reason: "404 Not Found".into()
        }
    );
    assert_eq!(
        status(&r, &urls[2]),
        &LinkStatus::Broken {
            reason: "410 Gone".into()
        }
    );
    assert!(is_unverified(status(&r, &urls[3])), "403 is not broken");
    assert!(is_unverified(status(&r, &urls[4])), "999 is not broken");
    assert!(is_unverified(status(&r, &urls[5])), "odd 4xx is not broken");
    assert_eq!((r.stats.ok, r.stats.broken, r.stats.unverified), (1, 2, 3));
}

#[tokio::test(flavor = "multi_thread")]
async fn permanent_redirect_chains_give_the_final_url_and_loops_are_named() {
    let server = MockServer::start().await;
    let uri = server.uri();
    Mock::given(path("/old"))
        .respond_with(ResponseTemplate::new(301).insert_header("location", "/older"))
        .mount(&server)
        .await;
    Mock::given(path("/older"))
        .respond_with(ResponseTemplate::new(308).insert_header("location", format!("{uri}/new")))
        .mount(&server)
        .await;
    Mock::given(path("/new"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    Mock::given(path("/temp"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", "/new"))
        .mount(&server)
        .await;
    Mock::given(path("/a"))
        .respond_with(ResponseTemplate::new(301).insert_header("location", "/b"))
        .mount(&server)
        .await;
    Mock::given(path("/b"))
        .respond_with(ResponseTemplate::new(301).insert_header("location", "/a"))
        .mount(&server)
        .await;
    let urls = vec![
        format!("{uri}/old"),
        format!("{uri}/temp"),
        format!("{uri}/a"),
    ];
    let r = check(&urls, &config()).await;
    let LinkStatus::Ok { hops, .. } = status(&r, &urls[0]) else {
        panic!("{:?}", status(&r, &urls[0]))
    };
    assert_eq!(
        paperlint::model::permanent_target(hops),
        Some(format!("{uri}/new").as_str())
    );
    let LinkStatus::Ok { hops, .. } = status(&r, &urls[1]) else {
        panic!()
    };
    assert_eq!(
        paperlint::model::permanent_target(hops),
        None,
        "a 302 is not a reason to rewrite the list"
    );
    let LinkStatus::Unverified { reason } = status(&r, &urls[2]) else {
        panic!("{:?}", status(&r, &urls[2]))
    };
    assert!(reason.starts_with("redirect loop:"), "{reason}");
    assert_eq!(r.stats.redirects, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn head_refused_falls_back_to_get() {
    let server = MockServer::start().await;
    Mock::given(method("HEAD"))
        .respond_with(ResponseTemplate::new(405))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let urls = vec![format!("{}/paper", server.uri())];
    let r = check(&urls, &config()).await;
    assert!(matches!(
        status(&r, &urls[0]),
        LinkStatus::Ok { code: 200, .. }
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limits_and_server_errors_are_retried() {
    let server = MockServer::start().await;
    Mock::given(path("/busy"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/busy"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    Mock::given(path("/flaky"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/flaky"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/flaky"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let urls = vec![
        format!("{}/busy", server.uri()),
        format!("{}/flaky", server.uri()),
    ];
    let started = std::time::Instant::now();
    let r = check(&urls, &config()).await;
    assert!(
        matches!(status(&r, &urls[0]), LinkStatus::Ok { .. }),
        "{:?}",
        status(&r, &urls[0])
    );
    assert!(
        matches!(status(&r, &urls[1]), LinkStatus::Ok { .. }),
        "{:?}",
        status(&r, &urls[1])
    );
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "Retry-After: 1 was honoured"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn persistent_server_errors_are_unverified_until_the_streak_says_broken() {
    let server = MockServer::start().await;
    Mock::given(path("/down"))
        .respond_with(ResponseTemplate::new(502))
        .mount(&server)
        .await;
    let urls = vec![format!("{}/down", server.uri())];
    let cfg = config();
    let mut cache = Cache::default();
    let first = run(urls.clone(), &cfg, &mut cache, false).await.unwrap();
    assert!(
        is_unverified(status(&first, &urls[0])),
        "{:?}",
        status(&first, &urls[0])
    );
    // 1 attempt + 2 retries, each a HEAD then a GET (a HEAD error is asked again with GET).
    assert_eq!(server.received_requests().await.unwrap().len(), 6);
    let second = run(urls.clone(), &cfg, &mut cache, false).await.unwrap();
    let LinkStatus::Broken { reason } = status(&second, &urls[0]) else {
        panic!("{:?}", status(&second, &urls[0]))
    };
    assert!(reason.contains("failed on 2 consecutive runs"), "{reason}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_never_answers_times_out_as_unverified() {
    let server = Server::start("127.0.0.1", |_| Action::Hang).await;
    let urls = vec![server.url("/slow")];
    let cfg = NetworkConfig {
        timeout: Duration::from_millis(300),
        retries: 1,
        ..config()
    };
    let r = check(&urls, &cfg).await;
    let LinkStatus::Unverified { reason } = status(&r, &urls[0]) else {
        panic!("{:?}", status(&r, &urls[0]))
    };
    assert!(reason.contains("timed out"), "{reason}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_endless_body_is_read_only_up_to_the_limit() {
    let server = Server::start("127.0.0.1", |r| {
        if r.method == "HEAD" {
            Action::status(405)
        } else {
            Action::Endless
        }
    })
    .await;
    let urls = vec![server.url("/huge")];
    let cfg = NetworkConfig {
        max_body: 256 * 1024,
        timeout: Duration::from_secs(5),
        ..config()
    };
    let started = std::time::Instant::now();
    let r = check(&urls, &cfg).await;
    assert!(
        matches!(status(&r, &urls[0]), LinkStatus::Ok { code: 200, .. }),
        "{:?}",
        status(&r, &urls[0])
    );
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[tokio::test(flavor = "multi_thread")]
async fn connection_resets_are_transient() {
    let server = Server::start("127.0.0.1", |_| Action::Reset).await;
    let urls = vec![server.url("/reset")];
    let r = check(&urls, &config()).await;
    assert!(
        is_unverified(status(&r, &urls[0])),
        "{:?}",
        status(&r, &urls[0])
    );
    assert!(server.requests() >= 3, "retried: {}", server.requests());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_port_is_broken_at_once() {
    let port = closed_port();
    // Another host answers, so the network works and the refusal is evidence (with
    // nothing answering at all, the run ends as "no network": see the cli tests).
    let server = MockServer::start().await;
    Mock::given(path("/ok"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let urls = vec![
        format!("http://127.0.0.1:{port}/x"),
        format!("{}/ok", server.uri()),
    ];
    let r = check(&urls, &config()).await;
    assert_eq!(
        status(&r, &urls[0]),
        &LinkStatus::Broken {
            reason: "connection refused".into()
        }
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn private_addresses_are_skipped_unless_allowed() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let port = server.address().port();
    let urls = vec![
        format!("http://127.0.0.1:{port}/x"),
        format!("http://[::1]:{port}/x"),
    ];
    let cfg = NetworkConfig {
        allow_private: false,
        ..config()
    };
    let r = check(&urls, &cfg).await;
    for u in &urls {
        let LinkStatus::Skipped { reason } = status(&r, u) else {
            panic!("{u}: {:?}", status(&r, u))
        };
        assert!(reason.contains("private address"), "{reason}");
    }
    assert_eq!(r.stats.skipped, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn remap_exclude_and_identical_urls() {
    let server = MockServer::start().await;
    Mock::given(path("/arxiv.org/abs/2301.00001"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let cfg = NetworkConfig {
        remap: vec![Remap {
            pattern: "^https?://([^/]+)/(.*)$".into(),
            replacement: format!("{}/$1/$2", server.uri()),
        }],
        exclude: vec!["example\\.org".into()],
        ..config()
    };
    let paper = "https://arxiv.org/abs/2301.00001".to_string();
    let urls = vec![
        paper.clone(),
        paper.clone(),
        paper.clone(),
        "https://example.org/skip".into(),
    ];
    let r = check(&urls, &cfg).await;
    assert!(matches!(status(&r, &paper), LinkStatus::Ok { .. }));
    assert!(!r.results.contains_key("https://example.org/skip"));
    assert_eq!((r.stats.checked, r.stats.excluded), (1, 1));
}

#[tokio::test(flavor = "multi_thread")]
async fn cached_successes_are_not_requested_again_but_failures_are() {
    let server = MockServer::start().await;
    Mock::given(path("/ok"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/missing"))
        .respond_with(ResponseTemplate::new(404))
        .expect(2)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sub/cache.json");
    let urls = vec![
        format!("{}/ok", server.uri()),
        format!("{}/missing", server.uri()),
    ];
    let cfg = config();
    for round in 0..2 {
        let mut cache = Cache::load(&file);
        let r = run(urls.clone(), &cfg, &mut cache, false).await.unwrap();
        cache.save(&file).unwrap();
        assert_eq!(r.stats.cached, round);
        assert!(is_broken(status(&r, &urls[1])));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_damaged_cache_file_is_set_aside() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cache.json");
    std::fs::write(&file, "{ not json").unwrap();
    assert_eq!(Cache::load(&file), Cache::default());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_per_host_limit_holds_and_hosts_proceed_in_parallel() {
    let slow = Server::start("127.0.0.2", |_| Action::Respond {
        status: 200,
        headers: vec![],
        body: vec![],
        delay: Duration::from_millis(50),
    })
    .await;
    let fast = Server::start("127.0.0.3", |_| Action::status(200)).await;
    let mut urls: Vec<String> = (0..40).map(|i| slow.url(&format!("/p{i}"))).collect();
    urls.extend((0..10).map(|i| fast.url(&format!("/q{i}"))));
    let cfg = NetworkConfig {
        host_concurrency: 3,
        concurrency: 64,
        ..config()
    };
    let r = check(&urls, &cfg).await;
    assert_eq!(r.stats.ok, 50);
    assert!(
        slow.max_concurrent.load(Ordering::SeqCst) <= 3,
        "max {}",
        slow.max_concurrent.load(Ordering::SeqCst)
    );
    assert!(
        slow.max_concurrent.load(Ordering::SeqCst) >= 2,
        "the limit is used, not serialised"
    );
    assert_eq!(fast.requests(), 10);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_host_override_tightens_the_limit() {
    let server = Server::start("127.0.0.4", |_| Action::Respond {
        status: 200,
        headers: vec![],
        body: vec![],
        delay: Duration::from_millis(20),
    })
    .await;
    let urls: Vec<String> = (0..12).map(|i| server.url(&format!("/p{i}"))).collect();
    let mut cfg = config();
    cfg.hosts.insert(
        "127.0.0.4".into(),
        HostConfig {
            concurrency: Some(1),
            ..HostConfig::default()
        },
    );
    check(&urls, &cfg).await;
    assert_eq!(server.max_concurrent.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_host_that_rate_limits_is_slowed_down_not_reported() {
    // Answers 429 when two requests arrive within 100 ms of each other.
    let last = Arc::new(std::sync::Mutex::new(None::<std::time::Instant>));
    let limited = Arc::new(AtomicUsize::new(0));
    let (l, n) = (last.clone(), limited.clone());
    let server = Server::start("127.0.0.5", move |_| {
        let mut last = l.lock().unwrap();
        let now = std::time::Instant::now();
        let too_soon = last.is_some_and(|t| now.duration_since(t) < Duration::from_millis(100));
        *last = Some(now);
        if too_soon {
            n.fetch_add(1, Ordering::SeqCst);
            Action::Respond {
                status: 429,
                headers: vec![("retry-after".into(), "0".into())],
                body: vec![],
                delay: Duration::ZERO,
            }
        } else {
            Action::status(200)
        }
    })
    .await;
    let urls: Vec<String> = (0..10).map(|i| server.url(&format!("/p{i}"))).collect();
    let r = check(
        &urls,
        &NetworkConfig {
            host_concurrency: 4,
            ..config()
        },
    )
    .await;
    assert_eq!(r.stats.broken, 0);
    assert_eq!(r.stats.ok, 10, "{:?}", r.results);
    assert!(
        limited.load(Ordering::SeqCst) > 0,
        "the server did push back"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cloudflare_challenge_is_unverified() {
    let server = MockServer::start().await;
    Mock::given(path("/cf"))
        .respond_with(ResponseTemplate::new(503).insert_header("server", "cloudflare").set_body_string("<html><head><title>Just a moment...</title></head><body>challenge-platform</body></html>"))
        .mount(&server)
        .await;
    let urls = vec![format!("{}/cf", server.uri())];
    let r = check(&urls, &config()).await;
    let LinkStatus::Unverified { reason } = status(&r, &urls[0]) else {
        panic!("{:?}", status(&r, &urls[0]))
    };
    assert!(reason.contains("Cloudflare"), "{reason}");
}

/// Every link's host remapped to `to` (`http://ADDRESS:PORT`).
fn all_remapped_to(to: &str, cfg: NetworkConfig) -> NetworkConfig {
    NetworkConfig {
        remap: vec![Remap {
            pattern: "^https://[^/]+/(.*)$".into(),
            replacement: format!("{to}/$1"),
        }],
        ..cfg
    }
}

/// Checks links to three hosts under `cfg` and asserts that the run ends as the one
/// "no network" error (within a guard against a run that waits out every retry, not a
/// measure of speed).
async fn assert_no_network(cfg: &NetworkConfig) {
    let hosts = [
        "https://arxiv.org/abs/1",
        "https://doi.org/10.1/x",
        "https://www.nature.com/articles/x",
    ];
    let mut cache = Cache::default();
    let checked = run(hosts.iter().map(|s| s.to_string()), cfg, &mut cache, false);
    let err = tokio::time::timeout(Duration::from_secs(60), checked)
        .await
        .expect("the run ends")
        .unwrap_err();
    assert!(
        err.to_string().starts_with("no network:") && err.to_string().contains("--offline"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn no_network_at_all_is_one_clear_error() {
    // Three hosts, all refused once remapped: the network is declared down.
    let port = closed_port();
    assert_no_network(&all_remapped_to(
        &format!("http://127.0.0.1:{port}"),
        config(),
    ))
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_network_that_drops_every_connection_is_no_network() {
    // Names resolve but no connection completes (a firewall that drops packets):
    // three hosts failing to connect, nothing answering, is no network, not a list of
    // links that time out.
    let (_listener, _queued, port) = silent_port("127.0.0.21");
    // The defaults' ratio (10 s to connect, 20 s a request, HEAD half of it): HEAD's
    // own limit may end it while it connects, and then GET's connect times out.
    let cfg = NetworkConfig {
        connect_timeout: Duration::from_millis(300),
        timeout: Duration::from_millis(600),
        ..config()
    };
    assert_no_network(&all_remapped_to(&format!("http://127.0.0.21:{port}"), cfg)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_host_that_drops_connections_is_unverified_while_others_answer() {
    let (_listener, _queued, port) = silent_port("127.0.0.22");
    let server = MockServer::start().await;
    Mock::given(path("/ok"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let cfg = NetworkConfig {
        connect_timeout: Duration::from_millis(300),
        timeout: Duration::from_secs(4),
        ..config()
    };
    let urls = vec![
        format!("http://127.0.0.22:{port}/x"),
        format!("{}/ok", server.uri()),
    ];
    let r = check(&urls, &cfg).await;
    let LinkStatus::Unverified { reason } = status(&r, &urls[0]) else {
        panic!("{:?}", status(&r, &urls[0]))
    };
    assert!(reason.contains("connect"), "{reason}");
    assert!(matches!(status(&r, &urls[1]), LinkStatus::Ok { .. }));
}

/// End to end through the binary: a list whose hosts are remapped to a local server.
mod cli {
    use super::*;
    use crate::cli::check_json;

    async fn site() -> MockServer {
        let server = MockServer::start().await;
        Mock::given(path("/arxiv.org/abs/2301.00001"))
            .respond_with(ResponseTemplate::new(200))
            .mount(&server)
            .await;
        Mock::given(path("/arxiv.org/abs/2301.99999"))
            .respond_with(ResponseTemplate::new(404))
            .mount(&server)
            .await;
        Mock::given(path("/old.example.com/paper"))
            .respond_with(
                ResponseTemplate::new(301)
                    .insert_header("location", "https://new.example.com/paper"),
            )
            .mount(&server)
            .await;
        Mock::given(path("/new.example.com/paper"))
            .respond_with(ResponseTemplate::new(200))
            .mount(&server)
            .await;
        Mock::given(path("/blocked.example.com/x"))
            .respond_with(ResponseTemplate::new(403))
            .mount(&server)
            .await;
        server
    }

    const LIST: &str = "## Papers\n|Year|Title|\n|---|---|\n\
        |2023|[Alive](https://arxiv.org/abs/2301.00001)|\n\
        |2023|[Dead](https://arxiv.org/abs/2301.99999)|\n\
        |2022|[Moved](https://old.example.com/paper)|\n\
        |2021|[Shy](https://blocked.example.com/x)|\n";

    fn setup(server: &MockServer) -> tempfile::TempDir {
        let config = format!(
            "[metadata]\nenabled = false\n\n[network]\nallow_private = true\ntimeout = \"2s\"\nbackoff = \"10ms\"\ncache = \".paperlint/cache.json\"\n\n[[network.remap]]\npattern = '^https?://([^/]+)/(.*)$'\nreplacement = '{}/$1/$2'\n",
            server.uri()
        );
        crate::cli::site(LIST, &config)
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn check_reports_broken_redirected_and_unverified_links_with_the_original_urls() {
        let server = site().await;
        let dir = setup(&server);
        let (out, report) = check_json(dir.path(), &[]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let by_rule = |rule| crate::cli::with_rule(&report, rule).collect::<Vec<_>>();
        let broken = by_rule("link/broken");
        assert_eq!(broken.len(), 1);
        assert_eq!(
            (broken[0]["line"].as_u64(), broken[0]["url"].as_str()),
            (Some(5), Some("https://arxiv.org/abs/2301.99999"))
        );
        assert_eq!(broken[0]["message"], "404 Not Found");
        let redirect = by_rule("link/redirect");
        assert_eq!(redirect.len(), 1);
        assert_eq!(redirect[0]["severity"], "warning");
        assert_eq!(
            redirect[0]["fix"]["replacement"], "https://new.example.com/paper",
            "the fix keeps the list's URL space, not the remap's"
        );
        let unverified = by_rule("link/unverified");
        assert_eq!(
            (unverified.len(), unverified[0]["severity"].as_str()),
            (1, Some("info"))
        );
        let network = &report["summary"]["network"];
        assert_eq!(
            (
                network["checked"].as_u64(),
                network["broken"].as_u64(),
                network["redirects"].as_u64()
            ),
            (Some(4), Some(1), Some(1))
        );
        assert!(dir.path().join(".paperlint/cache.json").is_file());
        // The second run takes the successes from the cache.
        let (_, report) = check_json(dir.path(), &[]);
        assert_eq!(report["summary"]["network"]["cached"], 2);
    }

    /// Checks `readme` with every host remapped to a closed loopback port (nothing
    /// answers); asserts the one "no network" line and exit 2, returns the report.
    fn check_with_nothing_answering(readme: &str) -> serde_json::Value {
        let port = closed_port();
        check_remapped_to_nothing(readme, &format!("http://127.0.0.1:{port}"), "")
    }

    /// Checks `readme` with every host remapped to `to` (`http://ADDRESS:PORT`, where
    /// nothing answers) and `network` settings added; asserts the one "no network"
    /// line and exit 2, returns the report.
    fn check_remapped_to_nothing(readme: &str, to: &str, network: &str) -> serde_json::Value {
        let config = format!(
            "[metadata]\nenabled = false\n\n[network]\nallow_private = true\ncache = \"\"\n{network}\n[[network.remap]]\npattern = '^https?://[^/]+/(.*)$'\nreplacement = '{to}/$1'\n"
        );
        let dir = crate::cli::site(readme, &config);
        let (out, report) = check_json(dir.path(), &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert_eq!(
            stderr.lines().filter(|l| l.contains("no network")).count(),
            1,
            "{stderr}"
        );
        assert!(stderr.contains("--offline"));
        report
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_firewall_that_drops_every_connection_is_no_network_not_unverified_links() {
        let (_listener, _queued, port) = silent_port("127.0.0.23");
        let md = "| Year | Title |\n|-|-|\n\
                  | 2024 | [A](https://a.example.org/a) |\n\
                  | 2024 | [B](https://b.example.org/b) |\n\
                  | 2024 | [C](https://c.example.org/c) |\n";
        let report = check_remapped_to_nothing(
            md,
            &format!("http://127.0.0.23:{port}"),
            "connect_timeout = '300ms'\ntimeout = '600ms'\n",
        );
        // The offline report stands, with no network findings in it.
        assert_eq!(report["summary"]["entries"], 3);
        assert!(
            report["summary"]["network"].is_null(),
            "{}",
            report["summary"]
        );
        let unverified: Vec<_> = crate::cli::with_rule(&report, "link/unverified").collect();
        assert!(unverified.is_empty(), "{unverified:?}");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn names_that_resolve_nowhere_are_no_network_though_an_address_answers() {
        // Some sandboxes and captive portals answer every request to an address (a
        // 404 here) while no name resolves: the names' links are not broken, and
        // the run is one without network. (Subdomains of the example domains resolve
        // nowhere; on this machine no name resolves at all.)
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::any())
            .respond_with(ResponseTemplate::new(404))
            .mount(&server)
            .await;
        let md = format!(
            "| Year | Title |\n|-|-|\n\
             | 2024 | [A](https://paperlint-test-a.example.com/a) |\n\
             | 2024 | [B](https://paperlint-test-b.example.net/b) |\n\
             | 2024 | [Demo]({}/demo) |\n",
            server.uri()
        );
        let config =
            "[metadata]\nenabled = false\n\n[network]\nallow_private = true\ncache = \"\"\n";
        let dir = crate::cli::site(&md, config);
        let (out, report) = check_json(dir.path(), &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("no network"), "{stderr}");
        let broken: Vec<_> = crate::cli::with_rule(&report, "link/broken").collect();
        assert!(broken.is_empty(), "{broken:?}");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn registries_that_never_answer_do_not_hold_up_a_run_without_network() {
        // Three names whose links are refused, nothing answering: the network is
        // declared down. The registries (asked about the arXiv link) never answer
        // and would wait out their 300 s timeouts; they are abandoned instead.
        let registries = Server::start("127.0.0.13", |_| Action::Hang).await;
        let closed = closed_port();
        let md = "| Year | Title |\n|-|-|\n\
                  | 2023 | [Paper](https://arxiv.org/abs/2301.00001) |\n\
                  | 2024 | [A](https://a.example.org/a) |\n\
                  | 2024 | [B](https://b.example.org/b) |\n\
                  | 2024 | [C](https://c.example.org/c) |\n";
        let hang = registries.url("");
        let config = format!(
            "[metadata]\nvenues = false\ntimeout = '300s'\narxiv_api = '{hang}/api/query'\ncrossref_api = '{hang}'\ndoi_api = '{hang}'\n\n\
             [network]\nallow_private = true\ncache = ''\ntimeout = '300s'\nread_timeout = '300s'\n\n\
             [[network.remap]]\npattern = '^https?://[abc]\\.example\\.org/(.*)$'\nreplacement = 'http://127.0.0.1:{closed}/$1'\n"
        );
        let dir = crate::cli::site(md, &config);
        // A guard against waiting for the registries (a minute without the abort:
        // the run's own limits end it then), not a measure of speed.
        let out = crate::cli::paperlint()
            .current_dir(dir.path())
            .args(["check", "--format", "json"])
            .timeout(Duration::from_secs(20))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("no network"), "{stderr}");
    }

    #[test]
    fn a_list_of_one_host_with_nothing_answering_is_no_network_not_broken_links() {
        // Too few hosts for the network to be declared down while the run goes on:
        // at its end, requests failed and nothing answered, which is no evidence
        // against any link.
        let mut md = String::from("| Year | Title |\n|-|-|\n");
        for i in 1..=12 {
            md.push_str(&format!(
                "| 2024 | [P{i}](https://papers.example.org/{i}) |\n"
            ));
        }
        let report = check_with_nothing_answering(&md);
        assert_eq!(report["summary"]["entries"], 12);
        assert!(
            report["findings"].as_array().unwrap().is_empty(),
            "{}",
            report["findings"]
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_warm_cache_leaves_only_a_dead_link_to_ask_and_it_is_still_broken() {
        // The second run takes the live link from the cache: its only request is the
        // refused one. A link that answered before answers again, so the network works
        // and the refusal is evidence, not a sign of no network.
        let server = MockServer::start().await;
        Mock::given(path("/live"))
            .respond_with(ResponseTemplate::new(200))
            .mount(&server)
            .await;
        let dead = closed_port();
        let md = format!(
            "| Year | Title |\n|-|-|\n| 2024 | [Live]({}/live) |\n| 2024 | [Dead](http://127.0.0.1:{dead}/gone) |\n",
            server.uri()
        );
        let dir = crate::cli::site(
            &md,
            "[metadata]\nenabled = false\n\n[network]\nallow_private = true\ncache = \"cache.json\"\n",
        );
        let run = || {
            let (out, report) = check_json(dir.path(), &[]);
            (out.status.code(), report)
        };
        let (code, first) = run();
        assert_eq!(code, Some(1), "{first}");
        let (code, second) = run();
        assert_eq!(code, Some(1), "{second}");
        assert_eq!(second["summary"]["network"]["cached"], 1);
        let broken: Vec<&str> = crate::cli::with_rule(&second, "link/broken")
            .map(|f| f["url"].as_str().unwrap())
            .collect();
        assert_eq!(broken, [format!("http://127.0.0.1:{dead}/gone")]);
    }

    #[test]
    fn no_network_is_one_error_and_the_offline_report_is_kept() {
        let example = std::fs::read_to_string(crate::cli::example()).unwrap();
        let report = check_with_nothing_answering(&example);
        let rules = crate::cli::rules_of(&report);
        assert!(
            rules.contains(&"url/malformed") && !rules.contains(&"link/broken"),
            "{rules:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_user_agent_names_paperlint_and_the_contact() {
    let server = MockServer::start().await;
    let agent = format!(
        "paperlint/{} (link checker for paper lists) mailto:lists@example.org",
        env!("CARGO_PKG_VERSION")
    );
    Mock::given(wiremock::matchers::header("user-agent", agent.as_str()))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let urls = vec![format!("{}/ua", server.uri())];
    let r = check(
        &urls,
        &NetworkConfig {
            mailto: "lists@example.org".into(),
            ..config()
        },
    )
    .await;
    assert!(
        matches!(status(&r, &urls[0]), LinkStatus::Ok { .. }),
        "{:?}",
        status(&r, &urls[0])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn per_host_accept_and_headers_apply() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::header("accept", "text/html"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    let urls = vec![format!("{}/members", server.uri())];
    let mut cfg = config();
    let host = HostConfig {
        accept: vec![401],
        headers: [("Accept".to_string(), "text/html".to_string())].into(),
        ..HostConfig::default()
    };
    cfg.hosts.insert("127.0.0.1".into(), host);
    let r = check(&urls, &cfg).await;
    assert!(
        matches!(status(&r, &urls[0]), LinkStatus::Ok { code: 401, .. }),
        "{:?}",
        status(&r, &urls[0])
    );
}
