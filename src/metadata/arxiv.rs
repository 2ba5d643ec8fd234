//! The arXiv API: ids batched with `id_list` (up to `metadata.arxiv_batch` per
//! request, `max_results` set, POST for long lists), one request at a time at least
//! `metadata.arxiv_interval` apart, entries matched by id (the response order is not
//! the request order). Its three error forms are handled: HTTP 400 with an error entry,
//! HTTP 200 with an `Error` entry (both: the batch is split to find the bad id), and
//! HTTP 200 without an entry for an id (that id does not exist).

use super::year_in;
use crate::config::MetadataConfig;
use crate::model::{Paper, PaperRef, Resolution};
use crate::net::guard::{Guard, GuardedError};
use crate::net::{Budget, Host, RateLimit};
use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;
use tokio::time::Instant;

const ATOM: &str = "http://www.w3.org/2005/Atom";
const ARXIV: &str = "http://arxiv.org/schemas/atom";

/// Ids longer than this many in a request go in a POST body.
const POST_ABOVE: usize = 20;

/// What one response said.
#[derive(Debug, PartialEq)]
pub enum Feed {
    /// Entries by versioned id (`2104.12255v1`; old-style ids likewise).
    Entries(BTreeMap<String, Paper>),
    /// The API rejected the request (an error entry, with HTTP 400 or 200).
    Rejected(String),
}

/// Parses an Atom response of the arXiv API.
pub fn parse_feed(xml: &str) -> Result<Feed, String> {
    let doc = roxmltree::Document::parse(xml)
        .map_err(|e| format!("arXiv answered with invalid XML: {e}"))?;
    let mut papers = BTreeMap::new();
    for entry in doc
        .descendants()
        .filter(|n| n.has_tag_name((ATOM, "entry")))
    {
        let child_text = |ns: &str, name: &str| {
            entry
                .children()
                .find(|c| c.has_tag_name((ns, name)))
                .and_then(|c| c.text())
                .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        };
        let id_url = child_text(ATOM, "id").unwrap_or_default();
        let title = child_text(ATOM, "title").unwrap_or_default();
        if id_url.contains("/api/errors") || title == "Error" {
            let summary = child_text(ATOM, "summary").unwrap_or_else(|| id_url.clone());
            return Ok(Feed::Rejected(summary));
        }
        // Keyed by the versioned id the entry carries (`2104.12255v1`): a request for
        // a given version gets that version's title, one without gets the latest.
        let Some(id) = crate::scholarly::arxiv_versioned_id(&id_url) else {
            continue;
        };
        let journal_ref = child_text(ARXIV, "journal_ref");
        let comment = child_text(ARXIV, "comment");
        let doi = child_text(ARXIV, "doi").map(|d| d.to_lowercase());
        let published_as = match (&journal_ref, &doi) {
            (Some(j), _) => Some(j.clone()),
            (None, Some(d)) => Some(PaperRef::Doi(d.clone()).key()),
            _ => None,
        };
        let preprint_year = child_text(ATOM, "published").and_then(|p| p.get(..4)?.parse().ok());
        let authors = entry
            .children()
            .filter(|c| c.has_tag_name((ATOM, "author")))
            .filter_map(|a| {
                a.children()
                    .find(|c| c.has_tag_name((ATOM, "name")))?
                    .text()
                    .map(|t| t.trim().to_string())
            })
            .collect();
        papers.insert(
            id,
            Paper {
                source: "arXiv".into(),
                titles: vec![title],
                authors,
                preprint_year,
                year: journal_ref.as_deref().and_then(year_in),
                years: Vec::new(),
                venues: journal_ref.iter().cloned().collect(),
                comment,
                published_as,
                doi,
                kind: "misc".into(),
            },
        );
    }
    Ok(Feed::Entries(papers))
}

/// Resolves `ids`; returns the resolutions and the number of API requests made.
/// Requests go one at a time, `metadata.arxiv_interval` apart, through `guard`,
/// within `budget` (a refusing or silent API is given up, its ids left unknown).
/// Each verdict is passed to `announce` when its batch is answered.
pub async fn resolve(
    client: &reqwest::Client,
    guard: &Guard,
    config: &MetadataConfig,
    budget: Budget,
    ids: &[String],
    announce: &(dyn Fn(&str, &Resolution) + Sync),
) -> (BTreeMap<String, Resolution>, usize) {
    let mut out = super::Verdicts::new(announce);
    let mut requests = 0;
    let batch = config.arxiv_batch.clamp(1, 100);
    let mut queue: VecDeque<(Vec<String>, usize)> =
        ids.chunks(batch).map(|c| (c.to_vec(), 0)).collect();
    let api = Host::with_budget(1, config.arxiv_interval, budget);
    let mut unreachable: Option<String> = None;
    while let Some((chunk, refused)) = queue.pop_front() {
        // The API could not be reached: the other batches would fail the same way.
        if let Some(why) = &unreachable {
            for id in chunk {
                out.insert(
                    id,
                    Resolution::Unknown {
                        reason: why.clone(),
                    },
                );
            }
            continue;
        }
        let permit = match api.acquire().await {
            Ok(p) => p,
            Err(g) => {
                unreachable = Some(format!("arXiv API given up: {}", g.reason));
                queue.push_front((chunk, refused));
                continue;
            }
        };
        let sent = Instant::now();
        requests += 1;
        let answer = tokio::time::timeout_at(budget.deadline, query(client, guard, config, &chunk))
            .await
            .unwrap_or_else(|_| {
                Err(Trouble::Failed(
                    "not answered within network.run_budget".into(),
                ))
            });
        drop(permit);
        let answer = match answer {
            Err(Trouble::Refused { what, wait }) => {
                match api.refused(&what, wait, sent) {
                    Some(g) => unreachable = Some(format!("arXiv API given up: {}", g.reason)),
                    None if refused + 1 < ATTEMPTS => {}
                    None => unreachable = Some(format!("arXiv API kept answering {what}")),
                }
                queue.push_front((chunk, refused + 1));
                continue;
            }
            Err(Trouble::Silent(why)) => {
                if let Some(g) = api.unanswered(&why) {
                    unreachable = Some(format!("arXiv API given up: {}", g.reason));
                }
                Err(why)
            }
            Err(Trouble::Unreachable(why)) => {
                unreachable = Some(why.clone());
                Err(why)
            }
            Err(Trouble::Failed(why)) => Err(why),
            Ok(feed) => {
                api.speed_up(sent);
                Ok(feed)
            }
        };
        match answer {
            // A feed with no entry at all says nothing about the ids: arXiv answers so
            // for ids that do not exist, but also when it has a bad day. Only a feed
            // that returns the batch's other ids is evidence the missing one is not there.
            Ok(Feed::Entries(papers)) if papers.is_empty() => {
                for id in chunk {
                    out.insert(
                        id,
                        Resolution::Unknown {
                            reason: "arXiv returned an empty feed".into(),
                        },
                    );
                }
            }
            Ok(Feed::Entries(papers)) => {
                for id in chunk {
                    let found = if crate::scholarly::has_version(&id) {
                        papers.get(&id).cloned()
                    } else {
                        // The latest version of the unversioned id.
                        papers
                            .iter()
                            .filter(|(k, _)| {
                                k.rsplit_once('v').map_or(k.as_str(), |(base, _)| base) == id
                            })
                            .max_by_key(|(k, _)| {
                                k.rsplit_once('v')
                                    .and_then(|(_, n)| n.parse::<u32>().ok())
                                    .unwrap_or(0)
                            })
                            .map(|(_, p)| p.clone())
                    };
                    let res = match found {
                        Some(paper) => Resolution::Found { paper },
                        None => Resolution::Missing {
                            reason: format!(
                                "arXiv has no paper {id} (it returned the other ids asked with it)"
                            ),
                        },
                    };
                    out.insert(id, res);
                }
            }
            Ok(Feed::Rejected(why)) if chunk.len() > 1 => {
                // One bad id spoils a batch: split it to find which.
                let (a, b) = chunk.split_at(chunk.len() / 2);
                queue.push_front((b.to_vec(), 0));
                queue.push_front((a.to_vec(), 0));
                let _ = why;
            }
            Ok(Feed::Rejected(why)) => {
                out.insert(
                    chunk[0].clone(),
                    Resolution::Missing {
                        reason: format!("arXiv rejects the id: {why}"),
                    },
                );
            }
            Err(why) => {
                for id in chunk {
                    out.insert(
                        id,
                        Resolution::Unknown {
                            reason: why.clone(),
                        },
                    );
                }
            }
        }
    }
    (out.by_id, requests)
}

/// Attempts at one batch while the API refuses it (429/503), before "unknown".
const ATTEMPTS: usize = 4;

/// Why a query gave no feed.
enum Trouble {
    /// The API refused (429/503), maybe saying how long to wait.
    Refused {
        what: String,
        wait: Option<Duration>,
    },
    /// No answer in time.
    Silent(String),
    /// The API cannot be reached at all.
    Unreachable(String),
    /// Any other failure.
    Failed(String),
}

async fn query(
    client: &reqwest::Client,
    guard: &Guard,
    config: &MetadataConfig,
    ids: &[String],
) -> Result<Feed, Trouble> {
    let id_list = ids.join(",");
    let max = ids.len().to_string();
    let params = [("id_list", id_list.as_str()), ("max_results", max.as_str())];
    let sent = if ids.len() > POST_ABOVE {
        // A POST is not redirected; the endpoint is the configured one.
        let url = url::Url::parse(&config.arxiv_api).map_err(|_| {
            Trouble::Failed(format!("arxiv_api `{}` is not a URL", config.arxiv_api))
        })?;
        guard
            .check(&url)
            .await
            .map_err(|r| Trouble::Failed(format!("arXiv API: {r}")))?;
        client
            .post(url)
            .form(&params)
            .send()
            .await
            .map_err(GuardedError::from)
    } else {
        let mut url = url::Url::parse(&config.arxiv_api).map_err(|_| {
            Trouble::Failed(format!("arxiv_api `{}` is not a URL", config.arxiv_api))
        })?;
        url.query_pairs_mut().extend_pairs(params);
        guard.get(client, url.as_str(), &[], 3).await
    };
    let response = match sent {
        Ok(r) => r,
        Err(GuardedError::Http(e)) if e.is_timeout() => {
            return Err(Trouble::Silent("arXiv API timed out".into()));
        }
        Err(GuardedError::Http(e)) if e.is_connect() => {
            return Err(Trouble::Unreachable(format!("arXiv API unreachable: {e}")));
        }
        Err(e) => return Err(Trouble::Failed(format!("arXiv API: {e}"))),
    };
    let status = response.status();
    if matches!(status.as_u16(), 429 | 503) {
        return Err(Trouble::Refused {
            what: status.to_string(),
            wait: RateLimit::read(response.headers(), Duration::MAX).retry_after,
        });
    }
    let body = response
        .text()
        .await
        .map_err(|e| Trouble::Failed(format!("arXiv API: {e}")))?;
    match status.as_u16() {
        200 | 400 => match parse_feed(&body) {
            Ok(feed) => Ok(feed),
            Err(e) if status.as_u16() == 400 => Ok(Feed::Rejected(e)),
            Err(e) => Err(Trouble::Failed(e)),
        },
        code => Err(Trouble::Failed(format!("arXiv API answered {code}"))),
    }
}
