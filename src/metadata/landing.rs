//! Landing pages: the `citation_*` meta tags (Highwire) that publishers and
//! proceedings sites put in their pages, with `og:title` and `<title>` as a last resort.

use super::year_in;
use crate::model::Paper;
use scraper::{Html, Selector};

/// Metadata of a landing page, if it names at least a title.
pub fn parse(html: &str) -> Option<Paper> {
    let doc = Html::parse_document(html);
    let meta = |names: &[&str]| -> Vec<String> {
        let mut out = Vec::new();
        for name in names {
            let sel = Selector::parse(&format!("meta[name=\"{name}\"], meta[property=\"{name}\"]"))
                .expect("valid selector");
            out.extend(
                doc.select(&sel)
                    .filter_map(|m| m.value().attr("content"))
                    .map(|c| c.split_whitespace().collect::<Vec<_>>().join(" "))
                    .filter(|c| !c.is_empty()),
            );
        }
        out
    };
    let mut titles = meta(&["citation_title"]);
    if titles.is_empty() {
        titles = meta(&["og:title", "dc.title", "DC.title"]);
    }
    if titles.is_empty() {
        let sel = Selector::parse("title").expect("valid selector");
        titles = doc
            .select(&sel)
            .map(|t| {
                t.text()
                    .collect::<String>()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .filter(|t| !t.is_empty())
            .collect();
    }
    let title = titles.into_iter().next()?;
    let conference = meta(&["citation_conference_title"]);
    let journal = meta(&["citation_journal_title"]);
    let dates = meta(&[
        "citation_publication_date",
        "citation_date",
        "citation_online_date",
        "dc.date",
    ]);
    let kind = if !conference.is_empty() {
        "inproceedings"
    } else if !journal.is_empty() {
        "article"
    } else {
        "misc"
    };
    let arxiv = meta(&["citation_arxiv_id"]);
    Some(Paper {
        source: "landing page".into(),
        titles: vec![title],
        authors: meta(&["citation_author"]),
        preprint_year: if arxiv.is_empty() {
            None
        } else {
            dates.first().and_then(|d| year_in(d))
        },
        year: dates.first().and_then(|d| year_in(d)),
        venues: conference.into_iter().chain(journal).collect(),
        published_as: None,
        doi: meta(&["citation_doi"])
            .into_iter()
            .next()
            .map(|d| d.trim_start_matches("doi:").to_lowercase()),
        kind: kind.into(),
    })
}
