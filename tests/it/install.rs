//! `install.sh` against a local server standing in for the release downloads: a good
//! asset is verified and installed, a checksum mismatch is refused with nothing
//! installed, and a missing asset (404, a branch ref, an unknown platform) says so in
//! one line and falls back to `cargo install --locked` (observed through a stand-in
//! cargo, so no test compiles anything). Every run uses curl and, when installed, wget.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const VERSION: &str = "v9.9.9";
const LINUX_X64: &str = "x86_64-unknown-linux-musl";

fn install_sh() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("install.sh")
}

fn has(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The downloaders present on this machine, or `None` (with a note) when `sh` or `tar`
/// is missing and the script cannot run at all.
fn downloaders() -> Option<Vec<&'static str>> {
    if !has("sh") || !has("tar") {
        eprintln!("skipping: install.sh needs sh and tar");
        return None;
    }
    let found: Vec<_> = ["curl", "wget"].into_iter().filter(|d| has(d)).collect();
    if found.is_empty() {
        eprintln!("skipping: neither curl nor wget is installed");
        return None;
    }
    Some(found)
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A release asset as the release workflow packs it: the executable at the archive's
/// root beside the licences. The "binary" is a script that names its version.
fn release_tarball(dir: &Path) -> Vec<u8> {
    let staging = dir.join("staging");
    std::fs::create_dir_all(&staging).unwrap();
    let exe = staging.join("paperlint");
    std::fs::write(&exe, "#!/bin/sh\necho 'paperlint 9.9.9 (stand-in)'\n").unwrap();
    make_executable(&exe);
    std::fs::write(staging.join("LICENSE-MIT"), "MIT\n").unwrap();
    let archive = dir.join("asset.tar.gz");
    let status = Command::new("tar")
        .arg("-czf")
        .arg(&archive)
        .arg("-C")
        .arg(&staging)
        .args(["paperlint", "LICENSE-MIT"])
        .status()
        .unwrap();
    assert!(status.success(), "tar could not build the test asset");
    std::fs::read(archive).unwrap()
}

fn make_executable(file: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = file;
}

/// A stand-in for cargo: records its arguments, then installs a script into `--root`.
fn fake_cargo(dir: &Path) -> (PathBuf, PathBuf) {
    let log = dir.join("cargo-args.txt");
    let script = dir.join("fake-cargo");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$*\" > '{}'\nroot=''\nwhile [ $# -gt 0 ]; do\n  \
             if [ \"$1\" = --root ]; then root=$2; fi\n  shift\ndone\nmkdir -p \"$root/bin\"\n\
             printf '#!/bin/sh\\necho built from source\\n' > \"$root/bin/paperlint\"\n\
             chmod +x \"$root/bin/paperlint\"\n",
            log.display()
        ),
    )
    .unwrap();
    make_executable(&script);
    (script, log)
}

struct Run {
    output: Output,
    install_dir: PathBuf,
    cargo_log: PathBuf,
    source: PathBuf,
}

impl Run {
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
    fn installed(&self) -> PathBuf {
        self.install_dir.join("paperlint")
    }
    fn cargo_args(&self) -> Option<String> {
        std::fs::read_to_string(&self.cargo_log).ok()
    }
}

/// Runs install.sh with a clean environment (nothing of this machine's GitHub Actions
/// variables leaks in), the given downloader and extra variables.
fn run_install(dir: &Path, downloader: &str, base: &str, vars: &[(&str, &str)]) -> Run {
    let (cargo, cargo_log) = fake_cargo(dir);
    let install_dir = dir.join("bin");
    let source = dir.join("action-source");
    std::fs::create_dir_all(&source).unwrap();
    let mut cmd = Command::new("sh");
    cmd.arg(install_sh())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("TMPDIR", dir)
        .env("PAPERLINT_DOWNLOADER", downloader)
        .env("PAPERLINT_DOWNLOAD_BASE", base)
        .env("PAPERLINT_INSTALL_DIR", &install_dir)
        .env("PAPERLINT_CARGO", &cargo)
        .env("PAPERLINT_SOURCE", &source)
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64");
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let output = cmd.output().unwrap();
    Run {
        output,
        install_dir,
        cargo_log,
        source,
    }
}

async fn release_server(asset: &[u8], checksum_line: String, triple: &str) -> MockServer {
    let server = MockServer::start().await;
    let name = format!("paperlint-{triple}.tar.gz");
    Mock::given(method("GET"))
        .and(path(format!("/releases/download/{VERSION}/{name}")))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(asset.to_vec()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/releases/download/{VERSION}/{name}.sha256")))
        .respond_with(ResponseTemplate::new(200).set_body_string(checksum_line))
        .mount(&server)
        .await;
    server
}

/// The run said `reason`, built from source and asked the release server for nothing.
async fn fell_back_without_downloading(run: &Run, reason: &str, server: &MockServer) {
    assert!(run.output.status.success(), "{}", run.stderr());
    assert!(run.stderr().contains(reason), "{}", run.stderr());
    assert!(run.cargo_args().is_some(), "cargo install was not run");
    assert!(server.received_requests().await.unwrap().is_empty());
}

fn base(server: &MockServer) -> String {
    format!("{}/releases/download", server.uri())
}

#[tokio::test]
async fn a_verified_asset_is_installed_and_runs() {
    let Some(downloaders) = downloaders() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let asset = release_tarball(dir.path());
    let line = format!("{}  paperlint-{LINUX_X64}.tar.gz\n", sha256_hex(&asset));
    let server = release_server(&asset, line, LINUX_X64).await;
    for downloader in downloaders {
        let work = tempfile::tempdir().unwrap();
        let run = run_install(
            work.path(),
            downloader,
            &base(&server),
            &[("PAPERLINT_VERSION", VERSION)],
        );
        assert!(
            run.output.status.success(),
            "{downloader}: {}",
            run.stderr()
        );
        let out = Command::new(run.installed()).output().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "paperlint 9.9.9 (stand-in)\n"
        );
        assert!(run.stderr().contains(LINUX_X64), "{}", run.stderr());
        assert_eq!(
            run.cargo_args(),
            None,
            "no fallback when the asset is there"
        );
    }
}

#[tokio::test]
async fn a_checksum_mismatch_is_refused_and_nothing_is_installed() {
    let Some(downloaders) = downloaders() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let asset = release_tarball(dir.path());
    // The digest of other bytes: what a tampered or truncated download looks like.
    let line = format!(
        "{}  paperlint-{LINUX_X64}.tar.gz\n",
        sha256_hex(b"something else")
    );
    let server = release_server(&asset, line, LINUX_X64).await;
    for downloader in downloaders {
        let work = tempfile::tempdir().unwrap();
        let run = run_install(
            work.path(),
            downloader,
            &base(&server),
            &[("PAPERLINT_VERSION", VERSION)],
        );
        assert_eq!(run.output.status.code(), Some(1), "{}", run.stderr());
        assert!(
            run.stderr().contains("checksum mismatch"),
            "{}",
            run.stderr()
        );
        assert!(!run.installed().exists(), "a refused binary was installed");
        assert!(
            !run.install_dir.exists() || std::fs::read_dir(&run.install_dir).unwrap().count() == 0,
            "the install folder received something"
        );
        assert_eq!(run.cargo_args(), None, "a mismatch must not fall back");
    }
}

#[tokio::test]
async fn a_missing_checksum_file_is_refused() {
    let Some(downloaders) = downloaders() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let asset = release_tarball(dir.path());
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!(
            "/releases/download/{VERSION}/paperlint-{LINUX_X64}.tar.gz"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(asset))
        .mount(&server)
        .await;
    let run = run_install(
        dir.path(),
        downloaders[0],
        &base(&server),
        &[("PAPERLINT_VERSION", VERSION)],
    );
    assert_eq!(run.output.status.code(), Some(1), "{}", run.stderr());
    assert!(
        run.stderr().contains("no checksum file"),
        "{}",
        run.stderr()
    );
    assert!(!run.installed().exists());
}

#[tokio::test]
async fn a_404_says_so_in_one_line_and_builds_from_the_action_source() {
    let Some(downloaders) = downloaders() else {
        return;
    };
    // A release server that has nothing at all.
    let server = MockServer::start().await;
    for downloader in downloaders {
        let dir = tempfile::tempdir().unwrap();
        let run = run_install(
            dir.path(),
            downloader,
            &base(&server),
            &[("PAPERLINT_VERSION", "v0.0.404")],
        );
        assert!(run.output.status.success(), "{}", run.stderr());
        let stderr = run.stderr();
        let first = stderr.lines().next().unwrap_or_default();
        assert!(
            first.contains("no release asset") && first.contains("v0.0.404"),
            "{stderr}"
        );
        assert!(first.contains("cargo install --locked"), "{stderr}");
        let args = run.cargo_args().expect("the fallback ran cargo");
        assert!(args.starts_with("install --locked"), "{args}");
        assert!(
            args.contains(&format!("--path {}", run.source.display())),
            "{args}"
        );
        let out = Command::new(run.installed()).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), "built from source\n");
    }
}

#[tokio::test]
async fn a_branch_ref_of_the_action_builds_from_source_without_downloading() {
    let Some(downloaders) = downloaders() else {
        return;
    };
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    // How the runner lays out an action used as `owner/paperlint@main`.
    let action = dir.path().join("_actions/someone/paperlint/main");
    std::fs::create_dir_all(&action).unwrap();
    let action = action.to_str().unwrap().to_owned();
    let run = run_install(
        dir.path(),
        downloaders[0],
        &base(&server),
        &[("GITHUB_ACTION_PATH", &action)],
    );
    fell_back_without_downloading(&run, "ref `main` is not a release tag", &server).await;
}

#[tokio::test]
async fn a_tag_ref_of_the_action_picks_that_release_and_the_runner_platform() {
    let Some(downloaders) = downloaders() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let asset = release_tarball(dir.path());
    let triple = "aarch64-apple-darwin";
    let line = format!("{}  paperlint-{triple}.tar.gz\n", sha256_hex(&asset));
    let server = release_server(&asset, line, triple).await;
    let action = dir
        .path()
        .join(format!("_actions/someone/paperlint/{VERSION}"));
    std::fs::create_dir_all(&action).unwrap();
    let run = run_install(
        dir.path(),
        downloaders[0],
        &base(&server),
        &[
            ("GITHUB_ACTION_PATH", action.to_str().unwrap()),
            ("RUNNER_OS", "macOS"),
            ("RUNNER_ARCH", "ARM64"),
        ],
    );
    assert!(run.output.status.success(), "{}", run.stderr());
    assert!(run.installed().exists());
    assert!(run.stderr().contains(triple), "{}", run.stderr());
}

#[tokio::test]
async fn an_unknown_platform_says_so_and_builds_from_source() {
    let Some(downloaders) = downloaders() else {
        return;
    };
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let run = run_install(
        dir.path(),
        downloaders[0],
        &base(&server),
        &[("PAPERLINT_VERSION", VERSION), ("RUNNER_ARCH", "X86")],
    );
    fell_back_without_downloading(&run, "no release asset for this platform", &server).await;
}

#[tokio::test]
async fn without_a_version_the_latest_release_is_installed() {
    let Some(downloaders) = downloaders() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let asset = release_tarball(dir.path());
    let line = format!("{}  paperlint-{LINUX_X64}.tar.gz\n", sha256_hex(&asset));
    let server = release_server(&asset, line, LINUX_X64).await;
    // GitHub answers …/releases/latest with a redirect to the newest tag's page.
    Mock::given(path("/releases/latest"))
        .respond_with(ResponseTemplate::new(302).insert_header(
            "location",
            format!("{}/releases/tag/{VERSION}", server.uri()),
        ))
        .mount(&server)
        .await;
    Mock::given(path(format!("/releases/tag/{VERSION}")))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    for downloader in downloaders {
        let work = tempfile::tempdir().unwrap();
        let run = run_install(work.path(), downloader, &base(&server), &[]);
        assert!(
            run.output.status.success(),
            "{downloader}: {}",
            run.stderr()
        );
        assert!(run.stderr().contains(VERSION), "{}", run.stderr());
        assert!(run.installed().exists());
    }
}

#[tokio::test]
async fn the_windows_asset_is_a_zip_holding_paperlint_exe() {
    let Some(downloaders) = downloaders() else {
        return;
    };
    if !has("zip") || !(has("unzip") || has("bsdtar")) {
        eprintln!("skipping: zip/unzip are not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let staging = dir.path().join("staging");
    std::fs::create_dir_all(&staging).unwrap();
    std::fs::write(staging.join("paperlint.exe"), "MZ stand-in\n").unwrap();
    let status = Command::new("zip")
        .current_dir(&staging)
        .args(["-q", "../asset.zip", "paperlint.exe"])
        .status()
        .unwrap();
    assert!(status.success());
    let asset = std::fs::read(dir.path().join("asset.zip")).unwrap();
    let triple = "x86_64-pc-windows-msvc";
    let name = format!("paperlint-{triple}.zip");
    let server = MockServer::start().await;
    Mock::given(path(format!("/releases/download/{VERSION}/{name}")))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(asset.clone()))
        .mount(&server)
        .await;
    Mock::given(path(format!("/releases/download/{VERSION}/{name}.sha256")))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(format!("{}  {name}\n", sha256_hex(&asset))),
        )
        .mount(&server)
        .await;
    let run = run_install(
        dir.path(),
        downloaders[0],
        &base(&server),
        &[
            ("PAPERLINT_VERSION", VERSION),
            ("RUNNER_OS", "Windows"),
            ("RUNNER_ARCH", "X64"),
        ],
    );
    assert!(run.output.status.success(), "{}", run.stderr());
    assert_eq!(
        std::fs::read_to_string(run.install_dir.join("paperlint.exe")).unwrap(),
        "MZ stand-in\n"
    );
}
