//! Pure text helpers shared by the stages: title and venue normalisation for
//! comparing a row's title with a registry's (Unicode NFKC, HTML entities, LaTeX
//! markup, case, punctuation and whitespace) and single-line excerpts for messages.

use unicode_normalization::UnicodeNormalization;

/// NFKC, entities and LaTeX removed, whitespace collapsed; case and punctuation kept.
pub fn strict(s: &str) -> String {
    let s = decode_entities(s);
    let s = strip_latex(&s);
    s.nfkc()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `strict`, then lower-cased with punctuation turned into spaces.
pub fn loose(s: &str) -> String {
    strict(s)
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_lowercase().next().unwrap_or(c)
            } else {
                ' '
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = s
        .replace("&nbsp;", " ")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
    // Numeric entities, e.g. `&#x2011;` (a non-breaking hyphen in a real list).
    while let Some(start) = out.find("&#") {
        let Some(len) = out[start..].find(';') else {
            break;
        };
        let body = &out[start + 2..start + len];
        let code = if let Some(hex) = body.strip_prefix(['x', 'X']) {
            u32::from_str_radix(hex, 16).ok()
        } else {
            body.parse().ok()
        };
        match code.and_then(char::from_u32) {
            Some(c) => out.replace_range(start..start + len + 1, &c.to_string()),
            None => break,
        }
    }
    out.replace("&amp;", "&")
}

/// Drops `$`, braces and simple `\command` markup, keeping the text.
fn strip_latex(s: &str) -> String {
    if !s.contains(['\\', '$', '{']) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '$' | '{' | '}' => {}
            '\\' => {
                // `\&`, `\%`: the character itself; `\emph` and friends: dropped.
                match chars.peek() {
                    Some(n) if !n.is_alphabetic() => out.push(chars.next().unwrap_or(' ')),
                    _ => {
                        while chars.peek().is_some_and(|n| n.is_alphabetic()) {
                            chars.next();
                        }
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// How a row's title relates to the registry's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TitleMatch {
    /// The same title (up to whitespace, entities, LaTeX, Unicode forms).
    Same,
    /// Differs only in case or punctuation, or a subtitle was dropped.
    Minor,
    /// A different title.
    Different,
}

/// Compares a row's title with a registry title.
pub fn compare(row: &str, registry: &str) -> TitleMatch {
    if strict(row) == strict(registry) {
        return TitleMatch::Same;
    }
    let (a, b) = (loose(row), loose(registry));
    if a == b {
        return TitleMatch::Minor;
    }
    // A subtitle dropped on either side: "Title: Subtitle" vs "Title" (or "Subtitle").
    let parts = |s: &str| -> Vec<String> {
        s.split([':', '—', '–'])
            .map(loose)
            .filter(|p| !p.is_empty())
            .collect()
    };
    if parts(registry).contains(&a) || parts(row).contains(&b) {
        return TitleMatch::Minor;
    }
    TitleMatch::Different
}

/// A short, single-line excerpt of source text for messages.
pub fn excerpt(s: &str, max: usize) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        format!("{}…", flat.chars().take(max).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_handles_entities_latex_and_unicode() {
        assert_eq!(
            strict("Pre&#x2011;training of $\\alpha$-{BERT} \\& co"),
            "Pre\u{2010}training of -BERT & co"
        );
        assert_eq!(
            loose("BioGPT: Generative  Pre-trained"),
            "biogpt generative pre trained"
        );
        assert_eq!(strict("ﬁne-tuning"), "fine-tuning");
    }

    #[test]
    fn comparisons() {
        use TitleMatch::*;
        let cases = [
            (
                "Large language models in medicine",
                "Large language models in medicine",
                Same,
            ),
            (
                "Large Language Models in Medicine",
                "Large language models in medicine",
                Minor,
            ),
            (
                "BioGPT",
                "BioGPT: generative pre-trained transformer for biomedical text generation and mining",
                Minor,
            ),
            (
                "Capabilities of GPT-4 on Medical Challenge Problems",
                "Capabilities of GPT-4 on medical challenge problems.",
                Minor,
            ),
            (
                "Attention is all you need",
                "Deep residual learning for image recognition",
                Different,
            ),
        ];
        for (row, reg, want) in cases {
            assert_eq!(compare(row, reg), want, "{row} / {reg}");
        }
    }
}
