//! Where a paper was really published, told from what Semantic Scholar and DBLP say:
//! the pure matcher that turns a
//! Semantic Scholar record or a list of DBLP search hits into a [`VenueTruth`] (whose
//! types live in the model layer, for the rules).
//!
//! Low noise first: a DBLP hit counts only with the same normalised title (and, when
//! the first author is known, that author's surname among the hit's authors); the
//! search engine's ranking is never trusted. A CoRR record (DBLP's name for arXiv) is
//! only a preprint. Semantic Scholar's `venue`/`year` are leads; its DBLP key is the
//! strongest lead it gives.

use super::dblp::DblpHit;
use super::semantic_scholar::S2Paper;
pub use crate::model::{Placement, VenueTruth};
use crate::venue::{VenueKind, VenueModel};
use unicode_normalization::UnicodeNormalization;

/// What a Semantic Scholar record says on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum S2Lead {
    /// Placed by a DBLP key of a published record, edition year included: no need
    /// to ask DBLP.
    Placed(Placement),
    /// Placed by a DBLP key whose year cannot be trusted for the edition (DBLP keys
    /// carry the year the record was first made: `conf/iclr/KingmaW13` is ICLR 2014):
    /// DBLP is asked for the year; the venue stands without one otherwise.
    PlacedWithoutYear(Placement),
    /// Known only as a preprint (a CoRR DBLP key, or arXiv as its only venue).
    Preprint,
    /// A venue name without a DBLP key: a lead, not a verdict (its year is often
    /// the arXiv year and its venue may name a workshop).
    Lead(String),
    /// Nothing about a venue.
    Nothing,
}

/// A DBLP key's record of arXiv (`journals/corr/abs-2106-09685`).
pub fn is_corr_key(key: &str) -> bool {
    key.starts_with("journals/corr/")
}

/// The year a DBLP record key ends with (`conf/iclr/HuSWALWWC22` → 2022,
/// `conf/icml/RadfordKHRGASAM21a` → 2021). DBLP keys carry two digits.
pub fn year_of_dblp_key(key: &str) -> Option<i32> {
    let last = key.rsplit('/').next()?;
    let trimmed = last.trim_end_matches(|c: char| c.is_ascii_lowercase());
    // The last two digits: a homonym author just before the year is written `0`
    // (`conf/iclr/YaoZYDSN023` is 2023).
    let digits: Vec<char> = trimmed
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .take(2)
        .collect();
    // CoRR keys end in the arXiv number; other numeric keys name no year.
    if digits.len() != 2 || is_corr_key(key) || !trimmed.chars().any(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let yy = (digits[1].to_digit(10)? * 10 + digits[0].to_digit(10)?) as i32;
    Some(if yy >= 70 { 1900 + yy } else { 2000 + yy })
}

/// Venue names that only mean "a preprint".
fn is_preprint_name(name: &str) -> bool {
    let n = name.trim().to_lowercase();
    n.is_empty() || n == "arxiv" || n == "arxiv.org" || n == "corr" || n.starts_with("arxiv ")
}

/// A name that reads as an acronym (`ICLR`, `NeurIPS`, `EMNLP`): one word with at
/// least two capitals.
fn looks_like_acronym(name: &str) -> bool {
    !name.contains(' ')
        && name.len() <= 12
        && name.chars().filter(|c| c.is_ascii_uppercase()).count() >= 2
}

/// A venue string naming a workshop: a venue of its own kind, or a conference's
/// Workshop track (`ICLR (Workshop)`, `CVPRW`), as the venue model reads it.
pub fn names_a_workshop(text: &str) -> bool {
    let cell = VenueModel::builtin().parse(text);
    cell.venue().is_some_and(|v| v.kind == VenueKind::Workshop)
        || cell
            .publication_tracks()
            .iter()
            .any(|t| t.name.contains("Workshop"))
}

/// Reads a Semantic Scholar record of a paper first posted to arXiv in `arxiv_year`.
pub fn s2_lead(paper: &S2Paper, arxiv_year: Option<i32>) -> S2Lead {
    let dblp_key = paper.dblp_key();
    let mut names: Vec<String> = Vec::new();
    if let Some(v) = &paper.publication_venue {
        names.extend(v.name.iter().cloned());
        names.extend(v.alternate_names.iter().cloned());
    }
    names.extend(paper.venue.iter().cloned());
    if let Some(j) = &paper.journal {
        names.extend(j.name.iter().cloned());
    }
    names.retain(|n| !is_preprint_name(n));
    names.dedup();
    match dblp_key {
        Some(key) if is_corr_key(&key) => S2Lead::Preprint,
        Some(key) => {
            // The venue model's acronym for the key's stream (`conf/iclr` → ICLR),
            // else an acronym-like name Semantic Scholar gives, else its first name.
            let venue = VenueModel::builtin()
                .by_dblp_key(&key)
                .map(|v| v.acronym.clone())
                .or_else(|| names.iter().find(|n| looks_like_acronym(n)).cloned())
                .or_else(|| names.first().cloned())
                .unwrap_or_else(|| key.split('/').nth(1).unwrap_or_default().to_uppercase());
            let journal = key.starts_with("journals/");
            let workshop = names.iter().any(|n| names_a_workshop(n));
            // A key year later than the arXiv year is the edition (the record was
            // made for the proceedings); one no later may be the preprint's year.
            let key_year = year_of_dblp_key(&key);
            let trusted = matches!((key_year, arxiv_year), (Some(k), Some(a)) if k > a);
            let placement = Placement {
                source: "Semantic Scholar".into(),
                venue,
                names,
                year: key_year.filter(|_| trusted),
                dblp_key: Some(key),
                journal,
                workshop,
            };
            if trusted {
                S2Lead::Placed(placement)
            } else {
                S2Lead::PlacedWithoutYear(placement)
            }
        }
        None if names.is_empty() => {
            let preprint_only = paper
                .journal
                .as_ref()
                .and_then(|j| j.name.as_deref())
                .is_some_and(is_preprint_name);
            if preprint_only {
                S2Lead::Preprint
            } else {
                S2Lead::Nothing
            }
        }
        None => S2Lead::Lead(names[0].clone()),
    }
}

/// A title reduced to its letters and digits, lower-cased: DBLP's trailing period,
/// HTML entities, LaTeX, hyphenation (`Pre-training`/`Pretraining`) and `&`/`and`
/// do not count; words do ("… 2", "Improved …" are other papers).
pub fn title_key(title: &str) -> String {
    let strict = crate::text::strict(title).replace('&', " and ");
    strict
        .nfkd()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A person's surname, folded for comparison: the last word, without DBLP's
/// homonym number (`Bowen Baker 0001`) or diacritics.
pub fn surname_key(name: &str) -> Option<String> {
    let last = name
        .split_whitespace()
        .rfind(|w| !w.chars().all(|c| c.is_ascii_digit()))?;
    let folded: String = last
        .nfkd()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    (!folded.is_empty()).then_some(folded)
}

/// The DBLP record types that place a paper.
fn is_publication_type(kind: &str) -> bool {
    matches!(kind, "Conference and Workshop Papers" | "Journal Articles")
}

/// Matches DBLP search hits against the paper's title (and first author, when
/// known). Every hit is looked at; none is taken for its rank.
pub fn match_dblp(title: &str, first_author: Option<&str>, hits: &[DblpHit]) -> VenueTruth {
    let want = title_key(title);
    if want.is_empty() {
        return VenueTruth::Unplaced {
            reason: "no title to search DBLP with".into(),
            settled: true,
        };
    }
    let author = first_author.and_then(surname_key);
    let mut placements: Vec<Placement> = Vec::new();
    let mut preprint = false;
    for hit in hits {
        if title_key(&hit.title) != want {
            continue;
        }
        if let Some(surname) = &author
            && !hit
                .authors
                .iter()
                .filter_map(|a| surname_key(a))
                .any(|s| &s == surname)
        {
            continue;
        }
        let corr = is_corr_key(&hit.key) || hit.venues.iter().any(|v| v == "CoRR");
        if corr {
            preprint = true;
            continue;
        }
        if !is_publication_type(&hit.kind) {
            continue;
        }
        let Some(venue) = hit.venues.first().cloned() else {
            continue;
        };
        let workshop = hit.venues.iter().any(|v| names_a_workshop(v));
        placements.push(Placement {
            source: "DBLP".into(),
            venue,
            names: hit.venues.iter().skip(1).cloned().collect(),
            year: hit.year.or_else(|| year_of_dblp_key(&hit.key)),
            dblp_key: Some(hit.key.clone()),
            journal: hit.kind == "Journal Articles",
            workshop,
        });
    }
    if !placements.is_empty() {
        // Main venues before workshops, then the earliest edition first.
        placements.sort_by_key(|p| (p.workshop, p.journal, p.year.unwrap_or(i32::MAX)));
        placements.dedup_by(|a, b| a.dblp_key == b.dblp_key);
        return VenueTruth::Published { placements };
    }
    if preprint {
        return VenueTruth::PreprintOnly;
    }
    VenueTruth::Unplaced {
        reason: "DBLP has no record with this title".into(),
        settled: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(
        title: &str,
        venue: &str,
        year: i32,
        key: &str,
        kind: &str,
        authors: &[&str],
    ) -> DblpHit {
        DblpHit {
            title: title.into(),
            venues: vec![venue.into()],
            year: Some(year),
            key: key.into(),
            kind: kind.into(),
            authors: authors.iter().map(|a| a.to_string()).collect(),
            doi: None,
        }
    }

    const CONF: &str = "Conference and Workshop Papers";
    const INFORMAL: &str = "Informal and Other Publications";

    #[test]
    fn years_of_dblp_keys() {
        let cases = [
            ("conf/iclr/HuSWALWWC22", Some(2022)),
            ("conf/icml/RadfordKHRGASAM21a", Some(2021)),
            ("conf/nips/VaswaniSPUJGKP17", Some(2017)),
            ("journals/corr/abs-2106-09685", None),
            ("conf/ats/ShinogiYHTY05", Some(2005)),
            ("journals/jmlr/RaffelSRLNMZLL20", Some(2020)),
            ("conf/nips/KrizhevskySH12", Some(2012)),
            ("books/daglib/0066902", None),
            ("conf/iclr/YaoZYDSN023", Some(2023)),
            ("conf/icml/0001LXH22", Some(2022)),
        ];
        for (key, want) in cases {
            assert_eq!(year_of_dblp_key(key), want, "{key}");
        }
    }

    #[test]
    fn title_keys_ignore_form_not_words() {
        let same = [
            (
                "LoRA: Low-Rank Adaptation of Large Language Models",
                "LoRA: Low-Rank Adaptation of Large Language Models.",
            ),
            ("Don't Stop Pretraining", "Don&apos;t Stop Pretraining."),
            (
                "BERT: Pre-training of Deep Bidirectional Transformers",
                "BERT: Pretraining of Deep Bidirectional Transformers.",
            ),
            ("Search & Rescue", "Search and Rescue."),
            ("Tiny $\\mathcal{L}$ Models", "Tiny L Models."),
        ];
        for (a, b) in same {
            assert_eq!(title_key(a), title_key(b), "{a} / {b}");
        }
        let different = [
            ("Segment Anything", "Segment Anything 2."),
            ("YOLO9000", "YOLOv3: An Incremental Improvement."),
            (
                "Denoising Diffusion Probabilistic Models",
                "Improved Denoising Diffusion Probabilistic Models.",
            ),
            ("Stable Diffusion", "Stable Diffusion-1.5."),
        ];
        for (a, b) in different {
            assert_ne!(title_key(a), title_key(b), "{a} / {b}");
        }
    }

    #[test]
    fn surnames_fold_homonym_numbers_and_diacritics() {
        assert_eq!(surname_key("Bowen Baker 0001").as_deref(), Some("baker"));
        assert_eq!(surname_key("Rémi Leblond").as_deref(), Some("leblond"));
        assert_eq!(surname_key("E. J. Hu").as_deref(), Some("hu"));
        assert_eq!(surname_key("  ").as_deref(), None);
    }

    #[test]
    fn corr_only_is_a_preprint_and_the_rank_is_not_trusted() {
        let title = "LoRA: Low-Rank Adaptation of Large Language Models";
        let hits = [
            // The first hit by score is the arXiv version.
            hit(
                "LoRA: Low-Rank Adaptation of Large Language Models.",
                "CoRR",
                2021,
                "journals/corr/abs-2106-09685",
                INFORMAL,
                &["Edward J. Hu", "Yelong Shen"],
            ),
            // A later paper with a near-duplicate title.
            hit(
                "LoRA+: Efficient Low Rank Adaptation of Large Models.",
                "ICML",
                2024,
                "conf/icml/HayouGY24",
                CONF,
                &["Soufiane Hayou"],
            ),
            hit(
                "LoRA: Low-Rank Adaptation of Large Language Models.",
                "ICLR",
                2022,
                "conf/iclr/HuSWALWWC22",
                CONF,
                &["Edward J. Hu", "Yelong Shen"],
            ),
        ];
        let truth = match_dblp(title, Some("Edward J. Hu"), &hits);
        let main = truth.main_placement().expect("published");
        assert_eq!((main.venue.as_str(), main.year), ("ICLR", Some(2022)));
        assert_eq!(
            match_dblp(title, Some("Edward J. Hu"), &hits[..2]),
            VenueTruth::PreprintOnly
        );
        assert!(matches!(
            match_dblp(title, None, &hits[1..2]),
            VenueTruth::Unplaced { .. }
        ));
    }

    #[test]
    fn another_first_author_is_another_paper() {
        let hits = [hit(
            "Attention Is All You Need.",
            "SIGIR",
            2023,
            "conf/sigir/Doe23",
            CONF,
            &["Jane Doe"],
        )];
        assert!(matches!(
            match_dblp("Attention is All you Need", Some("Ashish Vaswani"), &hits),
            VenueTruth::Unplaced { .. }
        ));
        // Without a known author the title alone decides.
        assert!(matches!(
            match_dblp("Attention is All you Need", None, &hits),
            VenueTruth::Published { .. }
        ));
    }

    #[test]
    fn workshop_versions_come_after_the_main_conference() {
        let hits = [
            hit(
                "Deep Visual Forecasting.",
                "ICLR (Workshop)",
                2019,
                "conf/iclr/DoeW19",
                CONF,
                &["Jane Doe"],
            ),
            hit(
                "Deep Visual Forecasting.",
                "CVPR",
                2020,
                "conf/cvpr/Doe20",
                CONF,
                &["Jane Doe"],
            ),
        ];
        let truth = match_dblp("Deep Visual Forecasting", Some("Jane Doe"), &hits);
        assert_eq!(truth.main_placement().unwrap().venue, "CVPR");
        let only_workshop = match_dblp("Deep Visual Forecasting", Some("Jane Doe"), &hits[..1]);
        assert!(only_workshop.main_placement().unwrap().workshop);
    }
}
