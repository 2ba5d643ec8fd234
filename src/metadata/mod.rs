//! Scholarly metadata: which paper a row points to ([`PaperRef`]), and what the
//! registries say about it ([`Paper`]): arXiv (batched API), Crossref (with the DOI
//! handle API and content negotiation for DOIs registered elsewhere), and landing
//! pages' `citation_*` tags.

pub mod arxiv;
pub mod crossref;
pub mod dblp;
pub mod landing;
pub mod placement;
pub mod semantic_scholar;
pub mod venue_truth;

use crate::cache::{self, Cache};
use crate::config::MetadataConfig;
use crate::model::{MetaStats, PaperRef, Resolution};
use crate::net;
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

/// Resolves arXiv ids and DOIs (landing pages come from the link check's bodies).
pub async fn resolve(
    refs: &BTreeSet<PaperRef>,
    config: &MetadataConfig,
    mailto: &str,
    cache: &mut Cache,
) -> anyhow::Result<(BTreeMap<PaperRef, Resolution>, MetaStats)> {
    let mut out = BTreeMap::new();
    let mut stats = MetaStats::default();
    let mut arxiv_ids = Vec::new();
    let mut dois = Vec::new();
    for r in refs {
        if matches!(r, PaperRef::Landing(_)) {
            continue;
        }
        stats.papers += 1;
        if let Some(hit) = cache.metadata.get(&r.key()).filter(|e| {
            // "Does not exist" is re-asked soon: registries recover, ids get registered.
            let ttl = match e.resolution {
                Resolution::Missing { .. } => config.negative_ttl,
                _ => config.cache_ttl,
            };
            cache::now().saturating_sub(e.checked) < ttl.as_secs()
        }) && !matches!(hit.resolution, Resolution::Unknown { .. })
        {
            stats.cached += 1;
            out.insert(r.clone(), hit.resolution.clone());
            continue;
        }
        match r {
            PaperRef::Arxiv(id) => arxiv_ids.push(id.clone()),
            PaperRef::Doi(doi) => dois.push(doi.clone()),
            PaperRef::Landing(_) => {}
        }
    }
    let client = net::client_builder(&net::user_agent("", mailto))
        .timeout(config.timeout)
        .build()?;
    let (arxiv_found, arxiv_requests) = arxiv::resolve(&client, config, &arxiv_ids).await;
    stats.arxiv_requests = arxiv_requests;
    let (doi_found, doi_requests) = crossref::resolve(&client, config, mailto, &dois).await;
    stats.doi_requests = doi_requests;
    for (id, res) in arxiv_found {
        out.insert(PaperRef::Arxiv(id), res);
    }
    for (doi, res) in doi_found {
        out.insert(PaperRef::Doi(doi), res);
    }
    for (r, res) in &out {
        match res {
            Resolution::Found { .. } => stats.found += 1,
            Resolution::Missing { .. } => stats.missing += 1,
            Resolution::Unknown { .. } => stats.unknown += 1,
        }
        if !matches!(res, Resolution::Unknown { .. }) {
            cache.metadata.insert(
                r.key(),
                cache::MetaEntry {
                    checked: cache::now(),
                    resolution: res.clone(),
                },
            );
        }
    }
    Ok((out, stats))
}

/// The year in free text such as a `journal_ref` ("Nature 600, 70-74 (2021)").
pub fn year_in(text: &str) -> Option<i32> {
    static RE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?:^|[^0-9])((?:19|20)\d{2})(?:[^0-9]|$)").unwrap());
    RE.captures_iter(text)
        .filter_map(|c| c[1].parse().ok())
        .last()
}
