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
use crate::config::{MetadataConfig, NetworkConfig};
use crate::model::{MetaStats, PaperRef, Resolution};
use crate::net::{self, Budget, Guard};
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

/// Resolves arXiv ids and DOIs (landing pages come from the link check's bodies),
/// with the default network settings and a budget that starts now.
pub async fn resolve(
    refs: &BTreeSet<PaperRef>,
    config: &MetadataConfig,
    mailto: &str,
    cache: &mut Cache,
) -> anyhow::Result<(BTreeMap<PaperRef, Resolution>, MetaStats)> {
    let network = NetworkConfig::default();
    let budget = Budget::new(
        network.run_budget,
        network.host_budget,
        network.retry_after_cap,
    );
    resolve_within(refs, config, &network, budget, mailto, cache).await
}

/// Resolves arXiv ids and DOIs under `network`'s guard and timeouts, within `budget`
/// (shared with the link check of the same run).
pub async fn resolve_within(
    refs: &BTreeSet<PaperRef>,
    config: &MetadataConfig,
    network: &NetworkConfig,
    budget: Budget,
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
            cache::is_fresh(e.checked, ttl)
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
    // The registries' own hosts may be anywhere (a mirror on the intranet); where
    // they redirect to is guarded like any link.
    let guard = Guard::new(
        network.allow_private,
        [
            config.arxiv_api.as_str(),
            config.crossref_api.as_str(),
            config.doi_api.as_str(),
        ],
    );
    let client = net::guarded_builder(
        &net::user_agent("", mailto),
        &guard,
        network,
        config.timeout,
    )
    .timeout(config.timeout)
    .build()?;
    let (arxiv_found, arxiv_requests) =
        arxiv::resolve(&client, &guard, config, budget, &arxiv_ids).await;
    stats.arxiv_requests = arxiv_requests;
    let lookup = crossref::Lookup {
        client: &client,
        guard: &guard,
        config,
        mailto,
        max_redirects: network.max_redirects,
        budget,
    };
    let (doi_found, doi_requests) = crossref::resolve(&lookup, &dois).await;
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
