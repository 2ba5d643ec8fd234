//! The lists the benchmarks read: generated link tables, and large lists built from the
//! real corpus in `../shared/corpus`.

use std::path::{Path, PathBuf};

/// The corpus directory beside the repository.
pub fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

/// The corpus lists (every `.md` but the manifest), sorted by name.
pub fn corpus_files() -> Vec<PathBuf> {
    let Ok(dir) = std::fs::read_dir(corpus_dir()) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = dir
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|e| e == "md")
                && p.file_name().is_some_and(|n| n != "MANIFEST.md")
        })
        .collect();
    files.sort();
    files
}

/// A paper table with one link per row, the URLs given.
pub fn link_table(path: &Path, urls: impl Iterator<Item = String>) {
    let mut md = String::from("# Bench\n\n| Year | Title |\n|---|---|\n");
    for (i, url) in urls.enumerate() {
        md.push_str(&format!("| 2024 | [Paper {i}]({url}) |\n"));
    }
    std::fs::write(path, md).expect("write the list");
}

/// About `bytes` of short distinct rows: `| 2024 | [Paper i](https://example.org/p/i) |`.
pub fn short_rows(path: &Path, bytes: usize) {
    let mut md = String::from("# Short rows\n\n| Year | Title |\n|---|---|\n");
    let mut i = 0;
    while md.len() < bytes {
        md.push_str(&format!(
            "| 2024 | [Paper {i}](https://example.org/p/{i}) |\n"
        ));
        i += 1;
    }
    std::fs::write(path, md).expect("write the list");
}

/// About `bytes` of the corpus's GFM tables (header, delimiter and body rows, as the
/// manifest counts them), each preceded by a heading naming its file and round, the
/// whole corpus repeated as often as needed. Rows repeat between rounds, as they do in
/// lists that grew by copying.
pub fn corpus_tables(path: &Path, bytes: usize) {
    let tables: Vec<(String, String)> = corpus_files()
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            let name = f.file_stem().unwrap_or_default().to_string_lossy().into();
            (name, gfm_tables(&text))
        })
        .filter(|(_, t)| !t.is_empty())
        .collect();
    assert!(!tables.is_empty(), "no corpus beside the repository");
    let mut md = String::new();
    'rounds: for round in 0.. {
        for (name, body) in &tables {
            if md.len() + body.len() > bytes {
                break 'rounds;
            }
            md.push_str(&format!("## {name} ({round})\n\n{body}\n"));
        }
    }
    std::fs::write(path, md).expect("write the list");
}

/// The GFM table blocks of `text`: a header line and a delimiter row, continued until
/// a blank line or a line without `|`; code fences skipped.
fn gfm_tables(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::new();
    let mut fenced = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_start();
        if line.starts_with("```") || line.starts_with("~~~") {
            fenced = !fenced;
        }
        let delimiter = lines.get(i + 1).is_some_and(|d| is_delimiter(d));
        if !fenced && line.contains('|') && delimiter {
            let mut j = i;
            while j < lines.len() && !lines[j].trim().is_empty() && lines[j].contains('|') {
                out.push_str(lines[j]);
                out.push('\n');
                j += 1;
            }
            out.push('\n');
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

fn is_delimiter(line: &str) -> bool {
    let t = line.trim();
    t.contains('-')
        && t.contains(['|', ':'])
        && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ' | '\t'))
}
