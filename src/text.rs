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

/// Text with its HTML character references decoded (the full HTML table, numeric
/// references too), as a browser decodes text content.
pub fn decode_entities(s: &str) -> String {
    htmlize::unescape(s).into_owned()
}

/// An HTML attribute value with its character references decoded, as a browser
/// decodes `href="…"` (a bare `&amp` before `=` or an alphanumeric stays as written).
pub fn decode_attribute(s: &str) -> String {
    htmlize::unescape_attribute(s).into_owned()
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

/// How a finding with no heading above it is labelled.
pub const NO_HEADING: &str = "(no heading)";

/// A heading path for display, outermost first: `A › B`, or [`NO_HEADING`].
pub fn section_path(section: &[String]) -> String {
    if section.is_empty() {
        NO_HEADING.to_string()
    } else {
        section.join(" › ")
    }
}

/// The English plural of a noun: `entry` → `entries`, `fix` → `fixes`, `cell` →
/// `cells`.
pub fn plural(noun: &str) -> String {
    let consonant_y = noun.strip_suffix('y').is_some_and(|stem| {
        stem.chars()
            .last()
            .is_some_and(|c| !"aeiou".contains(c.to_ascii_lowercase()))
    });
    if consonant_y {
        format!("{}ies", &noun[..noun.len() - 1])
    } else if ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|e| noun.ends_with(e))
    {
        format!("{noun}es")
    } else {
        format!("{noun}s")
    }
}

/// `noun` as `n` of them are called: `noun` for one, [`plural`] otherwise.
pub fn noun(n: usize, noun: &str) -> String {
    if n == 1 {
        noun.to_string()
    } else {
        plural(noun)
    }
}

/// "1 error", "2 warnings", "3 entries", "6 fixes".
pub fn counted(n: usize, what: &str) -> String {
    format!("{n} {}", noun(n, what))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_plurals() {
        assert_eq!(counted(1, "entry"), "1 entry");
        assert_eq!(counted(3, "entry"), "3 entries");
        assert_eq!(counted(0, "fix"), "0 fixes");
        assert_eq!(counted(2, "problem"), "2 problems");
        assert_eq!(counted(2, "day"), "2 days");
        assert_eq!(section_path(&[]), "(no heading)");
        assert_eq!(section_path(&["A".into(), "B".into()]), "A › B");
    }

    #[test]
    fn entities_use_the_full_html_table() {
        assert_eq!(
            decode_entities("Caf&eacute; &mdash; &#x2011;&amp;lt;"),
            "Café — \u{2011}&lt;"
        );
        assert_eq!(
            decode_attribute("https://x.org/?a=1&amp;b=2&copy=3"),
            "https://x.org/?a=1&b=2&copy=3"
        );
    }

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
