//! Venue truth against local stand-ins of Semantic Scholar's batch endpoint and
//! DBLP's search API, shaped like the recorded answers in `tests/fixtures/`
//! (`s2_batch_*_cassette.yaml`, `s2_429_too_many_requests.json`,
//! `dblp_search_corr_hit_2206.08966.json`): batching and the 500-id limit, nulls,
//! 429 with and without `Retry-After`, CoRR records, near-duplicate titles,
//! workshop versions, entities and trailing periods.

use paperlint::metadata::dblp::DblpSettings;
use paperlint::metadata::placement::VenueTruth;
use paperlint::metadata::semantic_scholar::{self, S2Answer, S2Settings};
use paperlint::metadata::venue_truth::{PaperToPlace, VenueSettings, place};
use serde_json::{Value, json};
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use super::metadata::fixture;

/// A Semantic Scholar record in the batch endpoint's shape for an arXiv paper placed
/// at a venue through DBLP (`externalIds.DBLP`), or a preprint-only record.
pub fn s2_record(
    arxiv: &str,
    title: &str,
    year: i32,
    venue: &str,
    alternate: &[&str],
    dblp: &str,
) -> Value {
    json!({
        "paperId": format!("{:040x}", arxiv.bytes().fold(7u128, |h, b| h.wrapping_mul(31).wrapping_add(b as u128))),
        "externalIds": {"DBLP": dblp, "ArXiv": arxiv, "DOI": format!("10.48550/arXiv.{arxiv}"), "CorpusId": 1},
        "title": title,
        "venue": venue,
        "publicationVenue": if venue.is_empty() { Value::Null } else {
            json!({"id": "939c6e1d-0d17-4d6e-8a82-66d960df0e40", "name": venue, "type": "conference", "alternate_names": alternate, "url": ""})
        },
        "year": year,
        "publicationDate": format!("{year}-06-01"),
        "journal": {"name": "ArXiv", "volume": format!("abs/{arxiv}")},
    })
}

/// What the fake Semantic Scholar saw.
#[derive(Default, Debug)]
pub struct S2Seen {
    /// The ids of each request, in order.
    pub batches: Vec<Vec<String>>,
    /// The `x-api-key` header of each request.
    pub keys: Vec<Option<String>>,
}

/// The batch endpoint: answers an array aligned with the ids (`null` for unknown
/// ids); scripted failures (status, `Retry-After`) come first.
pub struct FakeS2 {
    pub records: BTreeMap<String, Value>,
    pub failures: Mutex<VecDeque<(u16, Option<&'static str>)>>,
    pub seen: Arc<Mutex<S2Seen>>,
}

impl Respond for FakeS2 {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let ids: Vec<String> = body["ids"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        {
            let mut seen = self.seen.lock().unwrap();
            seen.batches.push(ids.clone());
            seen.keys.push(
                request
                    .headers
                    .get("x-api-key")
                    .and_then(|v| v.to_str().ok())
                    .map(String::from),
            );
        }
        if let Some((status, retry_after)) = self.failures.lock().unwrap().pop_front() {
            let mut t = ResponseTemplate::new(status)
                .insert_header("content-type", "application/json")
                .set_body_string(fixture("s2_429_too_many_requests.json"));
            if let Some(r) = retry_after {
                t = t.insert_header("retry-after", r);
            }
            return t;
        }
        if ids.len() > semantic_scholar::MAX_BATCH {
            return ResponseTemplate::new(400)
                .set_body_string(r#"{"error":"Cannot request more than 500 ids"}"#);
        }
        let answer: Vec<Value> = ids
            .iter()
            .map(|id| {
                let arxiv = id.strip_prefix("arXiv:").unwrap_or(id);
                self.records.get(arxiv).cloned().unwrap_or(Value::Null)
            })
            .collect();
        ResponseTemplate::new(200)
            .insert_header("content-type", "application/json")
            .set_body_json(answer)
    }
}

/// A DBLP search hit in the API's shape (`info` with string year, one-or-many authors).
pub fn dblp_hit(
    title: &str,
    venue: &str,
    year: i32,
    key: &str,
    kind: &str,
    authors: &[&str],
) -> Value {
    let author_list: Vec<Value> = authors
        .iter()
        .enumerate()
        .map(|(i, a)| json!({"@pid": format!("{i}/1"), "text": a}))
        .collect();
    let author = if author_list.len() == 1 {
        author_list[0].clone()
    } else {
        Value::Array(author_list)
    };
    let mut info = json!({
        "authors": {"author": author},
        "title": title,
        "venue": venue,
        "year": year.to_string(),
        "type": kind,
        "access": "open",
        "key": key,
        "url": format!("https://dblp.org/rec/{key}"),
    });
    if key.starts_with("journals/corr/") {
        let id = key
            .trim_start_matches("journals/corr/abs-")
            .replacen('-', ".", 1);
        info["volume"] = json!(format!("abs/{id}"));
        info["doi"] = json!(format!("10.48550/ARXIV.{id}"));
        info["ee"] = json!(format!("https://doi.org/10.48550/arXiv.{id}"));
    }
    json!({"@score": "3", "@id": "1", "info": info, "url": "URL#1"})
}

/// What the fake DBLP saw: each `q`.
pub type DblpSeen = Arc<Mutex<Vec<String>>>;

/// The search API: hits chosen by the query words (every known record whose title
/// words contain all query words, like DBLP's prefix search, near-duplicates included).
pub struct FakeDblp {
    pub hits: Vec<Value>,
    pub failures: Mutex<VecDeque<(u16, Option<&'static str>)>>,
    pub seen: DblpSeen,
}

fn words(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

impl Respond for FakeDblp {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let q = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "q")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        assert!(
            request
                .url
                .query_pairs()
                .any(|(k, v)| k == "format" && v == "json")
        );
        self.seen.lock().unwrap().push(q.clone());
        if let Some((status, retry_after)) = self.failures.lock().unwrap().pop_front() {
            let mut t = ResponseTemplate::new(status).set_body_string("Too Many Requests");
            if let Some(r) = retry_after {
                t = t.insert_header("retry-after", r);
            }
            return t;
        }
        let want = words(&q);
        let found: Vec<Value> = self
            .hits
            .iter()
            .filter(|h| {
                let title = words(h["info"]["title"].as_str().unwrap_or_default());
                want.iter().all(|w| title.contains(w))
            })
            .cloned()
            .collect();
        let hits = if found.is_empty() {
            json!({"@total": "0", "@computed": "0", "@sent": "0", "@first": "0"})
        } else {
            json!({"@total": found.len().to_string(), "@computed": found.len().to_string(), "@sent": found.len().to_string(), "@first": "0", "hit": found})
        };
        ResponseTemplate::new(200)
            .insert_header("content-type", "application/json")
            .set_body_json(json!({"result": {
                "query": q, "status": {"@code": "200", "text": "OK"},
                "time": {"@unit": "msecs", "text": "5.10"},
                "completions": {"@total": "0", "@computed": "0", "@sent": "0"},
                "hits": hits}}))
    }
}

/// Both stand-ins on one server.
pub struct Registries {
    pub server: MockServer,
    pub s2: Arc<Mutex<S2Seen>>,
    pub dblp: DblpSeen,
}

pub async fn registries(
    s2_records: BTreeMap<String, Value>,
    s2_failures: Vec<(u16, Option<&'static str>)>,
    dblp_hits: Vec<Value>,
    dblp_failures: Vec<(u16, Option<&'static str>)>,
) -> Registries {
    let server = MockServer::start().await;
    let s2 = Arc::new(Mutex::new(S2Seen::default()));
    let dblp: DblpSeen = Arc::default();
    Mock::given(method("POST"))
        .and(path("/graph/v1/paper/batch"))
        .respond_with(FakeS2 {
            records: s2_records,
            failures: Mutex::new(s2_failures.into()),
            seen: s2.clone(),
        })
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/search/publ/api"))
        .respond_with(FakeDblp {
            hits: dblp_hits,
            failures: Mutex::new(dblp_failures.into()),
            seen: dblp.clone(),
        })
        .mount(&server)
        .await;
    Registries { server, s2, dblp }
}

pub fn settings(server: &MockServer) -> VenueSettings {
    VenueSettings {
        semantic_scholar: S2Settings {
            api: format!("{}/graph/v1", server.uri()),
            api_key: None,
            batch: 500,
            wait_budget: Duration::from_secs(5),
            backoff: Duration::from_millis(20),
        },
        dblp: DblpSettings {
            api: server.uri(),
            interval: Duration::from_millis(1),
            hits: 30,
            wait_budget: Duration::from_secs(5),
        },
    }
}

const CONF: &str = "Conference and Workshop Papers";
const INFORMAL: &str = "Informal and Other Publications";

fn paper(id: &str, title: &str, author: &str) -> PaperToPlace {
    PaperToPlace {
        arxiv_id: id.into(),
        title: Some(title.into()),
        first_author: Some(author.into()),
        // New-style arXiv ids start with the year of the first version.
        arxiv_year: id
            .get(..2)
            .and_then(|yy| yy.parse::<i32>().ok())
            .map(|yy| 2000 + yy),
    }
}

#[tokio::test]
async fn a_thousand_ids_cost_two_batches_and_the_limit_is_500() {
    let r = registries(BTreeMap::new(), vec![], vec![], vec![]).await;
    let ids: Vec<String> = (0..1001).map(|i| format!("arXiv:2101.{i:05}")).collect();
    let mut s = settings(&r.server).semantic_scholar;
    s.batch = 10_000; // asked for more than the endpoint takes: clamped to 500
    let client = paperlint::net::client_builder("test").build().unwrap();
    let (answers, stats) = semantic_scholar::lookup(&client, &s, &ids).await;
    let seen = r.s2.lock().unwrap();
    let sizes: Vec<usize> = seen.batches.iter().map(Vec::len).collect();
    assert_eq!(sizes, [500, 500, 1]);
    assert_eq!(stats.requests, 3);
    assert_eq!(seen.batches.concat(), ids, "every id sent once, in order");
    assert!(answers.values().all(|a| *a == S2Answer::NotKnown));
    assert_eq!(
        seen.keys,
        [None, None, None],
        "no key without one configured"
    );
}

#[tokio::test]
async fn nulls_stay_aligned_with_their_ids_and_the_key_is_sent() {
    let mut records = BTreeMap::new();
    records.insert(
        "2106.09685".to_string(),
        s2_record(
            "2106.09685",
            "LoRA: Low-Rank Adaptation of Large Language Models",
            2021,
            "International Conference on Learning Representations",
            &["Int Conf Learn Represent", "ICLR"],
            "conf/iclr/HuSWALWWC22",
        ),
    );
    let r = registries(records, vec![], vec![], vec![]).await;
    let mut s = settings(&r.server).semantic_scholar;
    s.api_key = Some("secret-key".into());
    let ids = ["arXiv:0000.00001", "arXiv:2106.09685", "arXiv:0000.00002"].map(String::from);
    let (answers, _) = semantic_scholar::lookup(
        &paperlint::net::client_builder("test").build().unwrap(),
        &s,
        &ids,
    )
    .await;
    assert_eq!(answers["arXiv:0000.00001"], S2Answer::NotKnown);
    assert_eq!(answers["arXiv:0000.00002"], S2Answer::NotKnown);
    let S2Answer::Known(lora) = &answers["arXiv:2106.09685"] else {
        panic!()
    };
    assert_eq!(lora.dblp_key().as_deref(), Some("conf/iclr/HuSWALWWC22"));
    assert_eq!(r.s2.lock().unwrap().keys, [Some("secret-key".to_string())]);
}

#[tokio::test]
async fn a_429_without_retry_after_is_waited_out_and_retried() {
    let r = registries(
        BTreeMap::new(),
        vec![(429, None), (429, None)],
        vec![],
        vec![],
    )
    .await;
    let s = settings(&r.server).semantic_scholar;
    let ids = ["arXiv:2101.00001".to_string()];
    let (answers, stats) = semantic_scholar::lookup(
        &paperlint::net::client_builder("test").build().unwrap(),
        &s,
        &ids,
    )
    .await;
    assert_eq!(answers["arXiv:2101.00001"], S2Answer::NotKnown);
    assert_eq!((stats.requests, stats.rate_limited), (3, 2));
}

#[tokio::test]
async fn a_429_with_retry_after_is_honoured() {
    let r = registries(BTreeMap::new(), vec![(429, Some("1"))], vec![], vec![]).await;
    let s = settings(&r.server).semantic_scholar;
    let ids = ["arXiv:2101.00001".to_string()];
    let (answers, stats) = semantic_scholar::lookup(
        &paperlint::net::client_builder("test").build().unwrap(),
        &s,
        &ids,
    )
    .await;
    assert_eq!(answers["arXiv:2101.00001"], S2Answer::NotKnown);
    assert_eq!(stats.requests, 2);
}

#[tokio::test]
async fn past_the_budget_the_run_carries_on_without_semantic_scholar() {
    // It asks for an hour; the budget is five seconds: give up at once, ask no more
    // batches, and let DBLP answer for the papers.
    let hits = vec![dblp_hit(
        "LoRA: Low-Rank Adaptation of Large Language Models.",
        "ICLR",
        2022,
        "conf/iclr/HuSWALWWC22",
        CONF,
        &["Edward J. Hu", "Yelong Shen"],
    )];
    let r = registries(BTreeMap::new(), vec![(429, Some("3600"))], hits, vec![]).await;
    let mut s = settings(&r.server);
    s.semantic_scholar.batch = 1;
    let papers = [
        paper(
            "2106.09685",
            "LoRA: Low-Rank Adaptation of Large Language Models",
            "Edward J. Hu",
        ),
        paper("2101.00001", "A Paper Nobody Knows", "Jane Doe"),
    ];
    let (truth, stats) = place(
        &paperlint::net::client_builder("test").build().unwrap(),
        &s,
        &papers,
    )
    .await;
    assert_eq!(stats.s2_requests, 1, "no second batch after giving up");
    assert_eq!(stats.dblp_requests, 2);
    let main = truth["2106.09685"].main_placement().unwrap();
    assert_eq!((main.venue.as_str(), main.year), ("ICLR", Some(2022)));
    assert!(matches!(truth["2101.00001"], VenueTruth::Unplaced { .. }));
}

#[tokio::test]
async fn dblp_is_asked_only_for_papers_semantic_scholar_did_not_place() {
    let mut records = BTreeMap::new();
    records.insert(
        "2106.09685".to_string(),
        s2_record(
            "2106.09685",
            "LoRA: Low-Rank Adaptation of Large Language Models",
            2021,
            "International Conference on Learning Representations",
            &["Int Conf Learn Represent", "ICLR"],
            "conf/iclr/HuSWALWWC22",
        ),
    );
    // Known to Semantic Scholar only through DBLP's arXiv record.
    records.insert(
        "2306.12001".to_string(),
        s2_record(
            "2306.12001",
            "An Overview of Catastrophic AI Risks",
            2023,
            "",
            &[],
            "journals/corr/abs-2306-12001",
        ),
    );
    // Its venue string without a DBLP key: a lead, to be confirmed.
    records.insert(
        "2010.11929".to_string(),
        s2_record(
            "2010.11929",
            "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale",
            2020,
            "International Conference on Learning Representations",
            &["ICLR"],
            "",
        ),
    );
    if let Some(ids) = records
        .get_mut("2010.11929")
        .and_then(|r| r["externalIds"].as_object_mut())
    {
        ids.remove("DBLP");
    }
    let hits = vec![
        dblp_hit(
            "An Overview of Catastrophic AI Risks.",
            "CoRR",
            2023,
            "journals/corr/abs-2306-12001",
            INFORMAL,
            &["Dan Hendrycks", "Mantas Mazeika", "Thomas Woodside"],
        ),
        dblp_hit(
            "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale.",
            "CoRR",
            2020,
            "journals/corr/abs-2010-11929",
            INFORMAL,
            &["Alexey Dosovitskiy", "Lucas Beyer"],
        ),
        dblp_hit(
            "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale.",
            "ICLR",
            2021,
            "conf/iclr/DosovitskiyB0WZ21",
            CONF,
            &["Alexey Dosovitskiy", "Lucas Beyer"],
        ),
    ];
    let r = registries(records, vec![], hits, vec![]).await;
    let papers = [
        paper(
            "2106.09685",
            "LoRA: Low-Rank Adaptation of Large Language Models",
            "Edward J. Hu",
        ),
        paper(
            "2306.12001",
            "An Overview of Catastrophic AI Risks",
            "Dan Hendrycks",
        ),
        paper(
            "2010.11929",
            "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale",
            "Alexey Dosovitskiy",
        ),
    ];
    let (truth, stats) = place(
        &paperlint::net::client_builder("test").build().unwrap(),
        &settings(&r.server),
        &papers,
    )
    .await;
    assert_eq!((stats.s2_requests, stats.s2_ids), (1, 3));
    assert_eq!(stats.dblp_requests, 2, "LoRA was placed by its DBLP key");
    let seen = r.dblp.lock().unwrap().clone();
    assert!(seen.iter().all(|q| !q.contains("lora")), "{seen:?}");
    assert_eq!(truth["2106.09685"].main_placement().unwrap().venue, "ICLR");
    assert_eq!(truth["2306.12001"], VenueTruth::PreprintOnly);
    let vit = truth["2010.11929"].main_placement().unwrap();
    assert_eq!(
        (vit.venue.as_str(), vit.year, vit.source.as_str()),
        ("ICLR", Some(2021), "DBLP")
    );
}

#[tokio::test]
async fn dblp_traps_near_duplicates_workshops_entities_and_periods() {
    let hits = vec![
        // A later paper with the same name plus "2", and an "Improved …" one.
        dblp_hit(
            "Segment Anything 2.",
            "ICLR",
            2025,
            "conf/iclr/RaviGHHRKMRRGMPA25",
            CONF,
            &["Nikhila Ravi"],
        ),
        dblp_hit(
            "Segment Anything.",
            "ICCV",
            2023,
            "conf/iccv/KirillovMRMRGXW23",
            CONF,
            &["Alexander Kirillov", "Eric Mintun"],
        ),
        dblp_hit(
            "Segment Anything.",
            "CoRR",
            2023,
            "journals/corr/abs-2304-02643",
            INFORMAL,
            &["Alexander Kirillov", "Eric Mintun"],
        ),
        dblp_hit(
            "Improved Denoising Diffusion Probabilistic Models.",
            "ICML",
            2021,
            "conf/icml/NicholD21",
            CONF,
            &["Alexander Quinn Nichol", "Prafulla Dhariwal"],
        ),
        dblp_hit(
            "Denoising Diffusion Probabilistic Models.",
            "NeurIPS",
            2020,
            "conf/nips/HoJA20",
            CONF,
            &["Jonathan Ho", "Ajay Jain", "Pieter Abbeel"],
        ),
        // Only a workshop version.
        dblp_hit(
            "Visual Instruction Tuning for Tiny Robots.",
            "ICLR (Workshop)",
            2024,
            "conf/iclr/DoeR24w",
            CONF,
            &["Jane Doe", "Ann Roe"],
        ),
        // An HTML entity in DBLP's title.
        dblp_hit(
            "Don&apos;t Stop Pretraining: Adapt Language Models to Domains and Tasks.",
            "ACL",
            2020,
            "conf/acl/GururanganMSLBD20",
            CONF,
            &["Suchin Gururangan", "Ana Marasovic"],
        ),
        // Same title, another first author: another paper.
        dblp_hit(
            "Scaling Laws.",
            "NeurIPS",
            2022,
            "conf/nips/Other22",
            CONF,
            &["Someone Else"],
        ),
    ];
    let r = registries(BTreeMap::new(), vec![], hits, vec![]).await;
    let papers = [
        paper("2304.02643", "Segment Anything", "Alexander Kirillov"),
        paper(
            "2006.11239",
            "Denoising Diffusion Probabilistic Models",
            "Jonathan Ho",
        ),
        paper(
            "2404.00001",
            "Visual Instruction Tuning for Tiny Robots",
            "Jane Doe",
        ),
        paper(
            "2004.10964",
            "Don't Stop Pretraining: Adapt Language Models to Domains and Tasks",
            "Suchin Gururangan",
        ),
        paper("2001.08361", "Scaling Laws", "Jared Kaplan"),
    ];
    let (truth, stats) = place(
        &paperlint::net::client_builder("test").build().unwrap(),
        &settings(&r.server),
        &papers,
    )
    .await;
    assert_eq!(stats.dblp_requests, 5, "one query per paper");
    let sam = truth["2304.02643"].main_placement().unwrap();
    assert_eq!((sam.venue.as_str(), sam.year), ("ICCV", Some(2023)));
    let ddpm = truth["2006.11239"].main_placement().unwrap();
    assert_eq!((ddpm.venue.as_str(), ddpm.year), ("NeurIPS", Some(2020)));
    let tiny = truth["2404.00001"].main_placement().unwrap();
    assert!(tiny.workshop);
    assert_eq!(truth["2004.10964"].main_placement().unwrap().venue, "ACL");
    assert!(matches!(truth["2001.08361"], VenueTruth::Unplaced { .. }));
}

#[tokio::test]
async fn dblp_retry_after_is_honoured_and_a_long_one_stops_the_queries() {
    let hits = vec![dblp_hit(
        "Segment Anything.",
        "ICCV",
        2023,
        "conf/iccv/KirillovMRMRGXW23",
        CONF,
        &["Alexander Kirillov"],
    )];
    let r = registries(
        BTreeMap::new(),
        vec![],
        hits.clone(),
        vec![(429, Some("1"))],
    )
    .await;
    let papers = [paper(
        "2304.02643",
        "Segment Anything",
        "Alexander Kirillov",
    )];
    let (truth, stats) = place(
        &paperlint::net::client_builder("test").build().unwrap(),
        &settings(&r.server),
        &papers,
    )
    .await;
    assert_eq!(stats.dblp_requests, 2);
    assert_eq!(truth["2304.02643"].main_placement().unwrap().venue, "ICCV");

    let r = registries(BTreeMap::new(), vec![], hits, vec![(429, Some("3600"))]).await;
    let papers = [
        paper("2304.02643", "Segment Anything", "Alexander Kirillov"),
        paper(
            "2006.11239",
            "Denoising Diffusion Probabilistic Models",
            "Jonathan Ho",
        ),
    ];
    let (truth, stats) = place(
        &paperlint::net::client_builder("test").build().unwrap(),
        &settings(&r.server),
        &papers,
    )
    .await;
    assert_eq!(
        stats.dblp_requests, 1,
        "no more queries once DBLP asks for too long a pause"
    );
    assert!(
        truth
            .values()
            .all(|t| matches!(t, VenueTruth::Unplaced { .. }))
    );
}

#[tokio::test]
async fn only_a_preprint_is_asked_again_sooner_than_a_placed_paper() {
    use paperlint::cache::Cache;
    use paperlint::model::{Paper, PaperRef, Resolution};
    let mut records = BTreeMap::new();
    records.insert(
        "2106.09685".to_string(),
        s2_record(
            "2106.09685",
            "LoRA: Low-Rank Adaptation of Large Language Models",
            2021,
            "International Conference on Learning Representations",
            &["ICLR"],
            "conf/iclr/HuSWALWWC22",
        ),
    );
    records.insert(
        "1907.11692".to_string(),
        s2_record(
            "1907.11692",
            "RoBERTa: A Robustly Optimized BERT Pretraining Approach",
            2019,
            "",
            &[],
            "journals/corr/abs-1907-11692",
        ),
    );
    let hits = vec![dblp_hit(
        "RoBERTa: A Robustly Optimized BERT Pretraining Approach.",
        "CoRR",
        2019,
        "journals/corr/abs-1907-11692",
        INFORMAL,
        &["Yinhan Liu", "Myle Ott"],
    )];
    let r = registries(records, vec![], hits, vec![]).await;
    let config = paperlint::config::MetadataConfig {
        semantic_scholar_api: format!("{}/graph/v1", r.server.uri()),
        dblp_api: r.server.uri(),
        dblp_interval: Duration::from_millis(1),
        ..Default::default()
    };
    let found = |title: &str, author: &str, year: i32| Resolution::Found {
        paper: Paper {
            source: "arXiv".into(),
            titles: vec![title.into()],
            authors: vec![author.into()],
            preprint_year: Some(year),
            kind: "misc".into(),
            ..Paper::default()
        },
    };
    let papers = || {
        BTreeMap::from([
            (
                PaperRef::Arxiv("2106.09685".into()),
                found(
                    "LoRA: Low-Rank Adaptation of Large Language Models",
                    "Edward J. Hu",
                    2021,
                ),
            ),
            (
                PaperRef::Arxiv("1907.11692".into()),
                found(
                    "RoBERTa: A Robustly Optimized BERT Pretraining Approach",
                    "Yinhan Liu",
                    2019,
                ),
            ),
        ])
    };
    use paperlint::metadata::venue_truth::resolve;
    let mut cache = Cache::default();
    let mut first = papers();
    let (truths, _) = resolve(
        &mut first,
        &config,
        &paperlint::config::NetworkConfig::default(),
        "test",
        &mut cache,
    )
    .await
    .unwrap();
    assert_eq!(truths["1907.11692"], VenueTruth::PreprintOnly);
    assert_eq!(
        truths["2106.09685"].main_placement().unwrap().year,
        Some(2022)
    );
    // The placed paper's record now says where: BibTeX and the year rule read it.
    let Resolution::Found { paper } = &first[&PaperRef::Arxiv("2106.09685".into())] else {
        panic!()
    };
    assert_eq!(
        (paper.venues.clone(), paper.year, paper.kind.as_str()),
        (vec!["ICLR".to_string()], Some(2022), "inproceedings")
    );
    assert_eq!(
        (
            r.s2.lock().unwrap().batches.len(),
            r.dblp.lock().unwrap().len()
        ),
        (1, 1)
    );

    // A second run asks nothing.
    let (again, _) = resolve(
        &mut papers(),
        &config,
        &paperlint::config::NetworkConfig::default(),
        "test",
        &mut cache,
    )
    .await
    .unwrap();
    assert_eq!(again, truths);
    assert_eq!(
        (
            r.s2.lock().unwrap().batches.len(),
            r.dblp.lock().unwrap().len()
        ),
        (1, 1)
    );

    // Past the preprint time-to-live (but well within the placed one), only the
    // preprint is asked about again.
    let aged = paperlint::cache::now() - config.preprint_ttl.as_secs() - 60;
    for entry in cache.venues.values_mut() {
        entry.checked = aged;
    }
    resolve(
        &mut papers(),
        &config,
        &paperlint::config::NetworkConfig::default(),
        "test",
        &mut cache,
    )
    .await
    .unwrap();
    let seen = r.s2.lock().unwrap();
    assert_eq!(seen.batches.len(), 2);
    assert_eq!(seen.batches[1], ["arXiv:1907.11692"]);
    assert_eq!(r.dblp.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_failed_lookup_is_not_cached() {
    use paperlint::cache::Cache;
    use paperlint::model::{Paper, PaperRef, Resolution};
    // Semantic Scholar asks for an hour; DBLP answers 500.
    let r = registries(
        BTreeMap::new(),
        vec![(429, Some("3600"))],
        vec![],
        vec![(500, None)],
    )
    .await;
    let config = paperlint::config::MetadataConfig {
        semantic_scholar_api: format!("{}/graph/v1", r.server.uri()),
        dblp_api: r.server.uri(),
        dblp_interval: Duration::from_millis(1),
        venue_wait_budget: Duration::from_secs(2),
        ..Default::default()
    };
    let mut papers = BTreeMap::from([(
        PaperRef::Arxiv("2304.02643".into()),
        Resolution::Found {
            paper: Paper {
                source: "arXiv".into(),
                titles: vec!["Segment Anything".into()],
                authors: vec!["Alexander Kirillov".into()],
                ..Paper::default()
            },
        },
    )]);
    let mut cache = Cache::default();
    let (truths, _) = paperlint::metadata::venue_truth::resolve(
        &mut papers,
        &config,
        &paperlint::config::NetworkConfig::default(),
        "test",
        &mut cache,
    )
    .await
    .unwrap();
    assert!(matches!(
        truths["2304.02643"],
        VenueTruth::Unplaced { settled: false, .. }
    ));
    assert!(cache.venues.is_empty());
}

#[tokio::test]
async fn a_registry_redirect_to_another_host_is_not_followed() {
    use paperlint::cache::Cache;
    use paperlint::model::{Paper, PaperRef, Resolution};
    use wiremock::matchers::any;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    // Semantic Scholar and DBLP both answer with a redirect to a host the
    // configuration does not name: the guard of every client applies, the redirect
    // is not followed and the paper stays unplaced (not cached).
    let elsewhere = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .mount(&elsewhere)
        .await;
    let registry = MockServer::start().await;
    let target = format!("http://localhost:{}/steal", elsewhere.address().port());
    Mock::given(any())
        .respond_with(ResponseTemplate::new(307).insert_header("location", target.as_str()))
        .mount(&registry)
        .await;
    let config = paperlint::config::MetadataConfig {
        semantic_scholar_api: format!("{}/graph/v1", registry.uri()),
        dblp_api: registry.uri(),
        dblp_interval: Duration::from_millis(1),
        venue_wait_budget: Duration::from_secs(1),
        ..Default::default()
    };
    let mut papers = BTreeMap::from([(
        PaperRef::Arxiv("2304.02643".into()),
        Resolution::Found {
            paper: Paper {
                source: "arXiv".into(),
                titles: vec!["Segment Anything".into()],
                authors: vec!["Alexander Kirillov".into()],
                ..Paper::default()
            },
        },
    )]);
    let mut cache = Cache::default();
    let (truths, _) = paperlint::metadata::venue_truth::resolve(
        &mut papers,
        &config,
        &paperlint::config::NetworkConfig::default(),
        "test",
        &mut cache,
    )
    .await
    .unwrap();
    assert!(matches!(
        truths["2304.02643"],
        VenueTruth::Unplaced { settled: false, .. }
    ));
    assert!(cache.venues.is_empty());
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
    assert!(!registry.received_requests().await.unwrap().is_empty());
}
