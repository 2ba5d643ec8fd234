//! `paperlint init`: adopting paperlint in a repository with one command. It writes
//! `paperlint.toml` (every default, commented, and the list's file, found by counting
//! each markdown file's entries) and the two workflows, scheduled with issue tracking
//! and pull request check, pinned to the running version with least-privilege
//! `permissions:`. Nothing is overwritten without `--force`, and nothing at all is
//! written when one of the files is already there.
//!
//! The workflows are data (`templates/`); the configuration is the documented
//! reference `config.toml` with its values commented out, so both stay true as the
//! defaults change.

use crate::config::Config;
use std::path::{Path, PathBuf};

/// The reference configuration, every key with its default and an explanation.
pub const REFERENCE_CONFIG: &str = include_str!("../config.toml");
const SCHEDULED: &str = include_str!("../templates/paperlint-scheduled.yml");
const PULL_REQUEST: &str = include_str!("../templates/paperlint-pr.yml");

/// The configuration file `init` writes and discovery reads first.
pub const CONFIG_FILE: &str = "paperlint.toml";

/// What `init` is about to write: paths relative to the repository root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setup {
    /// The repository root (the nearest folder up with `.git`, else the start folder).
    pub root: PathBuf,
    /// The list file the configuration and workflows name, relative to `root`.
    pub list: String,
    /// Each file to write, relative to `root`, with its content.
    pub files: Vec<(PathBuf, String)>,
}

/// Why `init` wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// Files that exist already (without `--force`).
    #[error("{} already exist{}; nothing written (--force overwrites)", .0.join(", "), if .0.len() == 1 { "s" } else { "" })]
    Exists(Vec<String>),
    /// No markdown file with entries was found and none was named.
    #[error("no markdown file with list entries in {0}; name the list with --list FILE")]
    NoList(String),
    /// The named list file is not there.
    #[error("{0}: no such file")]
    MissingList(String),
    /// Reading or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file concerned.
        path: String,
        /// What the system said.
        source: std::io::Error,
    },
}

/// The repository root: the nearest folder from `start` up that holds `.git`.
pub fn repository_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_path_buf)
}

/// `owner/name@vVERSION` of this build, for `uses:`.
pub fn action_ref() -> String {
    let repository = env!("CARGO_PKG_REPOSITORY");
    let slug = repository
        .trim_end_matches('/')
        .trim_end_matches(".git")
        .rsplitn(3, '/')
        .take(2)
        .collect::<Vec<_>>();
    format!(
        "{}/{}@v{}",
        slug.get(1).copied().unwrap_or("paperlint"),
        slug.first().copied().unwrap_or("paperlint"),
        env!("CARGO_PKG_VERSION")
    )
}

/// The markdown file under `root` with the most list entries (README.md wins a tie),
/// looking at the root and `docs/`. `None` when no file has any entry.
pub fn detect_list(root: &Path, config: &Config) -> Option<String> {
    let mut candidates: Vec<String> = Vec::new();
    for dir in ["", "docs"] {
        let Ok(read) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        let mut names: Vec<String> = read
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.to_ascii_lowercase().ends_with(".md"))
            .collect();
        // README first, then by name, so that ties resolve the same way everywhere.
        names.sort_by_key(|n| (!n.eq_ignore_ascii_case("readme.md"), n.clone()));
        candidates.extend(names.into_iter().map(|n| {
            if dir.is_empty() {
                n
            } else {
                format!("{dir}/{n}")
            }
        }));
    }
    let mut best: Option<(usize, String)> = None;
    for name in candidates {
        let path = root.join(&name);
        let too_big =
            std::fs::metadata(&path).map_or(true, |m| m.len() > config.check.max_file_size);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if too_big {
            continue;
        }
        let source = crate::source::Source::new(&path, text);
        let entries = crate::pipeline::entries(&source, config);
        let count = entries.iter().filter(|e| !e.links.is_empty()).count();
        if count > 0 && best.as_ref().is_none_or(|(most, _)| count > *most) {
            best = Some((count, name));
        }
    }
    best.map(|(_, name)| name)
}

/// `paperlint.toml`: the reference configuration with every value commented out
/// (so each line shows its default) and `files` naming the list.
pub fn commented_defaults(list: &str) -> String {
    let mut out = format!(
        "# paperlint configuration, written by `paperlint init` (paperlint {}).\n\
         #\n\
         # Every commented line shows a default; uncomment and change what you need.\n\
         # Unknown keys are an error that names the key and its line.\n",
        env!("CARGO_PKG_VERSION")
    );
    // The reference file's own opening paragraph is about the reference file.
    let body = REFERENCE_CONFIG
        .split_once("\n\n")
        .map_or(REFERENCE_CONFIG, |(_, rest)| rest);
    out.push('\n');
    for line in body.lines() {
        let is_key = !line.starts_with('#')
            && !line.starts_with('[')
            && line.split_once('=').is_some_and(|(key, _)| {
                let key = key.trim().trim_matches('"');
                !key.is_empty()
                    && key
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_-./".contains(c))
            });
        if is_key && line.trim_start().starts_with("files ") {
            out.push_str(&format!("files = [{}]\n", toml_string(list)));
        } else if is_key {
            out.push_str("# ");
            out.push_str(line);
            out.push('\n');
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

/// The scheduled and pull-request workflows for `list`, pinned to [`action_ref`].
pub fn workflows(list: &str) -> [(PathBuf, String); 2] {
    let fill = |template: &str| {
        template
            .replace("@ACTION@", &action_ref())
            .replace("@LIST@", list)
            .replace("@CONFIG@", CONFIG_FILE)
    };
    [
        (
            PathBuf::from(".github/workflows/paperlint-scheduled.yml"),
            fill(SCHEDULED),
        ),
        (
            PathBuf::from(".github/workflows/paperlint-pr.yml"),
            fill(PULL_REQUEST),
        ),
    ]
}

/// Decides what to write for the repository around `start`.
pub fn plan(start: &Path, list: Option<&Path>, config: &Config) -> Result<Setup, InitError> {
    let root = repository_root(start).unwrap_or_else(|| start.to_path_buf());
    let list = match list {
        Some(named) => {
            let absolute = start.join(named);
            if !absolute.is_file() {
                return Err(InitError::MissingList(named.display().to_string()));
            }
            relative_to(&absolute, &root).unwrap_or_else(|| named.display().to_string())
        }
        None => detect_list(&root, config)
            .ok_or_else(|| InitError::NoList(root.display().to_string()))?,
    };
    let mut files = vec![(PathBuf::from(CONFIG_FILE), commented_defaults(&list))];
    files.extend(workflows(&list));
    Ok(Setup { root, list, files })
}

/// `path` relative to `root`, with `/` separators (as workflows and TOML want them).
fn relative_to(path: &Path, root: &Path) -> Option<String> {
    let path = path.canonicalize().ok()?;
    let root = root.canonicalize().ok()?;
    let rel = path.strip_prefix(root).ok()?;
    Some(
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/"),
    )
}

/// Writes the setup; refuses (writing nothing) when a file exists, unless `force`.
pub fn write(setup: &Setup, force: bool) -> Result<(), InitError> {
    if !force {
        let existing: Vec<String> = setup
            .files
            .iter()
            .filter(|(path, _)| setup.root.join(path).exists())
            .map(|(path, _)| path.display().to_string())
            .collect();
        if !existing.is_empty() {
            return Err(InitError::Exists(existing));
        }
    }
    for (path, content) in &setup.files {
        let full = setup.root.join(path);
        let io = |source| InitError::Io {
            path: full.display().to_string(),
            source,
        };
        if let Some(dir) = full.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        std::fs::write(&full, content).map_err(io)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_commented_defaults_parse_to_the_defaults_with_the_list() {
        let text = commented_defaults("docs/papers.md");
        let config = Config::parse(&text, CONFIG_FILE).expect("paperlint.toml parses");
        let mut expected = Config::default();
        expected.check.files = vec!["docs/papers.md".to_owned()];
        assert_eq!(config, expected);
        // Every other key is there, commented, so the file documents the defaults.
        assert!(text.contains("# fail_on = \"error\""), "{text}");
        assert!(text.contains("# \"entry/order\" = \"warning\""));
        assert!(text.contains("# concurrency = 64"));
        assert!(text.contains("files = [\"docs/papers.md\"]\n"));
    }

    #[test]
    fn a_list_name_that_needs_quoting_stays_valid_toml() {
        let text = commented_defaults("lists/\"odd\" name.md");
        let config = Config::parse(&text, CONFIG_FILE).unwrap();
        assert_eq!(config.check.files, vec!["lists/\"odd\" name.md".to_owned()]);
    }

    #[test]
    fn the_workflows_are_pinned_to_this_version_with_least_privilege() {
        let [(scheduled_path, scheduled), (pr_path, pr)] = workflows("papers.md");
        assert_eq!(
            scheduled_path,
            Path::new(".github/workflows/paperlint-scheduled.yml")
        );
        assert_eq!(pr_path, Path::new(".github/workflows/paperlint-pr.yml"));
        let pinned = format!("uses: {}\n", action_ref());
        assert!(action_ref().ends_with(&format!("@v{}", env!("CARGO_PKG_VERSION"))));
        for workflow in [&scheduled, &pr] {
            assert!(workflow.contains(&pinned), "{workflow}");
            assert!(workflow.contains("\npermissions: {}\n"), "{workflow}");
            assert!(!workflow.contains('@') || !workflow.contains("@ACTION@"));
            assert!(!workflow.contains("write-all") && !workflow.contains("contents: write"));
        }
        assert!(scheduled.contains("issues: write") && !scheduled.contains("pull-requests: write"));
        assert!(pr.contains("pull-requests: write") && !pr.contains("issues: write"));
        assert!(pr.contains("      - \"papers.md\"\n"), "{pr}");
    }
}
