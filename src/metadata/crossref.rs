//! Crossref (`/works/{doi}`, polite pool via `mailto`, honouring its rate-limit
//! headers), then for a DOI Crossref does not know: the DOI handle API tells "not
//! registered" from "registered elsewhere", and content negotiation (CSL-JSON) at the
//! DOI resolver gives the metadata of DOIs registered with DataCite and others.

use crate::config::MetadataConfig;
use crate::model::{Paper, PaperRef, Resolution};
use crate::net::guard::{Guard, GuardedError};
use crate::net::{Budget, Host, RateLimit};
use futures::StreamExt;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// A Crossref `message` or a CSL-JSON record → [`Paper`].
pub fn paper_from_json(m: &Value, source: &str) -> Paper {
    let strings = |v: &Value| -> Vec<String> {
        match v {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a
                .iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect(),
            _ => Vec::new(),
        }
    };
    let year_of = |key: &str| m[key]["date-parts"][0][0].as_i64().map(|y| y as i32);
    let mut venues = strings(&m["container-title"]);
    venues.reverse(); // Crossref lists [series, book]: the book is the more specific.
    venues.extend(strings(&m["short-container-title"]));
    if let Some(event) = m["event"]["name"].as_str() {
        venues.push(event.to_string());
    }
    let kind = match m["type"].as_str().unwrap_or_default() {
        "journal-article" | "article-journal" => "article",
        "proceedings-article" | "paper-conference" | "book-chapter" | "chapter" => "inproceedings",
        _ => "misc",
    };
    let published_as = m["relation"]["is-preprint-of"][0]["id"]
        .as_str()
        .map(|d| PaperRef::Doi(d.to_lowercase()).key());
    Paper {
        source: source.into(),
        titles: strings(&m["title"])
            .into_iter()
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect(),
        authors: m["author"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|p| {
                        p["family"]
                            .as_str()
                            .or(p["literal"].as_str())
                            .map(String::from)
                    })
                    .collect()
            })
            .unwrap_or_default(),
        preprint_year: None,
        year: year_of("issued")
            .or_else(|| year_of("published-print"))
            .or_else(|| year_of("published-online"))
            .or_else(|| year_of("published")),
        // A row may give any of the dates: online first, print later, issued.
        years: {
            let mut ys: Vec<i32> = ["published-online", "published-print", "published", "issued"]
                .iter()
                .filter_map(|k| year_of(k))
                .collect();
            ys.sort_unstable();
            ys.dedup();
            ys
        },
        comment: None,
        venues,
        published_as,
        doi: m["DOI"].as_str().map(|d| d.to_lowercase()),
        kind: kind.into(),
    }
}

/// What the DOI lookups of one run share: the client and its guard, one pacing and
/// budget for Crossref and one for the DOI resolver.
pub struct Lookup<'a> {
    /// The registries' client (it follows no redirects itself).
    pub client: &'a reqwest::Client,
    /// The address guard every hop passes.
    pub guard: &'a Guard,
    /// Endpoints and limits.
    pub config: &'a MetadataConfig,
    /// Contact for Crossref's polite pool.
    pub mailto: &'a str,
    /// Redirects followed at most (content negotiation redirects once or twice).
    pub max_redirects: usize,
    /// The run's budget.
    pub budget: Budget,
}

/// The state of one run of lookups.
struct Run<'a> {
    lookup: &'a Lookup<'a>,
    crossref: Host,
    resolver: Host,
    requests: AtomicUsize,
    unreachable: AtomicBool,
}

/// Resolves DOIs; returns the resolutions and the number of requests made.
/// Each verdict is passed to `announce` as soon as it is known.
pub async fn resolve(
    lookup: &Lookup<'_>,
    dois: &[String],
    announce: &(dyn Fn(&str, &Resolution) + Sync),
) -> (BTreeMap<String, Resolution>, usize) {
    let concurrency = lookup.config.crossref_concurrency.max(1);
    let run = Run {
        lookup,
        crossref: Host::with_budget(concurrency, Duration::ZERO, lookup.budget),
        resolver: Host::with_budget(concurrency, Duration::ZERO, lookup.budget),
        requests: AtomicUsize::new(0),
        unreachable: AtomicBool::new(false),
    };
    let deadline = lookup.budget.deadline;
    let results: Vec<(String, Resolution)> = futures::stream::iter(dois.iter().cloned())
        .map(|doi| {
            let run = &run;
            async move {
                let res = tokio::time::timeout_at(deadline, resolve_one(run, &doi))
                    .await
                    .unwrap_or_else(|_| Resolution::Unknown {
                        reason: "not resolved within network.run_budget".into(),
                    });
                (doi, res)
            }
        })
        .buffer_unordered(concurrency)
        .inspect(|(doi, res)| announce(doi, res))
        .collect()
        .await;
    (
        results.into_iter().collect(),
        run.requests.load(Ordering::SeqCst),
    )
}

/// Attempts at one request to a registry that keeps refusing, before "unknown".
const ATTEMPTS: usize = 4;

/// One GET to a registry through `host`: paced, guarded, refusals (429/503) waited
/// out within the budget. `Err` is the reason the answer is unknown.
async fn ask(
    run: &Run<'_>,
    host: &Host,
    service: &str,
    url: &str,
    headers: &[(&str, &str)],
) -> Result<reqwest::Response, String> {
    let lookup = run.lookup;
    for _ in 0..ATTEMPTS {
        let permit = host
            .acquire()
            .await
            .map_err(|g| format!("{service} given up: {}", g.reason))?;
        // Once the service could not be reached, do not try each DOI in turn.
        if run.unreachable.load(Ordering::SeqCst) {
            return Err(format!("{service} unreachable"));
        }
        let sent = tokio::time::Instant::now();
        run.requests.fetch_add(1, Ordering::SeqCst);
        let response = lookup
            .guard
            .get(lookup.client, url, headers, lookup.max_redirects)
            .await;
        drop(permit);
        let response = match response {
            Ok(r) => r,
            Err(GuardedError::Http(e)) if e.is_timeout() => {
                if let Some(g) = host.unanswered("timed out") {
                    return Err(format!("{service} given up: {}", g.reason));
                }
                continue;
            }
            Err(GuardedError::Http(e)) => {
                if e.is_connect() {
                    run.unreachable.store(true, Ordering::SeqCst);
                }
                return Err(format!("{service} unreachable: {e}"));
            }
            Err(e) => return Err(format!("{service}: {e}")),
        };
        pace(host, response.headers(), sent);
        let status = response.status();
        if matches!(status.as_u16(), 429 | 503) {
            let asked = RateLimit::read(response.headers(), Duration::MAX).retry_after;
            if let Some(g) = host.refused(&status.to_string(), asked, sent) {
                return Err(format!("{service} given up: {}", g.reason));
            }
            continue;
        }
        host.speed_up(sent);
        return Ok(response);
    }
    Err(format!("{service} kept refusing"))
}

async fn resolve_one(run: &Run<'_>, doi: &str) -> Resolution {
    let lookup = run.lookup;
    let base = lookup.config.crossref_api.trim_end_matches('/');
    let mut url = format!("{base}/works/{}", encode_doi(doi));
    if !lookup.mailto.is_empty() {
        url.push_str(&format!("?mailto={}", lookup.mailto));
    }
    let response = match ask(run, &run.crossref, "Crossref", &url, &[]).await {
        Ok(r) => r,
        Err(reason) => return Resolution::Unknown { reason },
    };
    match response.status().as_u16() {
        200 => match response.json::<Value>().await {
            Ok(body) => Resolution::Found {
                paper: paper_from_json(&body["message"], "Crossref"),
            },
            Err(_) => Resolution::Unknown {
                reason: "Crossref answered invalid JSON".into(),
            },
        },
        404 => elsewhere(run, doi).await,
        code => Resolution::Unknown {
            reason: format!("Crossref answered {code}"),
        },
    }
}

/// Crossref's `x-rate-limit-limit`/`x-rate-limit-interval` set the pace (`limit`
/// requests per `interval`) and `x-concurrency-limit` the requests at once; 429 and
/// 503 are handled by the caller (`Host::refused`).
fn pace(host: &Host, headers: &reqwest::header::HeaderMap, sent: tokio::time::Instant) {
    let limits = RateLimit::read(headers, Duration::from_secs(60));
    if let Some(interval) = limits.interval {
        let _ = host.pause_until(sent + interval);
    }
    if let Some(limit) = limits.concurrency {
        host.limit_concurrency(limit);
    }
}

/// Crossref does not know the DOI: ask the handle system whether it exists at all,
/// and if it does, get its metadata by content negotiation.
async fn elsewhere(run: &Run<'_>, doi: &str) -> Resolution {
    let base = run.lookup.config.doi_api.trim_end_matches('/');
    let url = format!("{base}/api/handles/{}", encode_doi(doi));
    let handle = match ask(run, &run.resolver, "DOI handle API", &url, &[]).await {
        Ok(r) => r,
        Err(reason) => return Resolution::Unknown { reason },
    };
    let status = handle.status().as_u16();
    // An HTML error page (a proxy, a bad day) is no verdict: only the API's own JSON
    // `responseCode: 100` says the DOI is not registered.
    let body: Value = handle.json().await.unwrap_or(Value::Null);
    let code = body["responseCode"].as_i64();
    if code == Some(100) {
        return Resolution::Missing {
            reason: format!("DOI {doi} is not registered"),
        };
    }
    if code != Some(1) {
        return Resolution::Unknown {
            reason: format!("DOI handle API answered {status}"),
        };
    }
    let csl = ask(
        run,
        &run.resolver,
        "DOI resolver",
        &format!("{base}/{}", encode_doi(doi)),
        &[("accept", "application/vnd.citationstyles.csl+json")],
    )
    .await;
    let registered = Paper {
        source: "DOI".into(),
        doi: Some(doi.into()),
        ..Paper::default()
    };
    match csl {
        Ok(r) if r.status().is_success() => match r.json::<Value>().await {
            Ok(v) => Resolution::Found {
                // Some resolvers wrap the record in an array.
                paper: paper_from_json(if v.is_array() { &v[0] } else { &v }, "DataCite"),
            },
            Err(_) => Resolution::Found { paper: registered },
        },
        // Registered, but no metadata offered (or only behind a hop the guard
        // refused): it exists, which is what matters most.
        _ => Resolution::Found { paper: registered },
    }
}

/// Percent-encodes the characters of a DOI that cannot stand in a URL path.
fn encode_doi(doi: &str) -> String {
    let mut out = String::with_capacity(doi.len());
    for c in doi.chars() {
        match c {
            'a'..='z'
            | 'A'..='Z'
            | '0'..='9'
            | '-'
            | '.'
            | '_'
            | '~'
            | '/'
            | '('
            | ')'
            | ':'
            | ';' => out.push(c),
            _ => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    out
}
