//! Landing pages: the `citation_*` meta tags (Highwire) that publishers and
//! proceedings sites put in their pages, `og:title`/`dc.title` as a last resort, and
//! IEEE Xplore's `document.metadata` object. A page's `<title>` alone is
//! never read as the paper's title: it may be a login wall or an error page.

use super::year_in;
use crate::model::Paper;
use scraper::{Html, Selector};

/// IEEE Xplore pages carry no `citation_*` tags; their metadata is a JSON object in
/// a script (`xplGlobal.document.metadata={…};`, `global.document.metadata={…}` in
/// older pages).
fn ieee_xplore(html: &str) -> Option<Paper> {
    const MARK: &str = "document.metadata=";
    let start = html.find(MARK)? + MARK.len();
    let rest = &html[start..];
    let mut de = serde_json::Deserializer::from_str(rest).into_iter::<serde_json::Value>();
    let m = de.next()?.ok()?;
    let text = |k: &str| {
        m[k].as_str()
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    let title = text("title").or_else(|| text("formulaStrippedArticleTitle"))?;
    let venue = text("publicationTitle").or_else(|| text("displayPublicationTitle"));
    let year = text("publicationYear").and_then(|y| year_in(&y));
    Some(Paper {
        source: "landing page".into(),
        titles: vec![title],
        authors: m["authors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|p| p["name"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default(),
        year,
        venues: venue.into_iter().collect(),
        doi: text("doi").map(|d| d.to_lowercase()),
        kind: "inproceedings".into(),
        ..Paper::default()
    })
}

/// Metadata of a landing page, if it names at least a title in its metadata.
pub fn parse(html: &str) -> Option<Paper> {
    if let Some(paper) = ieee_xplore(html) {
        return Some(paper);
    }
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
    let title = titles.into_iter().next()?;
    let conference = meta(&["citation_conference_title"]);
    let journal = meta(&["citation_journal_title"]);
    let dates = meta(&["citation_publication_date", "citation_date", "dc.date"]);
    // When the paper went online (OpenReview's submission, a publisher's online-first
    // date): the earliest public date, like an arXiv v1.
    let online = meta(&["citation_online_date"])
        .first()
        .and_then(|d| year_in(d));
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
            online
        } else {
            online.or_else(|| dates.first().and_then(|d| year_in(d)))
        },
        year: dates.first().and_then(|d| year_in(d)).or(online),
        years: {
            let mut ys: Vec<i32> = dates.iter().filter_map(|d| year_in(d)).collect();
            ys.sort_unstable();
            ys.dedup();
            ys
        },
        comment: None,
        venues: conference.into_iter().chain(journal).collect(),
        published_as: None,
        doi: meta(&["citation_doi"])
            .into_iter()
            .next()
            .map(|d| d.trim_start_matches("doi:").to_lowercase()),
        kind: kind.into(),
    })
}
