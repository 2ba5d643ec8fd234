//! Venue-truth benchmark: a list of N arXiv-linked rows (default 1,000) checked by the
//! release `paperlint check` binary against local stand-ins of the arXiv API,
//! Semantic Scholar's batch endpoint and DBLP's search API, shaped like the recorded
//! answers in `tests/fixtures/`. Semantic Scholar places 60% of the papers by a DBLP
//! key, links 20% only to DBLP's CoRR record and does not know 20%; DBLP knows a
//! conference record for half of the papers. It prints the requests each service got
//! and the wall time, with the intervals set to 1 ms (paperlint's own cost), and the
//! time the default pacing (arXiv 3 s, DBLP 1 s) adds on top.
//!
//! Run: `cargo bench --bench venues` (add `-- 5000` for N rows).

use serde_json::{Value, json};
use std::process::Command;
use std::time::{Duration, Instant};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn id(i: usize) -> String {
    format!("23{:02}.{:05}", 1 + i % 12, i)
}

fn title(i: usize) -> String {
    format!("Benchmark Paper Number {i} on Learning Things")
}

struct Arxiv;

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
            "<?xml version='1.0' encoding='UTF-8'?>\n<feed xmlns:arxiv=\"http://arxiv.org/schemas/atom\" xmlns=\"http://www.w3.org/2005/Atom\">\n",
        );
        for x in ids {
            let i: usize = x.rsplit('.').next().unwrap().parse().unwrap();
            feed.push_str(&format!(
                "<entry><id>http://arxiv.org/abs/{x}v1</id><title>{}</title><published>2023-03-01T00:00:00Z</published><author><name>Ada Lovelace{i}</name></author></entry>\n",
                title(i)
            ));
        }
        feed.push_str("</feed>\n");
        ResponseTemplate::new(200).set_body_string(feed)
    }
}

struct SemanticScholar;

impl Respond for SemanticScholar {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        let answer: Vec<Value> = body["ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                let x = v.as_str().unwrap().trim_start_matches("arXiv:");
                let i: usize = x.rsplit('.').next().unwrap().parse().unwrap();
                let dblp = match i % 5 {
                    0..=2 => format!("conf/iclr/Lovelace{i}24"),
                    3 => format!("journals/corr/abs-{}", x.replace('.', "-")),
                    _ => return Value::Null,
                };
                json!({"paperId": format!("{i:040}"), "externalIds": {"DBLP": dblp, "ArXiv": x, "CorpusId": i},
                       "title": title(i), "venue": "International Conference on Learning Representations",
                       "publicationVenue": {"id": "x", "name": "International Conference on Learning Representations", "type": "conference", "alternate_names": ["ICLR"]},
                       "year": 2023, "publicationDate": "2023-03-01", "journal": {"name": "ArXiv", "volume": format!("abs/{x}")}})
            })
            .collect();
        ResponseTemplate::new(200).set_body_json(answer)
    }
}

struct Dblp;

impl Respond for Dblp {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let q = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "q")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        let i: usize = q
            .split_whitespace()
            .find_map(|w| w.parse().ok())
            .unwrap_or(0);
        let author = json!({"@pid": "1/1", "text": format!("Ada Lovelace{i}")});
        let mut hits = vec![
            json!({"@score": "3", "@id": "1", "info": {"authors": {"author": author}, "title": format!("{}.", title(i)), "venue": "CoRR", "year": "2023", "type": "Informal and Other Publications", "key": format!("journals/corr/abs-{i}"), "url": "URL"}}),
        ];
        if i.is_multiple_of(2) {
            hits.push(json!({"@score": "2", "@id": "2", "info": {"authors": {"author": author}, "title": format!("{}.", title(i)), "venue": "ICLR", "year": "2024", "type": "Conference and Workshop Papers", "key": format!("conf/iclr/L{i}24"), "url": "URL"}}));
        }
        ResponseTemplate::new(200).set_body_json(json!({"result": {"status": {"@code": "200", "text": "OK"}, "hits": {"@total": hits.len().to_string(), "hit": hits}}}))
    }
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1000);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        Mock::given(path("/api/query"))
            .respond_with(Arxiv)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/graph/v1/paper/batch"))
            .respond_with(SemanticScholar)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/search/publ/api"))
            .respond_with(Dblp)
            .mount(&server)
            .await;
        server
    });
    let dir = tempfile::tempdir().unwrap();
    let mut md = String::from("# Bench\n\n| Year | Paper | Venue |\n|---|---|---|\n");
    for i in 0..n {
        md.push_str(&format!(
            "| 2023 | [{}](https://arxiv.org/abs/{}) | arXiv |\n",
            title(i),
            id(i)
        ));
    }
    std::fs::write(dir.path().join("README.md"), md).unwrap();
    std::fs::write(
        dir.path().join("paperlint.toml"),
        format!(
            "[metadata]\narxiv_api = '{0}/api/query'\ncrossref_api = '{0}'\ndoi_api = '{0}'\narxiv_interval = '1ms'\nsemantic_scholar_api = '{0}/graph/v1'\ndblp_api = '{0}'\ndblp_interval = '1ms'\n\n[network]\nallow_private = true\ncache = ''\n",
            server.uri()
        ),
    )
    .unwrap();
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_paperlint"))
        .current_dir(dir.path())
        .env_remove("SEMANTIC_SCHOLAR_API_KEY")
        .args([
            "check",
            "--quiet",
            "--format",
            "json",
            "--fail-on",
            "never",
            "README.md",
        ])
        .output()
        .expect("run paperlint");
    let wall = started.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let published = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "paper/published")
        .count();
    let requests = runtime.block_on(server.received_requests()).unwrap();
    let count = |p: &str| requests.iter().filter(|r| r.url.path() == p).count();
    let (arxiv, s2, dblp) = (
        count("/api/query"),
        count("/graph/v1/paper/batch"),
        count("/search/publ/api"),
    );
    let s2_ids: usize = requests
        .iter()
        .filter(|r| r.url.path() == "/graph/v1/paper/batch")
        .map(|r| {
            serde_json::from_slice::<Value>(&r.body).unwrap()["ids"]
                .as_array()
                .unwrap()
                .len()
        })
        .sum();
    let pacing = Duration::from_secs(3) * arxiv.saturating_sub(1) as u32
        + Duration::from_secs(1) * dblp.saturating_sub(1) as u32;
    println!(
        "| rows | arXiv requests | Semantic Scholar requests (ids) | DBLP requests | paper/published | wall (1 ms pacing) | + default pacing |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {n} | {arxiv} | {s2} ({s2_ids}) | {dblp} | {published} | {:.2} s | {} s |",
        wall.as_secs_f64(),
        pacing.as_secs()
    );
}
