//! Rule identities: [`RuleId`], one variant per rule, and [`RULES`], the one registry
//! of each rule's string id, default severity and one-line description. Findings,
//! the configuration, `fix` and `paperlint rules` all go through it, so a misspelt id
//! is a compile error in the code and a located error in the config.

use super::Severity;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::Ordering;
use std::fmt;

/// A rule paperlint knows. The string ids ([`RuleId::as_str`]) are part of the
/// interface: never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleId {
    /// `table/cell-count`: a row has more or fewer cells than the table's header; GitHub drops or pads them.
    TableCellCount,
    /// `entry/missing-link`: a row in a table of linked papers has no link to its paper.
    EntryMissingLink,
    /// `entry/empty-link`: a link has an empty target, e.g. `[Coming soon]()`.
    EntryEmptyLink,
    /// `entry/year-invalid`: the year column holds no plausible year.
    EntryYearInvalid,
    /// `entry/order`: a row breaks the year order the rest of its table follows.
    EntryOrder,
    /// `entry/duplicate`: the same paper (URL, arXiv id or DOI) is listed twice.
    EntryDuplicate,
    /// `url/malformed`: a URL does not parse, has whitespace, lacks its scheme or its host has no real top-level domain.
    UrlMalformed,
    /// `venue/spelling`: one venue is spelled several ways in the list.
    VenueSpelling,
    /// `link/broken`: a link is gone: 404, 410, no such host, connection refused, invalid TLS certificate.
    LinkBroken,
    /// `link/redirect`: a link permanently redirects elsewhere (http → https is info); the fix is the new URL.
    LinkRedirect,
    /// `link/unverified`: a link could not be verified: the site blocks bots, rate-limits or timed out.
    LinkUnverified,
    /// `paper/not-found`: the arXiv id or DOI a row links does not exist.
    PaperNotFound,
    /// `paper/title-mismatch`: the row's title is not the paper's title (case, punctuation or a dropped subtitle: info).
    PaperTitleMismatch,
    /// `paper/year-mismatch`: the year agrees with neither the preprint year nor the publication year.
    PaperYearMismatch,
    /// `paper/published`: listed as a preprint, but the paper has been published.
    PaperPublished,
    /// `paper/venue-mismatch`: the venue does not match the registry's venue (aliases and abbreviations allowed).
    PaperVenueMismatch,
}

/// A rule's identity, default severity and description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The rule.
    pub id: RuleId,
    /// Stable string id, e.g. `url/malformed`.
    pub name: &'static str,
    /// Severity unless the config says otherwise.
    pub default: Severity,
    /// What it finds, in one line.
    pub summary: &'static str,
}

/// Every rule paperlint knows, in the order `paperlint rules` lists them (the
/// order of [`RuleId`]'s variants).
pub const RULES: &[Rule] = &[
    Rule {
        id: RuleId::TableCellCount,
        name: "table/cell-count",
        default: Severity::Warning,
        summary: "a row has more or fewer cells than the table's header; GitHub drops or pads them",
    },
    Rule {
        id: RuleId::EntryMissingLink,
        name: "entry/missing-link",
        default: Severity::Warning,
        summary: "a row in a table of linked papers has no link to its paper",
    },
    Rule {
        id: RuleId::EntryEmptyLink,
        name: "entry/empty-link",
        default: Severity::Warning,
        summary: "a link has an empty target, e.g. `[Coming soon]()`",
    },
    Rule {
        id: RuleId::EntryYearInvalid,
        name: "entry/year-invalid",
        default: Severity::Warning,
        summary: "the year column holds no plausible year",
    },
    Rule {
        id: RuleId::EntryOrder,
        name: "entry/order",
        default: Severity::Warning,
        summary: "a row breaks the year order the rest of its table follows",
    },
    Rule {
        id: RuleId::EntryDuplicate,
        name: "entry/duplicate",
        default: Severity::Warning,
        summary: "the same paper (URL, arXiv id or DOI) is listed twice",
    },
    Rule {
        id: RuleId::UrlMalformed,
        name: "url/malformed",
        default: Severity::Error,
        summary: "a URL does not parse, has whitespace, lacks its scheme or its host has no real top-level domain",
    },
    Rule {
        id: RuleId::VenueSpelling,
        name: "venue/spelling",
        default: Severity::Warning,
        summary: "one venue is spelled several ways in the list",
    },
    Rule {
        id: RuleId::LinkBroken,
        name: "link/broken",
        default: Severity::Error,
        summary: "a link is gone: 404, 410, no such host, connection refused, invalid TLS certificate",
    },
    Rule {
        id: RuleId::LinkRedirect,
        name: "link/redirect",
        default: Severity::Warning,
        summary: "a link permanently redirects elsewhere (http → https is info); the fix is the new URL",
    },
    Rule {
        id: RuleId::LinkUnverified,
        name: "link/unverified",
        default: Severity::Info,
        summary: "a link could not be verified: the site blocks bots, rate-limits or timed out",
    },
    Rule {
        id: RuleId::PaperNotFound,
        name: "paper/not-found",
        default: Severity::Error,
        summary: "the arXiv id or DOI a row links does not exist",
    },
    Rule {
        id: RuleId::PaperTitleMismatch,
        name: "paper/title-mismatch",
        default: Severity::Warning,
        summary: "the row's title is not the paper's title (case, punctuation or a dropped subtitle: info)",
    },
    Rule {
        id: RuleId::PaperYearMismatch,
        name: "paper/year-mismatch",
        default: Severity::Warning,
        summary: "the year agrees with neither the preprint year nor the publication year",
    },
    Rule {
        id: RuleId::PaperPublished,
        name: "paper/published",
        default: Severity::Info,
        summary: "listed as a preprint, but the paper has been published",
    },
    Rule {
        id: RuleId::PaperVenueMismatch,
        name: "paper/venue-mismatch",
        default: Severity::Warning,
        summary: "the venue does not match the registry's venue (aliases and abbreviations allowed)",
    },
];

impl RuleId {
    /// Every rule, in registry order.
    pub fn all() -> impl Iterator<Item = RuleId> {
        RULES.iter().map(|r| r.id)
    }

    /// The rule's registry entry.
    pub fn rule(self) -> &'static Rule {
        // The registry lists the variants in declaration order (tested below).
        &RULES[self as usize]
    }

    /// The stable string id, e.g. `entry/order`.
    pub fn as_str(self) -> &'static str {
        self.rule().name
    }

    /// The severity unless the config says otherwise.
    pub fn default_severity(self) -> Severity {
        self.rule().default
    }

    /// What the rule finds, in one line.
    pub fn summary(self) -> &'static str {
        self.rule().summary
    }

    /// The rule with this string id.
    pub fn from_name(name: &str) -> Option<RuleId> {
        RULES.iter().find(|r| r.name == name).map(|r| r.id)
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl Serialize for RuleId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Read from its string id; an unknown id is an error that lists the known ones.
impl<'de> Deserialize<'de> for RuleId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        RuleId::from_name(&name).ok_or_else(|| {
            let known: Vec<String> = RULES.iter().map(|r| format!("`{}`", r.name)).collect();
            serde::de::Error::custom(format!(
                "unknown rule `{name}`, expected one of {}",
                known.join(", ")
            ))
        })
    }
}

/// Ordered by string id, so that findings at one offset keep the order they had when
/// ids were strings.
impl Ord for RuleId {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for RuleId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq<str> for RuleId {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for RuleId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_follows_the_variants_and_ids_are_unique() {
        for (i, r) in RULES.iter().enumerate() {
            assert_eq!(r.id as usize, i, "{} is out of place in RULES", r.name);
            assert_eq!(RuleId::from_name(r.name), Some(r.id));
        }
        assert_eq!(RuleId::from_name("entry/ordre"), None);
    }
}
