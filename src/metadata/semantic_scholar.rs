//! The Semantic Scholar Graph API's batch endpoint: `POST {api}/paper/batch` with
//! `{"ids": [...]}`, at most 500 ids a request, answered by an array aligned with the
//! ids (`null` for an id it does not know). An API key from the environment is sent
//! as `x-api-key`. Without one the service is shared and answers 429 freely (a JSON
//! body, often no `Retry-After`): the batch is retried after a wait while the wait
//! budget lasts, then the run carries on without Semantic Scholar.

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::time::Instant;

/// The fields asked for.
pub const FIELDS: &str = "title,year,venue,publicationVenue,publicationDate,journal,externalIds";
/// The most ids the batch endpoint takes in one request.
pub const MAX_BATCH: usize = 500;
/// The environment variable holding an API key.
pub const API_KEY_VAR: &str = "SEMANTIC_SCHOLAR_API_KEY";

/// A venue record (`publicationVenue`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct PublicationVenue {
    /// The full name ("International Conference on Learning Representations").
    pub name: Option<String>,
    /// `conference`, `journal`, ...
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Abbreviations ("ICLR", "Int Conf Learn Represent").
    pub alternate_names: Vec<String>,
}

/// The `journal` field (for arXiv-only papers: name "ArXiv", volume "abs/…").
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Journal {
    /// Journal or proceedings name.
    pub name: Option<String>,
    /// Volume.
    pub volume: Option<String>,
}

/// One paper as the batch endpoint returns it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct S2Paper {
    /// Semantic Scholar's id.
    pub paper_id: Option<String>,
    /// The title.
    pub title: Option<String>,
    /// Year (often the arXiv year for a conference paper: a lead only).
    pub year: Option<i32>,
    /// The venue as a free string (`""` when unknown).
    pub venue: Option<String>,
    /// The venue record.
    pub publication_venue: Option<PublicationVenue>,
    /// `YYYY-MM-DD`.
    pub publication_date: Option<String>,
    /// Journal name and volume.
    pub journal: Option<Journal>,
    /// Other identifiers (`ArXiv`, `DOI`, `DBLP`, `CorpusId` as a number).
    pub external_ids: Option<BTreeMap<String, Value>>,
}

impl S2Paper {
    /// The DBLP record key, when Semantic Scholar links one.
    pub fn dblp_key(&self) -> Option<String> {
        self.external_ids
            .as_ref()?
            .get("DBLP")?
            .as_str()
            .map(String::from)
    }
}

/// What the batch endpoint said about one id.
#[derive(Debug, Clone, PartialEq)]
pub enum S2Answer {
    /// The paper's record.
    Known(Box<S2Paper>),
    /// `null`: Semantic Scholar does not know the id.
    NotKnown,
    /// No answer (rate-limited past the budget, unreachable, malformed reply).
    Failed(String),
}

/// Parses a batch answer for `expected` ids: an array of that length, records or nulls.
pub fn parse_batch(body: &str, expected: usize) -> Result<Vec<Option<S2Paper>>, String> {
    let items: Vec<Value> = serde_json::from_str(body)
        .map_err(|e| format!("Semantic Scholar answered invalid JSON: {e}"))?;
    if items.len() != expected {
        return Err(format!(
            "Semantic Scholar answered {} records for {expected} ids",
            items.len()
        ));
    }
    items
        .into_iter()
        .map(|v| match v {
            Value::Null => Ok(None),
            v => serde_json::from_value(v)
                .map(Some)
                .map_err(|e| format!("Semantic Scholar answered an unreadable record: {e}")),
        })
        .collect()
}

/// How to talk to Semantic Scholar.
#[derive(Debug, Clone)]
pub struct S2Settings {
    /// The Graph API base (`https://api.semanticscholar.org/graph/v1`).
    pub api: String,
    /// An API key, sent as `x-api-key`.
    pub api_key: Option<String>,
    /// Ids per request (at most [`MAX_BATCH`]).
    pub batch: usize,
    /// The total time this run may spend waiting after 429s.
    pub wait_budget: Duration,
    /// The first wait after a 429 without `Retry-After` (doubled each time).
    pub backoff: Duration,
}

/// Counts of one lookup.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct S2Stats {
    /// Requests sent (retries included).
    pub requests: usize,
    /// Ids sent (retries included).
    pub ids_sent: usize,
    /// Answers that were 429.
    pub rate_limited: usize,
}

/// Looks `ids` up (`arXiv:2106.09685`, `DOI:…`), in batches, one request at a time.
pub async fn lookup(
    client: &reqwest::Client,
    settings: &S2Settings,
    ids: &[String],
) -> (BTreeMap<String, S2Answer>, S2Stats) {
    let mut out = BTreeMap::new();
    let mut stats = S2Stats::default();
    let batch = settings.batch.clamp(1, MAX_BATCH);
    let url = format!(
        "{}/paper/batch?fields={FIELDS}",
        settings.api.trim_end_matches('/')
    );
    let mut waited = Duration::ZERO;
    let mut given_up: Option<String> = None;
    for chunk in ids.chunks(batch) {
        let answer = match &given_up {
            Some(why) => Err(why.clone()),
            None => {
                let result =
                    fetch_batch(client, settings, &url, chunk, &mut waited, &mut stats).await;
                if let Err(why) = &result {
                    // Rate-limited past the budget or unreachable: the next batch would
                    // fare the same, so carry on without Semantic Scholar.
                    given_up = Some(why.clone());
                }
                result
            }
        };
        match answer {
            Ok(records) => {
                for (id, record) in chunk.iter().zip(records) {
                    let answer = match record {
                        Some(paper) => S2Answer::Known(Box::new(paper)),
                        None => S2Answer::NotKnown,
                    };
                    out.insert(id.clone(), answer);
                }
            }
            Err(why) => {
                for id in chunk {
                    out.insert(id.clone(), S2Answer::Failed(why.clone()));
                }
            }
        }
    }
    (out, stats)
}

/// One batch, retried after 429 and 5xx answers while the wait budget lasts.
async fn fetch_batch(
    client: &reqwest::Client,
    settings: &S2Settings,
    url: &str,
    ids: &[String],
    waited: &mut Duration,
    stats: &mut S2Stats,
) -> Result<Vec<Option<S2Paper>>, String> {
    let body = serde_json::json!({ "ids": ids });
    let mut backoff = settings.backoff.max(Duration::from_millis(1));
    loop {
        let mut request = client.post(url).json(&body);
        if let Some(key) = &settings.api_key {
            request = request.header("x-api-key", key);
        }
        stats.requests += 1;
        stats.ids_sent += ids.len();
        let response = request
            .send()
            .await
            .map_err(|e| format!("Semantic Scholar unreachable: {e}"))?;
        let status = response.status().as_u16();
        // Capped just past the budget, so a longer request reads as "give up".
        let hint = crate::net::ratelimit::retry_after(
            response.headers(),
            settings.wait_budget + Duration::from_secs(1),
        );
        let text = response
            .text()
            .await
            .map_err(|e| format!("Semantic Scholar: {e}"))?;
        match status {
            200 => return parse_batch(&text, ids.len()),
            429 | 500 | 502 | 503 | 504 => {
                if status == 429 {
                    stats.rate_limited += 1;
                }
                let wait = hint.unwrap_or(backoff);
                if *waited + wait > settings.wait_budget {
                    return Err(format!(
                        "Semantic Scholar kept answering {status} (waited {}s in all)",
                        waited.as_secs()
                    ));
                }
                *waited += wait;
                backoff = backoff.saturating_mul(2);
                tokio::time::sleep_until(Instant::now() + wait).await;
            }
            code => return Err(format!("Semantic Scholar answered {code}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_recorded_batch_with_a_null() {
        let cassette = include_str!("../../tests/fixtures/s2_batch_one_null_cassette.yaml");
        // The body is a YAML single-quoted scalar: folded lines, `''` for `'`.
        let start = cassette.find("string: '").unwrap() + "string: '".len();
        let end = cassette[start..].find("'\n    headers:").unwrap() + start;
        let folded = cassette[start..end]
            .lines()
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(" ")
            .replace("''", "'");
        let papers = parse_batch(&folded, 4).unwrap();
        assert_eq!(papers[0], None);
        let second = papers[1].as_ref().unwrap();
        assert_eq!(
            second.title.as_deref(),
            Some("How Much Should We Trust Differences-in-Differences Estimates?")
        );
        assert_eq!(second.year, Some(2001));
        assert_eq!(second.publication_venue, None);
        assert_eq!(second.dblp_key(), None);
        assert!(
            parse_batch(&folded, 3).is_err(),
            "misaligned answers are refused"
        );
    }

    #[test]
    fn parses_a_record_with_a_corr_dblp_key() {
        let record = include_str!("../../tests/fixtures/s2_paper_2306.12001_dblp_corr_key.json");
        let papers = parse_batch(&format!("[{record}]"), 1).unwrap();
        let paper = papers[0].as_ref().unwrap();
        assert_eq!(
            paper.dblp_key().as_deref(),
            Some("journals/corr/abs-2306-12001")
        );
        assert_eq!(
            crate::metadata::placement::s2_lead(paper, Some(2023)),
            crate::metadata::placement::S2Lead::Preprint
        );
    }

    #[test]
    fn rejects_non_arrays() {
        let body = include_str!("../../tests/fixtures/s2_429_too_many_requests.json");
        assert!(parse_batch(body, 1).is_err());
        assert!(parse_batch("<html>", 1).is_err());
    }
}
