#!/usr/bin/env bash
# Installs what building and testing checkout-widget needs, skipping whatever is
# already present. Only package registries are used: rustup's target, Debian's
# apt, npm and crates.io. Safe to run any number of times.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*"; }
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$HOME/.cargo/bin:$PATH"

# The exact wasm-bindgen version: the CLI must equal the crate in Cargo.lock.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
TRUNK_VERSION=0.21.14   # 0.22 needs a newer rustc than this machine has
BINARYEN_VERSION=123.0.0 # Debian's wasm-opt 108 silently breaks the bundle
ESBUILD_VERSION=0.25.12  # minifies the JS glue and the stylesheet (scripts/post-build.py)

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# 1. The wasm target.
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "wasm32-unknown-unknown target: present"
else
  say "wasm32-unknown-unknown target: installing"
  rustup target add wasm32-unknown-unknown
fi

# 2. Chromium + ChromeDriver (a matching pair from Debian) and brotli for size reports.
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v brotli >/dev/null || missing+=(brotli)
if [ ${#missing[@]} -eq 0 ]; then
  say "chromium, chromedriver, brotli: present"
else
  say "installing ${missing[*]} (apt-get update first, or the pair can be stale)"
  export DEBIAN_FRONTEND=noninteractive
  sudo_if_needed apt-get update -qq
  sudo_if_needed apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 3. wasm-opt >= 116 (and wasm-metadce, for scripts/post-build.py) from npm's binaryen.
wasm_opt_version() { wasm-opt --version 2>/dev/null | sed -n 's/.*version \([0-9]*\).*/\1/p'; }
if [ "$(wasm_opt_version)" = "${BINARYEN_VERSION%%.*}" ] && command -v wasm-metadce >/dev/null; then
  say "wasm-opt ${BINARYEN_VERSION%%.*}: present"
else
  say "wasm-opt: installing binaryen@$BINARYEN_VERSION from npm (found: '$(wasm_opt_version)')"
  npm install -g --silent "binaryen@$BINARYEN_VERSION" >/dev/null
  hash -r
  if [ "$(wasm_opt_version)" != "${BINARYEN_VERSION%%.*}" ]; then
    say "ERROR: 'wasm-opt' on PATH is $(command -v wasm-opt) version '$(wasm_opt_version)';"
    say "       npm's global bin ($(npm prefix -g)/bin) must come before /usr/bin"
    exit 1
  fi
fi

# 3b. esbuild from npm, for the release build's post-build hook.
if [ "$(esbuild --version 2>/dev/null)" = "$ESBUILD_VERSION" ]; then
  say "esbuild $ESBUILD_VERSION: present"
else
  say "esbuild: installing esbuild@$ESBUILD_VERSION from npm"
  npm install -g --silent "esbuild@$ESBUILD_VERSION" >/dev/null
  hash -r
  if [ "$(esbuild --version 2>/dev/null)" != "$ESBUILD_VERSION" ]; then
    say "ERROR: 'esbuild' on PATH is not $ESBUILD_VERSION (npm's global bin must be on PATH)"
    exit 1
  fi
fi

# Faster, smaller-memory installs of the build tools (they are not our bundle).
fast_install() {
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install --quiet "$@"
}

# 4. wasm-bindgen CLI at the exact lock version (without --locked: the registry
#    lacks one of its locked transitive versions).
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" = "$WASM_BINDGEN_VERSION" ]; then
  say "wasm-bindgen $WASM_BINDGEN_VERSION: present"
else
  say "wasm-bindgen $WASM_BINDGEN_VERSION: installing from crates.io (about 3 minutes)"
  fast_install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# 5. Trunk.
if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" = "$TRUNK_VERSION" ]; then
  say "trunk $TRUNK_VERSION: present"
else
  say "trunk $TRUNK_VERSION: installing from crates.io (about 6 minutes)"
  fast_install --locked trunk --version "$TRUNK_VERSION"
fi

# 6. Crates for offline builds (Trunk runs cargo offline).
cargo fetch --quiet
say "done"
