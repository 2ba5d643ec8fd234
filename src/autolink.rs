//! GitHub's "extended autolinks": bare `https://…` and `www.…` in text become links.
//!
//! pulldown-cmark does not implement this GFM extension, so it is reproduced here from
//! cmark-gfm's `extensions/autolink.c` (the renderer GitHub uses): the same trigger
//! characters, domain check and trailing-punctuation trimming, so that a bare URL in a
//! cell is a link here exactly when it is one on GitHub.

use std::ops::Range;

/// A bare URL found in text: where it is and the href GitHub gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BareUrl {
    /// Byte range of the link text in the scanned source.
    pub span: Range<usize>,
    /// The link target (`http://` is prefixed to `www.` links, as GitHub does).
    pub href: String,
}

/// Finds the extended autolinks inside `src[range]`. Characters before `range.start`
/// are consulted only to decide whether a match may start there.
pub fn find(src: &str, range: Range<usize>) -> Vec<BareUrl> {
    let bytes = src.as_bytes();
    let mut found = Vec::new();
    let mut i = range.start;
    let end = range.end;
    while i < end {
        let rest = &bytes[i..end];
        if rest.starts_with(b"://") {
            if let Some(link) = url_match(src, range.start, i, end) {
                i = link.span.end;
                found.push(link);
                continue;
            }
        } else if rest.starts_with(b"www.")
            && let Some(link) = www_match(src, range.start, i, end)
        {
            i = link.span.end;
            found.push(link);
            continue;
        }
        i += 1;
    }
    found
}

fn url_match(src: &str, chunk_start: usize, colon: usize, end: usize) -> Option<BareUrl> {
    let bytes = src.as_bytes();
    let mut start = colon;
    while start > chunk_start && bytes[start - 1].is_ascii_alphabetic() {
        start -= 1;
    }
    let scheme = &src[start..colon];
    if !["http", "https", "ftp"]
        .iter()
        .any(|s| s.eq_ignore_ascii_case(scheme))
    {
        return None;
    }
    let host_start = colon + 3;
    if host_start >= end || !is_valid_hostchar(&src[host_start..end]) {
        return None;
    }
    if check_domain(&src[host_start..end], true) == 0 {
        return None;
    }
    let link_end = scan_to_space(bytes, host_start, end);
    let link_end = start + autolink_delim(&bytes[start..link_end]);
    if link_end <= host_start {
        return None;
    }
    Some(BareUrl {
        span: start..link_end,
        href: src[start..link_end].to_string(),
    })
}

fn www_match(src: &str, chunk_start: usize, at: usize, end: usize) -> Option<BareUrl> {
    let bytes = src.as_bytes();
    if at > chunk_start {
        let prev = bytes[at - 1];
        if !b"*_~(".contains(&prev) && !is_cmark_space(prev) {
            return None;
        }
    }
    if check_domain(&src[at..end], false) == 0 {
        return None;
    }
    let link_end = scan_to_space(bytes, at, end);
    let link_end = at + autolink_delim(&bytes[at..link_end]);
    if link_end == at {
        return None;
    }
    Some(BareUrl {
        span: at..link_end,
        href: format!("http://{}", &src[at..link_end]),
    })
}

fn scan_to_space(bytes: &[u8], from: usize, end: usize) -> usize {
    let mut i = from;
    while i < end && !is_cmark_space(bytes[i]) {
        i += 1;
    }
    i
}

fn is_cmark_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// cmark's `is_valid_hostchar`: the next character is neither space nor punctuation.
fn is_valid_hostchar(s: &str) -> bool {
    match s.chars().next() {
        None => false,
        Some(c) if c.is_ascii() => c.is_ascii_alphanumeric(),
        Some(c) => !c.is_whitespace() && !is_unicode_punctuation(c),
    }
}

/// An approximation of Unicode's P* categories outside ASCII, enough for the
/// punctuation that real lists put after URLs (CJK and full-width forms).
fn is_unicode_punctuation(c: char) -> bool {
    if c.is_alphanumeric() {
        return false;
    }
    matches!(c as u32,
        0x00A1..=0x00BF | 0x2010..=0x2027 | 0x2030..=0x205E | 0x3001..=0x303F
        | 0xFE10..=0xFE6F | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40
        | 0xFF5B..=0xFF65)
}

/// cmark-gfm's `check_domain`: the length of the domain-looking prefix, or 0 when
/// it has underscores in its last two labels (or, unless `allow_short`, no dot).
fn check_domain(s: &str, allow_short: bool) -> usize {
    let bytes = s.as_bytes();
    let size = bytes.len();
    if size < 2 {
        return usize::from(allow_short && size == 1);
    }
    let (mut np, mut uscore1, mut uscore2) = (0, 0, 0);
    let mut i = 1;
    while i < size - 1 {
        let b = bytes[i];
        if b == b'_' {
            uscore2 += 1;
        } else if b == b'.' {
            uscore1 = uscore2;
            uscore2 = 0;
            np += 1;
        } else if b != b'-' && !is_valid_hostchar(&s[floor(s, i)..]) {
            break;
        }
        i += 1;
    }
    if uscore1 > 0 || uscore2 > 0 {
        return 0;
    }
    if allow_short || np > 0 { i } else { 0 }
}

fn floor(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// cmark-gfm's `autolink_delim`: cut at `<`, then trim trailing punctuation,
/// entity-like `&name;` and unbalanced closing parentheses.
fn autolink_delim(data: &[u8]) -> usize {
    let mut link_end = data.iter().position(|&b| b == b'<').unwrap_or(data.len());
    while link_end > 0 {
        let last = data[link_end - 1];
        if b"?!.,:*_~'\"".contains(&last) {
            link_end -= 1;
        } else if last == b';' {
            let mut new_end = link_end.saturating_sub(2);
            while new_end > 0 && data[new_end].is_ascii_alphabetic() {
                new_end -= 1;
            }
            if new_end + 2 < link_end && data[new_end] == b'&' {
                link_end = new_end;
            } else {
                link_end -= 1;
            }
        } else if last == b')' {
            let opening = data[..link_end].iter().filter(|&&b| b == b'(').count();
            let closing = data[..link_end].iter().filter(|&&b| b == b')').count();
            if closing <= opening {
                break;
            }
            link_end -= 1;
        } else {
            break;
        }
    }
    link_end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hrefs(s: &str) -> Vec<String> {
        find(s, 0..s.len()).into_iter().map(|l| l.href).collect()
    }

    #[test]
    fn matches_gfm_spec_examples() {
        let cases: &[(&str, &[&str])] = &[
            (
                "Visit www.commonmark.org/help for more.",
                &["http://www.commonmark.org/help"],
            ),
            (
                "www.commonmark.org/a.b.",
                &["http://www.commonmark.org/a.b"],
            ),
            (
                "www.google.com/search?q=Markup+(business))",
                &["http://www.google.com/search?q=Markup+(business)"],
            ),
            (
                "(www.google.com/search?q=Markup+(business))",
                &["http://www.google.com/search?q=Markup+(business)"],
            ),
            (
                "www.google.com/search?q=commonmark&hl;",
                &["http://www.google.com/search?q=commonmark"],
            ),
            (
                "www.commonmark.org/he<lp",
                &["http://www.commonmark.org/he"],
            ),
            (
                "https://www.example.com/x?a=1, next",
                &["https://www.example.com/x?a=1"],
            ),
            (
                "地址：https://github.com/a/b 下",
                &["https://github.com/a/b"],
            ),
            ("xhttps://nope.com", &[]),
            ("www.xxx_yyy.com", &[]),
            ("awww.example.com", &[]),
            ("http://localhost:8080/x", &["http://localhost:8080/x"]),
        ];
        for (input, want) in cases {
            assert_eq!(hrefs(input), *want, "input: {input}");
        }
    }

    #[test]
    fn spans_point_at_the_source_bytes() {
        let s = "see https://arxiv.org/abs/2301.00001.";
        let found = find(s, 0..s.len());
        assert_eq!(
            &s[found[0].span.clone()],
            "https://arxiv.org/abs/2301.00001"
        );
    }
}
