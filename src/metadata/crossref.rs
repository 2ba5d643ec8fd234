//! Crossref (`/works/{doi}`, polite pool via `mailto`, honouring its rate-limit
//! headers), then for a DOI Crossref does not know: the DOI handle API tells "not
//! registered" from "registered elsewhere", and content negotiation (CSL-JSON) at the
//! DOI resolver gives the metadata of DOIs registered with DataCite and others.

use crate::config::MetadataConfig;
use crate::model::{Paper, PaperRef, Resolution};
use crate::net::{Host, RateLimit};
use futures::StreamExt;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
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

/// Resolves DOIs; returns the resolutions and the number of requests made.
pub async fn resolve(
    client: &reqwest::Client,
    config: &MetadataConfig,
    mailto: &str,
    dois: &[String],
) -> (BTreeMap<String, Resolution>, usize) {
    let host = Arc::new(Host::new(
        config.crossref_concurrency.max(1),
        Duration::ZERO,
    ));
    let requests = Arc::new(AtomicUsize::new(0));
    let unreachable = Arc::new(AtomicBool::new(false));
    let results: Vec<(String, Resolution)> = futures::stream::iter(dois.iter().cloned())
        .map(|doi| {
            let (host, requests, unreachable) =
                (host.clone(), requests.clone(), unreachable.clone());
            async move {
                let res =
                    resolve_one(client, config, mailto, &host, &requests, &unreachable, &doi).await;
                (doi, res)
            }
        })
        .buffer_unordered(config.crossref_concurrency.max(1))
        .collect()
        .await;
    (
        results.into_iter().collect(),
        requests.load(Ordering::SeqCst),
    )
}

async fn resolve_one(
    client: &reqwest::Client,
    config: &MetadataConfig,
    mailto: &str,
    host: &Host,
    requests: &AtomicUsize,
    unreachable: &AtomicBool,
    doi: &str,
) -> Resolution {
    let base = config.crossref_api.trim_end_matches('/');
    let mut url = format!("{base}/works/{}", encode_doi(doi));
    if !mailto.is_empty() {
        url.push_str(&format!("?mailto={mailto}"));
    }
    for _ in 0..4 {
        let permit = host.acquire().await;
        // Once Crossref could not be reached, do not try each DOI in turn.
        if unreachable.load(Ordering::SeqCst) {
            return Resolution::Unknown {
                reason: "Crossref unreachable".into(),
            };
        }
        let sent = tokio::time::Instant::now();
        requests.fetch_add(1, Ordering::SeqCst);
        let response = client.get(&url).send().await;
        drop(permit);
        let response = match response {
            Ok(r) => r,
            Err(e) => {
                if e.is_connect() {
                    unreachable.store(true, Ordering::SeqCst);
                }
                return Resolution::Unknown {
                    reason: format!("Crossref unreachable: {e}"),
                };
            }
        };
        pace(host, response.headers(), sent);
        match response.status().as_u16() {
            200 => {
                let Ok(body) = response.json::<Value>().await else {
                    return Resolution::Unknown {
                        reason: "Crossref answered invalid JSON".into(),
                    };
                };
                return Resolution::Found {
                    paper: paper_from_json(&body["message"], "Crossref"),
                };
            }
            404 => return elsewhere(client, config, requests, doi).await,
            429 | 503 => continue,
            code => {
                return Resolution::Unknown {
                    reason: format!("Crossref answered {code}"),
                };
            }
        }
    }
    Resolution::Unknown {
        reason: "Crossref kept rate-limiting".into(),
    }
}

/// Crossref's `x-rate-limit-limit`/`x-rate-limit-interval` set the pace (`limit`
/// requests per `interval`); `x-concurrency-limit` caps requests at once; 429 and
/// `Retry-After` slow it down.
fn pace(host: &Host, headers: &reqwest::header::HeaderMap, sent: tokio::time::Instant) {
    let limits = RateLimit::read(headers, Duration::from_secs(60));
    if let Some(interval) = limits.interval {
        host.pause_until(sent + interval);
    }
    if let Some(limit) = limits.concurrency {
        host.limit_concurrency(limit);
    }
    if let Some(wait) = limits.retry_after {
        host.slow_down(Some(wait), sent);
    }
}

/// Crossref does not know the DOI: ask the handle system whether it exists at all,
/// and if it does, get its metadata by content negotiation.
async fn elsewhere(
    client: &reqwest::Client,
    config: &MetadataConfig,
    requests: &AtomicUsize,
    doi: &str,
) -> Resolution {
    let base = config.doi_api.trim_end_matches('/');
    requests.fetch_add(1, Ordering::SeqCst);
    let handle = match client
        .get(format!("{base}/api/handles/{}", encode_doi(doi)))
        .send()
        .await
    {
        Ok(r) => r,
        Err(e) => {
            return Resolution::Unknown {
                reason: format!("DOI handle API unreachable: {e}"),
            };
        }
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
    requests.fetch_add(1, Ordering::SeqCst);
    let csl = client
        .get(format!("{base}/{}", encode_doi(doi)))
        .header("accept", "application/vnd.citationstyles.csl+json")
        .send()
        .await;
    match csl {
        Ok(r) if r.status().is_success() => match r.json::<Value>().await {
            Ok(v) => Resolution::Found {
                // Some resolvers wrap the record in an array.
                paper: paper_from_json(if v.is_array() { &v[0] } else { &v }, "DataCite"),
            },
            Err(_) => Resolution::Found {
                paper: Paper {
                    source: "DOI".into(),
                    doi: Some(doi.into()),
                    ..Paper::default()
                },
            },
        },
        // Registered, but no metadata offered: it exists, which is what matters most.
        _ => Resolution::Found {
            paper: Paper {
                source: "DOI".into(),
                doi: Some(doi.into()),
                ..Paper::default()
            },
        },
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
