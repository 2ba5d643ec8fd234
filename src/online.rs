//! The network stages together: resolve papers through their registries, verify the
//! links those registries vouch for without crawling them, check every other link
//! (landing pages fetched once, bodies kept for their `citation_*` tags), and keep
//! everything in one cache file.

use crate::cache::Cache;
use crate::check::{self, LinkRun};
use crate::config::Config;
use crate::metadata;
use crate::model::{Entry, Finding, LinkStatus, MetaStats, PaperRef, Resolution, VenueTruth};
use crate::net::host::Budget;
use crate::source::Source;
use std::collections::{BTreeMap, BTreeSet};

/// What the network stages found.
#[derive(Debug, Clone, Default)]
pub struct Online {
    /// Link statuses (registry-verified links included, as alive).
    pub links: LinkRun,
    /// Resolutions by paper reference.
    pub papers: BTreeMap<PaperRef, Resolution>,
    /// Resolution counts, when metadata was resolved.
    pub meta: Option<MetaStats>,
    /// Where arXiv papers were published, by arXiv id (Semantic Scholar, DBLP).
    pub venues: BTreeMap<String, VenueTruth>,
}

impl Online {
    /// The findings these results make on one file's entries (`link/*`, `paper/*`),
    /// in no particular order.
    pub fn findings(&self, source: &Source, entries: &[Entry], config: &Config) -> Vec<Finding> {
        let mut out = crate::rules::link_findings(source, entries, &self.links.results, config);
        out.extend(crate::rules::paper_findings(
            source,
            entries,
            &self.papers,
            &self.venues,
            config,
        ));
        out.extend(crate::rules::venue_truth_findings(
            source,
            entries,
            &self.papers,
            &self.venues,
            config,
        ));
        out
    }
}

/// Hosts whose links are verified through the registry, not by crawling (arXiv and
/// doi.org answer CI runners with 403/429).
fn registry_host(url: &str) -> bool {
    let host = crate::scholarly::host(url).unwrap_or_default();
    matches!(
        host.as_str(),
        "arxiv.org" | "export.arxiv.org" | "doi.org" | "dx.doi.org"
    )
}

/// Brings the network stages up for a command: a runtime, the persistent cache
/// (loaded, then saved), [`run`] over `entries` (every entry of every file), and with
/// `interactive` a progress bar and the summary lines on stderr.
pub fn bring_up(
    entries: &[&Entry],
    config: &Config,
    interactive: bool,
    check_links: bool,
) -> anyhow::Result<Online> {
    use std::io::IsTerminal;
    let cache_path =
        (!config.network.cache.is_empty()).then(|| std::path::PathBuf::from(&config.network.cache));
    let mut cache = cache_path.as_deref().map(Cache::load).unwrap_or_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let progress = interactive && std::io::stderr().is_terminal();
    let online = runtime.block_on(run(entries, config, &mut cache, progress, check_links));
    // DNS lookups still pending in blocking threads must not hold up the exit.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    let online = online?;
    if let Some(path) = &cache_path
        && let Err(e) = cache.save(path)
    {
        crate::output::say(format_args!(
            "warning: cannot write cache {}: {e}",
            path.display()
        ));
    }
    if interactive {
        if check_links {
            crate::output::say(crate::report::network_line(&online.links.stats));
        }
        if let Some(m) = &online.meta {
            crate::output::say(crate::report::metadata_line(m));
        }
    }
    Ok(online)
}

/// Runs the network stages over the entries of every file.
pub async fn run(
    entries: &[&Entry],
    config: &Config,
    cache: &mut Cache,
    progress: bool,
    check_links: bool,
) -> anyhow::Result<Online> {
    let links: Vec<&crate::model::Link> = entries.iter().flat_map(|e| e.links.iter()).collect();
    let mut refs: BTreeMap<String, PaperRef> = BTreeMap::new();
    for l in entries.iter().flat_map(|e| e.paper_links()) {
        if check::checkable(&l.url)
            && let Some(r) = crate::scholarly::identify(&l.url)
        {
            refs.insert(l.url.clone(), r);
        }
    }
    let mut online = Online::default();
    // One budget for the whole run: registries first, then links, never longer.
    let n = &config.network;
    let budget = Budget::new(n.run_budget, n.host_budget, n.retry_after_cap);
    if config.metadata.enabled {
        let mut wanted: BTreeSet<PaperRef> = refs.values().cloned().collect();
        // Links to a given arXiv version: that version's title counts too.
        for url in refs.keys() {
            if let Some(v) = crate::scholarly::arxiv_explicit_version(url) {
                wanted.insert(PaperRef::Arxiv(v));
            }
        }
        let mailto = if config.metadata.mailto.is_empty() {
            &config.network.mailto
        } else {
            &config.metadata.mailto
        };
        let (mut papers, mut stats) = metadata::resolve_within(
            &wanted,
            &config.metadata,
            &config.network,
            budget,
            mailto,
            cache,
        )
        .await?;
        if config.metadata.venues {
            let agent = crate::net::user_agent("", mailto);
            let (venues, run) = metadata::venue_truth::resolve(
                &mut papers,
                &config.metadata,
                &config.network,
                &agent,
                cache,
            )
            .await?;
            stats.semantic_scholar_requests = run.s2_requests;
            stats.dblp_requests = run.dblp_requests;
            stats.published = venues
                .values()
                .filter(|t| matches!(t, VenueTruth::Published { .. }))
                .count();
            online.venues = venues;
        }
        online.papers = papers;
        online.meta = Some(stats);
    }
    // Links the registry vouches for are alive; no need to ask the site.
    let verified: BTreeSet<String> = refs
        .iter()
        .filter(|(url, r)| {
            registry_host(url) && matches!(online.papers.get(*r), Some(Resolution::Found { .. }))
        })
        .map(|(url, _)| url.clone())
        .collect();
    let landing: BTreeSet<String> = refs
        .values()
        .filter_map(|r| match r {
            PaperRef::Landing(u) if config.metadata.enabled => Some(u.clone()),
            _ => None,
        })
        .collect();
    if check_links || !landing.is_empty() {
        let urls: Vec<String> = if check_links {
            links
                .iter()
                .map(|l| l.url.clone())
                .filter(|u| !verified.contains(u))
                .chain(landing.iter().cloned())
                .collect()
        } else {
            landing.iter().cloned().collect()
        };
        online.links =
            check::run_within(urls, &landing, &config.network, budget, cache, progress).await?;
    }
    for url in &verified {
        online.links.results.insert(
            url.clone(),
            LinkStatus::Ok {
                code: 200,
                hops: Vec::new(),
            },
        );
        online.links.stats.ok += 1;
        online.links.stats.checked += 1;
    }
    for page in &landing {
        let resolution = match (
            online.links.bodies.get(page),
            online.links.results.get(page),
        ) {
            (Some(body), _) => match metadata::landing::parse(&String::from_utf8_lossy(body)) {
                Some(paper) => Resolution::Found { paper },
                None => Resolution::Unknown {
                    reason: "the landing page has no title tags".into(),
                },
            },
            (None, Some(LinkStatus::Broken { reason })) => Resolution::Unknown {
                reason: format!("landing page broken: {reason}"),
            },
            _ => Resolution::Unknown {
                reason: "landing page not fetched".into(),
            },
        };
        online
            .papers
            .insert(PaperRef::Landing(page.clone()), resolution);
    }
    Ok(online)
}
