//! Scholarly metadata: which paper a row points to ([`PaperRef`]), and what the
//! registries say about it ([`Paper`](crate::model::Paper)): arXiv (batched API), Crossref (with the DOI
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
    resolve_announcing(refs, config, network, budget, mailto, cache, &|_, _| {}).await
}

/// Where a verdict goes the moment it is known (from the cache, or a registry's
/// answer), before the whole resolve run ends: the link check waits on it for the
/// links on the registries' own hosts.
pub type Announce<'a> = &'a (dyn Fn(&PaperRef, &Resolution) + Sync);

/// Like [`resolve_within`]; arXiv and the DOI registries are asked at the same time,
/// and each verdict is passed to `announce` as soon as it is known.
pub async fn resolve_announcing(
    refs: &BTreeSet<PaperRef>,
    config: &MetadataConfig,
    network: &NetworkConfig,
    budget: Budget,
    mailto: &str,
    cache: &mut Cache,
    announce: Announce<'_>,
) -> anyhow::Result<(BTreeMap<PaperRef, Resolution>, MetaStats)> {
    let mut out = BTreeMap::new();
    let mut stats = MetaStats::default();
    let mut arxiv_ids = Vec::new();
    let mut dois = Vec::new();
    // Answered by the cache: kept there with the date they were asked, so that they
    // expire `cache_ttl` after the registry said so, however often the list is checked.
    let mut cached = BTreeSet::new();
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
            cached.insert(r.clone());
            announce(r, &hit.resolution);
            out.insert(r.clone(), hit.resolution.clone());
            continue;
        }
        match r {
            PaperRef::Arxiv(id) => arxiv_ids.push(id.clone()),
            PaperRef::Doi(doi) => dois.push(doi.clone()),
            PaperRef::Landing(_) => {}
        }
    }
    // Nothing to ask (no papers, or all from the cache): no client to build.
    if !(arxiv_ids.is_empty() && dois.is_empty()) {
        ask_registries(
            (&arxiv_ids, &dois),
            config,
            network,
            budget,
            mailto,
            announce,
            (&mut out, &mut stats),
        )
        .await?;
    }
    for (r, res) in &out {
        match res {
            Resolution::Found { .. } => stats.found += 1,
            Resolution::Missing { .. } => stats.missing += 1,
            Resolution::Unknown { .. } => stats.unknown += 1,
        }
        if !matches!(res, Resolution::Unknown { .. }) && !cached.contains(r) {
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

/// Asks arXiv and the DOI registries (at the same time) about what the cache did
/// not answer, adding their verdicts to `out` and their request counts to `stats`.
async fn ask_registries(
    (arxiv_ids, dois): (&[String], &[String]),
    config: &MetadataConfig,
    network: &NetworkConfig,
    budget: Budget,
    mailto: &str,
    announce: Announce<'_>,
    (out, stats): (&mut BTreeMap<PaperRef, Resolution>, &mut MetaStats),
) -> anyhow::Result<()> {
    // The registries' own hosts may be anywhere (a mirror on the intranet); where
    // they redirect to is guarded like any link.
    let guard = Guard::new(
        network,
        config.timeout,
        [
            config.arxiv_api.as_str(),
            config.crossref_api.as_str(),
            config.doi_api.as_str(),
        ],
    );
    let client = net::guarded_builder(&net::user_agent("", mailto), &guard, network)
        .timeout(config.timeout)
        .build()?;
    let lookup = crossref::Lookup {
        client: &client,
        guard: &guard,
        config,
        mailto,
        max_redirects: network.max_redirects,
        budget,
    };
    let arxiv_verdict = |id: &str, res: &Resolution| announce(&PaperRef::Arxiv(id.into()), res);
    let doi_verdict = |doi: &str, res: &Resolution| announce(&PaperRef::Doi(doi.into()), res);
    // Different hosts with their own pacing: neither waits for the other.
    let ((arxiv_found, arxiv_requests), (doi_found, doi_requests)) = tokio::join!(
        arxiv::resolve(&client, &guard, config, budget, arxiv_ids, &arxiv_verdict),
        crossref::resolve(&lookup, dois, &doi_verdict),
    );
    stats.arxiv_requests = arxiv_requests;
    stats.doi_requests = doi_requests;
    for (id, res) in arxiv_found {
        out.insert(PaperRef::Arxiv(id), res);
    }
    for (doi, res) in doi_found {
        out.insert(PaperRef::Doi(doi), res);
    }
    Ok(())
}

/// A registry's verdicts by id, each passed on to the run's [`Announce`] as it is
/// recorded.
struct Verdicts<'a> {
    by_id: BTreeMap<String, Resolution>,
    announce: &'a (dyn Fn(&str, &Resolution) + Sync),
}

impl<'a> Verdicts<'a> {
    fn new(announce: &'a (dyn Fn(&str, &Resolution) + Sync)) -> Self {
        Verdicts {
            by_id: BTreeMap::new(),
            announce,
        }
    }

    fn insert(&mut self, id: String, resolution: Resolution) {
        (self.announce)(&id, &resolution);
        self.by_id.insert(id, resolution);
    }
}

/// The year in free text such as a `journal_ref` ("Nature 600, 70-74 (2021)").
pub fn year_in(text: &str) -> Option<i32> {
    static RE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?:^|[^0-9])((?:19|20)[0-9]{2})(?:[^0-9]|$)").unwrap());
    RE.captures_iter(text)
        .filter_map(|c| c[1].parse().ok())
        .last()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_cached_answer_keeps_the_date_it_was_asked() {
        let paper = PaperRef::Arxiv("2301.00001".into());
        let asked = cache::now() - 3600;
        let found = Resolution::Found {
            paper: crate::model::Paper {
                titles: vec!["A paper".into()],
                ..Default::default()
            },
        };
        let mut store = Cache::default();
        store.metadata.insert(
            paper.key(),
            cache::MetaEntry {
                checked: asked,
                resolution: found.clone(),
            },
        );
        // Everything from the cache: no registry is asked (nor reachable here).
        let (out, stats) = resolve(
            &BTreeSet::from([paper.clone()]),
            &MetadataConfig::default(),
            "",
            &mut store,
        )
        .await
        .expect("resolved");
        assert_eq!((out[&paper].clone(), stats.cached), (found, 1));
        // Re-dating it would keep a list checked daily from ever asking again.
        assert_eq!(store.metadata[&paper.key()].checked, asked);
    }
}
