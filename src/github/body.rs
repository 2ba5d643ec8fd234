//! Issue and comment bodies: findings grouped by section with a permalink and a task
//! box per row, text from the list escaped (no mentions, no raw HTML, no accidental
//! `#123` links, nothing that breaks the list), and kept under GitHub's 65,536-character
//! limit by cutting at a row boundary, the marker always kept. Each row carries the
//! finding's identity ([`key`]) in a hidden comment, so ticks and decisions follow
//! the finding when its row moves.

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

/// Escapes list text for an issue title: titles are plain text (no markdown to
/// escape), but GitHub still links `#123` and `@name` there.
pub fn escape_title(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_control() => out.push(' '),
            '@' => out.push_str("@\u{200B}"),
            '#' if chars.peek().is_some_and(|n| n.is_ascii_digit()) => out.push_str("#\u{200B}"),
            _ => out.push(c),
        }
    }
    out
}

/// The identity of a finding, stable when its row moves: file, rule and what it is
/// about (the paper's arXiv id or DOI, else the normalised URL, else the title).
pub fn key(f: &Finding) -> String {
    use sha2::Digest;
    let what = f
        .url
        .as_deref()
        .map(|u| match crate::scholarly::paper_id(u) {
            Some(id) => format!("{id:?}"),
            None => crate::scholarly::normalized_url(u).unwrap_or_else(|| u.trim().to_string()),
        })
        .or_else(|| f.title.as_ref().map(|t| t.trim().to_lowercase()))
        .unwrap_or_else(|| f.message.clone());
    let file = f.file.trim_start_matches("./");
    let digest = sha2::Sha256::digest(format!("{file}\n{}\n{what}", f.rule).as_bytes());
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// The hidden comment that carries a finding's key at the end of its row.
pub fn key_tag(key: &str) -> String {
    format!("<!-- key={key} -->")
}

/// The key a row line carries, if any.
pub fn key_of_line(line: &str) -> Option<&str> {
    let rest = &line[line.rfind("<!-- key=")? + 9..];
    rest.split_whitespace().next()
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
    s.push(' ');
    s.push_str(&key_tag(&key(f)));
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
        if section != Some(&*f.section) {
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
        assert_eq!(
            escape_title("Fine @team #12 <b>x</b>\n"),
            "Fine @\u{200B}team #\u{200B}12 <b>x</b> "
        );
    }
}
