//! `link/broken`, `link/redirect`, `link/unverified`: network results turned into
//! findings on every row that uses the URL.

use super::{Report, Sink};
use crate::model::LinkResults;
use crate::model::{Entry, Fix, LinkStatus, RuleId, Severity, permanent_target};

/// The findings of one entry's links.
pub(super) fn entry(sink: &mut Sink<'_>, e: &Entry, results: &LinkResults) {
    let source = sink.source;
    let src = &source.text;
    for l in &e.links {
        let Some(status) = results.get(&l.url) else {
            continue;
        };
        let report = |rule, message: String, fix| Report::for_link(rule, e, l, message, fix);
        match status {
            LinkStatus::Broken { reason } => {
                sink.push(report(RuleId::LinkBroken, reason.clone(), None))
            }
            LinkStatus::Unverified { reason } => sink.push(report(
                RuleId::LinkUnverified,
                format!("could not verify: {reason}"),
                None,
            )),
            LinkStatus::Skipped { reason } => sink.push(report(
                RuleId::LinkUnverified,
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
                sink.push_capped(report(RuleId::LinkRedirect, message, fix), cap);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::model::{Finding, Hop};
    use crate::rules::{NetworkLinter, Verdicts};
    use crate::source::Source;

    fn findings(md: &str, url: &str, status: LinkStatus) -> Vec<Finding> {
        let source = Source::new("t.md", md.to_string());
        let config = Config::default();
        let entries = crate::pipeline::entries(&source, &config);
        let mut links = LinkResults::default();
        links.insert(url, status);
        let none = (Default::default(), Default::default());
        let verdicts = Verdicts {
            links: &links,
            papers: &none.0,
            venues: &none.1,
        };
        let mut linter = NetworkLinter::new(&source, &config, verdicts);
        linter.entries(&entries);
        linter.finish()
    }

    fn moved(to: &str, code: u16) -> LinkStatus {
        LinkStatus::Ok {
            code: 200,
            hops: vec![Hop {
                code,
                to: to.to_string(),
            }],
        }
    }

    #[test]
    fn permanent_redirects_get_a_fix_and_upgrades_are_info() {
        let md = "|Title|\n|-|\n|[P](http://x.org/p)|\n";
        let f = findings(md, "http://x.org/p", moved("https://x.org/p", 301));
        assert_eq!(
            (f[0].rule.as_str(), f[0].severity),
            ("link/redirect", Severity::Info)
        );
        assert_eq!(f[0].fix.as_ref().unwrap().replacement, "https://x.org/p");
        let f = findings(md, "http://x.org/p", moved("https://y.org/q", 308));
        assert_eq!(
            (f[0].severity, f[0].message.as_str()),
            (
                Severity::Warning,
                "permanent redirect (308) to https://y.org/q"
            )
        );
        assert!(
            findings(md, "http://x.org/p", moved("https://y.org/q", 302)).is_empty(),
            "temporary redirects are fine"
        );
    }

    #[test]
    fn every_row_using_a_broken_url_is_reported() {
        let md = "|Title|\n|-|\n|[P](https://x.org/p)|\n|[Q](https://x.org/p)|\n";
        let f = findings(
            md,
            "https://x.org/p",
            LinkStatus::Broken {
                reason: "404 Not Found".into(),
            },
        );
        let lines: Vec<usize> = f
            .iter()
            .filter(|f| f.rule == "link/broken")
            .map(|f| f.line)
            .collect();
        assert_eq!(lines, vec![3, 4]);
    }
}
