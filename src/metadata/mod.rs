//! Scholarly metadata: which paper a row points to ([`PaperRef`]), and what the
//! registries say about it ([`Paper`]): arXiv (batched API), Crossref (with the DOI
//! handle API and content negotiation for DOIs registered elsewhere), and landing
//! pages' `citation_*` tags.

pub mod arxiv;
pub mod crossref;
pub mod landing;
pub mod text;

use crate::check::cache::{self, Cache};
use crate::config::MetadataConfig;
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

/// The paper a link points to, as far as the URL tells.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PaperRef {
    /// An arXiv id without version.
    Arxiv(String),
    /// A DOI, lower-cased.
    Doi(String),
    /// A proceedings or anthology page whose `citation_*` tags describe the paper
    /// (ACL Anthology, OpenReview, CVF, NeurIPS, PMLR); the landing page URL.
    Landing(String),
}

impl PaperRef {
    /// A stable string key (for the cache and JSON).
    pub fn key(&self) -> String {
        match self {
            PaperRef::Arxiv(id) => format!("arXiv:{id}"),
            PaperRef::Doi(doi) => format!("doi:{doi}"),
            PaperRef::Landing(url) => url.clone(),
        }
    }
}

/// Identifies the paper behind a URL: arXiv first, then a DOI (doi.org or a publisher
/// URL that contains it), then a known proceedings page.
pub fn identify(url: &str) -> Option<PaperRef> {
    use crate::scholarly::{PaperId, paper_id};
    match paper_id(url) {
        Some(PaperId::Arxiv(id)) => Some(PaperRef::Arxiv(id)),
        Some(PaperId::Doi(doi)) => Some(PaperRef::Doi(doi)),
        None => landing_page(url).map(PaperRef::Landing),
    }
}

/// The landing page (with `citation_*` tags) for a proceedings URL, PDF links mapped
/// to their page.
pub fn landing_page(url: &str) -> Option<String> {
    static ACL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^https?://(?:www\.)?aclanthology\.org/((?:\d{4}\.[a-z0-9-]+\.\d+)|(?:[A-Z]\d{2}-\d{4}))(?:\.pdf|/)?$").unwrap()
    });
    static OPENREVIEW: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^https?://openreview\.net/(?:pdf|forum)\?id=([A-Za-z0-9_-]+)").unwrap()
    });
    static CVF: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(https?://openaccess\.thecvf\.com/.+)/papers/(.+)\.pdf$").unwrap()
    });
    static NEURIPS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(https?://(?:proceedings\.neurips\.cc|papers\.nips\.cc)/paper(?:_files/paper)?/\d{4}/)(?:file|hash)/([0-9a-f]+)-(?:Paper|Abstract)(?:-Conference)?\.(?:pdf|html)$").unwrap()
    });
    static PMLR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(https?://proceedings\.mlr\.press/v\d+/[^/]+?)(?:/[^/]+\.pdf|\.pdf|\.html)$")
            .unwrap()
    });
    if let Some(c) = ACL.captures(url) {
        return Some(format!("https://aclanthology.org/{}/", &c[1]));
    }
    if let Some(c) = OPENREVIEW.captures(url) {
        return Some(format!("https://openreview.net/forum?id={}", &c[1]));
    }
    if let Some(c) = CVF.captures(url) {
        return Some(format!("{}/html/{}.html", &c[1], &c[2]));
    }
    if let Some(c) = NEURIPS.captures(url) {
        return Some(format!("{}hash/{}-Abstract.html", &c[1], &c[2]));
    }
    if let Some(c) = PMLR.captures(url) {
        return Some(format!("{}.html", &c[1]));
    }
    None
}

/// What a registry says about a paper.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paper {
    /// Where this came from: `arXiv`, `Crossref`, `DataCite`, `landing page`.
    pub source: String,
    /// Titles, current first (arXiv may also know the title of a specific version).
    pub titles: Vec<String>,
    /// Authors, in order.
    pub authors: Vec<String>,
    /// Year of the first public version (arXiv v1).
    pub preprint_year: Option<i32>,
    /// Year of publication.
    pub year: Option<i32>,
    /// Venue names (journal, proceedings, series, event), most specific first.
    pub venues: Vec<String>,
    /// For a preprint: where it was published (arXiv `journal_ref`, a related DOI).
    pub published_as: Option<String>,
    /// The DOI, when known.
    pub doi: Option<String>,
    /// The entry type for BibTeX: `article`, `inproceedings`, `misc`.
    pub kind: String,
}

/// The outcome of resolving one reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Resolution {
    /// The registry knows the paper.
    Found {
        /// Its metadata.
        paper: Paper,
    },
    /// The registry says the identifier does not exist.
    Missing {
        /// Which registry said so, and how.
        reason: String,
    },
    /// It could not be told (the registry failed or is unreachable).
    Unknown {
        /// Why.
        reason: String,
    },
}

/// Counts of a resolution run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MetaStats {
    /// References considered.
    pub papers: usize,
    /// Found in a registry.
    pub found: usize,
    /// Reported missing.
    pub missing: usize,
    /// Could not be resolved.
    pub unknown: usize,
    /// Taken from the cache.
    pub cached: usize,
    /// arXiv API requests made.
    pub arxiv_requests: usize,
    /// Crossref and DOI requests made.
    pub doi_requests: usize,
}

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
        if let Some(hit) = cache
            .metadata
            .get(&r.key())
            .filter(|e| cache::now().saturating_sub(e.checked) < config.cache_ttl.as_secs())
            && !matches!(hit.resolution, Resolution::Unknown { .. })
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
    let client = reqwest::Client::builder()
        .user_agent(format!(
            "paperlint/{} (paper list checker{})",
            env!("CARGO_PKG_VERSION"),
            if mailto.is_empty() {
                String::new()
            } else {
                format!("; mailto:{mailto}")
            }
        ))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifies_papers_behind_urls() {
        let cases = [
            ("https://arxiv.org/abs/2309.06419", Some(PaperRef::Arxiv("2309.06419".into()))),
            ("https://export.arxiv.org/abs/hep-th/9901001v2", Some(PaperRef::Arxiv("hep-th/9901001".into()))),
            ("https://arxiv.org/html/2402.00001v1", Some(PaperRef::Arxiv("2402.00001".into()))),
            ("https://doi.org/10.48550/arXiv.2301.00001", Some(PaperRef::Arxiv("2301.00001".into()))),
            ("https://journals.plos.org/plosone/article?id=10.1371/journal.pone.0033693", Some(PaperRef::Doi("10.1371/journal.pone.0033693".into()))),
            ("https://academic.oup.com/bioinformatics/article/36/4/1234/5566506", None),
            ("https://www.science.org/doi/10.1126/science.abj8754", Some(PaperRef::Doi("10.1126/science.abj8754".into()))),
            ("https://aclanthology.org/2022.emnlp-main.256.pdf", Some(PaperRef::Landing("https://aclanthology.org/2022.emnlp-main.256/".into()))),
            ("https://openreview.net/pdf?id=abc_DEF-1", Some(PaperRef::Landing("https://openreview.net/forum?id=abc_DEF-1".into()))),
            (
                "https://openaccess.thecvf.com/content/ICCV2023/papers/Liu_CLIP_ICCV_2023_paper.pdf",
                Some(PaperRef::Landing("https://openaccess.thecvf.com/content/ICCV2023/html/Liu_CLIP_ICCV_2023_paper.html".into())),
            ),
            (
                "https://proceedings.neurips.cc/paper/2020/file/1457c0d6bfcb4967418bfb8ac142f64a-Paper.pdf",
                Some(PaperRef::Landing("https://proceedings.neurips.cc/paper/2020/hash/1457c0d6bfcb4967418bfb8ac142f64a-Abstract.html".into())),
            ),
            ("https://proceedings.mlr.press/v139/radford21a/radford21a.pdf", Some(PaperRef::Landing("https://proceedings.mlr.press/v139/radford21a.html".into()))),
            ("https://dl.acm.org/doi/pdf/10.1145/3458754", Some(PaperRef::Doi("10.1145/3458754".into()))),
            ("https://dl.acm.org/doi/full/10.1145/3458754", Some(PaperRef::Doi("10.1145/3458754".into()))),
            ("https://onlinelibrary.wiley.com/doi/full/10.1002/mp.16000", Some(PaperRef::Doi("10.1002/mp.16000".into()))),
            ("https://www.tandfonline.com/doi/abs/10.1080/01621459.2020.1", Some(PaperRef::Doi("10.1080/01621459.2020.1".into()))),
            ("https://www.pnas.org/doi/10.1073/pnas.2016239118", Some(PaperRef::Doi("10.1073/pnas.2016239118".into()))),
            ("https://academic.oup.com/bib/article/23/6/bbac409/6713511?login=false", None),
            ("https://academic.oup.com/nar/doi/10.1093/nar/gkab1113", Some(PaperRef::Doi("10.1093/nar/gkab1113".into()))),
            ("https://link.springer.com/article/10.1007/s11263-021-01453-z", Some(PaperRef::Doi("10.1007/s11263-021-01453-z".into()))),
            ("https://www.nature.com/articles/s41586-023-06291-2.pdf", Some(PaperRef::Doi("10.1038/s41586-023-06291-2".into()))),
            ("https://scholar.archive.org/?q=arxiv.org/abs/2301.00001", Some(PaperRef::Arxiv("2301.00001".into()))),
            ("https://github.com/a/b", None),
        ];
        for (url, want) in cases {
            assert_eq!(identify(url), want, "{url}");
        }
    }
}
