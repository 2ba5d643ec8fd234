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
            Some(S2Answer::Known(record)) => placement::s2_lead(record),
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
                    VenueTruth::Unplaced { .. }
                        if s2_said.get(&paper.arxiv_id) == Some(&S2Lead::Preprint) =>
                    {
                        VenueTruth::PreprintOnly
                    }
                    truth => truth,
                }
            }
            DblpAnswer::Failed(why) => VenueTruth::Unplaced {
                reason: why.clone(),
            },
        };
        out.insert(paper.arxiv_id.clone(), truth);
    }
    (out, stats)
}
