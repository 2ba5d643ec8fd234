//! Benchmarks: parsing and linting real lists. Run with `cargo bench --bench lint`;
//! record results in BENCHMARKS.md. Reads `../shared/corpus` (skipped when absent).

use paperlint::config::Config;
use paperlint::source::Source;
use std::path::PathBuf;
use std::sync::LazyLock;

fn corpus(name: &str) -> Option<Source> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(name);
    Source::load(&path, u64::MAX).ok()
}

static DAIR: LazyLock<Option<Source>> =
    LazyLock::new(|| corpus("dair-ai__ML-Papers-of-the-Week.md"));
static FL: LazyLock<Option<Source>> = LazyLock::new(|| corpus("youngfish42__Awesome-FL.md"));

fn main() {
    if DAIR.is_none() {
        eprintln!("skipping benchmarks: ../shared/corpus is not beside the repository");
        return;
    }
    divan::main();
}

/// The yardstick: parse + extract + every offline rule on the 974 KB file.
#[divan::bench]
fn lint_dair_ai_974kb(b: divan::Bencher) {
    let source = DAIR.as_ref().unwrap();
    let config = Config::default();
    b.counter(divan::counter::BytesCount::new(source.text.len()))
        .bench(|| paperlint::lint(divan::black_box(source), &config));
}

/// Parsing alone on the same file.
#[divan::bench]
fn parse_dair_ai_974kb(b: divan::Bencher) {
    let source = DAIR.as_ref().unwrap();
    b.counter(divan::counter::BytesCount::new(source.text.len()))
        .bench(|| paperlint::parse::parse(divan::black_box(&source.text)));
}

/// The link-heaviest file (616 KB, 5.8k links, bullets and tables).
#[divan::bench]
fn lint_awesome_fl_616kb(b: divan::Bencher) {
    let Some(source) = FL.as_ref() else { return };
    let config = Config::default();
    b.counter(divan::counter::BytesCount::new(source.text.len()))
        .bench(|| paperlint::lint(divan::black_box(source), &config));
}
