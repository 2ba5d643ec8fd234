//! Venue truth for arXiv papers: one Semantic Scholar batch request per 500 papers,
//! then a DBLP query only for each paper Semantic Scholar did not place by a DBLP key
//! of a published record (unknown to it, known only as a preprint, a bare venue lead,
//! or no answer). The DBLP hits go through the matcher in [`super::placement`].

use super::dblp::{self, DblpAnswer, DblpSettings};
use super::placement::{self, S2Lead, VenueTruth};
use super::semantic_scholar::{self, S2Answer, S2Settings};
use std::collections::BTreeMap;

/// An arXiv paper to place, with what arXiv says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperToPlace {
    /// The arXiv id without version.
    pub arxiv_id: String,
    /// Its title (arXiv's, else the row's).
    pub title: Option<String>,
    /// Its first author's name, when known.
    pub first_author: Option<String>,
    /// The year of its first arXiv version.
    pub arxiv_year: Option<i32>,
}

/// Both sources' settings.
#[derive(Debug, Clone)]
pub struct VenueSettings {
    /// Semantic Scholar.
    pub semantic_scholar: S2Settings,
    /// DBLP.
    pub dblp: DblpSettings,
}

/// Counts of one placement run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VenueStats {
    /// Semantic Scholar batch requests (retries included).
    pub s2_requests: usize,
    /// Ids sent to Semantic Scholar (retries included).
    pub s2_ids: usize,
    /// 429 answers from Semantic Scholar.
    pub s2_rate_limited: usize,
    /// DBLP search requests (retries included).
    pub dblp_requests: usize,
    /// 429 answers from DBLP.
    pub dblp_rate_limited: usize,
}

/// Semantic Scholar's placement when DBLP could not give the edition: the venue
/// stands, without a year.
fn fallback(lead: &S2Lead) -> VenueTruth {
    match lead {
        S2Lead::PlacedWithoutYear(p) | S2Lead::Placed(p) => VenueTruth::Published {
            placements: vec![p.clone()],
        },
        _ => VenueTruth::Unplaced {
            reason: "no placement".into(),
            settled: false,
        },
    }
}

/// Places `papers`; returns a verdict for each arXiv id.
pub async fn place(
    client: &reqwest::Client,
    settings: &VenueSettings,
    papers: &[PaperToPlace],
) -> (BTreeMap<String, VenueTruth>, VenueStats) {
    let mut stats = VenueStats::default();
    let ids: Vec<String> = papers
        .iter()
        .map(|p| format!("arXiv:{}", p.arxiv_id))
        .collect();
    let (answers, s2_stats) =
        semantic_scholar::lookup(client, &settings.semantic_scholar, &ids).await;
    stats.s2_requests = s2_stats.requests;
    stats.s2_ids = s2_stats.ids_sent;
    stats.s2_rate_limited = s2_stats.rate_limited;

    let mut out = BTreeMap::new();
    // What Semantic Scholar said, for the papers DBLP is asked about.
    let mut s2_said: BTreeMap<String, S2Lead> = BTreeMap::new();
    let mut queries = Vec::new();
    for (paper, id) in papers.iter().zip(&ids) {
        let lead = match answers.get(id) {
            Some(S2Answer::Known(record)) => placement::s2_lead(record, paper.arxiv_year),
            _ => S2Lead::Nothing,
        };
        if let S2Lead::Placed(p) = lead {
            out.insert(
                paper.arxiv_id.clone(),
                VenueTruth::Published {
                    placements: vec![p],
                },
            );
            continue;
        }
        match &paper.title {
            Some(title) if !placement::title_key(title).is_empty() => {
                queries.push((paper.arxiv_id.clone(), title.clone()));
            }
            _ => {
                out.insert(
                    paper.arxiv_id.clone(),
                    VenueTruth::Unplaced {
                        reason: "no title to search DBLP with".into(),
                        settled: true,
                    },
                );
            }
        }
        s2_said.insert(paper.arxiv_id.clone(), lead);
    }

    let (found, dblp_stats) = dblp::search(client, &settings.dblp, &queries).await;
    stats.dblp_requests = dblp_stats.requests;
    stats.dblp_rate_limited = dblp_stats.rate_limited;
    for paper in papers {
        let Some(answer) = found.get(&paper.arxiv_id) else {
            continue;
        };
        let truth = match answer {
            DblpAnswer::Hits(hits) => {
                let truth = placement::match_dblp(
                    paper.title.as_deref().unwrap_or_default(),
                    paper.first_author.as_deref(),
                    hits,
                );
                match truth {
                    // DBLP has no record with this title, but Semantic Scholar links
                    // the paper to DBLP's arXiv record: a preprint.
                    VenueTruth::Unplaced { .. } | VenueTruth::PreprintOnly
                        if matches!(
                            s2_said.get(&paper.arxiv_id),
                            Some(S2Lead::PlacedWithoutYear(_))
                        ) =>
                    {
                        fallback(&s2_said[&paper.arxiv_id])
                    }
                    VenueTruth::Unplaced { .. }
                        if s2_said.get(&paper.arxiv_id) == Some(&S2Lead::Preprint) =>
                    {
                        VenueTruth::PreprintOnly
                    }
                    truth => truth,
                }
            }
            DblpAnswer::Failed(_)
                if matches!(
                    s2_said.get(&paper.arxiv_id),
                    Some(S2Lead::PlacedWithoutYear(_))
                ) =>
            {
                fallback(&s2_said[&paper.arxiv_id])
            }
            DblpAnswer::Failed(why) => VenueTruth::Unplaced {
                reason: why.clone(),
                settled: false,
            },
        };
        out.insert(paper.arxiv_id.clone(), truth);
    }
    (out, stats)
}

/// Places the arXiv papers `papers` resolved (cache first: a placed paper is kept
/// for `cache_ttl`, "only a preprint" and "no matching record" for `preprint_ttl`,
/// a failure not at all), and fills each placed paper's publication year, venue and
/// BibTeX kind when arXiv's record names none (no `journal_ref`).
pub async fn resolve(
    papers: &mut BTreeMap<crate::model::PaperRef, crate::model::Resolution>,
    config: &crate::config::MetadataConfig,
    network: &crate::config::NetworkConfig,
    user_agent: &str,
    cache: &mut crate::cache::Cache,
) -> anyhow::Result<(BTreeMap<String, VenueTruth>, VenueStats)> {
    use crate::model::{PaperRef, Resolution};
    let now = crate::cache::now();
    let ttl = |truth: &VenueTruth| match truth {
        VenueTruth::Published { .. } => Some(config.cache_ttl),
        VenueTruth::PreprintOnly | VenueTruth::Unplaced { settled: true, .. } => {
            Some(config.preprint_ttl)
        }
        VenueTruth::Unplaced { .. } => None,
    };
    let mut truths = BTreeMap::new();
    let mut wanted = Vec::new();
    for (r, res) in papers.iter() {
        let (PaperRef::Arxiv(id), Resolution::Found { paper }) = (r, res) else {
            continue;
        };
        // A link to one version is the same paper as its unversioned id.
        if crate::scholarly::has_version(id) {
            continue;
        }
        if let Some(hit) = cache.venues.get(id)
            && ttl(&hit.truth).is_some_and(|t| now.saturating_sub(hit.checked) < t.as_secs())
        {
            truths.insert(id.clone(), hit.truth.clone());
            continue;
        }
        wanted.push(PaperToPlace {
            arxiv_id: id.clone(),
            title: paper.titles.first().cloned(),
            first_author: paper.authors.first().cloned(),
            arxiv_year: paper.preprint_year,
        });
    }
    let mut stats = VenueStats::default();
    if !wanted.is_empty() {
        // The same guard as every other client: the configured endpoints are trusted,
        // any other name must resolve public, and a JSON API that redirects is not
        // followed (its answer is a failure, so the paper stays unplaced).
        let guard = crate::net::Guard::new(
            network,
            config.timeout,
            [
                config.semantic_scholar_api.as_str(),
                config.dblp_api.as_str(),
            ],
        );
        let client = crate::net::guarded_builder(user_agent, &guard, network)
            .timeout(config.timeout)
            .build()?;
        let settings = VenueSettings {
            semantic_scholar: S2Settings {
                api: config.semantic_scholar_api.clone(),
                api_key: std::env::var(semantic_scholar::API_KEY_VAR)
                    .ok()
                    .filter(|k| !k.trim().is_empty()),
                batch: config.semantic_scholar_batch,
                wait_budget: config.venue_wait_budget,
                backoff: std::time::Duration::from_secs(2),
            },
            dblp: DblpSettings {
                api: config.dblp_api.clone(),
                interval: config.dblp_interval,
                hits: config.dblp_hits,
                wait_budget: config.venue_wait_budget,
            },
        };
        let (placed, run) = place(&client, &settings, &wanted).await;
        stats = run;
        for (id, truth) in placed {
            if ttl(&truth).is_some() {
                cache.venues.insert(
                    id.clone(),
                    crate::cache::VenueEntry {
                        checked: now,
                        truth: truth.clone(),
                    },
                );
            }
            truths.insert(id, truth);
        }
    }
    for (id, truth) in &truths {
        let Some(main) = truth.main_placement() else {
            continue;
        };
        if let Some(Resolution::Found { paper }) = papers.get_mut(&PaperRef::Arxiv(id.clone()))
            && paper.published_as.is_none()
            && paper.venues.is_empty()
        {
            paper.year = main.year.or(paper.year);
            paper.venues = vec![main.venue.clone()];
            paper.kind = if main.journal {
                "article"
            } else {
                "inproceedings"
            }
            .into();
        }
    }
    Ok((truths, stats))
}
