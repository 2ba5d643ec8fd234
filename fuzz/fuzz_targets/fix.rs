//! Any text: applying its fixes keeps every byte outside the edits, and a second
//! pass finds nothing more to fix.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paperlint::config::Config;

fn fix(text: &str) -> (String, Vec<paperlint::fix::Edit>) {
    let config = Config::default();
    let source = paperlint::source::Source::new("fuzz.md", text.to_string());
    let applied = paperlint::fix::repair(&source, &paperlint::lint(&source, &config), &config, &[]);
    (applied.text, applied.done)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (fixed, done) = fix(text);
    let mut at = 0;
    let mut rebuilt = String::new();
    for e in &done {
        rebuilt.push_str(&text[at..e.start]);
        rebuilt.push_str(&e.replacement);
        at = e.end;
    }
    rebuilt.push_str(&text[at..]);
    assert_eq!(rebuilt, fixed);
    let (again, _) = fix(&fixed);
    assert_eq!(again, fixed, "fix is idempotent");
});
