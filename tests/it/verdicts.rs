//! Metadata verdicts on realistic lists (issue 10, "right or silent"): three lists in
//! the styles of the corpus (a `Year | Title | Venue` table, a `Title | Venue | Date`
//! table with badges, `- [Title](url) - Venue Year` bullets) with about 80 real papers,
//! served by local stand-ins of arXiv, Crossref, the DOI handle API and landing pages
//! holding those papers' real metadata (`tests/fixtures/verdicts/`). Healthy rows,
//! including the traps of the issue, get no error or warning; every planted defect is
//! found on its row.

use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use wiremock::matchers::{path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/verdicts")
}

#[derive(Debug, Clone, Deserialize)]
struct ArxivRecord {
    id: String,
    title: String,
    published: String,
    #[serde(default)]
    journal_ref: Option<String>,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    doi: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct CrossrefWork {
    doi: String,
    #[serde(rename = "type")]
    kind: String,
    title: String,
    container: Vec<String>,
    #[serde(default)]
    short_container: Vec<String>,
    #[serde(default)]
    published_online: Vec<i32>,
    #[serde(default)]
    published_print: Vec<i32>,
    issued: Vec<i32>,
}

#[derive(Debug, Clone, Deserialize)]
struct LandingPage {
    url: String,
    title: String,
    #[serde(default)]
    conference: Option<String>,
    #[serde(default)]
    journal: Option<String>,
    date: String,
    #[serde(default)]
    online_date: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct Handles {
    missing: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct Registry {
    arxiv: Vec<ArxivRecord>,
    crossref: Vec<CrossrefWork>,
    handles: Handles,
    landing: Vec<LandingPage>,
}

fn registry_data() -> Registry {
    toml::from_str(&std::fs::read_to_string(fixtures().join("registry.toml")).unwrap()).unwrap()
}

/// How the arXiv stand-in behaves.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ArxivMode {
    /// Answers like the API: the known entries of the id list (in its own order).
    Healthy,
    /// A well-formed feed with no entries at all, whatever was asked (a registry
    /// having a bad day, not a verdict).
    Empty,
}

/// The arXiv API, shaped like `../shared/fixtures/arxiv_new_idlist_*`: Atom entries
/// with `arxiv:comment`, `arxiv:journal_ref` and `arxiv:doi`.
struct Arxiv {
    records: Vec<ArxivRecord>,
    mode: ArxivMode,
}

impl Respond for Arxiv {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let ids: Vec<String> = request
            .url
            .query_pairs()
            .chain(url::form_urlencoded::parse(&request.body))
            .find(|(k, _)| k == "id_list")
            .map(|(_, v)| v.split(',').map(String::from).collect())
            .unwrap_or_default();
        let mut feed = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:opensearch=\"http://a9.com/-/spec/opensearch/1.1/\" xmlns:arxiv=\"http://arxiv.org/schemas/atom\">\n  <id>https://arxiv.org/api/verdicts</id>\n  <title>arXiv Query</title>\n",
        );
        if self.mode == ArxivMode::Healthy {
            for id in ids.iter().rev() {
                let Some(r) = self.records.iter().find(|r| &r.id == id) else {
                    continue;
                };
                let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;");
                let optional = |tag: &str, v: &Option<String>| {
                    v.as_ref()
                        .map(|v| format!("    <arxiv:{tag}>{}</arxiv:{tag}>\n", escape(v)))
                        .unwrap_or_default()
                };
                feed.push_str(&format!(
                    "  <entry>\n    <id>http://arxiv.org/abs/{id}v2</id>\n    <title>{}</title>\n    <updated>2024-01-01T00:00:00Z</updated>\n    <published>{}T17:59:58Z</published>\n    <summary>Abstract.</summary>\n    <author>\n      <name>A. Author</name>\n    </author>\n{}{}{}  </entry>\n",
                    escape(&r.title),
                    r.published,
                    optional("comment", &r.comment),
                    optional("journal_ref", &r.journal_ref),
                    optional("doi", &r.doi),
                ));
            }
        }
        feed.push_str("</feed>\n");
        ResponseTemplate::new(200)
            .insert_header("content-type", "application/atom+xml; charset=UTF-8")
            .set_body_string(feed)
    }
}

/// Crossref `/works/{doi}`: a work message for the known DOIs, the real "Resource not
/// found." 404 for the others.
struct Crossref(BTreeMap<String, serde_json::Value>);

impl Respond for Crossref {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let doi = request
            .url
            .path()
            .trim_start_matches("/works/")
            .to_lowercase();
        let doi = percent_decode(&doi);
        match self.0.get(&doi) {
            Some(work) => ResponseTemplate::new(200).set_body_json(work),
            None => ResponseTemplate::new(404)
                .insert_header("content-type", "text/plain")
                .set_body_string("Resource not found."),
        }
    }
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn work(w: &CrossrefWork) -> serde_json::Value {
    let parts = |d: &[i32]| serde_json::json!({"date-parts": [d]});
    let mut message = serde_json::json!({
        "DOI": w.doi, "type": w.kind, "title": [w.title],
        "container-title": w.container, "short-container-title": w.short_container,
        "issued": parts(&w.issued),
        "author": [{"given": "A.", "family": "Author", "sequence": "first"}],
    });
    if !w.published_online.is_empty() {
        message["published-online"] = parts(&w.published_online);
    }
    if !w.published_print.is_empty() {
        message["published-print"] = parts(&w.published_print);
    }
    serde_json::json!({"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": message})
}

/// The DOI handle API: `responseCode: 100` (JSON, 404) for DOIs it does not know.
struct Handle {
    missing: Vec<String>,
    /// Answer every request with an HTML error page instead (a misbehaving proxy).
    html_errors: bool,
}

impl Respond for Handle {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if self.html_errors {
            return ResponseTemplate::new(404)
                .insert_header("content-type", "text/html")
                .set_body_string("<html><body><h1>Not Found</h1></body></html>");
        }
        let doi = percent_decode(request.url.path().trim_start_matches("/api/handles/"));
        if self.missing.iter().any(|m| m.eq_ignore_ascii_case(&doi)) {
            ResponseTemplate::new(404)
                .insert_header("content-type", "application/json")
                .set_body_json(serde_json::json!({"responseCode": 100, "handle": doi}))
        } else {
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"responseCode": 1, "handle": doi, "values": [{"index": 1, "type": "URL", "data": {"format": "string", "value": "https://example.org/"}}]}))
        }
    }
}

/// Every other site, under `/site/HOST/PATH`: landing pages with `citation_*` tags
/// (like `../shared/fixtures/html_papers.nips.cc_8668_2020.html`), an empty 200 page
/// for the rest.
struct Sites(BTreeMap<String, String>);

impl Respond for Sites {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let rest = request.url.path().trim_start_matches("/site/");
        let mut original = format!("https://{rest}");
        if let Some(q) = request.url.query() {
            original = format!("{original}?{q}");
        }
        match self.0.get(&original) {
            Some(html) => ResponseTemplate::new(200)
                .insert_header("content-type", "text/html; charset=utf-8")
                .set_body_string(html.clone()),
            None => ResponseTemplate::new(200)
                .insert_header("content-type", "text/html")
                .set_body_string("<html><head><title>ok</title></head></html>"),
        }
    }
}

fn landing_html(p: &LandingPage) -> String {
    let meta = |name: &str, v: &str| {
        format!(
            "<meta name=\"{name}\" content=\"{}\">\n",
            v.replace('&', "&amp;").replace('"', "&quot;")
        )
    };
    let mut head = meta("citation_title", &p.title);
    head.push_str(&meta("citation_author", "Author, A."));
    if let Some(c) = &p.conference {
        head.push_str(&meta("citation_conference_title", c));
    }
    if let Some(j) = &p.journal {
        head.push_str(&meta("citation_journal_title", j));
    }
    head.push_str(&meta("citation_publication_date", &p.date));
    if let Some(d) = &p.online_date {
        head.push_str(&meta("citation_online_date", d));
    }
    format!(
        "<!DOCTYPE html>\n<html>\n<head>\n<title>{}</title>\n{head}</head>\n<body></body>\n</html>\n",
        p.title
    )
}

/// Starts the stand-ins for all registries.
async fn registries(arxiv: ArxivMode, handle_html_errors: bool) -> MockServer {
    let data = registry_data();
    let server = MockServer::start().await;
    Mock::given(path("/api/query"))
        .respond_with(Arxiv {
            records: data.arxiv.clone(),
            mode: arxiv,
        })
        .mount(&server)
        .await;
    Mock::given(path_regex("^/works/"))
        .respond_with(Crossref(
            data.crossref
                .iter()
                .map(|w| (w.doi.to_lowercase(), work(w)))
                .collect(),
        ))
        .mount(&server)
        .await;
    Mock::given(path_regex("^/api/handles/"))
        .respond_with(Handle {
            missing: data.handles.missing.clone(),
            html_errors: handle_html_errors,
        })
        .mount(&server)
        .await;
    Mock::given(path_regex("^/site/"))
        .respond_with(Sites(
            data.landing
                .iter()
                .map(|p| (p.url.clone(), landing_html(p)))
                .collect(),
        ))
        .mount(&server)
        .await;
    server
}

/// A folder with the three lists and a config pointing every endpoint at `server`.
fn workspace(server: &MockServer, cache: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for list in ["table.md", "badges.md", "bullets.md"] {
        std::fs::copy(fixtures().join(list), dir.path().join(list)).unwrap();
    }
    let config = format!(
        "[metadata]\narxiv_api = '{0}/api/query'\ncrossref_api = '{0}'\ndoi_api = '{0}'\narxiv_interval = '1ms'\n\n[network]\nallow_private = true\ncache = '{cache}'\n\n[[network.remap]]\npattern = '^https?://([^/]+)/(.*)$'\nreplacement = '{0}/site/$1/$2'\n",
        server.uri()
    );
    std::fs::write(dir.path().join("paperlint.toml"), config).unwrap();
    dir
}

/// One finding: file name, line, rule, severity, message.
type Found = (String, u64, String, String, String);

fn check(dir: &Path) -> Vec<Found> {
    let out = crate::cli::paperlint()
        .current_dir(dir)
        .args([
            "check",
            "--format",
            "json",
            "table.md",
            "badges.md",
            "bullets.md",
        ])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                Path::new(f["file"].as_str().unwrap())
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                f["line"].as_u64().unwrap(),
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The line of `file` holding `needle` (exactly one).
fn line_of(file: &str, needle: &str) -> u64 {
    let text = std::fs::read_to_string(fixtures().join(file)).unwrap();
    let lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(needle))
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(lines.len(), 1, "`{needle}` in {file}: lines {lines:?}");
    lines[0] as u64
}

/// The planted defects: (file, text on the row, rule).
const PLANTED: &[(&str, &str, &str)] = &[
    // An arXiv id the registry does not return while it returns the rest of the batch.
    ("table.md", "2306.99999", "paper/not-found"),
    // A DOI the handle system answers with responseCode 100.
    ("table.md", "s41591-023-99999-9", "paper/not-found"),
    // "Findings of EMNLP" listed as EMNLP.
    (
        "table.md",
        "2022.findings-emnlp.398",
        "paper/venue-mismatch",
    ),
    // An ICCV paper listed as CVPR.
    ("table.md", "Liu_Swin_Transformer", "paper/venue-mismatch"),
    // A Nature paper listed as Nature Medicine.
    ("table.md", "s41586-023-05881-4", "paper/venue-mismatch"),
    // DDIM's title on DDPM's link.
    (
        "table.md",
        "Denoising Diffusion Implicit Models",
        "paper/title-mismatch",
    ),
    // 2019 for a 2017 paper.
    ("table.md", "1706.03762", "paper/year-mismatch"),
    // `arxiv` once where the list writes `ArXiv` three times.
    ("table.md", "| arxiv |", "venue/spelling"),
    // A NeurIPS paper (its arXiv comments say so) listed as ICML.
    ("badges.md", "2204.14198", "paper/venue-mismatch"),
    // A main-conference paper listed as Findings.
    ("badges.md", "2022.emnlp-main.653", "paper/venue-mismatch"),
    // Imagen Video's title on Video Diffusion Models' link.
    ("badges.md", "2204.03458", "paper/title-mismatch"),
    // Dated 2021, posted 2023.
    ("badges.md", "2301.12597", "paper/year-mismatch"),
    // ICLR 2023 listed as ICLR 2021.
    ("bullets.md", "WE_vluYUL-X", "paper/year-mismatch"),
    // An ICLR paper listed as NeurIPS.
    ("bullets.md", "nZeVKeeFYf9", "paper/venue-mismatch"),
];

fn planted() -> BTreeSet<(String, u64, String)> {
    PLANTED
        .iter()
        .map(|(f, needle, rule)| (f.to_string(), line_of(f, needle), rule.to_string()))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn healthy_rows_are_silent_and_every_planted_defect_is_found() {
    let server = registries(ArxivMode::Healthy, false).await;
    let dir = workspace(&server, "");
    let found = check(dir.path());
    let loud: Vec<&Found> = found.iter().filter(|f| f.3 != "info").collect();
    let want = planted();
    let got: BTreeSet<(String, u64, String)> = loud
        .iter()
        .map(|f| (f.0.clone(), f.1, f.2.clone()))
        .collect();
    let false_alarms: Vec<&&Found> = loud
        .iter()
        .filter(|f| !want.contains(&(f.0.clone(), f.1, f.2.clone())))
        .collect();
    let missed: Vec<&(String, u64, String)> = want.iter().filter(|w| !got.contains(w)).collect();
    assert!(
        false_alarms.is_empty() && missed.is_empty(),
        "false alarms: {false_alarms:#?}\nmissed: {missed:#?}"
    );
    // The spelling message states facts that hold: the counts and why.
    let spelling = loud.iter().find(|f| f.2 == "venue/spelling").unwrap();
    assert!(
        spelling.4.contains("`ArXiv` ×3") && spelling.4.contains("`arxiv` ×1"),
        "{}",
        spelling.4
    );
    // Not-found is an error; the rest are warnings.
    for f in &loud {
        let want = if f.2 == "paper/not-found" {
            "error"
        } else {
            "warning"
        };
        assert_eq!(f.3, want, "{f:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_misbehaving_registry_makes_papers_unresolved_never_not_found_nor_cached() {
    let bad = registries(ArxivMode::Empty, true).await;
    let cache_dir = tempfile::tempdir().unwrap();
    let cache = cache_dir.path().join("cache.json");
    let dir = workspace(&bad, &cache.display().to_string());
    let found = check(dir.path());
    let not_found: Vec<&Found> = found.iter().filter(|f| f.2 == "paper/not-found").collect();
    assert!(not_found.is_empty(), "{not_found:#?}");
    // The same lists against healthy registries, with the same cache: the papers
    // resolve (nothing of the bad run was kept as a verdict).
    let good = registries(ArxivMode::Healthy, false).await;
    let dir = workspace(&good, &cache.display().to_string());
    let found = check(dir.path());
    let got: BTreeSet<(String, u64, String)> = found
        .iter()
        .filter(|f| f.3 != "info")
        .map(|f| (f.0.clone(), f.1, f.2.clone()))
        .collect();
    assert_eq!(got, planted());
}
