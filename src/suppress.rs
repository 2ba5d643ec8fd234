//! Inline suppression comments, in the style of markdownlint's: a maintainer silences a
//! finding where it occurs instead of writing a regex in the configuration.
//!
//! ```markdown
//! <!-- paperlint-disable-next-line entry/order -->
//! <!-- paperlint-disable paper/title-mismatch link -->  … <!-- paperlint-enable -->
//! | 2021 | [Paper](https://example.org) <!-- paperlint-disable-line entry/order --> |
//! ```
//!
//! `disable` and `enable` open and close a region (no rule = every rule),
//! `disable-next-line` covers the line after the comment, `disable-line` its own line.
//! A rule is named by its id (`entry/order`) or its family (`entry` = every `entry/…`
//! rule). Inside a table a comment on a line of its own would end the table, so there it
//! goes in a cell (GitHub hides it) with `disable-line`, or at the end of the row above
//! with `disable-next-line`.
//!
//! The comments are found with the same markdown parser as the tables, so a directive
//! quoted in a code span or a code block (documentation about paperlint) does nothing.
//! Pure: text in, [`Suppressions`] out.

use pulldown_cmark::{Event, Options, Parser};
use regex::Regex;
use std::sync::LazyLock;

/// What one directive does, in source order.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Directive {
    /// `paperlint-disable [RULE…]`: silences from its line on.
    Disable(Vec<String>),
    /// `paperlint-enable [RULE…]`: reports again from its line on.
    Enable(Vec<String>),
}

/// The suppression comments of one file, ready to be asked about a finding's line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Suppressions {
    /// Region directives with their 1-based line, in source order.
    regions: Vec<(usize, Directive)>,
    /// Single-line suppressions: (line, rules; empty = every rule).
    lines: Vec<(usize, Vec<String>)>,
    /// Every rule name written in a directive, with its line (for the caller to check
    /// against the known rules and warn about typos).
    named: Vec<(usize, String)>,
}

static DIRECTIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"<!--\s*paperlint-(disable-next-line|disable-line|disable|enable)((?:\s+[A-Za-z0-9_./-]+)*)\s*-->",
    )
    .expect("directive regex")
});

impl Suppressions {
    /// Reads the suppression comments of a markdown file.
    pub fn parse(text: &str) -> Suppressions {
        // Every directive names `paperlint-`; a file without it (nearly every list) needs
        // no second markdown parse to tell comments from code.
        if !text.contains("paperlint-") {
            return Suppressions::default();
        }
        let line_starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let line_of = |offset: usize| line_starts.partition_point(|&s| s <= offset);
        let mut found = Suppressions::default();
        let mut options = Options::empty();
        options.insert(Options::ENABLE_TABLES);
        options.insert(Options::ENABLE_FOOTNOTES);
        options.insert(Options::ENABLE_STRIKETHROUGH);
        options.insert(Options::ENABLE_TASKLISTS);
        for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
            // HTML blocks arrive line by line, inline HTML whole; code never does.
            let html = match event {
                Event::Html(html) | Event::InlineHtml(html) => html,
                _ => continue,
            };
            for caps in DIRECTIVE.captures_iter(&html) {
                let at = range.start + caps.get(0).map_or(0, |m| m.start());
                let line = line_of(at);
                let rules: Vec<String> = caps[2].split_whitespace().map(str::to_owned).collect();
                found
                    .named
                    .extend(rules.iter().map(|rule| (line, rule.clone())));
                match &caps[1] {
                    "disable-next-line" => found.lines.push((line + 1, rules)),
                    "disable-line" => found.lines.push((line, rules)),
                    "disable" => found.regions.push((line, Directive::Disable(rules))),
                    _ => found.regions.push((line, Directive::Enable(rules))),
                }
            }
        }
        found
    }

    /// Whether a finding of `rule` on 1-based `line` is silenced.
    pub fn silences(&self, line: usize, rule: &str) -> bool {
        if self
            .lines
            .iter()
            .any(|(at, rules)| *at == line && names(rules, rule))
        {
            return true;
        }
        // The last region directive before the line that speaks about the rule decides.
        let mut silenced = false;
        for (_, directive) in self.regions.iter().take_while(|(at, _)| *at <= line) {
            match directive {
                Directive::Disable(rules) if names(rules, rule) => silenced = true,
                Directive::Enable(rules) if names(rules, rule) => silenced = false,
                _ => {}
            }
        }
        silenced
    }

    /// Whether the file has no suppression comment at all.
    pub fn is_empty(&self) -> bool {
        self.regions.is_empty() && self.lines.is_empty()
    }

    /// Every rule name written in a directive, with its line, for the caller to check.
    pub fn named_rules(&self) -> impl Iterator<Item = (usize, &str)> {
        self.named.iter().map(|(line, rule)| (*line, rule.as_str()))
    }
}

/// Whether a directive's rule list covers `rule`: empty covers all, a family its rules.
fn names(rules: &[String], rule: &str) -> bool {
    rules.is_empty()
        || rules.iter().any(|r| {
            r == rule
                || rule
                    .strip_prefix(r.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROWS: &str = "| Year | Title |\n|---|---|\n";

    /// (what the file says, line, rule, silenced?)
    #[test]
    fn directives_silence_what_they_name_where_they_say() {
        let cases: &[(&str, usize, &str, bool)] = &[
            // Nothing written, nothing silenced.
            ("text\n", 1, "entry/order", false),
            // Next line: only that line, only the named rule.
            (
                "<!-- paperlint-disable-next-line entry/order -->\nrow\nrow\n",
                2,
                "entry/order",
                true,
            ),
            (
                "<!-- paperlint-disable-next-line entry/order -->\nrow\nrow\n",
                3,
                "entry/order",
                false,
            ),
            (
                "<!-- paperlint-disable-next-line entry/order -->\nrow\n",
                2,
                "url/malformed",
                false,
            ),
            // No rule named: every rule.
            (
                "<!-- paperlint-disable-next-line -->\nrow\n",
                2,
                "url/malformed",
                true,
            ),
            // Several rules, extra spaces.
            (
                "<!--paperlint-disable-next-line   url/malformed  entry/order-->\nrow\n",
                2,
                "entry/order",
                true,
            ),
            // A family names each of its rules, but not a rule that merely starts alike.
            (
                "<!-- paperlint-disable-next-line paper -->\nrow\n",
                2,
                "paper/title-mismatch",
                true,
            ),
            (
                "<!-- paperlint-disable-next-line entry/order -->\nrow\n",
                2,
                "entry/order-x",
                false,
            ),
            // Regions: from the comment to the enable.
            (
                "a\n<!-- paperlint-disable link/broken -->\nb\nc\n<!-- paperlint-enable -->\nd\n",
                1,
                "link/broken",
                false,
            ),
            (
                "a\n<!-- paperlint-disable link/broken -->\nb\nc\n<!-- paperlint-enable -->\nd\n",
                4,
                "link/broken",
                true,
            ),
            (
                "a\n<!-- paperlint-disable link/broken -->\nb\nc\n<!-- paperlint-enable -->\nd\n",
                4,
                "link/redirect",
                false,
            ),
            (
                "a\n<!-- paperlint-disable link/broken -->\nb\nc\n<!-- paperlint-enable -->\nd\n",
                6,
                "link/broken",
                false,
            ),
            // Unclosed: to the end of the file.
            (
                "<!-- paperlint-disable -->\n\n\n\nz\n",
                5,
                "venue/spelling",
                true,
            ),
            // Disable all, enable one back.
            (
                "<!-- paperlint-disable -->\n<!-- paperlint-enable url/malformed -->\nx\n",
                3,
                "url/malformed",
                false,
            ),
            (
                "<!-- paperlint-disable -->\n<!-- paperlint-enable url/malformed -->\nx\n",
                3,
                "entry/order",
                true,
            ),
            // Enable of another rule leaves the disabled one silenced.
            (
                "<!-- paperlint-disable entry/order -->\n<!-- paperlint-enable url/malformed -->\nx\n",
                3,
                "entry/order",
                true,
            ),
            // Inside a table cell, on its own row.
            (
                "| Year | Title |\n|---|---|\n| 2021 | [A](https://a.org) <!-- paperlint-disable-line entry/order --> |\n| 2020 | B |\n",
                3,
                "entry/order",
                true,
            ),
            (
                "| Year | Title |\n|---|---|\n| 2021 | [A](https://a.org) <!-- paperlint-disable-line entry/order --> |\n| 2020 | B |\n",
                4,
                "entry/order",
                false,
            ),
            // At the end of the row above, for the next row.
            (
                "| Year | Title |\n|---|---|\n| 2020 | A <!-- paperlint-disable-next-line entry/order --> |\n| 2021 | B |\n",
                4,
                "entry/order",
                true,
            ),
            // Quoted in a code span or a code block: documentation, not a directive.
            (
                "Write `<!-- paperlint-disable -->` to silence.\nrow\n",
                2,
                "entry/order",
                false,
            ),
            (
                "```\n<!-- paperlint-disable -->\n```\nrow\n",
                4,
                "entry/order",
                false,
            ),
            (
                "    <!-- paperlint-disable -->\n\nrow\n",
                3,
                "entry/order",
                false,
            ),
            // Another tool's comment, or a misspelt directive, does nothing.
            (
                "<!-- markdownlint-disable -->\nrow\n",
                2,
                "entry/order",
                false,
            ),
            (
                "<!-- paperlint-disabled -->\nrow\n",
                2,
                "entry/order",
                false,
            ),
        ];
        for (i, (text, line, rule, silenced)) in cases.iter().enumerate() {
            assert_eq!(
                Suppressions::parse(text).silences(*line, rule),
                *silenced,
                "case {i}: line {line}, {rule} in {text:?}"
            );
        }
    }

    #[test]
    fn a_comment_on_its_own_line_before_a_table_names_the_first_row() {
        let text = format!("<!-- paperlint-disable-next-line -->\n{ROWS}| 2020 | A |\n");
        let s = Suppressions::parse(&text);
        assert!(s.silences(2, "table/cell-count"));
        assert!(!s.silences(4, "table/cell-count"));
    }

    #[test]
    fn named_rules_are_listed_with_their_lines() {
        let s = Suppressions::parse("x\n<!-- paperlint-disable entry/ordr url -->\n");
        let named: Vec<_> = s.named_rules().collect();
        assert_eq!(named, vec![(2, "entry/ordr"), (2, "url")]);
        assert!(!s.is_empty());
        assert!(Suppressions::parse("no comments\n").is_empty());
    }

    #[test]
    fn a_multi_line_html_block_places_each_directive_on_its_own_line() {
        let text = "<!--\nnote -->\n<!-- paperlint-disable-next-line -->\nrow\n";
        let s = Suppressions::parse(text);
        assert!(s.silences(4, "entry/order"));
        assert!(!s.silences(3, "entry/order"));
    }
}
