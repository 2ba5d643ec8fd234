//! The part of an issue body the bot owns: from its start marker
//! (`<!-- paperlint:tracking file=… -->`) to its end marker (`<!-- paperlint:end -->`).
//! Only that region is ever rewritten; whatever a person writes before or after it
//! stays. A body without an end marker (written by an older paperlint) owns to its
//! end; a body without the start marker gets the region appended below the person's
//! text. Ticks are read and kept by the finding key each row carries.

use super::body;
use std::collections::BTreeSet;

/// The end marker of the bot's region.
pub fn end_marker(name: &str) -> String {
    format!("<!-- {name}:end -->")
}

/// `(before, region, after)` of `text`, or `None` when `start` is not in it.
pub fn split<'a>(text: &'a str, start: &str, end: &str) -> Option<(&'a str, &'a str, &'a str)> {
    let from = text.find(start)?;
    let to = text[from..]
        .find(end)
        .map_or(text.len(), |i| from + i + end.len());
    Some((&text[..from], &text[from..to], &text[to..]))
}

/// The region of `text` (empty when there is none).
pub fn region<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    split(text, start, end).map_or("", |(_, r, _)| r)
}

/// `text` with its region replaced by `region` (appended below the person's text
/// when it has none).
pub fn replace(text: &str, start: &str, end: &str, region: &str) -> String {
    match split(text, start, end) {
        Some((before, _, after)) => format!("{before}{region}{after}"),
        None if text.trim().is_empty() => region.to_string(),
        None => format!("{}\n\n{region}", text.trim_end()),
    }
}

/// The finding keys of the rows of a region.
pub fn keys(region: &str) -> BTreeSet<String> {
    region
        .lines()
        .filter(|l| l.starts_with("- ["))
        .filter_map(body::key_of_line)
        .map(String::from)
        .collect()
}

/// The keys of the rows a person ticked.
pub fn ticked(region: &str) -> BTreeSet<String> {
    region
        .lines()
        .filter(|l| l.starts_with("- [x] ") || l.starts_with("- [X] "))
        .filter_map(body::key_of_line)
        .map(String::from)
        .collect()
}

/// `region` with the rows ticked that were ticked in `old`: by key, or for rows an
/// older paperlint wrote without keys, by the row's text (commit aside).
pub fn with_ticks(region: &str, old: &str) -> String {
    let keys = ticked(old);
    let keyless: BTreeSet<String> = old
        .lines()
        .filter(|l| l.starts_with("- [x] ") || l.starts_with("- [X] "))
        .filter(|l| body::key_of_line(l).is_none())
        .map(comparable)
        .collect();
    let mut out: String = region
        .lines()
        .map(|l| {
            let tick = l.starts_with("- [ ] ")
                && match body::key_of_line(l) {
                    Some(k) => {
                        keys.contains(k) || {
                            let bare = &l[..l.rfind("<!-- key=").unwrap_or(l.len())];
                            keyless.contains(&comparable(bare))
                        }
                    }
                    None => keyless.contains(&comparable(l)),
                };
            if tick {
                l.replacen("- [ ] ", "- [x] ", 1)
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    if region.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// A region as compared between runs: the commit it was written at, its permalinks'
/// commit and the ticks do not make it different.
pub fn comparable(region: &str) -> String {
    let mut out = String::with_capacity(region.len());
    for line in region.lines() {
        if line.starts_with("Checked at ") {
            continue;
        }
        let line = line
            .replacen("- [x] ", "- [ ] ", 1)
            .replacen("- [X] ", "- [ ] ", 1);
        // Permalinks carry the commit: /blob/<sha>/ → /blob/*/.
        let mut rest = line.as_str();
        let mut kept = String::with_capacity(line.len());
        while let Some(i) = rest.find("/blob/") {
            kept.push_str(&rest[..i + 6]);
            rest = &rest[i + 6..];
            let sha_end = rest.find('/').unwrap_or(0);
            kept.push('*');
            rest = &rest[sha_end..];
        }
        kept.push_str(rest);
        out.push_str(kept.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_persons_text_around_the_region_survives_a_rewrite() {
        let (start, end) = ("<!-- p:t -->", end_marker("p"));
        let text = format!("Note.\n\n{start}\nold\n{end}\n\nSee #42.");
        let new = replace(&text, start, &end, &format!("{start}\nnew\n{end}"));
        assert_eq!(new, format!("Note.\n\n{start}\nnew\n{end}\n\nSee #42."));
        assert_eq!(
            replace("We are on it.", start, &end, "R"),
            "We are on it.\n\nR"
        );
        // No end marker (an older body): the region runs to the end.
        assert_eq!(
            region(&format!("x {start}\nold"), start, &end),
            format!("{start}\nold")
        );
    }

    #[test]
    fn ticks_follow_keys_and_do_not_make_a_region_differ() {
        let old = "- [x] [R#L4](https://g/o/r/blob/aaa/R#L4) a <!-- key=k1 -->\n- [ ] [R#L5](https://g/o/r/blob/aaa/R#L5) b <!-- key=k2 -->\n";
        let new = "- [ ] [R#L5](https://g/o/r/blob/bbb/R#L5) a <!-- key=k1 -->\n- [ ] [R#L6](https://g/o/r/blob/bbb/R#L6) b <!-- key=k2 -->\n";
        let kept = with_ticks(new, old);
        assert!(kept.starts_with("- [x] [R#L5]"), "{kept}");
        assert!(kept.contains("- [ ] [R#L6]"), "{kept}");
        // A body from before keys: the tick is found by the row's text.
        let older = "- [x] [R#L4](https://g/o/r/blob/aaa/R#L4) a\n";
        let kept = with_ticks(
            "- [ ] [R#L4](https://g/o/r/blob/bbb/R#L4) a <!-- key=k1 -->\n",
            older,
        );
        assert!(kept.starts_with("- [x] "), "{kept}");
        assert_eq!(
            comparable("- [x] [R](https://g/o/r/blob/aaa/R#L4) a\n"),
            comparable("- [ ] [R](https://g/o/r/blob/bbb/R#L4) a\n")
        );
    }
}
