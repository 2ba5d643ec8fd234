//! `url/malformed`: URLs that cannot work, with a repair when the intent is clear.

use super::{Report, Sink};
use crate::model::{Entry, Fix, RuleId};
use crate::scholarly::{repair_url, url_problem as problem};

/// Reports every malformed link target of every entry.
pub(crate) fn malformed(sink: &mut Sink<'_>, e: &Entry) {
    let src = &sink.source.text;
    for l in &e.links {
        let Some(message) = problem(&l.url) else {
            continue;
        };
        let repair = repair_url(&l.url);
        // Only rewrite bytes that are exactly the URL (no escapes or entities in them).
        let fix = match (&l.url_span, repair) {
            (Some(span), Some(replacement)) if src[span.clone()] == l.url => Some(Fix {
                start: span.start,
                end: span.end,
                replacement,
            }),
            _ => None,
        };
        sink.push(Report {
            rule: RuleId::UrlMalformed,
            subject: e.into(),
            offset: l.anchor(),
            message,
            url: Some(l.url.to_string()),
            fix,
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::lint_md;
    use crate::scholarly::url_problem as problem;

    #[test]
    fn what_counts_as_malformed() {
        let bad = [
            (
                "https://aclanthology.2022.findings-emnlp.398/",
                "host `aclanthology.2022.findings-emnlp.398` has no real top-level domain",
            ),
            ("htps://arxiv.org/abs/1", "misspelt scheme `htps:`"),
            (
                "https//arxiv.org/abs/1",
                "the scheme lacks its colon (`https//`)",
            ),
            ("https:/arxiv.org/abs/1", "`https:` is not followed by `//`"),
            (
                "arxiv.org/abs/2301.00001",
                "URL lacks `https://`, so GitHub treats it as a path inside the repository",
            ),
            ("https://exa mple.com", "URL contains whitespace"),
        ];
        for (url, want) in bad {
            assert_eq!(problem(url).as_deref(), Some(want), "{url}");
        }
        for ok in [
            "https://arxiv.org/abs/1",
            "figures/a.png",
            "#intro",
            "README.md",
            "mailto:a@b.org",
            "http://127.0.0.1/x",
            "./docs/x.md",
        ] {
            assert_eq!(problem(ok), None, "{ok}");
        }
    }

    #[test]
    fn fix_rewrites_exactly_the_destination() {
        let md = "|Title|\n|-|\n|[BioBART](https://aclanthology.2022.bionlp-1.9.pdf)|\n";
        let f = lint_md(md);
        assert_eq!(f.len(), 1);
        let fix = f[0].fix.clone().unwrap();
        let mut fixed = md.to_string();
        fixed.replace_range(fix.start..fix.end, &fix.replacement);
        assert_eq!(
            fixed,
            "|Title|\n|-|\n|[BioBART](https://aclanthology.org/2022.bionlp-1.9.pdf)|\n"
        );
        assert_eq!((f[0].line, f[0].column), (3, 12));
    }
}
