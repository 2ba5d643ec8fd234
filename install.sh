#!/bin/sh
# Installs paperlint from a release asset, verified against its published SHA-256.
#
#   curl -fsSL https://github.com/paperlint/paperlint/raw/main/install.sh | sh
#
# The GitHub Action runs this too. Settings (all optional, from the environment):
#   PAPERLINT_VERSION        release tag to install (default: the Action's own ref when it
#                            is a version tag, else the latest release)
#   PAPERLINT_DOWNLOAD_BASE  where the releases are: assets are read from
#                            $PAPERLINT_DOWNLOAD_BASE/$PAPERLINT_VERSION/ (default: the
#                            project's GitHub releases under $GITHUB_SERVER_URL)
#   PAPERLINT_INSTALL_DIR    folder that receives the binary (default: ~/.local/bin)
#   PAPERLINT_TARGET         target triple of the asset (default: from RUNNER_OS and
#                            RUNNER_ARCH inside GitHub Actions, else from uname)
#   PAPERLINT_SOURCE         source folder built with `cargo install --locked --path` when
#                            no asset matches (default: the Action's folder; without one,
#                            the project's git repository at $PAPERLINT_VERSION)
#   PAPERLINT_CARGO          the cargo command of that fallback (default: cargo)
#   PAPERLINT_DOWNLOADER     curl or wget (default: whichever is installed, curl first)
#
# A checksum mismatch is refused: nothing is installed and the exit code is 1. A missing
# asset (a branch ref, an unknown platform, a release without this platform) is said in
# one line, then paperlint is built from source instead.
set -eu

# Placeholder owner until the project's public home is settled; the Action passes its own.
default_repository="paperlint/paperlint"

say() { printf 'paperlint install: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

server=${GITHUB_SERVER_URL:-https://github.com}
server=${server%/}

# The Action's repository and ref. Composite actions do not always receive
# GITHUB_ACTION_REPOSITORY/GITHUB_ACTION_REF, so the Action passes them explicitly and,
# failing that, they are read from its folder: <runner>/_actions/OWNER/REPO/REF.
action_repository=${PAPERLINT_ACTION_REPOSITORY:-}
action_ref=${PAPERLINT_ACTION_REF:-}
action_path=${GITHUB_ACTION_PATH:-}
case $action_path in
  */_actions/*/*/*)
    rest=${action_path#*/_actions/}
    owner=${rest%%/*}; rest=${rest#*/}
    repo=${rest%%/*}; ref=${rest#*/}
    [ -n "$action_repository" ] || action_repository="$owner/$repo"
    [ -n "$action_ref" ] || action_ref=$ref
    ;;
esac
repository=${action_repository:-$default_repository}
base=${PAPERLINT_DOWNLOAD_BASE:-$server/$repository/releases/download}
base=${base%/}
install_dir=${PAPERLINT_INSTALL_DIR:-${HOME:-.}/.local/bin}
cargo=${PAPERLINT_CARGO:-cargo}
source_dir=${PAPERLINT_SOURCE:-$action_path}

is_version_tag() {
  case $1 in
    v[0-9]*.*|[0-9]*.*) return 0 ;;
    *) return 1 ;;
  esac
}

# --- downloading -----------------------------------------------------------------------
downloader=${PAPERLINT_DOWNLOADER:-}
if [ -z "$downloader" ]; then
  if command -v curl >/dev/null 2>&1; then downloader=curl
  elif command -v wget >/dev/null 2>&1; then downloader=wget
  fi
fi

# fetch URL FILE: 0 when saved, 1 when the server has no such file or cannot be reached.
fetch() {
  case $downloader in
    curl) curl -fsSL --retry 3 --retry-delay 1 -o "$2" "$1" 2>/dev/null ;;
    wget) wget -q -t 3 -O "$2" "$1" 2>/dev/null ;;
    *) return 1 ;;
  esac
}

# The tag the latest release redirects to (…/releases/latest → …/releases/tag/TAG).
latest_tag() {
  latest_url=${base%/download}/latest
  case $downloader in
    curl) final=$(curl -fsSLI -o /dev/null -w '%{url_effective}' "$latest_url" 2>/dev/null) || return 1 ;;
    wget) final=$(wget -q -S --spider "$latest_url" 2>&1 | sed -n 's/^ *[Ll]ocation: *//p' | tail -n 1 | tr -d '\r') || return 1 ;;
    *) return 1 ;;
  esac
  case $final in
    */tag/*) printf '%s\n' "${final##*/tag/}" ;;
    *) return 1 ;;
  esac
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d ' ' -f 1
  elif command -v shasum >/dev/null 2>&1; then shasum -a 256 "$1" | cut -d ' ' -f 1
  elif command -v openssl >/dev/null 2>&1; then openssl dgst -sha256 -r "$1" | cut -d ' ' -f 1
  else return 1
  fi
}

# --- the platform ----------------------------------------------------------------------
detect_target() {
  if [ -n "${PAPERLINT_TARGET:-}" ]; then printf '%s\n' "$PAPERLINT_TARGET"; return 0; fi
  if [ -n "${RUNNER_OS:-}" ] && [ -n "${RUNNER_ARCH:-}" ]; then
    os=$RUNNER_OS; arch=$RUNNER_ARCH
  else
    os=$(uname -s 2>/dev/null || echo unknown); arch=$(uname -m 2>/dev/null || echo unknown)
  fi
  case $arch in
    X64|x86_64|amd64|AMD64) arch=x86_64 ;;
    ARM64|aarch64|arm64) arch=aarch64 ;;
    *) printf 'unknown-%s-%s\n' "$os" "$arch"; return 1 ;;
  esac
  case $os in
    Linux) printf '%s-unknown-linux-musl\n' "$arch" ;;
    macOS|Darwin) printf '%s-apple-darwin\n' "$arch" ;;
    Windows|Windows_NT|MINGW*|MSYS*|CYGWIN*)
      [ "$arch" = x86_64 ] || { printf 'unknown-%s-%s\n' "$os" "$arch"; return 1; }
      printf 'x86_64-pc-windows-msvc\n' ;;
    *) printf 'unknown-%s-%s\n' "$os" "$arch"; return 1 ;;
  esac
}

# --- the fallback: build from source ---------------------------------------------------
build_from_source() {
  say "$1; building from source with cargo install --locked instead (a few minutes)"
  root=$(mktemp -d)
  if [ -n "$source_dir" ]; then
    set -- install --locked --quiet --root "$root" --path "$source_dir"
  elif [ -n "${version:-}" ] && is_version_tag "$version"; then
    set -- install --locked --quiet --root "$root" --git "$server/$repository" --tag "$version"
  else
    set -- install --locked --quiet --root "$root" --git "$server/$repository"
  fi
  # $cargo may be a command with arguments (`cross`, `cargo +stable`): split on purpose.
  # shellcheck disable=SC2086
  $cargo "$@" || { rm -rf "$root"; die "cargo install failed"; }
  mkdir -p "$install_dir"
  for bin in "$root"/bin/paperlint "$root"/bin/paperlint.exe; do
    if [ -f "$bin" ]; then mv -f "$bin" "$install_dir/"; fi
  done
  rm -rf "$root"
  [ -f "$install_dir/paperlint" ] || [ -f "$install_dir/paperlint.exe" ] ||
    die "cargo install produced no paperlint binary"
  say "installed $install_dir/paperlint (built from source)"
  exit 0
}

# --- which release ---------------------------------------------------------------------
version=${PAPERLINT_VERSION:-}
if [ -z "$version" ]; then
  if [ -n "$action_ref" ]; then
    if is_version_tag "$action_ref"; then
      version=$action_ref
    else
      build_from_source "the Action's ref \`$action_ref\` is not a release tag"
    fi
  fi
fi
[ -n "$downloader" ] || build_from_source "neither curl nor wget is installed"
if [ -z "$version" ] || [ "$version" = latest ]; then
  version=$(latest_tag) || build_from_source "no latest release found under ${base%/download}"
fi

target=$(detect_target) || build_from_source "no release asset for this platform ($target)"
case $target in
  *-windows-*) asset="paperlint-$target.zip"; exe=paperlint.exe ;;
  *) asset="paperlint-$target.tar.gz"; exe=paperlint ;;
esac

# --- download, verify, install ---------------------------------------------------------
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
url="$base/$version/$asset"
fetch "$url" "$work/$asset" || build_from_source "no release asset $asset for $version at $base"
fetch "$url.sha256" "$work/$asset.sha256" || die "no checksum file $asset.sha256 for $version; refusing to install an unverified binary"

expected=$(sed -n '1s/^\([0-9A-Fa-f]\{64\}\).*/\1/p' "$work/$asset.sha256" | tr 'A-F' 'a-f')
[ -n "$expected" ] || die "$asset.sha256 holds no SHA-256 digest; refusing to install"
actual=$(sha256_of "$work/$asset") || die "no sha256sum, shasum or openssl to verify the download; refusing to install"
if [ "$actual" != "$expected" ]; then
  die "checksum mismatch for $asset: expected $expected, got $actual; refusing to install"
fi

mkdir -p "$work/unpacked"
case $asset in
  *.zip)
    if command -v unzip >/dev/null 2>&1; then unzip -q "$work/$asset" -d "$work/unpacked"
    else tar -xf "$work/$asset" -C "$work/unpacked"
    fi ;;
  *) tar -xzf "$work/$asset" -C "$work/unpacked" ;;
esac
[ -f "$work/unpacked/$exe" ] || die "$asset holds no $exe"
mkdir -p "$install_dir"
chmod +x "$work/unpacked/$exe"
# Copy beside the destination, then rename: a running or half-written binary is never seen.
cp "$work/unpacked/$exe" "$install_dir/.$exe.new"
mv -f "$install_dir/.$exe.new" "$install_dir/$exe"
say "installed $install_dir/$exe ($version, $target)"
