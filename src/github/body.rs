//! Issue and comment bodies: findings grouped by section with a permalink and a task
//! box per row, text from the list escaped (no mentions, no raw HTML, no accidental
//! `#123` links, nothing that breaks the list), and kept under GitHub's 65,536-character
//! limit by cutting at a row boundary, the marker always kept.

use crate::model::Finding;

/// GitHub's limit on issue and comment bodies, in characters.
pub const BODY_LIMIT: usize = 65_536;

/// Escapes text taken from a paper list for a markdown body.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            // A zero-width space stops @mentions and #123 cross-links.
            '@' => out.push_str("@\u{200B}"),
            '#' if chars.peek().is_some_and(|n| n.is_ascii_digit()) => out.push_str("#\u{200B}"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Where a finding is, as a permalink to the line at the checked commit.
pub struct Links<'a> {
    /// `https://github.com` (or `GITHUB_SERVER_URL`).
    pub server: &'a str,
    /// `owner/repo`.
    pub repo: &'a str,
    /// The checked commit.
    pub sha: &'a str,
}

impl Links<'_> {
    fn line(&self, file: &str, line: usize) -> String {
        let file = file.trim_start_matches("./");
        format!(
            "{}/{}/blob/{}/{}#L{line}",
            self.server.trim_end_matches('/'),
            self.repo,
            self.sha,
            file
        )
    }
}

/// One line per finding: a task box, the permalink, severity, rule, message and fix.
fn row(f: &Finding, links: &Links<'_>) -> String {
    let mut s = format!(
        "- [ ] [{}#L{}]({}) **{}** `{}`: {}",
        escape(f.file.trim_start_matches("./")),
        f.line,
        links.line(&f.file, f.line),
        f.severity,
        f.rule,
        escape(&f.message)
    );
    if let Some(title) = &f.title {
        s.push_str(&format!(
            " (_{}_)",
            escape(&crate::text::excerpt(title, 80))
        ));
    }
    if let Some(fix) = &f.fix {
        s.push_str(&format!(
            " — fix: {}",
            escape(&fix.replacement.replace('\n', "⏎"))
        ));
    }
    s.push('\n');
    s
}

/// A body: `head` (with the marker), the findings grouped by section, then `foot`;
/// rows that do not fit are counted in a closing line.
pub fn render(head: &str, findings: &[&Finding], links: &Links<'_>, foot: &str) -> String {
    let mut body = String::from(head);
    let mut section: Option<&[String]> = None;
    let reserve = foot.chars().count() + 200;
    let mut used = body.chars().count();
    let mut shown = 0;
    for f in findings {
        let mut chunk = String::new();
        if section != Some(f.section.as_slice()) {
            let path = crate::text::section_path(&f.section);
            chunk.push_str(&format!("\n### {}\n\n", escape(&path)));
        }
        chunk.push_str(&row(f, links));
        let len = chunk.chars().count();
        if used + len + reserve > BODY_LIMIT {
            break;
        }
        used += len;
        body.push_str(&chunk);
        section = Some(&f.section);
        shown += 1;
    }
    if shown < findings.len() {
        body.push_str(&format!(
            "\n_…and {} more in the job summary of the run._\n",
            findings.len() - shown
        ));
    }
    body.push_str(foot);
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_text_cannot_ping_link_or_inject() {
        assert_eq!(
            escape("@team see #123 <img src=x> a|b `c` [x](y)\nz"),
            "@\u{200B}team see #\u{200B}123 &lt;img src=x&gt; a\\|b \\`c\\` \\[x\\](y) z"
        );
    }
}
