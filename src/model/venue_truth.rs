//! Where an arXiv paper was really published, as Semantic Scholar and DBLP tell it:
//! the verdict the `paper/published`, `paper/venue-mismatch` and edition rules read,
//! and the persistent cache keeps.

use serde::{Deserialize, Serialize};

/// One venue a paper appeared at, as a source names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    /// Which source said so: `Semantic Scholar` or `DBLP`.
    pub source: String,
    /// The venue as the source names it, shortest form first (`ICLR`, `EMNLP (Findings)`).
    pub venue: String,
    /// Every other name the source gives for the venue (long names, acronyms).
    pub names: Vec<String>,
    /// The year of the venue's edition, when known for certain.
    pub year: Option<i32>,
    /// The DBLP record key (`conf/iclr/HuSWALWWC22`), when known.
    pub dblp_key: Option<String>,
    /// A journal rather than a conference or workshop.
    pub journal: bool,
    /// A workshop (a publication track of its own, not the main conference).
    pub workshop: bool,
}

/// What the sources tell about where an arXiv paper was published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum VenueTruth {
    /// Published, for certain: main venues first, workshops last.
    Published {
        /// The venues (a conference paper and its journal extension may share a title).
        placements: Vec<Placement>,
    },
    /// The sources know the paper, but only as a preprint.
    PreprintOnly,
    /// No confident answer (no matching record, or a source failed). Never a verdict.
    Unplaced {
        /// Why.
        reason: String,
        /// The sources answered and nothing matched (worth caching for a while); not
        /// set when a source failed (asked again next run).
        #[serde(default)]
        settled: bool,
    },
}

impl VenueTruth {
    /// The placement a message should name: the first main-track one, else the first.
    pub fn main_placement(&self) -> Option<&Placement> {
        match self {
            VenueTruth::Published { placements } => placements
                .iter()
                .find(|p| !p.workshop)
                .or(placements.first()),
            _ => None,
        }
    }
}
