//! Papers: which paper a link names ([`PaperRef`], with its one [`PaperRef::key`]),
//! what a registry says about it ([`Paper`], [`Resolution`]) and the counts of a
//! resolution run ([`MetaStats`]).

use serde::{Deserialize, Serialize};

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
    /// The one stable string key of a paper: `arXiv:ID`, `doi:DOI`, or the landing
    /// URL. The cache, JSON output, duplicate detection and `published_as` all use it.
    pub fn key(&self) -> String {
        match self {
            PaperRef::Arxiv(id) => format!("arXiv:{id}"),
            PaperRef::Doi(doi) => format!("doi:{doi}"),
            PaperRef::Landing(url) => url.clone(),
        }
    }
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
    /// Every other year the registry dates the publication by (Crossref's
    /// published-online and published-print, a landing page's other dates): a row may
    /// give any of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub years: Vec<i32>,
    /// arXiv's free-text comments ("Accepted at ICLR 2023"), read for venues.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
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
// Most resolutions are `Found`, one per paper in a map: boxing the paper would add an
// allocation to each to save bytes on the rare other variants.
#[allow(clippy::large_enum_variant)]
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
    /// arXiv papers placed at a venue (Semantic Scholar or DBLP).
    pub published: usize,
    /// Semantic Scholar batch requests made (retries included).
    pub semantic_scholar_requests: usize,
    /// DBLP search requests made (retries included).
    pub dblp_requests: usize,
}
