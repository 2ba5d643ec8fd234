//! Snapshot tests of the human, JSON and markdown reports on the example list: a
//! change in output is a reviewed diff (`cargo insta review`).

use crate::cli::{example, paperlint};

fn report(format: &str) -> String {
    let out = paperlint()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "check",
            "--offline",
            "--format",
            format,
            "examples/awesome-medical-llms.md",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn human_report_on_the_example_list() {
    assert!(example().exists());
    insta::assert_snapshot!(report("human"));
}

#[test]
fn json_report_on_the_example_list() {
    insta::assert_snapshot!(report("json"));
}

#[test]
fn markdown_report_on_the_example_list() {
    insta::assert_snapshot!(report("markdown"));
}

#[test]
fn github_report_on_the_example_list() {
    insta::assert_snapshot!(report("github"));
}
