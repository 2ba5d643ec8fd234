//! `link/broken`, `link/redirect`, `link/unverified`: network results turned into
//! findings on every row that uses the URL.

use super::{Report, Sink};
use crate::check::{LinkStatus, permanent_target};
use crate::config::Config;
use crate::finding::{Finding, Fix, Severity};
use crate::model::Entry;
use crate::source::Source;
use std::collections::BTreeMap;

/// Findings for the links of one file, given the status of each URL.
pub fn link_findings(
    source: &Source,
    entries: &[Entry],
    results: &BTreeMap<String, LinkStatus>,
    config: &Config,
) -> Vec<Finding> {
    let mut sink = Sink {
        source,
        config,
        findings: Vec::new(),
    };
    let src = &source.text;
    for e in entries {
        for l in &e.links {
            let Some(status) = results.get(&l.url) else {
                continue;
            };
            let offset = l.url_span.as_ref().map_or(l.span.start, |s| s.start);
            let report = |rule, message: String, fix| Report {
                rule,
                entry: e,
                offset,
                message,
                url: Some(l.url.clone()),
                fix,
            };
            match status {
                LinkStatus::Broken { reason } => {
                    sink.push(report("link/broken", reason.clone(), None))
                }
                LinkStatus::Unverified { reason } => sink.push(report(
                    "link/unverified",
                    format!("could not verify: {reason}"),
                    None,
                )),
                LinkStatus::Skipped { reason } => sink.push(report(
                    "link/unverified",
                    format!("not checked: {reason}"),
                    None,
                )),
                LinkStatus::Ok { hops, .. } => {
                    let Some(target) = permanent_target(hops) else {
                        continue;
                    };
                    if target == l.url {
                        continue;
                    }
                    let fix = match &l.url_span {
                        Some(span) if src[span.clone()] == l.url => Some(Fix {
                            start: span.start,
                            end: span.end,
                            replacement: target.to_string(),
                        }),
                        _ => None,
                    };
                    let code = hops
                        .iter()
                        .take_while(|h| h.code == 301 || h.code == 308)
                        .map(|h| h.code)
                        .next()
                        .unwrap_or(301);
                    let upgrade = l
                        .url
                        .strip_prefix("http://")
                        .is_some_and(|rest| target.strip_prefix("https://") == Some(rest));
                    let cosmetic = target.trim_end_matches('/') == l.url.trim_end_matches('/');
                    let message = if upgrade {
                        "http redirects to https; link the https URL".to_string()
                    } else {
                        format!("permanent redirect ({code}) to {target}")
                    };
                    let cap = if upgrade || cosmetic {
                        Severity::Info
                    } else {
                        Severity::Error
                    };
                    sink.push_capped(report("link/redirect", message, fix), cap);
                }
            }
        }
    }
    sink.findings
}
