//! The venue model: which venue, year and track a venue string names, whether it
//! comes from a list's venue cell (`EMNLP 2023 Findings`, `ICLR'24`, `CVPR 2024
//! (Highlight)`) or from a registry ("Proceedings of the 61st Annual Meeting of the
//! Association for Computational Linguistics (Volume 1: Long Papers)", DBLP's
//! `EMNLP/IJCNLP (1)`), and whether two of them name the same venue.
//!
//! The knowledge is data: `data/venues.toml` (venues with acronyms, long names,
//! aliases and DBLP keys; tracks; noise) is embedded, and the config adds venues and
//! aliases to it. The module is pure: strings in, values out.
//!
//! Reading a string: status words ("Submitted to") are noted, then tracks are taken
//! out ("Findings of", "Workshop", "(Highlight)"), then the year (`2023`, `'24`,
//! `CVPR22`; never an acronym), then noise (editions, "Proceedings of the", volume
//! notes); what is left is looked up: a whole alias, else the longest long name found
//! in it, else acronym-like words (`ECCV` in "Computer Vision – ECCV 2022").

use regex::{Regex, RegexBuilder};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::LazyLock;

/// The built-in venue table.
const BUILTIN: &str = include_str!("../data/venues.toml");

/// What kind of venue a [`Venue`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VenueKind {
    /// A conference (its workshops are its Workshop track).
    #[default]
    Conference,
    /// A journal.
    Journal,
    /// A workshop of its own (BioNLP): the Workshop track is implied.
    Workshop,
    /// A preprint server (arXiv): where a paper was posted, not published.
    Preprint,
    /// A proceedings series (PMLR) that names many conferences.
    Series,
}

/// Whether a track makes a different publication or is how a paper was presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrackKind {
    /// Findings, Workshop, Demo, Datasets and Benchmarks: compared.
    Publication,
    /// Oral, Spotlight, Highlight, Poster, awards, article types: never a mismatch.
    Presentation,
}

/// A track of a venue.
#[derive(Debug, Clone)]
pub struct Track {
    /// Its name ("Findings").
    pub name: String,
    /// Publication or presentation.
    pub kind: TrackKind,
    /// Registries write this track whenever it applies, so a registry string without
    /// it is evidence the paper is not in it.
    pub named_by_registries: bool,
    /// A venue of its own in the community's eyes (Findings, workshops): a paper in it
    /// listed under the main conference is listed wrong.
    pub separate_venue: bool,
    patterns: Vec<Regex>,
}

/// Tracks are told apart by name.
impl PartialEq for Track {
    fn eq(&self, other: &Track) -> bool {
        self.name == other.name
    }
}

impl Eq for Track {}

/// One venue of the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Venue {
    /// The short name lists use and the preferred spelling (`EMNLP`, `Nature Medicine`).
    pub acronym: String,
    /// Conference, journal, workshop, preprint server or series.
    pub kind: VenueKind,
    /// Long names, found anywhere in a string as consecutive words.
    pub names: Vec<String>,
    /// Other spellings, matched as a whole string (or as one acronym-like word).
    pub aliases: Vec<String>,
    /// DBLP stream keys (`conf/acl`).
    pub dblp: Vec<String>,
}

/// A venue as the config (`[venues.known.<ACRONYM>]`) or the data file writes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VenueSpec {
    /// The short name (in the data file; the config's table key otherwise).
    #[serde(default)]
    pub acronym: String,
    /// Conference (default), journal, workshop, preprint or series.
    #[serde(default)]
    pub kind: VenueKind,
    /// Long names.
    #[serde(default)]
    pub names: Vec<String>,
    /// Other spellings.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// DBLP stream keys.
    #[serde(default)]
    pub dblp: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TrackSpec {
    name: String,
    kind: TrackKind,
    #[serde(default)]
    named_by_registries: bool,
    #[serde(default)]
    separate_venue: bool,
    patterns: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Patterns {
    patterns: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DataFile {
    track: Vec<TrackSpec>,
    noise: Patterns,
    status: Patterns,
    venue: Vec<VenueSpec>,
}

/// What a venue string says: the venues it names (most specific first), its year,
/// its tracks, and whether it names a venue the paper was only sent to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenueCell<'m> {
    /// Known venues named, the one the string is about first; empty when unknown.
    pub venues: Vec<&'m Venue>,
    /// The year (`2023`, `'23`, `CVPR23`).
    pub year: Option<i32>,
    /// Tracks named (Findings, Oral, …).
    pub tracks: Vec<&'m Track>,
    /// The words left once tracks, year and noise are out, lower-cased; for
    /// comparing venues the model does not know.
    pub rest: String,
    /// "Submitted to", "Withdrawn", "Under review": not where it was published.
    pub unpublished: bool,
}

impl<'m> VenueCell<'m> {
    /// The venue the string is about, when known.
    pub fn venue(&self) -> Option<&'m Venue> {
        self.venues.first().copied()
    }

    /// Whether it names a preprint server (and nothing it was published in).
    pub fn is_preprint(&self) -> bool {
        self.venue().is_some_and(|v| v.kind == VenueKind::Preprint)
    }

    /// The publication tracks named (Findings, Workshop, …), presentation tracks left out.
    pub fn publication_tracks(&self) -> Vec<&'m Track> {
        self.tracks
            .iter()
            .copied()
            .filter(|t| t.kind == TrackKind::Publication)
            .collect()
    }
}

/// How two venue strings relate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Agreement {
    /// The same venue and publication track.
    Same,
    /// Positively different.
    Different(Difference),
    /// Cannot be told: a venue unknown to the model, a preprint server or series,
    /// "submitted to", or a track one side's registries do not always name.
    Unknown,
}

/// What differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// Different venues (acronyms).
    Venue {
        /// The row's venue.
        row: String,
        /// The registry's venue.
        registry: String,
    },
    /// The same venue, different publication tracks (`None` = the main venue).
    Track {
        /// The row's track.
        row: Option<String>,
        /// The registry's track.
        registry: Option<String>,
    },
}

/// The venue table with its lookup indexes.
#[derive(Debug, Clone)]
pub struct VenueModel {
    venues: Vec<Venue>,
    tracks: Vec<Track>,
    noise: Vec<Regex>,
    status: Vec<Regex>,
    /// Acronym keys (normalised words) → venue, so that adding a venue finds the one it
    /// merges into without normalising every acronym again.
    acronyms: HashMap<String, usize>,
    /// Whole-string keys (normalised words) → venue.
    whole: HashMap<String, usize>,
    /// Long names as words → venue, longest first.
    names: Vec<(Vec<String>, usize)>,
    /// Acronym-like single words, lower-cased → venue.
    tokens: HashMap<String, usize>,
    /// DBLP keys → venue.
    dblp: HashMap<String, usize>,
    /// The lower-case words a venue can be found by: the first word of every whole
    /// key and long name, and every acronym token (see [`Self::may_name_venue`]).
    first_words: HashSet<String>,
}

/// Words that never tell venues apart inside a name.
const STOPWORDS: &[&str] = &[
    "the", "of", "on", "in", "for", "and", "a", "an", "at", "to", "with",
];

/// Lower-case words of a string: `&` is "and", every other non-alphanumeric
/// character separates words, stopwords are dropped.
fn words(s: &str) -> Vec<String> {
    s.replace('&', " and ")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| !STOPWORDS.contains(&w.as_str()))
        .collect()
}

fn key(s: &str) -> String {
    words(s).join(" ")
}

/// An acronym, not an English word: two capitals (`ECCV`, `NeurIPS`, `ArXiv`), a
/// capital after a lower-case start (`arXiv`, `bioRxiv`) or a digit (`3DV`).
fn acronym_like(w: &str) -> bool {
    let upper = w.chars().filter(|c| c.is_uppercase()).count();
    let first_lower = w.chars().next().is_some_and(char::is_lowercase);
    upper >= 2
        || (upper >= 1 && first_lower)
        || (w.chars().any(|c| c.is_ascii_digit()) && w.chars().any(char::is_alphabetic))
}

fn pattern(p: &str) -> Result<Regex, String> {
    RegexBuilder::new(&format!(r"(?:^|\b|\s){p}(?:\b|$|\s)"))
        .case_insensitive(true)
        .build()
        .map_err(|e| format!("venue pattern `{p}`: {e}"))
}

static BUILTIN_MODEL: LazyLock<VenueModel> = LazyLock::new(|| {
    VenueModel::from_toml(BUILTIN).expect("data/venues.toml is valid (a unit test checks it)")
});

impl VenueModel {
    /// The built-in model (`data/venues.toml`).
    pub fn builtin() -> &'static VenueModel {
        &BUILTIN_MODEL
    }

    /// A model from a data file in the format of `data/venues.toml`.
    pub fn from_toml(text: &str) -> Result<VenueModel, String> {
        let data: DataFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let compile = |ps: &[String]| ps.iter().map(|p| pattern(p)).collect::<Result<Vec<_>, _>>();
        let tracks = data
            .track
            .iter()
            .map(|t| {
                Ok(Track {
                    name: t.name.clone(),
                    kind: t.kind,
                    named_by_registries: t.named_by_registries,
                    separate_venue: t.separate_venue,
                    patterns: compile(&t.patterns)?,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let mut model = VenueModel {
            venues: Vec::new(),
            tracks,
            noise: compile(&data.noise.patterns)?,
            status: compile(&data.status.patterns)?,
            acronyms: HashMap::new(),
            whole: HashMap::new(),
            names: Vec::new(),
            tokens: HashMap::new(),
            dblp: HashMap::new(),
            first_words: HashSet::new(),
        };
        for spec in data.venue {
            model.add(spec);
        }
        model.sort_names();
        Ok(model)
    }

    /// This model with the config's venues and aliases added: a venue whose acronym
    /// (or, for `venue_aliases`, whose name) the model knows gains the new names and
    /// aliases; any other is a new venue. Later entries win a clash.
    pub fn extended(
        &self,
        venues: &BTreeMap<String, VenueSpec>,
        aliases: &BTreeMap<String, Vec<String>>,
    ) -> VenueModel {
        let mut model = self.clone();
        for (acronym, spec) in venues {
            let spec = VenueSpec {
                acronym: if spec.acronym.is_empty() {
                    acronym.clone()
                } else {
                    spec.acronym.clone()
                },
                ..spec.clone()
            };
            model.add(spec);
        }
        for (canonical, names) in aliases {
            // `[metadata.venue_aliases]`: "the registry's name = what lists write".
            let known = model.parse(canonical).venue().map(|v| v.acronym.clone());
            model.add(VenueSpec {
                acronym: known.unwrap_or_else(|| canonical.clone()),
                names: vec![canonical.clone()],
                aliases: names.clone(),
                ..VenueSpec::default()
            });
        }
        model.sort_names();
        model
    }

    /// Adds a venue, or merges it into the one with the same acronym. Call
    /// [`Self::sort_names`] once the last venue is added.
    fn add(&mut self, spec: VenueSpec) {
        let acronym_key = key(&spec.acronym);
        let index = match self.acronyms.get(&acronym_key).copied() {
            Some(i) => {
                let v = &mut self.venues[i];
                v.names.extend(spec.names.iter().cloned());
                v.aliases.extend(spec.aliases.iter().cloned());
                v.dblp.extend(spec.dblp.iter().cloned());
                i
            }
            None => {
                self.venues.push(Venue {
                    acronym: spec.acronym.clone(),
                    kind: spec.kind,
                    names: spec.names.clone(),
                    aliases: spec.aliases.clone(),
                    dblp: spec.dblp.clone(),
                });
                self.acronyms.insert(acronym_key, self.venues.len() - 1);
                self.venues.len() - 1
            }
        };
        // Names are indexed as a cell would be read: "Workshop on Biomedical Language
        // Processing" is found in "Proceedings of the 21st Workshop on …" once both
        // have lost their Workshop track.
        for short in std::iter::once(&spec.acronym).chain(&spec.aliases) {
            let k = key(&self.strip(short));
            if let Some(first) = k.split(' ').next().filter(|w| !w.is_empty()) {
                self.first_words.insert(first.to_string());
            }
            if !k.is_empty() {
                self.whole.insert(k, index);
            }
            let one_word = !short.contains(char::is_whitespace);
            if one_word && (acronym_like(short) || *short == spec.acronym) {
                self.first_words.insert(short.to_lowercase());
                self.tokens.insert(short.to_lowercase(), index);
            }
        }
        for name in &spec.names {
            let w = words(&self.strip(name));
            if w.is_empty() {
                continue;
            }
            self.first_words.insert(w[0].clone());
            self.whole.insert(w.join(" "), index);
            self.names.retain(|(n, _)| *n != w);
            self.names.push((w, index));
        }
        for k in &spec.dblp {
            self.dblp.insert(k.to_lowercase(), index);
        }
    }

    /// Orders the long names longest first, as [`Self::find_venues`] tries them (stable:
    /// of two names of one length, the one added first).
    fn sort_names(&mut self) {
        self.names.sort_by_key(|(w, _)| {
            std::cmp::Reverse(w.iter().map(String::len).sum::<usize>() + w.len())
        });
    }

    /// A string without its tracks and noise (for indexing names the way cells are read).
    fn strip(&self, s: &str) -> String {
        let mut s = s.to_string();
        for re in self
            .tracks
            .iter()
            .flat_map(|t| &t.patterns)
            .chain(&self.noise)
        {
            replace_in_place(re, &mut s);
        }
        s
    }

    /// Whether `text` can name a venue of the model at all. A cheap look at its words
    /// that never says no where [`Self::parse`] finds a venue: every word `parse` looks
    /// venues up by is a word of the text, or one with a glued year or workshop mark
    /// (`CVPR22`, `CVPRW`) taken off, since cleaning, tracks, noise and years are only
    /// ever removed or replaced by a space. For callers that try many strings that are
    /// mostly not venues (the text after a bullet's link).
    pub fn may_name_venue(&self, text: &str) -> bool {
        // Entities decode into letters that are not words of the text as written.
        if text.contains('&') {
            return true;
        }
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .any(|w| {
                let w = w.to_lowercase();
                let no_year = w.trim_end_matches(|c: char| c.is_ascii_digit());
                let no_mark = w.strip_suffix('w').unwrap_or(&w);
                [w.as_str(), no_year, no_mark]
                    .iter()
                    .any(|candidate| self.first_words.contains(*candidate))
            })
    }

    /// Every venue of the model.
    pub fn venues(&self) -> &[Venue] {
        &self.venues
    }

    /// Every track of the model.
    pub fn tracks(&self) -> &[Track] {
        &self.tracks
    }

    /// The venue with this acronym (any case, spacing or punctuation).
    pub fn by_acronym(&self, acronym: &str) -> Option<&Venue> {
        self.acronyms.get(&key(acronym)).map(|&i| &self.venues[i])
    }

    /// The venue of a DBLP stream key (`conf/acl`, `journals/pami`); a record key
    /// (`conf/acl/Smith23`) is reduced to its stream.
    pub fn by_dblp_key(&self, dblp_key: &str) -> Option<&Venue> {
        let k = dblp_key.trim().trim_start_matches("db/").to_lowercase();
        let stream: String = k.split('/').take(2).collect::<Vec<_>>().join("/");
        self.dblp.get(&stream).map(|&i| &self.venues[i])
    }

    /// The venue a string names (a registry's venue, a DBLP venue acronym like
    /// `ACL (1)`, a list's cell), when the model knows it.
    pub fn lookup(&self, name: &str) -> Option<&Venue> {
        self.parse(name).venue()
    }

    /// Reads a venue string into venues, year and tracks.
    pub fn parse<'m>(&'m self, text: &str) -> VenueCell<'m> {
        let mut s = clean(text);
        let mut unpublished = false;
        for re in &self.status {
            if re.is_match(&s) {
                unpublished = true;
                s = re.replace_all(&s, " ").into_owned();
            }
        }
        let mut tracks: Vec<&Track> = Vec::new();
        for t in &self.tracks {
            for re in &t.patterns {
                if re.is_match(&s) {
                    if !tracks.contains(&t) {
                        tracks.push(t);
                    }
                    s = re.replace_all(&s, " ").into_owned();
                }
            }
        }
        // `CVPRW`, `CVPR_W`, `ECCV-W`: a known acronym's workshops.
        static GLUED_W: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"\b([A-Za-z][A-Za-z0-9]{1,})[-_ ]?W\b").unwrap());
        let mut workshop = false;
        s = GLUED_W
            .replace_all(&s, |c: &regex::Captures| {
                if self.tokens.contains_key(&c[1].to_lowercase()) {
                    workshop = true;
                    c[1].to_string()
                } else {
                    c[0].to_string()
                }
            })
            .into_owned();
        if workshop
            && let Some(t) = self.tracks.iter().find(|t| t.name == "Workshop")
            && !tracks.contains(&t)
        {
            tracks.push(t);
        }
        let (year, rest) = self.take_year(&s);
        s = rest;
        for re in &self.noise {
            replace_in_place(re, &mut s);
        }
        let venues = self.find_venues(&s);
        let rest = words(&s)
            .into_iter()
            .filter(|w| !w.chars().all(|c| c.is_ascii_digit()))
            .collect::<Vec<_>>()
            .join(" ");
        // A workshop venue's Workshop track goes without saying.
        if venues
            .first()
            .is_some_and(|v| v.kind == VenueKind::Workshop)
        {
            tracks.retain(|t| t.name != "Workshop");
        }
        VenueCell {
            venues,
            year,
            tracks,
            rest,
            unpublished,
        }
    }

    /// The year of a venue string, and the string without it. A four-digit year wins
    /// (the last one: "Nat Med 29, 1930–1940 (2023)"), then `'24`, then a two-digit
    /// year glued to a known acronym (`CVPR22`). Digits of an acronym (`3DV`) never.
    fn take_year(&self, s: &str) -> (Option<i32>, String) {
        static FOUR: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"(?:^|[^0-9])((?:19|20)[0-9]{2})(?:[^0-9]|$)").unwrap());
        static APOSTROPHE: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"['’‘`]\s?([0-9]{2})\b").unwrap());
        static GLUED: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"\b([A-Za-z]{2,})([0-9]{2})\b").unwrap());
        let four: Vec<(std::ops::Range<usize>, i32)> = FOUR
            .captures_iter(s)
            .filter_map(|c| {
                let m = c.get(1)?;
                let y: i32 = m.as_str().parse().ok()?;
                (1950..=2099).contains(&y).then_some((m.range(), y))
            })
            .collect();
        if let Some((_, y)) = four.last() {
            let mut out = s.to_string();
            for (r, _) in four.iter().rev() {
                out.replace_range(r.clone(), " ");
            }
            return (Some(*y), out);
        }
        let two_digit = |yy: i32| if yy >= 50 { 1900 + yy } else { 2000 + yy };
        if let Some(c) = APOSTROPHE.captures(s) {
            let yy: i32 = c[1].parse().unwrap_or(0);
            return (Some(two_digit(yy)), APOSTROPHE.replace(s, " ").into_owned());
        }
        let mut year = None;
        let out = GLUED.replace(s, |c: &regex::Captures| {
            if self.tokens.contains_key(&c[1].to_lowercase()) {
                year = c[2].parse().ok().map(two_digit);
                c[1].to_string()
            } else {
                c[0].to_string()
            }
        });
        (year, out.into_owned())
    }

    /// Venues named by what is left of a string: the whole of it, else the longest
    /// long name inside it, then acronym-like words.
    fn find_venues(&self, s: &str) -> Vec<&Venue> {
        let w = words(s);
        let w: Vec<String> = w
            .into_iter()
            .filter(|w| !w.chars().all(|c| c.is_ascii_digit()))
            .collect();
        if w.is_empty() {
            return Vec::new();
        }
        if let Some(&i) = self.whole.get(&w.join(" ")) {
            return vec![&self.venues[i]];
        }
        let mut found: Vec<usize> = Vec::new();
        if let Some((_, i)) = self
            .names
            .iter()
            .find(|(name, _)| w.windows(name.len()).any(|win| win == name.as_slice()))
        {
            found.push(*i);
        }
        for token in s.split(|c: char| !c.is_alphanumeric()) {
            if acronym_like(token)
                && let Some(&i) = self.tokens.get(&token.to_lowercase())
                && !found.contains(&i)
            {
                found.push(i);
            }
        }
        found.into_iter().map(|i| &self.venues[i]).collect()
    }

    /// Whether a row's venue agrees with a registry's. Only positive evidence makes
    /// them [`Agreement::Different`]: two known venues that differ (neither a preprint
    /// server nor a series, and not a workshop against a conference's Workshop track),
    /// or the same venue where the registry names a publication track the row does
    /// not, or the row names one the registry would have named. Presentation tracks
    /// (Oral, Highlight) and years never make a difference.
    pub fn compare(&self, row: &VenueCell<'_>, registry: &VenueCell<'_>) -> Agreement {
        if registry.unpublished || row.unpublished {
            return Agreement::Unknown;
        }
        let comparable = |c: &VenueCell<'_>| {
            !c.venues.is_empty()
                && c.venues
                    .iter()
                    .all(|v| !matches!(v.kind, VenueKind::Preprint | VenueKind::Series))
        };
        if row.venues.is_empty() && registry.venues.is_empty() {
            return if !row.rest.is_empty() && row.rest == registry.rest {
                Agreement::Same
            } else {
                Agreement::Unknown
            };
        }
        if !comparable(row) || !comparable(registry) {
            return Agreement::Unknown;
        }
        let shared = row
            .venues
            .iter()
            .find(|v| registry.venues.iter().any(|r| r.acronym == v.acronym));
        let Some(_) = shared else {
            let workshop = |c: &VenueCell<'_>| {
                c.venue().is_some_and(|v| v.kind == VenueKind::Workshop)
                    || c.tracks.iter().any(|t| t.name == "Workshop")
            };
            // A workshop is held at a conference: "ACL Workshop" for BioNLP is right.
            if workshop(row) && workshop(registry) {
                return Agreement::Unknown;
            }
            return Agreement::Different(Difference::Venue {
                row: row.venue().map(|v| v.acronym.clone()).unwrap_or_default(),
                registry: registry
                    .venue()
                    .map(|v| v.acronym.clone())
                    .unwrap_or_default(),
            });
        };
        let (r, g) = (row.publication_tracks(), registry.publication_tracks());
        let name = |ts: &[&Track]| ts.first().map(|t| t.name.clone());
        let only_registry = g.iter().any(|t| !r.contains(t) && t.separate_venue);
        let only_row: Vec<&&Track> = r.iter().filter(|t| !g.contains(t)).collect();
        if only_registry || only_row.iter().any(|t| t.named_by_registries) {
            return Agreement::Different(Difference::Track {
                row: name(&r),
                registry: name(&g),
            });
        }
        if only_row.is_empty() {
            Agreement::Same
        } else {
            Agreement::Unknown
        }
    }
}

/// Markup and decoration out of a cell: `:emoji:` shortcodes, HTML tags, Markdown
/// emphasis, HTML character references, typographic quotes.
/// Replaces every match of `re` in `s` with a space; allocates only when it matches.
fn replace_in_place(re: &Regex, s: &mut String) {
    if let std::borrow::Cow::Owned(replaced) = re.replace_all(s, " ") {
        *s = replaced;
    }
}

fn clean(s: &str) -> String {
    static SHORTCODE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r":[a-z0-9_+-]+:").unwrap());
    static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<[^>]*>").unwrap());
    // arXiv identifiers and CoRR's `abs/…` look like years to a year reader.
    static ARXIV_ID: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)(?:arxiv:\s*)?\b[0-9]{4}\.[0-9]{4,5}(?:v[0-9]+)?\b|\babs/\S+|\barxiv:\s*[a-z.-]+/[0-9]{7}",
        )
        .unwrap()
    });
    // Tags first, so that an escaped `&lt;b&gt;` stays text once decoded.
    let s = TAG.replace_all(s, " ");
    let s = crate::text::decode_entities(&s)
        .replace(['*', '`', '\u{a0}'], " ")
        // "Nat. Mach. Intell.(Perspective)": a parenthesis starts a word.
        .replace('(', " (");
    let s = SHORTCODE.replace_all(&s, " ");
    let s = ARXIV_ID.replace_all(&s, " ");
    s.into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> &'static VenueModel {
        VenueModel::builtin()
    }

    /// A venue string, and the venue acronym, year and tracks it names.
    type Case = (
        &'static str,
        Option<&'static str>,
        Option<i32>,
        &'static [&'static str],
    );

    #[test]
    fn parses_cells_and_registry_strings() {
        let cases: &[Case] = &[
            (
                "EMNLP 2023 Findings",
                Some("EMNLP"),
                Some(2023),
                &["Findings"],
            ),
            (
                "Findings of EMNLP 2023",
                Some("EMNLP"),
                Some(2023),
                &["Findings"],
            ),
            ("ICLR'24", Some("ICLR"), Some(2024), &[]),
            ("ICLR’24", Some("ICLR"), Some(2024), &[]),
            (
                "CVPR 2024 (Highlight)",
                Some("CVPR"),
                Some(2024),
                &["Highlight"],
            ),
            (
                "NeurIPS 2023 Datasets and Benchmarks",
                Some("NeurIPS"),
                Some(2023),
                &["Datasets and Benchmarks"],
            ),
            (
                "Proceedings of the 61st Annual Meeting of the Association for Computational Linguistics (Volume 1: Long Papers)",
                Some("ACL"),
                None,
                &[],
            ),
            (
                "Proceedings of the 61st Annual Meeting of the Association for Computational Linguistics (Volume 3: System Demonstrations)",
                Some("ACL"),
                None,
                &["Demo"],
            ),
            (
                "Proceedings of the 2019 Conference of the North American Chapter of the Association for Computational Linguistics: Human Language Technologies, Volume 1 (Long and Short Papers)",
                Some("NAACL"),
                Some(2019),
                &[],
            ),
            (
                "Findings of the Association for Computational Linguistics: EMNLP 2023",
                Some("EMNLP"),
                Some(2023),
                &["Findings"],
            ),
            (
                "Findings of the Association for Computational Linguistics: ACL 2023",
                Some("ACL"),
                Some(2023),
                &["Findings"],
            ),
            (
                "Proceedings of the 2023 Conference on Empirical Methods in Natural Language Processing",
                Some("EMNLP"),
                Some(2023),
                &[],
            ),
            ("EMNLP/IJCNLP (1)", Some("EMNLP"), None, &[]),
            ("ACL (1)", Some("ACL"), None, &[]),
            ("ICLR (Poster)", Some("ICLR"), None, &["Poster"]),
            ("NIPS", Some("NeurIPS"), None, &[]),
            ("NeurIPS'19", Some("NeurIPS"), Some(2019), &[]),
            ("NIPS'98", Some("NeurIPS"), Some(1998), &[]),
            ("arXiv", Some("arXiv"), None, &[]),
            ("ArXiv preprint", Some("arXiv"), None, &[]),
            ("arXiv preprint arXiv:2305.14314", Some("arXiv"), None, &[]),
            ("CoRR abs/2006.05188", Some("arXiv"), None, &[]),
            ("Preprint'23", Some("Preprint"), Some(2023), &[]),
            ("Nature Medicine", Some("Nature Medicine"), None, &[]),
            (
                "Nat. Med. (Comment)",
                Some("Nature Medicine"),
                None,
                &["Article type"],
            ),
            (
                "Nat Med 29, 1930–1940 (2023)",
                Some("Nature Medicine"),
                Some(2023),
                &[],
            ),
            ("Nature", Some("Nature"), None, &[]),
            (
                "Nat. Mach. Intell.(Perspective)",
                Some("Nature Machine Intelligence"),
                None,
                &["Article type"],
            ),
            ("SIGKDD Explor.", Some("SIGKDD Explorations"), None, &[]),
            (
                "Nature Machine Intelligence",
                Some("Nature Machine Intelligence"),
                None,
                &[],
            ),
            (
                "Nat. Mach. Intell.",
                Some("Nature Machine Intelligence"),
                None,
                &[],
            ),
            (
                "npj Digital Medicine",
                Some("npj Digital Medicine"),
                None,
                &[],
            ),
            (
                "IEEE Transactions on Pattern Analysis and Machine Intelligence",
                Some("TPAMI"),
                None,
                &[],
            ),
            ("IEEE TPAMI", Some("TPAMI"), None, &[]),
            ("TPAMI (J)", Some("TPAMI"), None, &[]),
            ("IEEE TCSVT18", Some("TCSVT"), Some(2018), &[]),
            ("CVPR22", Some("CVPR"), Some(2022), &[]),
            ("IJCV18", Some("IJCV"), Some(2018), &[]),
            ("arXiv19", Some("arXiv"), Some(2019), &[]),
            ("CVPR_W", Some("CVPR"), None, &["Workshop"]),
            ("CVPRW", Some("CVPR"), None, &["Workshop"]),
            ("ECCVW", Some("ECCV"), None, &["Workshop"]),
            ("CVPR Workshop", Some("CVPR"), None, &["Workshop"]),
            (
                "Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR) Workshops",
                Some("CVPR"),
                None,
                &["Workshop"],
            ),
            (
                "2023 IEEE/CVF International Conference on Computer Vision (ICCV)",
                Some("ICCV"),
                Some(2023),
                &[],
            ),
            ("Computer Vision – ECCV 2022", Some("ECCV"), Some(2022), &[]),
            (
                "Medical Image Computing and Computer Assisted Intervention – MICCAI 2023",
                Some("MICCAI"),
                Some(2023),
                &[],
            ),
            (
                "Advances in Neural Information Processing Systems 36",
                Some("NeurIPS"),
                None,
                &[],
            ),
            (
                "The Eleventh International Conference on Learning Representations",
                Some("ICLR"),
                None,
                &[],
            ),
            (
                "ICLR 2023 notable top 5%",
                Some("ICLR"),
                Some(2023),
                &["Notable"],
            ),
            (
                "Proceedings of the 40th International Conference on Machine Learning",
                Some("ICML"),
                None,
                &[],
            ),
            (
                "Proceedings of the AAAI Conference on Artificial Intelligence",
                Some("AAAI"),
                None,
                &[],
            ),
            (
                "Proceedings of the Thirty-Second International Joint Conference on Artificial Intelligence",
                Some("IJCAI"),
                None,
                &[],
            ),
            (
                "Proceedings of the 29th ACM SIGKDD Conference on Knowledge Discovery and Data Mining",
                Some("KDD"),
                None,
                &[],
            ),
            (
                "Proceedings of the 25th ACM SIGKDD International Conference on Knowledge Discovery & Data Mining",
                Some("KDD"),
                None,
                &[],
            ),
            (
                "ICASSP 2023 - 2023 IEEE International Conference on Acoustics, Speech and Signal Processing (ICASSP)",
                Some("ICASSP"),
                Some(2023),
                &[],
            ),
            (
                "Proceedings of the 21st Workshop on Biomedical Language Processing",
                Some("BioNLP"),
                None,
                &[],
            ),
            ("ACL-BioNLP", Some("BioNLP"), None, &[]),
            (
                "Proceedings of the 5th Clinical Natural Language Processing Workshop",
                Some("ClinicalNLP"),
                None,
                &[],
            ),
            ("ECCV'22 Oral", Some("ECCV"), Some(2022), &["Oral"]),
            ("ICLR (Oral)", Some("ICLR"), None, &["Oral"]),
            (
                "KDD (Best Paper Award) :mortar_board:",
                Some("KDD"),
                None,
                &["Award"],
            ),
            (
                "NeurIPS Dataset Track :mortar_board:",
                Some("NeurIPS"),
                None,
                &["Datasets and Benchmarks"],
            ),
            ("AAAI :mortar_board:", Some("AAAI"), None, &[]),
            ("ACM MM", Some("ACM MM"), None, &[]),
            ("ACMM21", Some("ACM MM"), Some(2021), &[]),
            (
                "Proceedings of the 30th ACM International Conference on Multimedia",
                Some("ACM MM"),
                None,
                &[],
            ),
            ("CVPR (GOPRO)", Some("CVPR"), None, &[]),
            ("3DV", Some("3DV"), None, &[]),
            ("Submitted to ICLR 2024", Some("ICLR"), Some(2024), &[]),
            (
                "Transactions on Machine Learning Research",
                Some("TMLR"),
                None,
                &[],
            ),
            (
                "Journal of Machine Learning Research",
                Some("JMLR"),
                None,
                &[],
            ),
            (
                "Proceedings of the National Academy of Sciences",
                Some("PNAS"),
                None,
                &[],
            ),
            (
                "Proceedings of the ACM Web Conference 2023",
                Some("WWW"),
                Some(2023),
                &[],
            ),
            (
                "IEEE Transactions on Medical Imaging",
                Some("TMI"),
                None,
                &[],
            ),
            ("Medical Image Analysis", Some("MedIA"), None, &[]),
            ("Blog", None, None, &[]),
            ("OpenAI", None, None, &[]),
            ("-", None, None, &[]),
            ("2023", None, Some(2023), &[]),
            ("Nature Mach. Intell.", None, None, &[]),
        ];
        let m = model();
        for (cell, venue, year, tracks) in cases {
            let p = m.parse(cell);
            assert_eq!(
                p.venue().map(|v| v.acronym.as_str()),
                *venue,
                "venue of {cell:?}"
            );
            assert_eq!(p.year, *year, "year of {cell:?}");
            let got: Vec<&str> = p.tracks.iter().map(|t| t.name.as_str()).collect();
            assert_eq!(got, *tracks, "tracks of {cell:?}");
            // The cheap pre-check never rules out what parse finds.
            assert!(
                venue.is_none() || m.may_name_venue(cell),
                "{cell:?} names a venue"
            );
        }
        assert!(m.parse("Submitted to ICLR 2024").unpublished);
        assert!(m.parse("ArXiv").is_preprint());
    }

    #[test]
    fn the_pre_check_never_rules_out_a_venue_parse_finds() {
        let m = model();
        // Every name the model knows, dressed the ways lists and registries write it.
        let dressings = [
            "{}",
            "{} 2023",
            "{}'24",
            "Proc. of the {} (Volume 1: Long Papers)",
            "{} Workshop",
            "{}-W",
            "*{}* (Oral)",
            "In: {}, 2022",
            "<b>{}</b>",
        ];
        let mut tried = 0;
        for v in m.venues() {
            for name in std::iter::once(&v.acronym)
                .chain(&v.names)
                .chain(&v.aliases)
            {
                for d in dressings {
                    let text = d.replace("{}", name);
                    if m.parse(&text).venue().is_some() {
                        tried += 1;
                        assert!(m.may_name_venue(&text), "{text:?} names a venue");
                    }
                }
                for glued in [format!("{name}22"), format!("{name}W")] {
                    if m.parse(&glued).venue().is_some() {
                        assert!(m.may_name_venue(&glued), "{glued:?} names a venue");
                    }
                }
            }
        }
        assert!(tried > 1000, "only {tried} venue strings tried");
        // What follows most bullets' links is a description, and is ruled out.
        for text in [
            "A suite of decoder-only pre-trained transformers",
            "Code available",
            "Stanford, 2023",
            "",
        ] {
            assert!(!m.may_name_venue(text), "{text:?}");
        }
    }

    #[test]
    fn compares_venues_by_venue_and_publication_track() {
        use Agreement::*;
        let m = model();
        let same = [
            (
                "ACL",
                "Proceedings of the 61st Annual Meeting of the Association for Computational Linguistics (Volume 1: Long Papers)",
            ),
            (
                "NAACL",
                "Proceedings of the 2019 Conference of the North American Chapter of the Association for Computational Linguistics: Human Language Technologies, Volume 1 (Long and Short Papers)",
            ),
            (
                "EMNLP 2023 Findings",
                "Findings of the Association for Computational Linguistics: EMNLP 2023",
            ),
            (
                "Findings of EMNLP 2023",
                "Findings of the Association for Computational Linguistics: EMNLP 2023",
            ),
            (
                "ICLR'24",
                "The Twelfth International Conference on Learning Representations",
            ),
            (
                "CVPR 2024 (Highlight)",
                "Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)",
            ),
            ("ICLR 2023 (Oral)", "ICLR 2023 poster"),
            (
                "NeurIPS",
                "Advances in Neural Information Processing Systems",
            ),
            ("Nat Med", "Nature Medicine"),
            ("EMNLP", "EMNLP/IJCNLP (1)"),
            (
                "CVPRW",
                "2023 IEEE/CVF Conference on Computer Vision and Pattern Recognition Workshops (CVPRW)",
            ),
            // Industry and Demo papers listed under their conference.
            (
                "NAACL 2021",
                "Proceedings of the 2021 Conference of the North American Chapter of the Association for Computational Linguistics: Human Language Technologies: Industry Papers",
            ),
            (
                "ACL 2023",
                "Proceedings of the 61st Annual Meeting of the Association for Computational Linguistics (Volume 3: System Demonstrations)",
            ),
            ("Journal of Foo Studies", "Journal of Foo Studies"),
        ];
        for (row, reg) in same {
            assert_eq!(
                m.compare(&m.parse(row), &m.parse(reg)),
                Same,
                "{row} / {reg}"
            );
        }
        let different = [
            (
                "EMNLP",
                "Findings of the Association for Computational Linguistics: EMNLP 2022",
            ),
            (
                "Findings of EMNLP",
                "Proceedings of the 2022 Conference on Empirical Methods in Natural Language Processing",
            ),
            (
                "CVPR",
                "Medical Image Computing and Computer Assisted Intervention – MICCAI 2023",
            ),
            ("Nature", "Nature Medicine"),
            (
                "ACL",
                "Proceedings of the 2019 Conference of the North American Chapter of the Association for Computational Linguistics",
            ),
            (
                "CVPR",
                "Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR) Workshops",
            ),
            (
                "ACL 2023 Demo",
                "Proceedings of the 61st Annual Meeting of the Association for Computational Linguistics (Volume 1: Long Papers)",
            ),
            (
                "ICCV",
                "Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)",
            ),
        ];
        for (row, reg) in different {
            assert!(
                matches!(m.compare(&m.parse(row), &m.parse(reg)), Different(_)),
                "{row} / {reg}"
            );
        }
        let unknown = [
            // A track registries do not always name.
            (
                "NeurIPS 2023 Datasets and Benchmarks",
                "Advances in Neural Information Processing Systems 36",
            ),
            ("arXiv", "Nature"),
            ("ICLR 2024", "Submitted to ICLR 2024"),
            (
                "ACL Workshop",
                "Proceedings of the 21st Workshop on Biomedical Language Processing",
            ),
            ("Blog", "Nature"),
            ("ICML", "Proceedings of Machine Learning Research"),
        ];
        for (row, reg) in unknown {
            assert_eq!(
                m.compare(&m.parse(row), &m.parse(reg)),
                Unknown,
                "{row} / {reg}"
            );
        }
    }

    #[test]
    fn every_alias_names_one_venue() {
        let m = model();
        for v in m.venues() {
            for s in std::iter::once(&v.acronym)
                .chain(&v.aliases)
                .chain(&v.names)
            {
                assert_eq!(
                    m.lookup(s).map(|x| x.acronym.as_str()),
                    Some(v.acronym.as_str()),
                    "`{s}` should name {}",
                    v.acronym
                );
            }
        }
    }

    #[test]
    fn dblp_keys_and_config_extensions() {
        let m = model();
        assert_eq!(
            m.by_dblp_key("conf/acl").map(|v| v.acronym.as_str()),
            Some("ACL")
        );
        assert_eq!(
            m.by_dblp_key("conf/nips/VaswaniSPUJGKP17")
                .map(|v| v.acronym.as_str()),
            Some("NeurIPS")
        );
        assert_eq!(
            m.by_dblp_key("journals/corr").map(|v| v.kind),
            Some(VenueKind::Preprint)
        );
        assert_eq!(m.by_dblp_key("conf/unknown"), None);
        let venues = BTreeMap::from([(
            "FooConf".to_string(),
            VenueSpec {
                names: vec!["International Conference on Foo".into()],
                ..VenueSpec::default()
            },
        )]);
        let aliases = BTreeMap::from([
            ("Journal of Foo".to_string(), vec!["JFoo".to_string()]),
            (
                "Nature Medicine".to_string(),
                vec!["NatMedicine".to_string()],
            ),
        ]);
        let x = m.extended(&venues, &aliases);
        assert_eq!(
            x.lookup("Proceedings of the 3rd International Conference on Foo")
                .map(|v| v.acronym.as_str()),
            Some("FooConf")
        );
        assert_eq!(
            x.compare(&x.parse("JFoo"), &x.parse("Journal of Foo")),
            Agreement::Same
        );
        assert_eq!(
            x.lookup("NatMedicine").map(|v| v.acronym.as_str()),
            Some("Nature Medicine")
        );
        assert!(
            m.lookup("JFoo").is_none(),
            "the built-in model is unchanged"
        );
    }
}
