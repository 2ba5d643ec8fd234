//! Reading a list from disk into a [`Source`] (size limit, UTF-8 validation), the
//! byte-offset → line/column index every report relies on ([`position_in`] for one-off
//! lookups), and writing a file back atomically ([`write_atomic`]).

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
    /// A device or pipe gave more than `check.max_file_size` bytes (its size is not
    /// known in advance, so reading stopped at the limit).
    #[error("{path}: more than the limit of {limit} bytes (raise check.max_file_size to read it)")]
    TooLong {
        /// The path as given.
        path: String,
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

/// How many rows (entries) a text of `lines` lines and `bytes` bytes can have, for
/// vectors sized once: grown by doubling, a vector of large items is copied at its
/// peak. Capacity never used is never touched, but it is still asked for: a file of
/// blank lines must not ask for gigabytes, so no more than one row per 32 bytes (real
/// rows are longer) is counted.
pub fn rows_at_most(lines: usize, bytes: usize) -> usize {
    lines.min(bytes / 32 + 1)
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

/// The most bytes a list read from disk may have: 4 GiB less one, so that every
/// offset into it fits in 32 bits. What a run keeps per row and per URL uses such
/// offsets (`check.max_file_size` may not be set higher).
pub const MAX_LEN: u64 = u32::MAX as u64;

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

    /// Reads `path`, refusing directories, more than `max_size` bytes (and more than
    /// [`MAX_LEN`] whatever `max_size` says) and invalid UTF-8. The limit is applied
    /// to what is read, not to what the metadata claims, so devices and pipes
    /// (`/dev/zero`, a FIFO) are bounded too.
    pub fn load(path: &Path, max_size: u64) -> Result<Self, InputError> {
        use std::io::Read;
        let max_size = max_size.min(MAX_LEN);
        let shown = path.display().to_string();
        let io = |e: std::io::Error| match e.kind() {
            std::io::ErrorKind::NotFound => InputError::NotFound {
                path: shown.clone(),
            },
            _ => InputError::Io {
                path: shown.clone(),
                source: e,
            },
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        if meta.is_dir() {
            return Err(InputError::Directory { path: shown });
        }
        if meta.is_file() && meta.len() > max_size {
            return Err(InputError::TooLarge {
                path: shown,
                size: meta.len(),
                limit: max_size,
            });
        }
        let file = std::fs::File::open(path).map_err(io)?;
        // A file's size is known: reading it into a buffer of that size spares the
        // copies (and the freed halves) of a buffer grown by doubling. Devices and
        // pipes say 0 and grow as they are read.
        let expected = if meta.is_file() { meta.len() } else { 0 };
        let mut bytes =
            Vec::with_capacity(usize::try_from(expected.saturating_add(1)).unwrap_or(0));
        // One byte past the limit tells "exactly the limit" from "more".
        file.take(max_size.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(io)?;
        if bytes.len() as u64 > max_size {
            return Err(InputError::TooLong {
                path: shown,
                limit: max_size,
            });
        }
        Self::from_bytes(path, bytes)
    }

    /// Validates `bytes` as UTF-8, pointing at the first bad byte when they are not.
    pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> Result<Self, InputError> {
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Source::new(path, text)),
            Err(err) => {
                let offset = err.utf8_error().valid_up_to();
                let bytes = err.into_bytes();
                // Everything before the first bad byte is valid UTF-8 by construction.
                let before = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
                let Position { line, column } = position_in(before, offset);
                Err(InputError::InvalidUtf8 {
                    path: path.display().to_string(),
                    offset,
                    line,
                    column,
                })
            }
        }
    }

    /// How many lines the file has (a last line without a newline counts).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// How many rows the file can have, for vectors sized once (see [`rows_at_most`]).
    pub fn rows_at_most(&self) -> usize {
        rows_at_most(self.line_count(), self.text.len())
    }

    /// The line and column of a byte offset (clamped to the end of the file).
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line_idx = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        Position {
            line: line_idx + 1,
            column: column(&self.text, self.line_starts[line_idx], offset),
        }
    }

    /// The path as shown in reports (forward slashes kept as given).
    pub fn display_path(&self) -> String {
        self.path.display().to_string()
    }
}

/// The line and column of a byte offset in `text` (clamped to its end), without an
/// index: for one-off lookups such as a config error or the first invalid byte.
pub fn position_in(text: &str, offset: usize) -> Position {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    Position {
        line: before.matches('\n').count() + 1,
        column: column(text, line_start, offset),
    }
}

/// The 1-based column, in characters, of `offset` on the line starting at `line_start`.
fn column(text: &str, line_start: usize, offset: usize) -> usize {
    text[line_start..floor_char_boundary(text, offset)]
        .chars()
        .count()
        + 1
}

fn line_starts(bytes: &[u8]) -> Vec<usize> {
    // memchr's vector search: files are read one after another before parsing starts,
    // so a byte-at-a-time scan here held every run up.
    std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1))
        .collect()
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Replaces `path` with `contents` atomically: a temporary file in the same folder,
/// flushed to disk (`fsync`), given the old file's permissions (and owner, where the
/// run may), then renamed over it. A failed write leaves the original intact and no
/// temporary file behind. A symlink stays a link: the file it points to is replaced.
/// A read-only file is refused, since the rename would get around its protection.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, contents, |_| Ok(()))
}

/// [`write_atomic`] with a hook run just before the rename (tests inject failures).
pub fn write_atomic_with(
    path: &Path,
    contents: &[u8],
    before_rename: impl FnOnce(&Path) -> std::io::Result<()>,
) -> std::io::Result<()> {
    use std::io::Write;
    let target = match std::fs::canonicalize(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => path.to_path_buf(),
        Err(e) => return Err(e),
    };
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let meta = match std::fs::metadata(&target) {
        Ok(meta) => Some(meta),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    if meta.as_ref().is_some_and(|m| m.permissions().readonly()) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            "the file is read-only",
        ));
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".paperlint-")
        .tempfile_in(dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    if let Some(meta) = &meta {
        std::fs::set_permissions(tmp.path(), meta.permissions())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            // Keeping the owner needs privileges the run may not have: best effort.
            let _ = std::os::unix::fs::fchown(tmp.as_file(), Some(meta.uid()), Some(meta.gid()));
        }
    }
    before_rename(tmp.path())?;
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}

/// The corpus of real lists beside the repository (`../shared/corpus`, which CI always
/// has), for tests; empty, saying so, when it is absent.
#[cfg(test)]
pub(crate) fn corpus_texts() -> Vec<(PathBuf, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let Ok(files) = std::fs::read_dir(&dir) else {
        eprintln!(
            "skipping the corpus: {} is not beside the repository",
            dir.display()
        );
        return Vec::new();
    };
    let mut texts: Vec<(PathBuf, String)> = files
        .flatten()
        .map(|f| f.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .filter_map(|p| Some((p.clone(), std::fs::read_to_string(&p).ok()?)))
        .collect();
    texts.sort();
    texts
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

    #[test]
    fn a_failed_write_leaves_the_original_intact() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("README.md");
        std::fs::write(&path, "original\n").unwrap();
        let err = write_atomic_with(&path, b"new\n", |_| Err(std::io::Error::other("disk full")))
            .unwrap_err();
        assert_eq!(err.to_string(), "disk full");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "original\n");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            leftovers.len(),
            1,
            "no temporary file left behind: {leftovers:?}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn permissions_are_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("README.md");
        std::fs::write(&path, "x").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&path, b"y").unwrap();
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o640
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "y");
    }
}
