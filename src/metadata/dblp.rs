//! The DBLP publication search API: `GET {api}/search/publ/api?q=<title words>&format=json&h=<n>`,
//! at most one query per paper, one at a time and at least `interval` apart;
//! `Retry-After` on a 429 is honoured while the wait budget lasts, after which the
//! remaining papers go unasked. The answer's shapes: `result.hits.hit[].info` with
//! `title` (ending in a period, HTML entities kept), `venue` a string or an array,
//! `year` a string, `key`, `type`, `authors.author` an object or an array (of
//! objects `{"@pid", "text"}`, or plain strings in older answers); no `hit` at all
//! when nothing matches.

use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::time::Instant;

/// One search hit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DblpHit {
    /// The title as DBLP gives it (trailing period and entities included).
    pub title: String,
    /// Venue names (`ICLR`, `ACL (1)`, `CoRR`; several for a few records).
    pub venues: Vec<String>,
    /// The year.
    pub year: Option<i32>,
    /// The record key (`conf/iclr/HuSWALWWC22`).
    pub key: String,
    /// The record type (`Conference and Workshop Papers`, `Journal Articles`,
    /// `Informal and Other Publications`, ...).
    pub kind: String,
    /// Author names, in order (homonym numbers kept: `Bowen Baker 0001`).
    pub authors: Vec<String>,
    /// The DOI, when given.
    pub doi: Option<String>,
}

/// A JSON value that is one item or an array of them.
fn one_or_many(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        other => vec![other],
    }
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("text").and_then(Value::as_str).map(String::from),
        _ => None,
    }
}

/// Parses a search answer. An answer without `result.hits` is an error (not
/// "nothing found"), so a broken answer never reads as a missing paper.
pub fn parse_search(body: &str) -> Result<Vec<DblpHit>, String> {
    let root: Value =
        serde_json::from_str(body).map_err(|e| format!("DBLP answered invalid JSON: {e}"))?;
    let hits = root
        .get("result")
        .and_then(|r| r.get("hits"))
        .ok_or("DBLP answered without result.hits")?;
    let mut out = Vec::new();
    for hit in one_or_many(hits.get("hit").unwrap_or(&Value::Null)) {
        let Some(info) = hit.get("info") else {
            continue;
        };
        let Some(title) = info.get("title").and_then(text_of) else {
            continue;
        };
        let authors = info
            .get("authors")
            .and_then(|a| a.get("author"))
            .map(|a| one_or_many(a).into_iter().filter_map(text_of).collect())
            .unwrap_or_default();
        out.push(DblpHit {
            title,
            venues: info
                .get("venue")
                .map(|v| one_or_many(v).into_iter().filter_map(text_of).collect())
                .unwrap_or_default(),
            year: info
                .get("year")
                .and_then(|y| y.as_str().map(String::from).or_else(|| Some(y.to_string())))
                .and_then(|y| y.trim().parse().ok()),
            key: info
                .get("key")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            kind: info
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            authors,
            doi: info.get("doi").and_then(Value::as_str).map(String::from),
        });
    }
    Ok(out)
}

/// The query words for a title: its words without punctuation (DBLP's query syntax
/// gives `|`, `-`, `$`, `*` and `:` meanings), at most `MAX_WORDS`.
pub fn query_words(title: &str) -> String {
    const MAX_WORDS: usize = 24;
    crate::text::loose(title)
        .split_whitespace()
        .take(MAX_WORDS)
        .collect::<Vec<_>>()
        .join(" ")
}

/// How to talk to DBLP.
#[derive(Debug, Clone)]
pub struct DblpSettings {
    /// The base (`https://dblp.org`).
    pub api: String,
    /// Minimum time between two queries.
    pub interval: Duration,
    /// Hits asked per query (`h`).
    pub hits: usize,
    /// The total time this run may spend waiting after 429s.
    pub wait_budget: Duration,
}

/// What DBLP said for one query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DblpAnswer {
    /// The hits (possibly none).
    Hits(Vec<DblpHit>),
    /// No answer.
    Failed(String),
}

/// Counts of one search run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DblpStats {
    /// Requests sent (retries included).
    pub requests: usize,
    /// Answers that were 429.
    pub rate_limited: usize,
}

/// Searches each `(key, title)` once; answers keyed like the input.
pub async fn search(
    client: &reqwest::Client,
    settings: &DblpSettings,
    queries: &[(String, String)],
) -> (BTreeMap<String, DblpAnswer>, DblpStats) {
    let mut out = BTreeMap::new();
    let mut stats = DblpStats::default();
    let url = format!("{}/search/publ/api", settings.api.trim_end_matches('/'));
    let hits = settings.hits.clamp(1, 1000).to_string();
    let mut next = Instant::now();
    let mut waited = Duration::ZERO;
    let mut given_up: Option<String> = None;
    for (key, title) in queries {
        if let Some(why) = &given_up {
            out.insert(key.clone(), DblpAnswer::Failed(why.clone()));
            continue;
        }
        let q = query_words(title);
        let answer = loop {
            tokio::time::sleep_until(next).await;
            next = Instant::now() + settings.interval;
            stats.requests += 1;
            let response = client
                .get(&url)
                .query(&[
                    ("q", q.as_str()),
                    ("format", "json"),
                    ("h", &hits),
                    ("c", "0"),
                ])
                .send()
                .await;
            let response = match response {
                Ok(r) => r,
                Err(e) => {
                    let why = format!("DBLP unreachable: {e}");
                    if e.is_connect() {
                        given_up = Some(why.clone());
                    }
                    break DblpAnswer::Failed(why);
                }
            };
            let status = response.status().as_u16();
            if matches!(status, 429 | 503) {
                stats.rate_limited += usize::from(status == 429);
                let wait = crate::net::ratelimit::retry_after(
                    response.headers(),
                    settings.wait_budget + Duration::from_secs(1),
                )
                .unwrap_or(settings.interval.max(Duration::from_secs(1)) * 2);
                if waited + wait > settings.wait_budget {
                    let why = format!(
                        "DBLP kept answering {status} (it asked to wait {}s)",
                        wait.as_secs()
                    );
                    given_up = Some(why.clone());
                    break DblpAnswer::Failed(why);
                }
                waited += wait;
                next = next.max(Instant::now() + wait);
                continue;
            }
            if status != 200 {
                break DblpAnswer::Failed(format!("DBLP answered {status}"));
            }
            break match response.text().await {
                Ok(body) => match parse_search(&body) {
                    Ok(hits) => DblpAnswer::Hits(hits),
                    Err(why) => DblpAnswer::Failed(why),
                },
                Err(e) => DblpAnswer::Failed(format!("DBLP: {e}")),
            };
        };
        out.insert(key.clone(), answer);
    }
    (out, stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_recorded_corr_hit() {
        let body = include_str!("../../tests/fixtures/dblp_search_corr_hit_2206.08966.json");
        let hits = parse_search(body).unwrap();
        assert_eq!(hits.len(), 1);
        let h = &hits[0];
        assert!(h.title.ends_with("Catastrophic Risks."));
        assert_eq!(h.venues, ["CoRR"]);
        assert_eq!(h.year, Some(2022));
        assert_eq!(h.key, "journals/corr/abs-2206-08966");
        assert_eq!(h.kind, "Informal and Other Publications");
        assert_eq!(h.authors.len(), 4);
        assert_eq!(h.authors[1], "Dan Hendrycks");
    }

    #[test]
    fn reads_every_shape_of_authors_and_venues() {
        let body = r#"{"result":{"hits":{"@total":"3","hit":[
            {"info":{"authors":{"author":{"@pid":"92/731","text":"H. D. Block"}},"title":"One.","venue":["ICLR","CoRR"],"year":"2020","type":"Conference and Workshop Papers","key":"conf/iclr/Block20"}},
            {"info":{"authors":{"author":["Maria Knobelsdorf","Ulrik Schroeder"]},"title":"Two.","venue":"TOCE","year":"2015","type":"Journal Articles","key":"journals/jeric/K15"}},
            {"info":{"title":"Three.","year":"2019","type":"Editorship","key":"conf/x/2019"}}
        ]}}}"#;
        let hits = parse_search(body).unwrap();
        assert_eq!(hits[0].authors, ["H. D. Block"]);
        assert_eq!(hits[0].venues, ["ICLR", "CoRR"]);
        assert_eq!(hits[1].authors, ["Maria Knobelsdorf", "Ulrik Schroeder"]);
        assert!(hits[2].authors.is_empty() && hits[2].venues.is_empty());
    }

    #[test]
    fn nothing_found_is_not_an_error_but_a_broken_answer_is() {
        assert_eq!(
            parse_search(r#"{"result":{"hits":{"@total":"0"}}}"#).unwrap(),
            []
        );
        assert!(parse_search("{}").is_err());
        assert!(parse_search("<html>too many requests</html>").is_err());
    }

    #[test]
    fn query_words_drop_search_syntax() {
        assert_eq!(
            query_words("LoRA: Low-Rank Adaptation | of $Large$ Models*"),
            "lora low rank adaptation of large models"
        );
    }
}
