//! Pure text helpers shared by the stages: title and venue normalisation for
//! comparing a row's title with a registry's (Unicode NFKC, HTML entities, LaTeX
//! markup, case, punctuation and whitespace) and single-line excerpts for messages.

use unicode_normalization::UnicodeNormalization;

/// NFKC, entities decoded, LaTeX turned into the text it typesets, Unicode
/// lookalikes (dashes, quotes, Cyrillic letters in Latin words) folded, `&` read as
/// "and", a trailing period (DBLP writes one) dropped, whitespace collapsed; case and
/// other punctuation kept.
pub fn strict(s: &str) -> String {
    let s = decode_entities(s);
    let s = latex_to_unicode(&s);
    let s: String = s.nfkc().map(fold_lookalike).collect();
    let s = fold_cyrillic(&s);
    let s = s
        .split_whitespace()
        .map(|w| if w == "&" { "and" } else { w })
        .collect::<Vec<_>>()
        .join(" ");
    s.strip_suffix('.').unwrap_or(&s).trim_end().to_string()
}

/// `strict`, then lower-cased with punctuation turned into spaces.
pub fn loose(s: &str) -> String {
    strict(s)
        .replace('&', " and ")
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

/// LaTeX commands for symbols and Greek letters, and the character each typesets.
const LATEX_SYMBOLS: &[(&str, &str)] = &[
    ("alpha", "α"),
    ("beta", "β"),
    ("gamma", "γ"),
    ("delta", "δ"),
    ("epsilon", "ε"),
    ("varepsilon", "ε"),
    ("zeta", "ζ"),
    ("eta", "η"),
    ("theta", "θ"),
    ("vartheta", "ϑ"),
    ("iota", "ι"),
    ("kappa", "κ"),
    ("lambda", "λ"),
    ("mu", "μ"),
    ("nu", "ν"),
    ("xi", "ξ"),
    ("pi", "π"),
    ("rho", "ρ"),
    ("sigma", "σ"),
    ("tau", "τ"),
    ("upsilon", "υ"),
    ("phi", "φ"),
    ("varphi", "φ"),
    ("chi", "χ"),
    ("psi", "ψ"),
    ("omega", "ω"),
    ("Gamma", "Γ"),
    ("Delta", "Δ"),
    ("Theta", "Θ"),
    ("Lambda", "Λ"),
    ("Xi", "Ξ"),
    ("Pi", "Π"),
    ("Sigma", "Σ"),
    ("Phi", "Φ"),
    ("Psi", "Ψ"),
    ("Omega", "Ω"),
    ("infty", "∞"),
    ("times", "×"),
    ("cdot", "·"),
    ("pm", "±"),
    ("mp", "∓"),
    ("to", "→"),
    ("rightarrow", "→"),
    ("leftarrow", "←"),
    ("leftrightarrow", "↔"),
    ("Rightarrow", "⇒"),
    ("le", "≤"),
    ("leq", "≤"),
    ("ge", "≥"),
    ("geq", "≥"),
    ("neq", "≠"),
    ("approx", "≈"),
    ("sim", "∼"),
    ("propto", "∝"),
    ("in", "∈"),
    ("ell", "ℓ"),
    ("partial", "∂"),
    ("nabla", "∇"),
    ("sum", "∑"),
    ("prod", "∏"),
    ("int", "∫"),
    ("sqrt", "√"),
    ("star", "⋆"),
    ("ast", "∗"),
    ("circ", "∘"),
    ("dagger", "†"),
    ("emptyset", "∅"),
    ("forall", "∀"),
    ("exists", "∃"),
    ("ldots", "…"),
    ("dots", "…"),
    ("cdots", "⋯"),
    ("textendash", "–"),
    ("textemdash", "—"),
    ("LaTeX", "LaTeX"),
    ("TeX", "TeX"),
];

/// Accent commands (`\'e`, `\"{o}`) and the combining mark each adds.
const LATEX_ACCENTS: &[(char, char)] = &[
    ('\'', '\u{301}'),
    ('`', '\u{300}'),
    ('^', '\u{302}'),
    ('"', '\u{308}'),
    ('~', '\u{303}'),
    ('=', '\u{304}'),
    ('.', '\u{307}'),
    ('c', '\u{327}'),
    ('v', '\u{30C}'),
    ('u', '\u{306}'),
    ('H', '\u{30B}'),
];

/// The letter an accent command applies to (`{o}`, ` o` or `o` from `from`), pushed
/// with its combining mark; the index after it (and its closing brace).
fn accented(chars: &[char], from: usize, mark: char, out: &mut String) -> Option<usize> {
    let mut k = from;
    while k < chars.len() && (chars[k] == '{' || chars[k] == ' ') {
        k += 1;
    }
    let base = *chars.get(k).filter(|b| b.is_alphabetic())?;
    out.push(base);
    out.push(mark);
    let next = k + 1;
    Some(if chars.get(next) == Some(&'}') {
        next + 1
    } else {
        next
    })
}

/// LaTeX as the text it typesets: `$…$` math (sub- and superscripts as plain
/// characters, which is what NFKC makes of `H₂O`), symbol and Greek commands as
/// their Unicode characters, font commands (`\mathcal{X}`, `\textbf{…}`) as their
/// argument, accents composed, `\&` as `&`, braces dropped.
fn latex_to_unicode(s: &str) -> String {
    if !s.contains(['\\', '$', '{']) {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut math = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '$' => math = !math,
            '{' | '}' => {}
            '_' | '^' if math => {}
            '\\' => {
                let next = chars.get(i + 1).copied();
                match next {
                    Some(n) if n.is_ascii_alphabetic() => {
                        let mut j = i + 1;
                        while j < chars.len() && chars[j].is_ascii_alphabetic() {
                            j += 1;
                        }
                        let name: String = chars[i + 1..j].iter().collect();
                        // A one-letter accent command (`\c{c}`, `\v s`) takes the next letter.
                        let accent = (name.len() == 1)
                            .then(|| LATEX_ACCENTS.iter().find(|(a, _)| *a == n))
                            .flatten();
                        if let Some((_, mark)) = accent
                            && let Some(next) = accented(&chars, j, *mark, &mut out)
                        {
                            i = next;
                            continue;
                        }
                        if let Some((_, text)) = LATEX_SYMBOLS.iter().find(|(n, _)| *n == name) {
                            out.push_str(text);
                        }
                        // Font and other commands: dropped, their `{argument}` kept.
                        i = j;
                        // `\alpha x`: the space after a command word only ends it.
                        if chars.get(i) == Some(&' ') && !out.ends_with(' ') && math {
                            i += 1;
                        }
                        continue;
                    }
                    Some(n) => {
                        if let Some((_, mark)) = LATEX_ACCENTS.iter().find(|(a, _)| *a == n)
                            && let Some(next) = accented(&chars, i + 2, *mark, &mut out)
                        {
                            i = next;
                            continue;
                        }
                        // `\&`, `\%`, `\_`, `\$`: the character itself.
                        out.push(n);
                        i += 2;
                        continue;
                    }
                    None => {}
                }
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// Dashes, quotes and spaces that look alike, as their ASCII form.
fn fold_lookalike(c: char) -> char {
    match c {
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2212}' | '\u{fe63}' | '\u{ff0d}' => '-',
        '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{2032}' | '`' | '´' => '\'',
        '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{2033}' => '"',
        '\u{00a0}' | '\u{2007}' | '\u{202f}' | '\u{200b}' => ' ',
        _ => c,
    }
}

/// Cyrillic letters that look Latin, inside words that are otherwise Latin (a title
/// typed on a Cyrillic keyboard); Russian words stay as they are.
fn fold_cyrillic(s: &str) -> String {
    const PAIRS: &[(char, char)] = &[
        ('а', 'a'),
        ('е', 'e'),
        ('о', 'o'),
        ('р', 'p'),
        ('с', 'c'),
        ('х', 'x'),
        ('у', 'y'),
        ('і', 'i'),
        ('А', 'A'),
        ('В', 'B'),
        ('Е', 'E'),
        ('К', 'K'),
        ('М', 'M'),
        ('Н', 'H'),
        ('О', 'O'),
        ('Р', 'P'),
        ('С', 'C'),
        ('Т', 'T'),
        ('Х', 'X'),
    ];
    if !s.chars().any(|c| ('\u{400}'..='\u{4ff}').contains(&c)) {
        return s.to_string();
    }
    s.split(' ')
        .map(|w| {
            let latin = w.chars().filter(|c| c.is_ascii_alphabetic()).count();
            let cyrillic = w
                .chars()
                .filter(|c| ('\u{400}'..='\u{4ff}').contains(c))
                .count();
            if latin > cyrillic {
                w.chars()
                    .map(|c| PAIRS.iter().find(|(k, _)| *k == c).map_or(c, |(_, l)| *l))
                    .collect()
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// How a row's title relates to the registry's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TitleMatch {
    /// The same title (up to whitespace, entities, LaTeX, Unicode forms, a trailing
    /// period, `&` for "and"), or the same title behind a model-name label the list
    /// added (`**X**: T`, `X: T`, `[X] T`).
    Same,
    /// Differs only in case or punctuation, or a subtitle was dropped.
    Minor,
    /// A different title.
    Different,
}

/// The title without a model-name label a list put in front of it: `X: T` (also when
/// `T` has a colon of its own), `[X] T`, `X - T`. The label is short (at most four
/// words) and is not itself the whole title.
fn without_label(title: &str) -> Option<&str> {
    let t = title.trim();
    let rest = if let Some(after) = t.strip_prefix('[') {
        after.split_once(']').map(|(_, rest)| rest)
    } else {
        [": ", "：", " - ", " – ", " — "]
            .iter()
            .filter_map(|sep| t.split_once(sep))
            .min_by_key(|(label, _)| label.len())
            .filter(|(label, _)| label.split_whitespace().count() <= 4)
            .map(|(_, rest)| rest)
    }?;
    let rest = rest.trim_start_matches([':', ' ', '-']).trim();
    (!rest.is_empty()).then_some(rest)
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
    if let Some(rest) = without_label(row)
        && (strict(rest) == strict(registry) || loose(rest) == b)
    {
        return TitleMatch::Same;
    }
    // A subtitle dropped on either side: "Title: Subtitle" vs "Title" (or "Subtitle").
    let parts = |s: &str| -> Vec<String> {
        s.split([':', '—', '–', '：'])
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
        let cases = [
            (
                "Pre&#x2011;training of $\\alpha$-{BERT} \\& co",
                "Pre-training of α-BERT and co",
            ),
            ("H$_2$O: Heavy-Hitter Oracle", "H2O: Heavy-Hitter Oracle"),
            ("H₂O: Heavy-Hitter Oracle", "H2O: Heavy-Hitter Oracle"),
            (
                "$\\infty$-former: Infinite Memory Transformer",
                "∞-former: Infinite Memory Transformer",
            ),
            ("$\\mathcal{O}(n^2)$ attention", "O(n2) attention"),
            ("$\\mathbf{X}^{2}$-VLM", "X2-VLM"),
            ("Sch\\\"{o}lkopf and G\\'eron", "Schölkopf and Géron"),
            (
                "$\\pi_0$: A Vision-Language-Action Flow Model",
                "π0: A Vision-Language-Action Flow Model",
            ),
            ("Attention Is All You Need.", "Attention Is All You Need"),
            (
                "Memory‑Efficient Exact Attention with IO‑Awareness",
                "Memory-Efficient Exact Attention with IO-Awareness",
            ),
            ("QLoRA：Efficient Finetuning", "QLoRA:Efficient Finetuning"),
            ("Reasoning &amp; Acting", "Reasoning and Acting"),
            ("Reasoning & Acting", "Reasoning and Acting"),
            ("Q&A for &lt;b&gt;", "Q&A for <b>"),
            ("Lаrge lаnguage models", "Large language models"),
            ("Большие языковые модели", "Большие языковые модели"),
            ("ﬁne-tuning", "fine-tuning"),
        ];
        for (text, want) in cases {
            assert_eq!(strict(text), want, "{text}");
        }
        assert_eq!(
            loose("BioGPT: Generative  Pre-trained"),
            "biogpt generative pre trained"
        );
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
            // Model-name labels a list puts in front of the title.
            (
                "DeepNorm: DeepNet: Scaling Transformers to 1,000 Layers",
                "DeepNet: Scaling Transformers to 1,000 Layers",
                Same,
            ),
            (
                "Codex: Evaluating Large Language Models Trained on Code",
                "Evaluating Large Language Models Trained on Code",
                Same,
            ),
            (
                "[FPN] Feature Pyramid Networks for Object Detection",
                "Feature Pyramid Networks for Object Detection",
                Same,
            ),
            (
                "H₂O: Heavy-Hitter Oracle for Efficient Generative Inference of Large Language Models",
                "H$_2$O: Heavy-Hitter Oracle for Efficient Generative Inference of Large Language Models",
                Same,
            ),
            (
                "∞-former: Infinite Memory Transformer",
                "$\\infty$-former: Infinite Memory Transformer",
                Same,
            ),
            (
                "ReAct: Synergizing Reasoning & Acting in Language Models",
                "ReAct: Synergizing Reasoning and Acting in Language Models",
                Same,
            ),
            (
                "Attention Is All You Need.",
                "Attention Is All You Need",
                Same,
            ),
            (
                "High-Resolution Image Synthesis with Latent Diffusion Models",
                "High-Resolution Image Synthesis With Latent Diffusion Models",
                Minor,
            ),
            // A label is short: a long first clause is a title of its own.
            (
                "Imagen Video: High Definition Video Generation with Diffusion Models",
                "Video Diffusion Models",
                Different,
            ),
        ];
        for (row, reg, want) in cases {
            assert_eq!(compare(row, reg), want, "{row} / {reg}");
        }
    }
}
