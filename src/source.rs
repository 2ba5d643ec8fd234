//! Reading a list from disk into a [`Source`]: size limit, UTF-8 validation, and the
//! byte-offset → line/column index every report relies on.

use std::fmt;
use std::path::{Path, PathBuf};

/// Why a file could not be read as a paper list. Each variant renders as one line.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The path does not exist.
    #[error("{path}: no such file")]
    NotFound {
        /// The path as given.
        path: String,
    },
    /// The path is a directory, not a file.
    #[error("{path}: is a directory, not a markdown file")]
    Directory {
        /// The path as given.
        path: String,
    },
    /// The file is larger than `check.max_file_size`.
    #[error(
        "{path}: file is {size} bytes, more than the limit of {limit} bytes (raise check.max_file_size to read it)"
    )]
    TooLarge {
        /// The path as given.
        path: String,
        /// Its size in bytes.
        size: u64,
        /// The configured limit.
        limit: u64,
    },
    /// The bytes are not UTF-8.
    #[error("{path}:{line}:{column}: invalid UTF-8 at byte offset {offset}")]
    InvalidUtf8 {
        /// The path as given.
        path: String,
        /// Byte offset of the first invalid byte.
        offset: usize,
        /// 1-based line of that byte.
        line: usize,
        /// 1-based column (characters) of that byte.
        column: usize,
    },
    /// Any other I/O failure.
    #[error("{path}: {source}")]
    Io {
        /// The path as given.
        path: String,
        /// What the OS said.
        source: std::io::Error,
    },
}

/// A markdown file held in memory with a line index.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path as the user named it (used in reports).
    pub path: PathBuf,
    /// The whole file, exactly as on disk.
    pub text: String,
    line_starts: Vec<usize>,
}

/// A 1-based line and column; the column counts Unicode scalar values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column in characters.
    pub column: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

impl Source {
    /// Wraps text that is already in memory (tests, stdin).
    pub fn new(path: impl Into<PathBuf>, text: String) -> Self {
        let line_starts = line_starts(text.as_bytes());
        Source {
            path: path.into(),
            text,
            line_starts,
        }
    }

    /// Reads `path`, refusing directories, files over `max_size` bytes and invalid UTF-8.
    pub fn load(path: &Path, max_size: u64) -> Result<Self, InputError> {
        let shown = path.display().to_string();
        let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => InputError::NotFound {
                path: shown.clone(),
            },
            _ => InputError::Io {
                path: shown.clone(),
                source: e,
            },
        })?;
        if meta.is_dir() {
            return Err(InputError::Directory { path: shown });
        }
        if meta.len() > max_size {
            return Err(InputError::TooLarge {
                path: shown,
                size: meta.len(),
                limit: max_size,
            });
        }
        let bytes = std::fs::read(path).map_err(|e| InputError::Io {
            path: shown.clone(),
            source: e,
        })?;
        Self::from_bytes(path, bytes)
    }

    /// Validates `bytes` as UTF-8, pointing at the first bad byte when they are not.
    pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> Result<Self, InputError> {
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Source::new(path, text)),
            Err(err) => {
                let offset = err.utf8_error().valid_up_to();
                let bytes = err.into_bytes();
                let before = &bytes[..offset];
                let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
                let line_start = before
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |p| p + 1);
                // `before` is valid UTF-8 by construction.
                let column =
                    std::str::from_utf8(&before[line_start..]).map_or(1, |s| s.chars().count() + 1);
                Err(InputError::InvalidUtf8 {
                    path: path.display().to_string(),
                    offset,
                    line,
                    column,
                })
            }
        }
    }

    /// The line and column of a byte offset (clamped to the end of the file).
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line_idx = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line_idx];
        let column = self.text[start..floor_char_boundary(&self.text, offset)]
            .chars()
            .count()
            + 1;
        Position {
            line: line_idx + 1,
            column,
        }
    }

    /// The path as shown in reports (forward slashes kept as given).
    pub fn display_path(&self) -> String {
        self.path.display().to_string()
    }
}

fn line_starts(bytes: &[u8]) -> Vec<usize> {
    std::iter::once(0)
        .chain(
            bytes
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        )
        .collect()
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_not_bytes() {
        let s = Source::new("x.md", "ab\n日本x\n".to_string());
        assert_eq!(s.position(0), Position { line: 1, column: 1 });
        assert_eq!(s.position(3), Position { line: 2, column: 1 });
        // 'x' sits after two 3-byte characters.
        assert_eq!(s.position(9), Position { line: 2, column: 3 });
        assert_eq!(s.position(11), Position { line: 3, column: 1 });
    }

    #[test]
    fn invalid_utf8_names_the_offset_line_and_column() {
        let err = Source::from_bytes(Path::new("bad.md"), b"ok\nab\xffc".to_vec()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "bad.md:2:3: invalid UTF-8 at byte offset 5"
        );
    }
}
