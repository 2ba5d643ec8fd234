//! Paper resolution against local registries shaped like the recorded responses in
//! `tests/fixtures/` (arXiv API, Crossref, the DOI handle API, content negotiation,
//! landing pages).

use paperlint::cache::Cache;
use paperlint::config::MetadataConfig;
use paperlint::metadata::resolve;
use paperlint::model::{PaperRef, Resolution};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

/// Every id list the fake arXiv API was asked, with the HTTP method.
pub type Asked = Arc<Mutex<Vec<(String, Vec<String>)>>>;

/// One arXiv record the fake API knows.
#[derive(Clone)]
pub struct ArxivRecord {
    pub id: &'static str,
    pub title: &'static str,
    pub published: &'static str,
    pub journal_ref: Option<&'static str>,
    pub doi: Option<&'static str>,
}

/// The arXiv API: reads `id_list` from the query or the POST form, answers with the
/// known entries in reverse order (the API does not keep the request order), the
/// recorded HTTP 400 error feed for a malformed id, and records every id list asked.
pub struct FakeArxiv {
    pub records: Vec<ArxivRecord>,
    pub asked: Asked,
}

impl Respond for FakeArxiv {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let from_query = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "id_list")
            .map(|(_, v)| v.into_owned());
        let from_form = url::form_urlencoded::parse(&request.body)
            .find(|(k, _)| k == "id_list")
            .map(|(_, v)| v.into_owned());
        let ids: Vec<String> = from_query
            .or(from_form)
            .unwrap_or_default()
            .split(',')
            .map(String::from)
            .collect();
        self.asked
            .lock()
            .unwrap()
            .push((request.method.to_string(), ids.clone()));
        if ids.iter().any(|id| id == "abc") {
            return ResponseTemplate::new(400)
                .set_body_string(fixture("arxiv_error_http400.atom.xml"));
        }
        let mut feed = String::from(
            "<?xml version='1.0' encoding='UTF-8'?>\n<feed xmlns:opensearch=\"http://a9.com/-/spec/opensearch/1.1/\" xmlns:arxiv=\"http://arxiv.org/schemas/atom\" xmlns=\"http://www.w3.org/2005/Atom\">\n  <id>https://arxiv.org/api/x</id>\n  <title>arXiv Query</title>\n",
        );
        for id in ids.iter().rev() {
            let Some(r) = self.records.iter().find(|r| r.id == id) else {
                continue;
            };
            feed.push_str(&format!(
                "  <entry>\n    <id>http://arxiv.org/abs/{}</id>\n    <title>{}</title>\n    <updated>2024-01-01T00:00:00Z</updated>\n    <published>{}T00:00:00Z</published>\n    <author>\n      <name>A. Author</name>\n    </author>\n{}{}  </entry>\n",
                if paperlint::scholarly::has_version(r.id) { r.id.to_string() } else { format!("{}v2", r.id) },
                r.title,
                r.published,
                r.doi.map(|d| format!("    <arxiv:doi>{d}</arxiv:doi>\n")).unwrap_or_default(),
                r.journal_ref.map(|j| format!("    <arxiv:journal_ref>{j}</arxiv:journal_ref>\n")).unwrap_or_default(),
            ));
        }
        feed.push_str("</feed>\n");
        ResponseTemplate::new(200).set_body_string(feed)
    }
}

pub fn config(server: &MockServer) -> MetadataConfig {
    MetadataConfig {
        arxiv_api: format!("{}/api/query", server.uri()),
        crossref_api: server.uri(),
        doi_api: server.uri(),
        arxiv_interval: Duration::from_millis(1),
        timeout: Duration::from_secs(5),
        ..MetadataConfig::default()
    }
}

fn record(id: &'static str) -> ArxivRecord {
    ArxivRecord {
        id,
        title: "A Title",
        published: "2023-01-02",
        journal_ref: None,
        doi: None,
    }
}

async fn fake_arxiv(server: &MockServer, records: Vec<ArxivRecord>) -> Asked {
    let asked = Arc::new(Mutex::new(Vec::new()));
    Mock::given(path("/api/query"))
        .respond_with(FakeArxiv {
            records,
            asked: asked.clone(),
        })
        .mount(server)
        .await;
    asked
}

#[tokio::test]
async fn a_thousand_arxiv_ids_cost_ten_batched_requests() {
    let server = MockServer::start().await;
    let ids: Vec<&'static str> = (0..1000)
        .map(|i| &*Box::leak(format!("2301.{i:05}").into_boxed_str()))
        .collect();
    let asked = fake_arxiv(
        &server,
        ids.iter().step_by(2).map(|id| record(id)).collect(),
    )
    .await;
    let refs: BTreeSet<PaperRef> = ids
        .iter()
        .map(|id| PaperRef::Arxiv(id.to_string()))
        .collect();
    let (found, stats) = resolve(&refs, &config(&server), "", &mut Cache::default())
        .await
        .unwrap();
    assert_eq!(stats.arxiv_requests, 10);
    let asked = asked.lock().unwrap();
    assert!(
        asked.iter().all(|(m, ids)| m == "POST" && ids.len() == 100),
        "long id lists go in a POST body"
    );
    assert_eq!(
        found
            .values()
            .filter(|r| matches!(r, Resolution::Found { .. }))
            .count(),
        500
    );
    let missing = &found[&PaperRef::Arxiv("2301.00001".into())];
    assert!(
        matches!(missing, Resolution::Missing { .. }),
        "an id without an entry does not exist: {missing:?}"
    );
}

#[tokio::test]
async fn arxiv_requests_are_spaced() {
    let server = MockServer::start().await;
    fake_arxiv(&server, vec![record("2301.00001")]).await;
    let cfg = MetadataConfig {
        arxiv_batch: 1,
        arxiv_interval: Duration::from_millis(300),
        ..config(&server)
    };
    let refs: BTreeSet<PaperRef> = ["2301.00001", "2301.00002", "2301.00003"]
        .iter()
        .map(|i| PaperRef::Arxiv(i.to_string()))
        .collect();
    let started = std::time::Instant::now();
    let (_, stats) = resolve(&refs, &cfg, "", &mut Cache::default())
        .await
        .unwrap();
    assert_eq!(stats.arxiv_requests, 3);
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn the_three_arxiv_error_forms() {
    // HTTP 400 with an error entry: the batch is split until the bad id is alone.
    let server = MockServer::start().await;
    let asked = fake_arxiv(&server, vec![record("2301.00001")]).await;
    let refs: BTreeSet<PaperRef> = ["2301.00001", "abc", "2301.00002"]
        .iter()
        .map(|i| PaperRef::Arxiv(i.to_string()))
        .collect();
    let (found, _) = resolve(&refs, &config(&server), "", &mut Cache::default())
        .await
        .unwrap();
    assert!(matches!(
        &found[&PaperRef::Arxiv("2301.00001".into())],
        Resolution::Found { .. }
    ));
    let Resolution::Missing { reason } = &found[&PaperRef::Arxiv("abc".into())] else {
        panic!()
    };
    assert!(reason.contains("incorrect id format for abc"), "{reason}");
    // Alone in its batch, 2301.00002 gets an empty feed: arXiv's answer for an id it
    // does not have, but also for a bad day, so no verdict.
    assert!(matches!(
        &found[&PaperRef::Arxiv("2301.00002".into())],
        Resolution::Unknown { .. }
    ));
    assert!(asked.lock().unwrap().len() >= 3);

    // HTTP 200 with an Error entry, and HTTP 200 with no entry: the recorded bodies.
    use paperlint::metadata::arxiv::{Feed, parse_feed};
    assert!(matches!(
        parse_feed(&fixture("arxiv_error_http400.atom.xml")),
        Ok(Feed::Rejected(_))
    ));
    assert_eq!(
        parse_feed(&fixture("arxiv_no_entry.atom.xml")),
        Ok(Feed::Entries(BTreeMap::new()))
    );
    let Ok(Feed::Entries(entries)) = parse_feed(&fixture("arxiv_two_ids_one_missing.atom.xml"))
    else {
        panic!()
    };
    assert_eq!(entries.keys().collect::<Vec<_>>(), vec!["1707.08567v1"]);
    assert_eq!(entries["1707.08567v1"].preprint_year, Some(2017));
}

#[tokio::test]
async fn crossref_then_the_handle_api() {
    let server = MockServer::start().await;
    Mock::given(path("/works/10.1371/journal.pone.0033693"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(fixture("crossref_work_10.1371_journal.pone.0033693.json")),
        )
        .mount(&server)
        .await;
    // Not in Crossref: registered with DataCite / not registered at all.
    Mock::given(path_regex("^/works/"))
        .respond_with(ResponseTemplate::new(404).set_body_string("Resource not found."))
        .mount(&server)
        .await;
    Mock::given(path("/api/handles/10.6084/m9.figshare.4724797"))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            r#"{"responseCode":1,"handle":"10.6084/m9.figshare.4724797","values":[]}"#,
        ))
        .mount(&server)
        .await;
    Mock::given(path("/api/handles/10.1371/notarealdoi"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_string(r#"{"responseCode":100,"handle":"10.1371/notarealdoi"}"#),
        )
        .mount(&server)
        .await;
    Mock::given(path("/10.6084/m9.figshare.4724797"))
        .and(wiremock::matchers::header(
            "accept",
            "application/vnd.citationstyles.csl+json",
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(fixture("doi_csl_datacite_10.6084_m9.figshare.4724797.json")),
        )
        .mount(&server)
        .await;
    let refs: BTreeSet<PaperRef> = [
        "10.1371/journal.pone.0033693",
        "10.6084/m9.figshare.4724797",
        "10.1371/notarealdoi",
    ]
    .iter()
    .map(|d| PaperRef::Doi(d.to_string()))
    .collect();
    let (found, stats) = resolve(
        &refs,
        &config(&server),
        "lists@example.org",
        &mut Cache::default(),
    )
    .await
    .unwrap();
    let Resolution::Found { paper } = &found[&PaperRef::Doi("10.1371/journal.pone.0033693".into())]
    else {
        panic!()
    };
    assert_eq!(
        (paper.source.as_str(), paper.year, paper.venues[0].as_str()),
        ("Crossref", Some(2012), "PLoS ONE")
    );
    let Resolution::Found { paper } = &found[&PaperRef::Doi("10.6084/m9.figshare.4724797".into())]
    else {
        panic!()
    };
    assert_eq!(
        (paper.source.as_str(), paper.year),
        ("DataCite", Some(2017))
    );
    assert!(matches!(
        &found[&PaperRef::Doi("10.1371/notarealdoi".into())],
        Resolution::Missing { .. }
    ));
    assert_eq!(stats.doi_requests, 6);
    let polite = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.query() == Some("mailto=lists@example.org"))
        .count();
    assert_eq!(polite, 3, "Crossref requests carry the mailto");
}

#[tokio::test]
async fn crossref_rate_limit_headers_space_the_requests() {
    let server = MockServer::start().await;
    Mock::given(path_regex("^/works/"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-rate-limit-limit", "2")
                .insert_header("x-rate-limit-interval", "1s")
                .set_body_string(fixture("crossref_work_10.1371_journal.pone.0033693.json")),
        )
        .mount(&server)
        .await;
    let refs: BTreeSet<PaperRef> = (0..4)
        .map(|i| PaperRef::Doi(format!("10.1000/{i}")))
        .collect();
    let cfg = MetadataConfig {
        crossref_concurrency: 1,
        ..config(&server)
    };
    let started = std::time::Instant::now();
    resolve(&refs, &cfg, "", &mut Cache::default())
        .await
        .unwrap();
    // Two per second: four requests take at least 1.5 s.
    assert!(
        started.elapsed() >= Duration::from_millis(1400),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn landing_pages_with_and_without_citation_tags() {
    let nips =
        paperlint::metadata::landing::parse(&fixture("landing_papers.nips.cc_8668.html")).unwrap();
    assert_eq!(
        nips.titles[0],
        "Learner-aware Teaching: Inverse Reinforcement Learning with Preferences and Constraints"
    );
    assert_eq!(
        (nips.year, nips.venues[0].as_str()),
        (
            Some(2019),
            "Advances in Neural Information Processing Systems"
        )
    );
    assert_eq!(nips.authors.len(), 5);
    // No citation_* tags: the page's metadata object is read (the trimmed recording
    // keeps it), and a page with nothing but a <title> (a login wall, an error page)
    // is not read at all, so the paper stays unresolved rather than guessed.
    let ieee = paperlint::metadata::landing::parse(&fixture(
        "landing_ieeexplore_6649456_no_citation_tags.html",
    ))
    .unwrap();
    assert_eq!(
        (
            ieee.titles[0].as_str(),
            ieee.year,
            ieee.venues[0].as_str(),
            ieee.doi.as_deref()
        ),
        (
            "Entropy-driven optimization dynamics for Gaussian vector multiple access channels",
            Some(2013),
            "2013 IEEE International Conference on Communications Workshops (ICC)",
            Some("10.1109/iccw.2013.6649456")
        )
    );
    assert_eq!(
        paperlint::metadata::landing::parse(
            "<html><head><title>Sign in - IEEE Xplore</title></head></html>"
        ),
        None
    );
}

#[tokio::test]
async fn resolved_metadata_is_cached() {
    let server = MockServer::start().await;
    let asked = fake_arxiv(&server, vec![record("2301.00001")]).await;
    let refs: BTreeSet<PaperRef> = [PaperRef::Arxiv("2301.00001".into())].into();
    let mut cache = Cache::default();
    resolve(&refs, &config(&server), "", &mut cache)
        .await
        .unwrap();
    let (_, stats) = resolve(&refs, &config(&server), "", &mut cache)
        .await
        .unwrap();
    assert_eq!((stats.cached, stats.arxiv_requests), (1, 0));
    assert_eq!(asked.lock().unwrap().len(), 1);
}

/// "Does not exist" is kept for `negative_ttl` (a day by default), then asked again;
/// "could not tell" is never kept.
#[tokio::test]
async fn negative_verdicts_are_cached_briefly_and_unresolved_ones_never() {
    use paperlint::cache::MetaEntry;
    let server = MockServer::start().await;
    let asked = fake_arxiv(&server, vec![record("2301.00001")]).await;
    let refs: BTreeSet<PaperRef> = [
        PaperRef::Arxiv("2301.00001".into()),
        PaperRef::Arxiv("2301.99999".into()),
        PaperRef::Arxiv("2301.77777".into()),
    ]
    .into();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let missing = |age: u64| MetaEntry {
        checked: now - age,
        resolution: Resolution::Missing {
            reason: "arXiv has no paper".into(),
        },
    };
    let mut cache = Cache::default();
    // One negative verdict an hour old (kept), one two days old (asked again), and an
    // unresolved one (never reused, whatever its age).
    cache
        .metadata
        .insert("arXiv:2301.99999".into(), missing(3600));
    cache
        .metadata
        .insert("arXiv:2301.77777".into(), missing(2 * 24 * 3600));
    cache.metadata.insert(
        "arXiv:2301.00001".into(),
        MetaEntry {
            checked: now,
            resolution: Resolution::Unknown {
                reason: "arXiv returned an empty feed".into(),
            },
        },
    );
    let (found, stats) = resolve(&refs, &config(&server), "", &mut cache)
        .await
        .unwrap();
    assert_eq!(stats.cached, 1);
    let asked: Vec<String> = asked
        .lock()
        .unwrap()
        .iter()
        .flat_map(|(_, ids)| ids.clone())
        .collect();
    assert!(
        asked.contains(&"2301.77777".to_string()) && asked.contains(&"2301.00001".to_string()),
        "{asked:?}"
    );
    assert!(!asked.contains(&"2301.99999".to_string()), "{asked:?}");
    assert!(matches!(
        found[&PaperRef::Arxiv("2301.00001".into())],
        Resolution::Found { .. }
    ));
    // The feed returned 2301.00001 but not 2301.77777: now that is a verdict.
    assert!(matches!(
        found[&PaperRef::Arxiv("2301.77777".into())],
        Resolution::Missing { .. }
    ));
}

/// The reference list, with a local registry that knows its papers as the real
/// registries describe them.
mod example_list {
    use super::*;
    use crate::cli::paperlint;

    fn crossref(
        doi: &str,
        title: &str,
        year: i32,
        containers: &[&str],
        kind: &str,
    ) -> serde_json::Value {
        serde_json::json!({"status": "ok", "message-type": "work", "message": {
            "DOI": doi, "type": kind, "title": [title], "container-title": containers,
            "issued": {"date-parts": [[year, 1, 1]]}, "author": [{"family": "Author", "given": "A."}]}})
    }

    async fn registry() -> MockServer {
        let server = MockServer::start().await;
        let arxiv = vec![
            ArxivRecord {
                id: "2309.06419",
                title: "Radiology-Llama2: Best-in-Class Large Language Model for Radiology",
                published: "2023-08-29",
                journal_ref: None,
                doi: None,
            },
            ArxivRecord {
                id: "2305.09617",
                title: "Towards Expert-Level Medical Question Answering with Large Language Models",
                published: "2023-05-16",
                journal_ref: None,
                doi: None,
            },
            ArxivRecord {
                id: "2303.13375",
                title: "Capabilities of GPT-4 on Medical Challenge Problems",
                published: "2023-03-20",
                journal_ref: None,
                doi: None,
            },
            ArxivRecord {
                id: "1904.05342",
                title: "ClinicalBERT: Modeling Clinical Notes and Predicting Hospital Readmission",
                published: "2019-04-10",
                journal_ref: Some("CHIL 2020 Workshop"),
                doi: None,
            },
            ArxivRecord {
                id: "2303.00915",
                title: "Large-Scale Domain-Specific Pretraining for Biomedical Vision-Language Processing",
                published: "2023-03-02",
                journal_ref: None,
                doi: None,
            },
        ];
        Mock::given(path("/api/query"))
            .respond_with(FakeArxiv {
                records: arxiv,
                asked: Arc::default(),
            })
            .mount(&server)
            .await;
        let works = [
            crossref(
                "10.1038/s41591-023-02448-8",
                "Large language models in medicine",
                2023,
                &["Nature Medicine"],
                "journal-article",
            ),
            crossref(
                "10.1038/s41746-023-00879-8",
                "The shaky foundations of large language models and foundation models for electronic health records",
                2023,
                &["npj Digital Medicine"],
                "journal-article",
            ),
            crossref(
                "10.1038/s41586-023-05881-4",
                "Foundation models for generalist medical artificial intelligence",
                2023,
                &["Nature"],
                "journal-article",
            ),
            crossref(
                "10.1038/s41591-023-02437-x",
                "Enhancing the reliability and accuracy of AI-enabled diagnosis via complementarity-driven deferral to clinicians",
                2023,
                &["Nature Medicine"],
                "journal-article",
            ),
            crossref(
                "10.1038/s41586-023-06291-2",
                "Large language models encode clinical knowledge",
                2023,
                &["Nature"],
                "journal-article",
            ),
            crossref(
                "10.1038/s41586-023-06160-y",
                "Health system-scale language models are all-purpose prediction engines",
                2023,
                &["Nature"],
                "journal-article",
            ),
            crossref(
                "10.1038/s41746-022-00742-2",
                "A large language model for electronic health records",
                2022,
                &["npj Digital Medicine"],
                "journal-article",
            ),
            crossref(
                "10.1093/bib/bbac409",
                "BioGPT: generative pre-trained transformer for biomedical text generation and mining",
                2022,
                &["Briefings in Bioinformatics"],
                "journal-article",
            ),
            crossref(
                "10.1145/3458754",
                "Domain-Specific Language Model Pretraining for Biomedical Natural Language Processing",
                2021,
                &["ACM Transactions on Computing for Healthcare"],
                "journal-article",
            ),
            crossref(
                "10.1007/978-3-031-43907-0_39",
                "Knowledge Boosting: Rethinking Medical Contrastive Vision-Language Pre-training",
                2023,
                &[
                    "Lecture Notes in Computer Science",
                    "Medical Image Computing and Computer Assisted Intervention – MICCAI 2023",
                ],
                "book-chapter",
            ),
            crossref(
                "10.1007/978-3-031-43904-9_27",
                "Text-Guided Foundation Model Adaptation for Pathological Image Classification",
                2023,
                &[
                    "Lecture Notes in Computer Science",
                    "Medical Image Computing and Computer Assisted Intervention – MICCAI 2023",
                ],
                "book-chapter",
            ),
            crossref(
                "10.1038/s41591-023-02504-3",
                "A visual–language foundation model for pathology image analysis using medical Twitter",
                2023,
                &["Nature Medicine"],
                "journal-article",
            ),
            crossref(
                "10.1038/s41551-022-00936-9",
                "Expert-level detection of pathologies from unannotated chest X-ray images via self-supervised learning",
                2022,
                &["Nature Biomedical Engineering"],
                "journal-article",
            ),
        ];
        for w in works {
            let doi = w["message"]["DOI"].as_str().unwrap().to_string();
            Mock::given(method("GET"))
                .and(path(format!("/works/{doi}")))
                .respond_with(ResponseTemplate::new(200).set_body_json(w))
                .mount(&server)
                .await;
        }
        // Landing pages (CVF) and every other site: served under /site/HOST/PATH.
        let cvf = |title: &str, conf: &str| {
            format!(
                "<html><head><meta name=\"citation_title\" content=\"{title}\"><meta name=\"citation_publication_date\" content=\"2023\"><meta name=\"citation_conference_title\" content=\"{conf}\"></head></html>"
            )
        };
        for (page, title, conf) in [
            (
                "ICCV2023/html/Chen_Towards_Unifying_Medical_Vision-and-Language_Pre-Training_via_Soft_Prompts_ICCV_2023_paper.html",
                "Towards Unifying Medical Vision-and-Language Pre-Training via Soft Prompts",
                "Proceedings of the IEEE/CVF International Conference on Computer Vision (ICCV)",
            ),
            (
                "ICCV2023/html/Liu_CLIP-Driven_Universal_Model_for_Organ_Segmentation_and_Tumor_Detection_ICCV_2023_paper.html",
                "CLIP-Driven Universal Model for Organ Segmentation and Tumor Detection",
                "Proceedings of the IEEE/CVF International Conference on Computer Vision (ICCV)",
            ),
            (
                "CVPR2023/html/Lu_Visual_Language_Pretrained_Multiple_Instance_Zero-Shot_Transfer_for_Histopathology_Images_CVPR_2023_paper.html",
                "Visual Language Pretrained Multiple Instance Zero-Shot Transfer for Histopathology Images",
                "Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)",
            ),
            (
                "CVPR2023/html/Bannur_Learning_To_Exploit_Temporal_Structure_for_Biomedical_Vision-Language_Processing_CVPR_2023_paper.html",
                "Learning To Exploit Temporal Structure for Biomedical Vision-Language Processing",
                "Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)",
            ),
        ] {
            Mock::given(path(format!("/site/openaccess.thecvf.com/content/{page}")))
                .respond_with(ResponseTemplate::new(200).set_body_string(cvf(title, conf)))
                .mount(&server)
                .await;
        }
        Mock::given(path_regex("^/site/"))
            .respond_with(ResponseTemplate::new(200))
            .mount(&server)
            .await;
        server
    }

    fn setup(server: &MockServer) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(crate::cli::example(), dir.path().join("README.md")).unwrap();
        let config = format!(
            "[metadata]\nvenues = false\narxiv_api = '{0}/api/query'\ncrossref_api = '{0}'\ndoi_api = '{0}'\narxiv_interval = '1ms'\n\n[network]\nallow_private = true\ncache = ''\n\n[[network.remap]]\npattern = '^https?://([^/]+)/(.*)$'\nreplacement = '{0}/site/$1/$2'\n",
            server.uri()
        );
        std::fs::write(dir.path().join("paperlint.toml"), config).unwrap();
        dir
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn entries_resolve_exports_json_and_bibtex() {
        let server = registry().await;
        let dir = setup(&server);
        let out = paperlint()
            .current_dir(dir.path())
            .args(["entries", "--resolve"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let entries: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let biogpt = entries
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["line"] == 29)
            .unwrap();
        assert_eq!(biogpt["paper"]["id"], "doi:10.1093/bib/bbac409");
        assert_eq!(biogpt["paper"]["status"], "found");
        assert_eq!(biogpt["paper"]["venues"][0], "Briefings in Bioinformatics");
        let iccv = entries
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["line"] == 43)
            .unwrap();
        assert_eq!(iccv["paper"]["source"], "landing page", "{iccv}");
        let bib = paperlint()
            .current_dir(dir.path())
            .args(["entries", "--resolve", "--format", "bibtex"])
            .output()
            .unwrap();
        let bib = String::from_utf8(bib.stdout).unwrap();
        let keys: Vec<&str> = bib
            .lines()
            .filter_map(|l| l.strip_prefix('@'))
            .map(|l| l.split_once('{').unwrap().1.trim_end_matches(','))
            .collect();
        let unique: BTreeSet<&&str> = keys.iter().collect();
        assert_eq!(unique.len(), keys.len(), "{keys:?}");
        assert!(bib.contains("@article{author2022biogpt,"), "{bib}");
        assert!(bib.contains("  eprint = {2309.06419},"), "{bib}");
        // Same list, same keys.
        let again = paperlint()
            .current_dir(dir.path())
            .args(["entries", "--resolve", "--format", "bibtex"])
            .output()
            .unwrap();
        assert_eq!(String::from_utf8(again.stdout).unwrap(), bib);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn no_false_paper_warnings_on_the_correct_rows() {
        let server = registry().await;
        let dir = setup(&server);
        let (_, report) = crate::cli::check_json(dir.path(), &[]);
        let paper: Vec<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| {
                f["rule"].as_str().unwrap().starts_with("paper/") && f["severity"] != "info"
            })
            .map(|f| format!("{}: {} {}", f["line"], f["rule"], f["message"]))
            .collect();
        assert!(paper.is_empty(), "false alarms: {paper:#?}");
        assert_eq!(
            report["summary"]["metadata"]["missing"], 0,
            "{}",
            report["summary"]
        );
        // arXiv and doi.org links are vouched for by their registry: never requested.
        let crawled = server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|r| {
                r.url.path().starts_with("/site/arxiv.org")
                    || r.url.path().starts_with("/site/doi.org")
            })
            .count();
        assert_eq!(crawled, 0);
        let published: Vec<&serde_json::Value> =
            crate::cli::with_rule(&report, "paper/published").collect();
        assert!(published.is_empty(), "{published:?}");
    }
}

/// Each rule on rows that should and should not fire, through the binary.
#[tokio::test(flavor = "multi_thread")]
async fn paper_rules_fire_on_wrong_rows_only() {
    let server = MockServer::start().await;
    let records = vec![
        ArxivRecord {
            id: "2301.00001",
            title: "Deep Learning for Cats",
            published: "2023-01-02",
            journal_ref: Some("Nature Machine Intelligence 5, 1-10 (2024)"),
            doi: Some("10.1038/s42256-024-00001-1"),
        },
        ArxivRecord {
            id: "2301.00002",
            title: "Graph Networks Are Everywhere Now",
            published: "2023-01-03",
            journal_ref: None,
            doi: None,
        },
        // Renamed between versions: v1 had another title.
        ArxivRecord {
            id: "2301.00003",
            title: "Sparse Experts for Protein Folding at Scale",
            published: "2023-01-04",
            journal_ref: None,
            doi: None,
        },
        ArxivRecord {
            id: "2301.00003v1",
            title: "Mixture of Experts Meet Protein Structure",
            published: "2023-01-04",
            journal_ref: None,
            doi: None,
        },
    ];
    Mock::given(path("/api/query"))
        .respond_with(FakeArxiv {
            records,
            asked: Arc::default(),
        })
        .mount(&server)
        .await;
    Mock::given(path("/works/10.1000/journal.x"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"message": {"DOI": "10.1000/journal.x", "type": "journal-article", "title": ["A Study of Things in Medicine"], "container-title": ["Nature Medicine"], "issued": {"date-parts": [[2021]]}}})))
        .mount(&server)
        .await;
    Mock::given(path_regex("^/works/"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    Mock::given(path_regex("^/api/handles/"))
        .respond_with(ResponseTemplate::new(404).set_body_string(r#"{"responseCode":100}"#))
        .mount(&server)
        .await;
    let list = "|Year|Title|Venue|\n|---|---|---|\n\
        |2023|[Deep Learning for Cats](https://arxiv.org/abs/2301.00001)|arXiv|\n\
        |2023|[Deep learning for cats](https://arxiv.org/abs/2301.00002)|arXiv|\n\
        |2020|[A Study of Things in Medicine](https://doi.org/10.1000/journal.x)|Nat Med|\n\
        |2021|[A Study of Things in Medicine](https://doi.org/10.1000/journal.x)|Science|\n\
        |2021|[Missing Paper Title Here](https://doi.org/10.1000/missing)|Nature|\n\
        |2023|[Graph Networks Are Everywhere Now](https://arxiv.org/abs/2301.00002)|ICML|\n\
        |2023|[deep learning for cats](https://arxiv.org/abs/2301.00001)|arXiv|\n\
        |2023|[Mixture of Experts Meet Protein Structure](https://arxiv.org/abs/2301.00003v1)|arXiv|\n\
        |2023|[Mixture of Experts Meet Protein Structure](https://arxiv.org/abs/2301.00003)|arXiv|\n";
    let config = format!(
        "[metadata]\nvenues = false\narxiv_api = '{0}/api/query'\ncrossref_api = '{0}'\ndoi_api = '{0}'\narxiv_interval = '1ms'\n\n[network]\nallow_private = true\ncache = ''\n\n[[network.remap]]\npattern = '^https?://([^/]+)/(.*)$'\nreplacement = '{0}/site/$1/$2'\n",
        server.uri()
    );
    let dir = crate::cli::site(list, &config);
    let (_, report) = crate::cli::check_json(dir.path(), &[]);
    let got: BTreeSet<(u64, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().starts_with("paper/"))
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want: BTreeSet<(u64, String, String)> = [
        (3, "paper/published", "info"),
        (4, "paper/title-mismatch", "warning"),
        // One year before the publication, no preprint date known: the preprint year.
        (5, "paper/year-mismatch", "info"),
        (6, "paper/venue-mismatch", "warning"),
        (7, "paper/not-found", "error"),
        (9, "paper/title-mismatch", "info"),
        (9, "paper/published", "info"),
        // Line 10 links v1 with v1's title: right. Line 11 links the paper, whose
        // title is now another one.
        (11, "paper/title-mismatch", "warning"),
    ]
    .into_iter()
    .map(|(l, r, s)| (l, r.to_string(), s.to_string()))
    .collect();
    // Line 3 (right title, year and venue: only the published note), line 5's venue
    // (`Nat Med` is Nature Medicine) and line 8 (an arXiv record has no venue to
    // compare with ICML) stay quiet.
    assert_eq!(got, want);
    // The wrong title's fix puts the registry's title in the link text.
    let fix = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "paper/title-mismatch" && f["line"] == 4)
        .unwrap()["fix"]
        .clone();
    let text = std::fs::read_to_string(dir.path().join("README.md")).unwrap();
    let (start, end) = (
        fix["start"].as_u64().unwrap() as usize,
        fix["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(
        (&text[start..end], fix["replacement"].as_str().unwrap()),
        (
            "Deep learning for cats",
            "Graph Networks Are Everywhere Now"
        )
    );
}
