//! The lines a pull request adds or changes, from the unified diffs GitHub returns.

use std::collections::BTreeSet;

/// New-file line numbers of the `+` lines of a unified diff.
pub fn added_lines(patch: &str) -> BTreeSet<usize> {
    let mut lines = BTreeSet::new();
    let mut next = 0usize;
    for l in patch.lines() {
        if let Some(rest) = l.strip_prefix("@@ ") {
            // @@ -a,b +c,d @@
            next = rest
                .split_whitespace()
                .find_map(|p| p.strip_prefix('+'))
                .and_then(|p| p.split(',').next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
        } else if l.starts_with('+') {
            lines.insert(next);
            next += 1;
        } else if l.starts_with('-') || l.starts_with('\\') {
            // Removed lines and "\ No newline" do not exist in the new file.
        } else {
            next += 1;
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::added_lines;

    #[test]
    fn hunks_map_to_new_line_numbers() {
        let patch = "@@ -10,4 +10,5 @@ ## Papers\n |2023|[a](x)|\n-|2022|[b](old)|\n+|2022|[b](new)|\n+|2021|[c](y)|\n |2020|[d](z)|\n@@ -40,2 +41,3 @@\n |x|\n+|y|\n \\ No newline at end of file";
        assert_eq!(
            added_lines(patch).into_iter().collect::<Vec<_>>(),
            vec![11, 12, 42]
        );
    }
}
