//! Fixes where the contributor looks: on a pull request, a finding with a sure fix on
//! a line the pull request adds or changes becomes a review comment on that line with
//! a GitHub `suggestion` block, applied with one click. All new suggestions of a run
//! go in one review (one notification), at most `[github] suggestions` of them. Each
//! carries the finding's key in a hidden marker, so a later push never repeats it;
//! when a push fixes the finding, the suggestion is edited to say so.

use super::api::{ApiError, Comment};
use super::forge::{Changed, Forge};
use super::{Pr, body, norm};
use crate::config::GitHubConfig;
use crate::model::Finding;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// One suggestion: where it goes, its key and its text.
struct Suggestion {
    path: String,
    line: usize,
    key: String,
    body: String,
}

/// Posts the new suggestions, updates changed ones and marks fixed ones; `findings`
/// are the pull request's rows, `all` every finding of the run (a suggestion is
/// fixed only when its finding is gone everywhere, not merely off the diff).
pub(crate) async fn suggest(
    api: &impl Forge,
    config: &GitHubConfig,
    pr: &Pr<'_>,
    commit: &str,
    findings: &[Finding],
    all: &[Finding],
    changed: &BTreeMap<String, Changed>,
) -> Result<(), ApiError> {
    let prefix = format!("<!-- {}:suggestion key=", config.marker);
    let mut texts: BTreeMap<std::sync::Arc<str>, Option<String>> = BTreeMap::new();
    let mut wanted = Vec::new();
    for f in findings {
        let Some(Changed::Lines(lines)) = changed.get(norm(&f.file)) else {
            continue;
        };
        if !lines.contains(&f.line) {
            continue;
        }
        let text = texts
            .entry(f.file.clone())
            .or_insert_with(|| std::fs::read_to_string(&*f.file).ok());
        if let Some(s) = text.as_deref().and_then(|t| suggestion(t, f, &prefix)) {
            wanted.push(s);
        }
    }
    let existing: Vec<Comment> = api
        .review_comments(pr.number)
        .await?
        .into_iter()
        .filter(|c| c.author() == pr.me)
        .filter(|c| c.body.as_deref().unwrap_or_default().contains(&prefix))
        .collect();
    let key_of = |c: &Comment| -> Option<String> {
        let b = c.body.as_deref().unwrap_or_default();
        let rest = &b[b.find(&prefix)? + prefix.len()..];
        rest.split_whitespace().next().map(String::from)
    };
    let posted: BTreeMap<String, &Comment> = existing
        .iter()
        .filter_map(|c| Some((key_of(c)?, c)))
        .collect();
    let new: Vec<Value> = wanted
        .iter()
        .filter(|s| !posted.contains_key(&s.key))
        .take(config.suggestions)
        .map(|s| json!({"path": s.path, "line": s.line, "side": "RIGHT", "body": s.body}))
        .collect();
    if !new.is_empty() {
        let say = format!(
            "paperlint suggests {}: apply each with one click.",
            crate::text::counted(new.len(), "fix")
        );
        api.review(pr.number, commit, &say, &new).await?;
    }
    let live: BTreeSet<String> = all.iter().map(body::key).collect();
    for (key, c) in &posted {
        let now = c.body.as_deref().unwrap_or_default();
        if let Some(s) = wanted.iter().find(|s| &s.key == key) {
            // Still wanted: only a changed fix is worth an edit.
            if s.body != now && !now.contains(" state=fixed") {
                api.edit_review_comment(c.id, &s.body).await?;
            }
        } else if !live.contains(key) && !now.contains(" state=fixed") {
            let done = format!(
                "✅ **paperlint**: fixed by a later push; nothing to apply here any more.\n{prefix}{key} state=fixed -->\n"
            );
            api.edit_review_comment(c.id, &done).await?;
        }
    }
    Ok(())
}

/// The suggestion for a finding whose fix lies within its line: the whole line as
/// it would read fixed, in a fence longer than any backtick run it contains.
fn suggestion(text: &str, f: &Finding, prefix: &str) -> Option<Suggestion> {
    let fix = f.fix.as_ref()?;
    if fix.replacement.contains('\n') {
        return None;
    }
    let start = text.get(..fix.start)?.rfind('\n').map_or(0, |i| i + 1);
    let end = text
        .get(fix.end..)?
        .find('\n')
        .map_or(text.len(), |i| fix.end + i);
    if text.get(fix.start..fix.end)?.contains('\n') {
        return None;
    }
    let line = format!(
        "{}{}{}",
        &text[start..fix.start],
        fix.replacement,
        &text[fix.end..end]
    );
    let line = line.trim_end_matches('\r');
    let mut run = 0;
    let mut longest = 0;
    for c in line.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest.max(2) + 1);
    let key = body::key(f);
    Some(Suggestion {
        path: norm(&f.file).to_string(),
        line: f.line,
        body: format!(
            "**paperlint** `{}`: {}\n\n{fence}suggestion\n{line}\n{fence}\n{prefix}{key} -->\n",
            f.rule,
            body::escape(&f.message)
        ),
        key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Fix, RuleId, Severity};

    fn finding(text: &str, was: &str, now: &str) -> Finding {
        let start = text.find(was).unwrap();
        Finding {
            rule: RuleId::from_name("url/malformed").unwrap(),
            severity: Severity::Error,
            file: "README.md".into(),
            line: 2,
            column: 1,
            section: Default::default(),
            title: None,
            url: Some(was.into()),
            message: "host `a.2022.x` has no real top-level domain".into(),
            fix: Some(Box::new(Fix {
                start,
                end: start + was.len(),
                replacement: now.into(),
            })),
            offset: start,
            table_order: None,
        }
    }

    #[test]
    fn a_suggestion_is_the_whole_line_fixed_in_a_fence_longer_than_its_backticks() {
        let text = "|Year|Title|\r\n|2022|[``x``](https://a.2022.x/)|\r\n|2023|y|\r\n";
        let f = finding(text, "https://a.2022.x/", "https://a.org/2022.x/");
        let s = suggestion(text, &f, "<!-- p:suggestion key=").unwrap();
        assert_eq!((s.path.as_str(), s.line), ("README.md", 2));
        assert!(
            s.body
                .contains("\n```suggestion\n|2022|[``x``](https://a.org/2022.x/)|\n```\n"),
            "{}",
            s.body
        );
        assert!(
            s.body
                .ends_with(&format!("<!-- p:suggestion key={} -->\n", s.key))
        );
        // A fix that spans lines is not a one-line suggestion.
        let f = finding(text, "|\r\n|2023", "|2023");
        assert!(suggestion(text, &f, "<!-- p:suggestion key=").is_none());
    }
}
