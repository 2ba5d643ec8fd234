//! What paperlint prints, on its way out: errors rendered as one line with each cause
//! said once, and secrets (the GitHub token) masked by value, whatever their shape and
//! wherever they turn up — an API's error message, a link in the list, a report file,
//! the job summary. Every writer of user-visible text goes through [`mask`] or
//! [`Masked`].

use std::borrow::Cow;
use std::io::Write;
use std::sync::{LazyLock, RwLock};

/// What replaces a secret in output.
pub const REDACTED: &str = "[redacted]";

/// Secrets shorter than this are not masked: replacing every occurrence of a short
/// string would mangle ordinary text, and a real token is never that short.
const SHORTEST_SECRET: usize = 8;

static SECRETS: LazyLock<RwLock<Vec<String>>> = LazyLock::new(|| RwLock::new(Vec::new()));

/// Masks `secret` in everything printed from now on, in the forms it is echoed back
/// in: as is and percent-encoded (a token in a query string).
pub fn register_secret(secret: &str) {
    let secret = secret.trim();
    if secret.len() < SHORTEST_SECRET {
        return;
    }
    let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let mut secrets = SECRETS.write().unwrap_or_else(|e| e.into_inner());
    for form in [secret.to_string(), encoded] {
        if !secrets.contains(&form) {
            secrets.push(form);
        }
    }
    // Longest first, so that no form is left half masked by a shorter one.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// `text` with every registered secret replaced by [`REDACTED`].
pub fn mask(text: &str) -> Cow<'_, str> {
    let secrets = SECRETS.read().unwrap_or_else(|e| e.into_inner());
    if !secrets.iter().any(|s| text.contains(s.as_str())) {
        return Cow::Borrowed(text);
    }
    let mut out = text.to_string();
    for s in secrets.iter() {
        out = out.replace(s.as_str(), REDACTED);
    }
    Cow::Owned(out)
}

/// An error and its causes in one line. A cause whose text the line already holds
/// (an error that prints its source itself) is not repeated; line breaks inside a
/// message become spaces; secrets are masked.
pub fn error_line(error: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.is_empty() || line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    mask(&line).into_owned()
}

/// Prints `message` on standard error as one `paperlint:` line, secrets masked.
pub fn say(message: impl std::fmt::Display) {
    let text = message.to_string();
    eprintln!("paperlint: {}", mask(&text));
}

/// A writer that masks secrets. Text is passed on a line at a time (a token never
/// spans lines), so nothing is held back longer than one line; the rest goes out on
/// [`Write::flush`] and on drop.
pub struct Masked<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> Masked<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        Masked {
            inner,
            pending: Vec::new(),
        }
    }

    fn emit(&mut self, upto: usize) -> std::io::Result<()> {
        let chunk: Vec<u8> = self.pending.drain(..upto).collect();
        match std::str::from_utf8(&chunk) {
            Ok(text) => self.inner.write_all(mask(text).as_bytes()),
            // Not text: nothing a token could be recognised in.
            Err(_) => self.inner.write_all(&chunk),
        }
    }
}

impl<W: Write> Write for Masked<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if let Some(last) = self.pending.iter().rposition(|&b| b == b'\n') {
            self.emit(last + 1)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let n = self.pending.len();
        self.emit(n)?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for Masked<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_masked_in_any_shape_and_in_a_stream_cut_anywhere() {
        let token = "Zq8-output-test-s3cret-91ab";
        register_secret(token);
        register_secret("short");
        let text = format!("token:{token} access_token={token}\nBearer {token}, ok short\n");
        let masked = mask(&text);
        assert!(!masked.contains(token), "{masked}");
        assert_eq!(masked.matches(REDACTED).count(), 3);
        assert!(masked.contains("ok short"), "short values are never masked");
        // Written in pieces that split the token: still masked.
        let mut out = Vec::new();
        {
            let mut w = Masked::new(&mut out);
            for piece in text.as_bytes().chunks(5) {
                w.write_all(piece).unwrap();
            }
        }
        assert_eq!(String::from_utf8(out).unwrap(), masked);
    }

    #[test]
    fn an_error_chain_is_one_line_with_each_cause_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file");
        #[derive(Debug, thiserror::Error)]
        #[error("c.toml: cannot read config: {source}")]
        struct Read {
            source: std::io::Error,
        }
        let e = anyhow::Error::from(Read { source: io });
        assert_eq!(error_line(&e), "c.toml: cannot read config: No such file");
        let e = anyhow::anyhow!("regex parse error:\n    (\n    ^\nerror: unclosed group")
            .context("loading");
        assert_eq!(
            error_line(&e),
            "loading: regex parse error: ( ^ error: unclosed group"
        );
    }
}
