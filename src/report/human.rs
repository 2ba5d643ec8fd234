//! The terminal report: findings grouped by file, then section, one line each in
//! `file:line:column: severity rule: message` form (clickable in editors).

use super::{Report, summary_line};
use crate::model::Severity;
use anstyle::{AnsiColor, Style};
use std::io::{self, Write};

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

fn severity_style(s: Severity) -> Style {
    match s {
        Severity::Error => AnsiColor::Red.on_default().bold(),
        Severity::Warning => AnsiColor::Yellow.on_default().bold(),
        Severity::Info => AnsiColor::Cyan.on_default(),
    }
}

/// Renders the human report.
pub(crate) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut file: Option<&str> = None;
    let mut section: Option<&[String]> = None;
    for f in &report.findings {
        if file != Some(&*f.file) {
            if file.is_some() {
                writeln!(out)?;
            }
            writeln!(out, "{BOLD}{}{BOLD:#}", f.file)?;
            file = Some(&f.file);
            section = None;
        }
        if section != Some(&*f.section) {
            let path = crate::text::section_path(&f.section);
            writeln!(out, "  {BOLD}{path}{BOLD:#}")?;
            section = Some(&f.section);
        }
        let style = severity_style(f.severity);
        writeln!(
            out,
            "    {}:{}:{}: {style}{}{style:#} {DIM}{}{DIM:#}: {}",
            f.file, f.line, f.column, f.severity, f.rule, f.message
        )?;
        if let Some(fix) = &f.fix {
            let shown = fix.replacement.replace('\n', "⏎");
            writeln!(out, "        {DIM}fix:{DIM:#} {shown}")?;
        }
    }
    if !report.findings.is_empty() {
        writeln!(out)?;
    }
    if let Some(n) = &report.summary.network {
        writeln!(out, "{}", super::network_line(n))?;
    }
    if let Some(m) = &report.summary.metadata {
        writeln!(out, "{}", super::metadata_line(m))?;
    }
    writeln!(out, "{BOLD}{}{BOLD:#}", summary_line(&report.summary))
}
