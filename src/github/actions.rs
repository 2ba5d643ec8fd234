//! What a GitHub Actions step reads back from paperlint besides the log: the job
//! summary (`GITHUB_STEP_SUMMARY`, the markdown report), the step outputs
//! (`GITHUB_OUTPUT`: `findings`, `errors`, `warnings`) and notices printed as
//! workflow commands, escaped as the runner decodes them.

use crate::report::github::escape_data;
use crate::report::{self, Format, Report};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The files Actions gives a step to write to; either may be absent (outside
/// Actions, or a runner without them). Read without a token, so a run whose
/// GitHub side failed still leaves its summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Files {
    /// `GITHUB_STEP_SUMMARY`.
    pub step_summary: Option<PathBuf>,
    /// `GITHUB_OUTPUT`.
    pub output: Option<PathBuf>,
}

impl Files {
    /// Reads `GITHUB_STEP_SUMMARY` and `GITHUB_OUTPUT` (empty counts as unset).
    pub fn from_env() -> Files {
        let var = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        Files {
            step_summary: var("GITHUB_STEP_SUMMARY"),
            output: var("GITHUB_OUTPUT"),
        }
    }

    /// Appends the markdown report to the job summary and the counts to the step
    /// outputs.
    pub fn write(&self, report: &Report) -> anyhow::Result<()> {
        if let Some(path) = &self.step_summary {
            let mut summary = Vec::new();
            report::render(report, Format::Markdown, &mut summary)?;
            append("GITHUB_STEP_SUMMARY", path, &summary)?;
        }
        if let Some(path) = &self.output {
            let s = &report.summary;
            let counts = format!(
                "findings={}\nerrors={}\nwarnings={}\n",
                s.findings, s.errors, s.warnings
            );
            append("GITHUB_OUTPUT", path, counts.as_bytes())?;
        }
        Ok(())
    }
}

impl Files {
    /// Appends notes to the job summary, one quoted line each (what the run left
    /// alone and why).
    pub fn note(&self, notes: &[String]) -> anyhow::Result<()> {
        if let (Some(path), false) = (&self.step_summary, notes.is_empty()) {
            let text: String = notes.iter().map(|n| format!("\n> {n}\n")).collect();
            append("GITHUB_STEP_SUMMARY", path, text.as_bytes())?;
        }
        Ok(())
    }
}

fn append(var: &str, path: &Path, text: &[u8]) -> anyhow::Result<()> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| anyhow::anyhow!("{var}: cannot open {}: {e}", path.display()))?;
    // The summary is read by anyone who can see the run: no secret goes in it.
    let mut file = crate::output::Masked::new(file);
    file.write_all(text)?;
    file.flush()?;
    Ok(())
}

/// A `::notice` workflow command titled `paperlint` (the message escaped: `%`, CR, LF).
pub fn notice(text: &str) -> String {
    format!("::notice title=paperlint::{}", escape_data(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_escape_percent_cr_and_lf() {
        assert_eq!(
            notice("100% read-only\r\nfrom a fork"),
            "::notice title=paperlint::100%25 read-only%0D%0Afrom a fork"
        );
    }

    #[test]
    fn summary_and_outputs_are_appended() {
        let dir = tempfile::tempdir().unwrap();
        let files = Files {
            step_summary: Some(dir.path().join("summary.md")),
            output: Some(dir.path().join("output.txt")),
        };
        std::fs::write(dir.path().join("output.txt"), "before=1\n").unwrap();
        files.write(&Report::new(1, 0, 0, Vec::new())).unwrap();
        let output = std::fs::read_to_string(dir.path().join("output.txt")).unwrap();
        assert_eq!(output, "before=1\nfindings=0\nerrors=0\nwarnings=0\n");
        assert!(dir.path().join("summary.md").is_file());
    }
}
