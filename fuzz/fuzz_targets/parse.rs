//! Any bytes: parse, extract and lint must not panic, and every span must lie on
//! character boundaries inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let source = paperlint::source::Source::new("fuzz.md", text.to_string());
    let linted = paperlint::lint(&source, &paperlint::config::Config::default());
    for e in &linted.entries {
        assert!(text.get(e.span.clone()).is_some());
        for l in &e.links {
            assert!(text.get(l.span.clone()).is_some());
            if let Some(s) = &l.url_span {
                assert!(text.get(s.clone()).is_some());
            }
        }
    }
});
