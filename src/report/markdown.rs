//! The markdown report: one table per file and section, for issues, comments and
//! job summaries. Text from the list is escaped so it cannot break the table.

use super::{Report, summary_line};
use std::io::{self, Write};

/// Escapes text for a markdown table cell: no pipes, no raw HTML, no line breaks,
/// no accidental `@mention`s.
pub(crate) fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '@' => out.push_str("@\u{200b}"),
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Text shown inside a code span, with the span's delimiter made long enough.
pub(crate) fn code(text: &str) -> String {
    let text = text.replace('|', "\\|").replace(['\n', '\r'], " ");
    let ticks = if text.contains('`') { "``" } else { "`" };
    format!("{ticks}{text}{ticks}")
}

/// Renders the markdown report.
pub(crate) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## paperlint report\n")?;
    writeln!(out, "{}\n", summary_line(&report.summary))?;
    if let Some(n) = &report.summary.network {
        writeln!(out, "{}\n", super::network_line(n))?;
    }
    let mut file: Option<&str> = None;
    let mut section: Option<&[String]> = None;
    for f in &report.findings {
        if file != Some(&*f.file) {
            writeln!(out, "### {}\n", code(&f.file))?;
            file = Some(&f.file);
            section = None;
        }
        if section != Some(&*f.section) {
            if section.is_some() {
                writeln!(out)?;
            }
            let path = crate::text::section_path(&f.section);
            writeln!(out, "#### {}\n", cell(&path))?;
            writeln!(out, "| Line | Severity | Rule | Entry | Problem | Fix |")?;
            writeln!(out, "|---:|---|---|---|---|---|")?;
            section = Some(&f.section);
        }
        let title = f.title.as_deref().map(cell).unwrap_or_default();
        let fix = f
            .fix
            .as_ref()
            .map(|x| code(&x.replacement))
            .unwrap_or_default();
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            f.line,
            f.severity,
            code(f.rule.as_str()),
            title,
            cell(&f.message),
            fix
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn cells_cannot_break_the_table_or_ping_people() {
        assert_eq!(
            super::cell("a|b <img> @team\nx"),
            "a\\|b &lt;img&gt; @\u{200b}team x"
        );
    }
}
