#!/usr/bin/env bash
# Installs what building and testing checkout-widget needs, skipping whatever is
# already present. Only package registries are used: rustup's dist server,
# Debian's apt, npm and crates.io. Safe to run any number of times.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*"; }
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$HOME/.cargo/bin:$PATH"

# The exact wasm-bindgen version: the CLI must equal the crate in Cargo.lock.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
TRUNK_VERSION=0.21.14   # 0.22 needs a newer rustc than this machine has
BINARYEN_VERSION=123.0.0 # Debian's wasm-opt 108 silently breaks the bundle
ESBUILD_VERSION=0.25.12  # minifies the JS glue and the stylesheet (scripts/post-build.py)
AXE_CORE_VERSION=4.14.1  # the accessibility checks of tests/e2e_a11y.rs (a library, no CLI)
TYPESCRIPT_VERSION=5.9.3 # tests/typescript.rs type-checks dist/checkout-widget.d.ts (7.x is the native port)
# The release wasm alone is compiled by a pinned nightly that rebuilds std for
# size; the Makefile's `build` sets both, and everything else uses stable.
make_var() { sed -n "s/^$1 := //p" Makefile; }
WASM_TOOLCHAIN=$(make_var WASM_TOOLCHAIN)
WASM_BUILD_STD=$(make_var WASM_BUILD_STD)
if [ -z "$WASM_TOOLCHAIN" ] || [ -z "$WASM_BUILD_STD" ]; then
  say "ERROR: the Makefile no longer sets WASM_TOOLCHAIN and WASM_BUILD_STD"
  exit 1
fi

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# 1. The wasm target.
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "wasm32-unknown-unknown target: present"
else
  say "wasm32-unknown-unknown target: installing"
  rustup target add wasm32-unknown-unknown
fi

# 1b. The pinned nightly with std's source, for the release wasm (-Zbuild-std).
#     A dated toolchain never changes, so "installed" means "right".
if [ -d "$(RUSTUP_AUTO_INSTALL=0 rustup run "$WASM_TOOLCHAIN" rustc --print sysroot 2>/dev/null)/lib/rustlib/src/rust/library" ]; then
  say "$WASM_TOOLCHAIN with rust-src: present"
else
  say "$WASM_TOOLCHAIN with rust-src: installing (about 20 seconds)"
  rustup toolchain install "$WASM_TOOLCHAIN" --profile minimal --component rust-src --no-self-update
fi

# 2. Chromium + ChromeDriver (a matching pair from Debian), brotli for size
# reports, and Redis (the merchant backend's shared sessions; the tests and
# `make demo REDIS=1` start their own redis-server, never the system service).
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v brotli >/dev/null || missing+=(brotli)
command -v redis-server >/dev/null || missing+=(redis-server)
if [ ${#missing[@]} -eq 0 ]; then
  say "chromium, chromedriver, brotli, redis-server: present"
else
  say "installing ${missing[*]} (apt-get update first, or the pair can be stale)"
  export DEBIAN_FRONTEND=noninteractive
  sudo_if_needed apt-get update -qq
  sudo_if_needed apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 3. From npm: wasm-opt >= 116 (binaryen), and esbuild, for the
#    release build and scripts/post-build.py. `npm_tool PACKAGE VERSION WANT
#    CHECK` installs PACKAGE@VERSION globally unless the function CHECK prints
#    WANT, and fails if it still does not afterwards.
npm_tool() {
  local pkg=$1 version=$2 want=$3 check=$4
  if [ "$($check)" = "$want" ]; then
    say "$pkg $version: present"
    return
  fi
  say "$pkg: installing $pkg@$version from npm (found: '$($check)')"
  npm install -g --silent "$pkg@$version" >/dev/null
  hash -r
  if [ "$($check)" != "$want" ]; then
    say "ERROR: $pkg on PATH is not $version (found: '$($check)');"
    say "       npm's global bin ($(npm prefix -g)/bin) must come before /usr/bin"
    exit 1
  fi
}
binaryen_version() {
  wasm-opt --version 2>/dev/null | sed -n 's/.*version \([0-9]*\).*/\1/p'
}
esbuild_version() { esbuild --version 2>/dev/null; }
npm_tool binaryen "$BINARYEN_VERSION" "${BINARYEN_VERSION%%.*}" binaryen_version
npm_tool esbuild "$ESBUILD_VERSION" "$ESBUILD_VERSION" esbuild_version
# axe-core has no command: its version is the one in its package.json, under
# npm's global root, where tests/e2e_a11y.rs finds axe.min.js.
axe_core_version() {
  local dir
  dir="$(npm root -g 2>/dev/null)/axe-core"
  if [ -f "$dir/axe.min.js" ]; then
    node -p "require('$dir/package.json').version" 2>/dev/null || true
  fi
}
npm_tool axe-core "$AXE_CORE_VERSION" "$AXE_CORE_VERSION" axe_core_version
# TypeScript: tests/typescript.rs runs the tsc under npm's global root (as
# axe-core, so another tsc earlier on PATH does not matter).
typescript_version() {
  local tsc
  tsc="$(npm root -g 2>/dev/null)/typescript/bin/tsc"
  if [ -f "$tsc" ]; then
    node "$tsc" --version 2>/dev/null | sed -n 's/^Version //p' || true
  fi
}
npm_tool typescript "$TYPESCRIPT_VERSION" "$TYPESCRIPT_VERSION" typescript_version

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

# 6. Crates for offline builds (Trunk runs cargo offline), std's own included.
cargo fetch --quiet
cargo "+$WASM_TOOLCHAIN" fetch --quiet -Zbuild-std="$WASM_BUILD_STD" --target wasm32-unknown-unknown
say "done"
