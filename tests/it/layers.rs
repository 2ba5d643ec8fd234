//! The crate's layering, checked from the source: no import cycle between the
//! top-level modules of `src/` (a folder or a file directly under `src/` is one
//! module; `lib.rs` and `main.rs` are the roots), and every import goes down the
//! layer order that ARCHITECTURE.md draws. `#[cfg(test)]` code is not counted.
//!
//! Run alone with `cargo test --test it layers::`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, bottom first. A module may import only modules of a lower layer.
/// Keep in step with "Which module may import which" in ARCHITECTURE.md.
const LAYERS: &[(&str, &[&str])] = &[
    // Data every stage shares: std and serde only.
    ("model", &["model"]),
    // Helpers over text and URLs, reading a file, and what is printed.
    (
        "helpers",
        &["text", "source", "autolink", "output", "memory"],
    ),
    ("pure knowledge", &["scholarly", "venue", "parse", "config"]),
    // The offline stages.
    ("pure stages", &["extract", "rules", "report", "suppress"]),
    ("offline pipeline", &["pipeline"]),
    ("fix", &["fix", "init"]),
    // Network primitives and the persistent cache.
    ("net", &["net", "cache"]),
    // The network stages.
    ("network stages", &["check", "metadata"]),
    ("online", &["online"]),
    ("github", &["github"]),
    // The command line on top.
    ("cli", &["cli"]),
];

/// Crates (beyond std) the model layer may use.
/// (hashbrown: the table std's `HashMap` is built on, for URLs interned in one buffer.)
const MODEL_CRATES: &[&str] = &[
    "std",
    "core",
    "alloc",
    "serde",
    "hashbrown",
    "crate",
    "self",
    "super",
];

fn src_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read src") {
        let p = e.expect("dir entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The source with comments, string and char literals blanked out (lengths kept), so
/// that braces and paths are only the code's.
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for c in &mut out[from..to] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let end = src[i..].find('\n').map_or(b.len(), |n| i + n);
                blank(&mut out, i, end);
                i = end;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let mut depth = 0;
                let mut j = i;
                while j < b.len() {
                    if b[j] == b'/' && b.get(j + 1) == Some(&b'*') {
                        depth += 1;
                        j += 2;
                    } else if b[j] == b'*' && b.get(j + 1) == Some(&b'/') {
                        depth -= 1;
                        j += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        j += 1;
                    }
                }
                blank(&mut out, i, j);
                i = j;
            }
            b'r' if (b.get(i + 1) == Some(&b'#') || b.get(i + 1) == Some(&b'"'))
                && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) =>
            {
                let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
                if b.get(i + 1 + hashes) != Some(&b'"') {
                    i += 1;
                    continue;
                }
                let close = format!("\"{}", "#".repeat(hashes));
                let start = i + 2 + hashes;
                let end = src[start..]
                    .find(&close)
                    .map_or(b.len(), |n| start + n + close.len());
                blank(&mut out, i, end);
                i = end;
            }
            b'"' => {
                let mut j = i + 1;
                while j < b.len() && b[j] != b'"' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                blank(&mut out, i, (j + 1).min(b.len()));
                i = j + 1;
            }
            b'\'' => {
                // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
                let rest = &src[i + 1..];
                let lit = if rest.starts_with('\\') {
                    rest[2..].find('\'').map(|n| n + 3)
                } else {
                    let c = rest.chars().next().map_or(0, char::len_utf8);
                    (rest[c..].starts_with('\'')).then_some(c + 1)
                };
                match lit {
                    Some(n) => {
                        blank(&mut out, i, i + 1 + n);
                        i += 1 + n;
                    }
                    None => i += 1,
                }
            }
            _ => i += 1,
        }
    }
    String::from_utf8(out).expect("blanking keeps UTF-8")
}

/// The code without `#[cfg(test)]` items (the attribute and the item after it).
fn without_tests(code: &str) -> String {
    let mut out = code.to_string();
    let marker = "#[cfg(test)]";
    let mut from = 0;
    while let Some(n) = out[from..].find(marker) {
        let start = from + n;
        let b = out.as_bytes();
        let mut j = start + marker.len();
        let mut depth = 0usize;
        while j < b.len() {
            match b[j] {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        j += 1;
                        break;
                    }
                }
                b';' if depth == 0 => {
                    j += 1;
                    break;
                }
                _ => {}
            }
            j += 1;
        }
        let blanked: String = out[start..j]
            .chars()
            .map(|c| if c == '\n' { '\n' } else { ' ' })
            .collect();
        out.replace_range(start..j, &blanked);
        from = start + blanked.len();
    }
    out
}

fn ident_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The top-level modules a file's code names through `crate::…` (also inside
/// `use crate::{a, b::c}`) and through `super::` where that reaches the root.
fn referenced(code: &str, super_is_root: bool) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let bytes = code.as_bytes();
    let push_group = |rest: &str, out: &mut BTreeSet<String>| {
        let trimmed = rest.trim_start();
        if let Some(group) = trimmed.strip_prefix('{') {
            // The first segment of each comma-separated path at depth 0.
            let mut depth = 0;
            let mut at_start = true;
            for (k, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => at_start = true,
                    c if c.is_whitespace() => {}
                    _ if at_start && depth == 0 => {
                        at_start = false;
                        let id = ident_at(&group[k..]);
                        if !id.is_empty() && id != "self" {
                            out.insert(id.to_string());
                        }
                    }
                    _ => {}
                }
            }
        } else {
            let id = ident_at(trimmed);
            if !id.is_empty() {
                out.insert(id.to_string());
            }
        }
    };
    for (kw, counts) in [("crate::", true), ("super::", super_is_root)] {
        if !counts {
            continue;
        }
        let mut from = 0;
        while let Some(n) = code[from..].find(kw) {
            let at = from + n;
            from = at + kw.len();
            // Not part of a longer path (`$crate::`, `foo_crate::`, `super::super::`).
            if at > 0 {
                let p = bytes[at - 1];
                if p.is_ascii_alphanumeric() || p == b'_' || p == b'$' || p == b':' {
                    continue;
                }
            }
            push_group(&code[from..], &mut out);
        }
    }
    out
}

/// Which top-level modules each top-level module imports (roots left out).
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = src_dir();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut modules: BTreeSet<String> = BTreeSet::new();
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let name = first.trim_end_matches(".rs").to_string();
        if name != "lib" && name != "main" {
            modules.insert(name);
        }
    }
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap();
        let parts: Vec<_> = rel.components().collect();
        let first = parts[0].as_os_str().to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        // `super::` from `src/m.rs` or `src/m/mod.rs` is the crate root.
        let super_is_root = parts.len() == 1 || (parts.len() == 2 && rel.ends_with("mod.rs"));
        let text = std::fs::read_to_string(f).expect("read source");
        let code = without_tests(&code_only(&text));
        let deps = g.entry(module.clone()).or_default();
        for r in referenced(&code, super_is_root) {
            assert!(
                modules.contains(&r) || r == "self",
                "{}: refers to `crate::{r}`, an item of the crate root; modules must name \
                 the module that defines it (the root only re-exports)",
                rel.display()
            );
            if r != module && r != "self" {
                deps.insert(r);
            }
        }
    }
    g
}

/// A cycle in `g`, if there is one (depth-first search).
fn find_cycle(g: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for d in g.get(n).into_iter().flatten() {
            match state.get(d.as_str()).copied().unwrap_or(0) {
                0 => {
                    if let Some(c) = visit(d, g, state, stack) {
                        return Some(c);
                    }
                }
                1 => {
                    let at = stack.iter().position(|s| s == d).unwrap();
                    let mut cycle = stack[at..].to_vec();
                    cycle.push(d.clone());
                    return Some(cycle);
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in g.keys() {
        if state.get(n.as_str()).copied().unwrap_or(0) == 0 {
            let mut stack = Vec::new();
            if let Some(c) = visit(n, g, &mut state, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn top_level_modules_have_no_import_cycle() {
    let g = graph();
    if let Some(cycle) = find_cycle(&g) {
        panic!(
            "import cycle between top-level modules: {}",
            cycle.join(" → ")
        );
    }
}

#[test]
fn imports_go_down_the_layers() {
    let g = graph();
    let layer: BTreeMap<&str, usize> = LAYERS
        .iter()
        .enumerate()
        .flat_map(|(i, (_, ms))| ms.iter().map(move |m| (*m, i)))
        .collect();
    let mut wrong = Vec::new();
    for (m, deps) in &g {
        let Some(&lm) = layer.get(m.as_str()) else {
            wrong.push(format!(
                "`{m}` has no layer: add it to LAYERS and ARCHITECTURE.md"
            ));
            continue;
        };
        for d in deps {
            let ld = layer.get(d.as_str()).copied().unwrap_or(usize::MAX);
            if ld >= lm {
                wrong.push(format!(
                    "`{m}` ({}) imports `{d}` ({}), which is not below it",
                    LAYERS[lm].0,
                    LAYERS.get(ld).map_or("no layer", |l| l.0)
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
}

#[test]
fn the_model_uses_nothing_but_std_and_serde() {
    let mut files = Vec::new();
    let dir = src_dir().join("model");
    rust_files(&dir, &mut files);
    assert!(!files.is_empty(), "src/model/ is the model layer");
    let own: Vec<String> = files
        .iter()
        .filter_map(|f| f.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let code = without_tests(&code_only(&text));
        for (k, _) in code.match_indices("use ") {
            if k > 0 && !code.as_bytes()[k - 1].is_ascii_whitespace() {
                continue;
            }
            let root = ident_at(code[k + 4..].trim_start_matches("::"));
            assert!(
                MODEL_CRATES.contains(&root) || own.iter().any(|o| o == root),
                "{}: the model layer uses `{root}`; it may use std and serde only",
                f.display()
            );
        }
        for krate in ["reqwest", "tokio", "regex", "serde_json", "url::", "anyhow"] {
            assert!(
                !code.contains(krate),
                "{}: the model layer names `{krate}`",
                f.display()
            );
        }
    }
}

#[test]
fn the_checker_sees_what_it_must() {
    let code = code_only(
        "use crate::{a::b, c};\n// crate::commented\nlet s = \"crate::quoted\";\n\
         #[cfg(test)]\nmod tests { use crate::hidden; }\nfn f() { crate::d::e(); super::f(); }",
    );
    let code = without_tests(&code);
    let got = referenced(&code, true);
    let want: BTreeSet<String> = ["a", "c", "d", "f"].iter().map(|s| s.to_string()).collect();
    assert_eq!(got, want);
    let mut g = BTreeMap::new();
    g.insert("x".to_string(), BTreeSet::from(["y".to_string()]));
    g.insert("y".to_string(), BTreeSet::from(["x".to_string()]));
    assert!(find_cycle(&g).is_some());
}
