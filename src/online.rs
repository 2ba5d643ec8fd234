//! The network stages together: resolve papers through their registries, verify the
//! links those registries vouch for without crawling them, check every other link
//! (landing pages fetched once, bodies kept for their `citation_*` tags), and keep
//! everything in one cache file.

use crate::cache::Cache;
use crate::check::{self, LinkCheck, LinkRun};
use crate::config::Config;
use crate::metadata;
use crate::model::{
    Entry, Finding, LinkStatus, MetaStats, PaperRef, Resolution, UrlId, VenueTruth,
};
use crate::net::host::Budget;
use crate::source::Source;
use std::collections::{BTreeMap, BTreeSet, HashMap};

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
    /// What the network rules read of these results.
    fn verdicts(&self) -> crate::rules::Verdicts<'_> {
        crate::rules::Verdicts {
            links: &self.links.results,
            papers: &self.papers,
            venues: &self.venues,
        }
    }

    /// The findings these results make on one file's entries (`link/*`, `paper/*`),
    /// in no particular order.
    pub fn findings(&self, source: &Source, entries: &[Entry], config: &Config) -> Vec<Finding> {
        let mut linter = crate::rules::NetworkLinter::new(source, config, self.verdicts());
        linter.entries(entries);
        linter.finish()
    }

    /// [`Online::findings`] from a second read of the file, batch by batch
    /// (`extract::for_each_batch`), for a run that did not keep the entries: the same
    /// findings, in the same order.
    pub fn findings_as_read(&self, source: &Source, config: &Config) -> Vec<Finding> {
        let mut linter = crate::rules::NetworkLinter::new(source, config, self.verdicts());
        crate::extract::for_each_batch(&source.text, &config.columns, |batch| {
            linter.entries(&batch);
        });
        linter.finish()
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

/// One link of a list as the network stages need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedLink {
    /// The URL as written in the list.
    pub url: String,
    /// Whether it points at the paper itself (its registry may vouch for it; a
    /// landing page is read for its title).
    pub paper: bool,
}

/// The receiving end of a [`Feed`]: the links of each batch of entries, in the order
/// they were extracted, until every feed is dropped.
pub type Intake = tokio::sync::mpsc::UnboundedReceiver<Vec<ListedLink>>;

/// Hands each file's links to the network stages the moment the file is extracted,
/// so the first requests leave while larger files are still being parsed. Cheap to
/// share between extraction threads; the stages learn that the list is complete when
/// the last feed is dropped.
#[derive(Debug, Clone)]
pub struct Feed(tokio::sync::mpsc::UnboundedSender<Vec<ListedLink>>);

/// A feed and its intake, for [`bring_up`] or [`run`].
pub fn feed() -> (Feed, Intake) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    (Feed(tx), rx)
}

impl Feed {
    /// Sends the links of entries (a file's, or a batch of them as the file is read;
    /// nothing if the network stages are not running).
    pub fn send(&self, entries: &[Entry]) {
        let links: Vec<ListedLink> = entries
            .iter()
            .flat_map(|e| e.links.iter())
            .map(|l| ListedLink {
                url: l.url.to_string(),
                paper: l.kind == crate::model::LinkKind::Paper,
            })
            .collect();
        if !links.is_empty() {
            // A closed intake means the stages are not running (offline, or stopped
            // by an error they report themselves).
            let _ = self.0.send(links);
        }
    }
}

/// Brings the network stages up for a command: a runtime, the persistent cache
/// (loaded, then saved), [`run`] over the links `intake` delivers (every file's), and
/// with `interactive` a progress bar and the summary lines on stderr.
pub fn bring_up(
    intake: Intake,
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
    let online = runtime.block_on(run(intake, config, &mut cache, progress, check_links));
    // Nothing is left to wait for: DNS lookups still pending in blocking threads, and
    // the closing of every pooled connection, must not hold up the report.
    runtime.shutdown_background();
    let online = online?;
    // Handshakes failed for want of root certificates: the run's https answers are
    // not verdicts (as when the client could not be built at all).
    if let Some(reason) = crate::net::tls::unreadable_roots() {
        anyhow::bail!("{reason}");
    }
    if let Some(path) = &cache_path
        && let Err(e) = cache.save(path)
    {
        crate::output::say(format_args!(
            "warning: cannot write cache {}: {e}",
            path.display()
        ));
    }
    // A cache of one entry per URL takes a while to free, entry by entry: the
    // report need not wait for it. An empty one (no cache file) frees nothing, and
    // starting a thread would itself hold up the report (0.1-0.2 ms).
    if !cache.is_empty() {
        std::thread::spawn(move || drop(cache));
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

/// What the run knows of one distinct URL of the list.
#[derive(Debug, Clone, Copy, Default)]
struct Known {
    /// An http(s) URL the link check can request ([`check::checkable`]).
    checkable: bool,
    /// It was seen as a paper link (and identified, once).
    paper: bool,
    /// Handed to the link check.
    submitted: bool,
    /// A paper link on a registry's host: its paper's verdict comes first.
    deferred: bool,
}

impl Known {
    /// What [`Dispatch::known`] keeps of it: one byte (a long list keeps one per URL),
    /// whose lowest bit says that the URL was seen.
    fn pack(self) -> u8 {
        crate::memory::pack_flags([
            true,
            self.checkable,
            self.paper,
            self.submitted,
            self.deferred,
        ])
    }

    /// What [`Known::pack`] kept; `None` for a URL not seen.
    fn unpack(bits: u8) -> Option<Known> {
        let [seen, checkable, paper, submitted, deferred] = crate::memory::unpack_flags(bits);
        seen.then_some(Known {
            checkable,
            paper,
            submitted,
            deferred,
        })
    }
}

/// The metadata stage's result: resolutions, counts, venue truth, and its part of
/// the cache to put back.
type Resolved = (
    BTreeMap<PaperRef, Resolution>,
    MetaStats,
    Option<BTreeMap<String, VenueTruth>>,
    Cache,
);

/// Routes each URL of the list, once: to the link check at once; to the registries
/// (a paper link), whose verdict settles the links on their own hosts; or nowhere.
struct Dispatch<'c> {
    links: LinkCheck<'c>,
    check_links: bool,
    metadata: bool,
    /// By the link check's id of the URL ([`LinkCheck::intern`]), [`Known::pack`]ed;
    /// 0 for a URL not (yet) seen in the list.
    known: Vec<u8>,
    /// Paper links and the paper each names.
    refs: BTreeMap<String, PaperRef>,
    /// Registry-host links waiting for their paper's verdict.
    waiting: HashMap<PaperRef, Vec<UrlId>>,
    /// Landing pages fetched for their title tags.
    landing: BTreeSet<String>,
}

impl Dispatch<'_> {
    /// Takes one file's links. Every link that waits for nothing is handed to the link
    /// check first, so its requests leave before any paper is identified; then the
    /// paper links are identified (once per URL) for the registries.
    fn take_file(&mut self, links: Vec<ListedLink>) -> anyhow::Result<()> {
        // Paper links first: a badge to the same arXiv page later in the file then
        // waits for the verdict instead of being requested.
        let (papers, others): (Vec<_>, Vec<_>) = links.into_iter().partition(|l| l.paper);
        let mut to_identify = Vec::new();
        for link in papers.into_iter().chain(others) {
            let id = self.links.intern(&link.url);
            let at = id as usize;
            if self.known.len() <= at {
                // Ids are given in order, but not only here (a landing page's).
                self.known.resize(at + 1, 0);
            }
            let mut known = Known::unpack(self.known[at]).unwrap_or_else(|| Known {
                checkable: check::checkable(&link.url),
                ..Known::default()
            });
            if !known.checkable {
                self.known[at] = known.pack();
                continue;
            }
            let first_as_paper = link.paper && !known.paper;
            if first_as_paper {
                known.paper = true;
                // On a registry's host: its paper's verdict may settle it (if the URL
                // names one, which identifying it below tells).
                known.deferred |= self.metadata && self.check_links && registry_host(&link.url);
            }
            let submit = self.check_links && !known.submitted && !known.deferred;
            known.submitted |= submit;
            self.known[at] = known.pack();
            if submit {
                self.links.submit(id, false)?;
            }
            if first_as_paper {
                to_identify.push((id, link.url));
            }
        }
        for (id, url) in to_identify {
            let paper = crate::scholarly::identify(&url);
            let mut known = Known::unpack(self.known[id as usize]).expect("every link is known");
            match &paper {
                Some(r @ (PaperRef::Arxiv(_) | PaperRef::Doi(_))) if known.deferred => {
                    // Handed to the link check already (as a badge elsewhere) or not,
                    // the registry's word will be its status if it has one.
                    self.waiting.entry(r.clone()).or_default().push(id);
                }
                _ if known.deferred => {
                    // A registry page that names no paper is a link like any other.
                    known.deferred = false;
                    let submit = !known.submitted;
                    known.submitted = true;
                    self.known[id as usize] = known.pack();
                    if submit {
                        self.links.submit(id, false)?;
                    }
                }
                _ => {}
            }
            if let Some(PaperRef::Landing(page)) = &paper
                && self.metadata
                && self.landing.insert(page.clone())
                && check::checkable(page)
            {
                let page = self.links.intern(page);
                self.links.submit(page, true)?;
            }
            if let Some(r) = paper {
                self.refs.insert(url, r);
            }
        }
        Ok(())
    }

    /// A paper's verdict: its registry-host links are alive if the registry found it,
    /// else checked like any other.
    fn settle(&mut self, paper: &PaperRef, found: bool) -> anyhow::Result<()> {
        for id in self.waiting.remove(paper).unwrap_or_default() {
            if found {
                self.links.vouched(id);
            } else {
                self.links.submit(id, false)?;
            }
        }
        Ok(())
    }

    /// What the registries are asked: every paper named, and a linked arXiv version's
    /// own id too (that version's title counts).
    fn wanted(&self) -> BTreeSet<PaperRef> {
        let mut wanted: BTreeSet<PaperRef> = self.refs.values().cloned().collect();
        for url in self.refs.keys() {
            if let Some(v) = crate::scholarly::arxiv_explicit_version(url) {
                wanted.insert(PaperRef::Arxiv(v));
            }
        }
        wanted
    }
}

/// Starts the metadata stage on its own task over `wanted`, with its own part of the
/// cache; each verdict is sent on `verdicts` as soon as it is known.
fn spawn_metadata(
    wanted: BTreeSet<PaperRef>,
    config: &Config,
    budget: Budget,
    mut cache: Cache,
    verdicts: tokio::sync::mpsc::UnboundedSender<(PaperRef, bool)>,
) -> tokio::task::JoinHandle<anyhow::Result<Resolved>> {
    let metadata = config.metadata.clone();
    let network = config.network.clone();
    let mailto = if metadata.mailto.is_empty() {
        network.mailto.clone()
    } else {
        metadata.mailto.clone()
    };
    tokio::spawn(async move {
        let announce = move |r: &PaperRef, res: &Resolution| {
            let _ = verdicts.send((r.clone(), matches!(res, Resolution::Found { .. })));
        };
        let (mut papers, mut stats) = metadata::resolve_announcing(
            &wanted, &metadata, &network, budget, &mailto, &mut cache, &announce,
        )
        .await?;
        let mut venues = None;
        if metadata.venues {
            let agent = crate::net::user_agent("", &mailto);
            let (truths, run) = metadata::venue_truth::resolve(
                &mut papers,
                &metadata,
                &network,
                &agent,
                &mut cache,
            )
            .await?;
            stats.semantic_scholar_requests = run.s2_requests;
            stats.dblp_requests = run.dblp_requests;
            stats.published = truths
                .values()
                .filter(|t| matches!(t, VenueTruth::Published { .. }))
                .count();
            venues = Some(truths);
        }
        Ok((papers, stats, venues, cache))
    })
}

/// Runs the network stages over the links `intake` delivers, as they arrive: a link
/// goes to the link check at once, unless it is on a registry's host (arXiv, doi.org)
/// and names a paper, in which case it waits for that paper's verdict (alive if the
/// registry found it, checked otherwise). The registries start when the list is
/// complete and run beside the link check; one budget covers both. What they found
/// goes into `cache` when `network.cache` names a file to keep it in.
pub async fn run(
    mut intake: Intake,
    config: &Config,
    cache: &mut Cache,
    progress: bool,
    check_links: bool,
) -> anyhow::Result<Online> {
    let n = &config.network;
    let budget = Budget::new(n.run_budget, n.host_budget, n.retry_after_cap);
    // Each stage its own part of the cache: the registries' task owns theirs.
    let meta_cache = Cache {
        metadata: std::mem::take(&mut cache.metadata),
        venues: std::mem::take(&mut cache.venues),
        ..Cache::default()
    };
    let mut meta_cache = Some(meta_cache);
    let mut dispatch = Dispatch {
        links: LinkCheck::new(n, budget, cache, progress)?,
        check_links,
        metadata: config.metadata.enabled,
        known: Vec::new(),
        refs: BTreeMap::new(),
        waiting: HashMap::new(),
        landing: BTreeSet::new(),
    };
    if check_links {
        dispatch.links.prepare()?;
    }
    // Once the link check finds no network, the registries' lookups would only wait
    // out their timeouts (a name that resolves nowhere can take 10 s to say so).
    let network_down = dispatch.links.network_down();
    tokio::pin!(network_down);
    let (verdict_tx, mut verdicts) = tokio::sync::mpsc::unbounded_channel();
    let mut verdict_tx = Some(verdict_tx);
    let mut resolving: Option<tokio::task::JoinHandle<anyhow::Result<Resolved>>> = None;
    let mut reading = true;
    let mut resolved = None;
    while reading || resolving.is_some() {
        tokio::select! {
            file = intake.recv(), if reading => match file {
                Some(links) => dispatch.take_file(links)?,
                None => {
                    reading = false;
                    let tx = verdict_tx.take().expect("the list completes once");
                    if dispatch.metadata {
                        let cache = meta_cache.take().expect("taken once");
                        resolving = Some(spawn_metadata(dispatch.wanted(), config, budget, cache, tx));
                    }
                }
            },
            Some((paper, found)) = verdicts.recv(), if resolving.is_some() => {
                dispatch.settle(&paper, found)?;
            }
            done = async { resolving.as_mut().expect("guarded").await }, if resolving.is_some() => {
                resolving = None;
                let (papers, stats, venues, cache) = match done {
                    Ok(r) => r?,
                    Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                    Err(e) => return Err(e.into()),
                };
                // Verdicts still in the channel agree with the final resolutions.
                let waiting: Vec<PaperRef> = dispatch.waiting.keys().cloned().collect();
                for paper in waiting {
                    let found = matches!(papers.get(&paper), Some(Resolution::Found { .. }));
                    dispatch.settle(&paper, found)?;
                }
                meta_cache = Some(cache);
                resolved = Some((papers, stats, venues));
            }
            more = dispatch.links.next(), if dispatch.links.pending() => {
                more?;
            }
            () = &mut network_down, if resolving.is_some() => {
                // The run ends as "no network" (`finish` says so): nothing the
                // registries could still say would be reported.
                if let Some(task) = resolving.take() {
                    task.abort();
                }
            }
        }
    }
    let Dispatch { links, landing, .. } = dispatch;
    let mut online = Online {
        links: links.finish().await?,
        ..Online::default()
    };
    // Only a cache that will be saved needs a copy of every status.
    if !n.cache.is_empty() {
        online.links.remember(cache);
    }
    if let Some(part) = meta_cache {
        cache.metadata = part.metadata;
        cache.venues = part.venues;
    }
    if let Some((papers, stats, venues)) = resolved {
        online.papers = papers;
        online.meta = Some(stats);
        online.venues = venues.unwrap_or_default();
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

#[cfg(test)]
mod tests {
    use super::{Known, Online};
    use crate::config::Config;
    use crate::model::{Hop, LinkStatus, Paper, PaperRef, Placement, Resolution, VenueTruth};
    use crate::source::Source;

    #[test]
    fn what_is_known_of_a_url_survives_its_byte() {
        assert!(Known::unpack(0).is_none());
        for bits in (0..32u8).filter(|b| b & 1 != 0) {
            assert_eq!(Known::unpack(bits).expect("seen").pack(), bits);
        }
        assert!(Known::unpack(17).is_some_and(|k| k.deferred && !k.paper));
    }

    /// Results for every link of a file: each kind of link status in turn, for every
    /// paper named a resolution (found under another title and year, found, or
    /// missing), and for every arXiv paper a placement at ICLR 2022.
    fn results_for(source: &Source, config: &Config) -> Online {
        let mut online = Online::default();
        let entries = crate::pipeline::entries(source, config);
        for (i, link) in entries.iter().flat_map(|e| &e.links).enumerate() {
            let url = link.url.to_string();
            let status = match i % 4 {
                0 => LinkStatus::Broken {
                    reason: "404 Not Found".into(),
                },
                1 => LinkStatus::Ok {
                    code: 200,
                    hops: vec![Hop {
                        code: 301,
                        to: format!("{url}/moved"),
                    }],
                },
                2 => LinkStatus::Unverified {
                    reason: "timed out".into(),
                },
                _ => LinkStatus::Ok {
                    code: 200,
                    hops: Vec::new(),
                },
            };
            online.links.results.insert(&url, status);
            let Some(paper) = crate::scholarly::identify(&url) else {
                continue;
            };
            let resolution = match i % 3 {
                0 => Resolution::Found {
                    paper: Paper {
                        source: "arXiv".into(),
                        titles: vec!["A Title Nobody Gave This Paper In The List".into()],
                        preprint_year: Some(2015),
                        ..Paper::default()
                    },
                },
                1 => Resolution::Found {
                    paper: Paper {
                        source: "arXiv".into(),
                        titles: link.text.split('\n').map(String::from).collect(),
                        ..Paper::default()
                    },
                },
                _ => Resolution::Missing {
                    reason: "arXiv has no such id".into(),
                },
            };
            if let PaperRef::Arxiv(id) = &paper {
                let placement = Placement {
                    source: "DBLP".into(),
                    venue: "ICLR".into(),
                    names: Vec::new(),
                    year: Some(2022),
                    dblp_key: None,
                    journal: false,
                    workshop: false,
                };
                let truth = VenueTruth::Published {
                    placements: vec![placement],
                };
                online.venues.insert(id.clone(), truth);
            }
            online.papers.insert(paper, resolution);
        }
        online
    }

    /// Preprints listed first, and the venue style most rows use (`NeurIPS'22`) only
    /// in later batches: a preprint's fix must still take that style.
    fn styled_list() -> String {
        let mut md = String::from("# Papers\n\n| Year | Paper | Venue |\n|-|-|-|\n");
        for i in 0..900 {
            let venue = if i < 300 { "arXiv" } else { "NeurIPS'22" };
            md.push_str(&format!(
                "| 2022 | [Paper number {i} of the list](https://arxiv.org/abs/2201.{i:05}) | {venue} |\n"
            ));
        }
        md
    }

    #[test]
    fn network_findings_from_a_second_read_are_those_from_the_kept_entries() {
        let config = Config::default();
        let mut lists = vec![styled_list()];
        // Each corpus list's first 64 KB (a few batches, its shapes: bullets, nested
        // items, several tables), so that the test stays quick.
        lists.extend(
            crate::source::corpus_texts()
                .into_iter()
                .map(|(_, mut md)| {
                    let mut cut = md.len().min(64 * 1024);
                    while !md.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    let cut = md[..cut].rfind('\n').map_or(cut, |at| at + 1);
                    md.truncate(cut);
                    md
                }),
        );
        for (n, md) in lists.into_iter().enumerate() {
            let source = Source::new("t.md", md);
            let online = results_for(&source, &config);
            let entries = crate::pipeline::entries(&source, &config);
            let kept = online.findings(&source, &entries, &config);
            let read_again = online.findings_as_read(&source, &config);
            assert_eq!(kept, read_again, "list {n}");
            if n == 0 {
                let rules: std::collections::BTreeSet<&str> =
                    kept.iter().map(|f| f.rule.as_str()).collect();
                for rule in [
                    "link/broken",
                    "link/redirect",
                    "link/unverified",
                    "paper/not-found",
                    "paper/title-mismatch",
                    "paper/published",
                    "paper/year-mismatch",
                ] {
                    assert!(rules.contains(rule), "{rule} in {rules:?}");
                }
                let fixes: std::collections::BTreeSet<&str> = kept
                    .iter()
                    .filter(|f| f.rule == "paper/published")
                    .filter_map(|f| f.fix.as_ref().map(|x| x.replacement.as_str()))
                    .collect();
                assert_eq!(fixes, ["ICLR'22"].into(), "the list's own style");
            }
        }
    }
}
