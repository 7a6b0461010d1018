# Two commands do everything on a fresh machine:
#   make demo   set up (if needed), build, and serve the demo store: the merchant
#               backend in front of the sandbox (REDIS=1: sessions in Redis)
#   make test   set up (if needed), build, lint, and run every test (host + browser)
SHELL := /bin/bash
PORT ?= 8787
export PATH := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin:$(HOME)/.cargo/bin:$(PATH)

.PHONY: demo test setup build lint test-all sizes clean bench bench-memory screenshots

demo: build
	PORT=$(PORT) REDIS=$(REDIS) scripts/demo.sh

test: build lint test-all

setup:
	@scripts/setup.sh

# The release wasm is compiled by a pinned nightly that rebuilds std for size
# (-Zbuild-std with optimize_for_size): a panic traps at once instead of
# formatting a message nobody sees (std on wasm32 has no stderr), and carries no
# file names. Smaller than stable from the same source. Host tests,
# clippy and the sandbox stay on stable. scripts/setup.sh installs it.
# scripts/setup.sh reads WASM_TOOLCHAIN and WASM_BUILD_STD from here.
WASM_TOOLCHAIN := nightly-2026-05-20
WASM_BUILD_STD := std,panic_abort
# `--cfg erase_components` makes Leptos type-erase each component's view
# (`AnyView`), so fewer view types are compiled: -1.7 KB brotli, measured.
WASM_BUILD_ENV := RUSTUP_TOOLCHAIN=$(WASM_TOOLCHAIN) \
	CARGO_UNSTABLE_BUILD_STD=$(WASM_BUILD_STD) \
	CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size \
	RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none --cfg erase_components"

# The release bundles (dist/) with stable asset names, then their sizes: the
# widget's (index.html), then the card frame's (card-frame.html: the crate with
# only the `card-frame` feature, every URL relative). Trunk builds one page per
# run and empties its dist first, so the frame is built aside and copied in.
FRAME_DIST := target/card-frame-dist
build: setup
	$(WASM_BUILD_ENV) trunk build --release
	$(WASM_BUILD_ENV) trunk build card-frame.html --release --html-output card-frame.html \
		--public-url ./ --dist $(FRAME_DIST)
	cp -R $(FRAME_DIST)/. dist/
	@scripts/sizes.sh dist

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy --lib --target wasm32-unknown-unknown -- -D warnings
	cargo clippy --lib --bin card-frame --target wasm32-unknown-unknown \
		--no-default-features --features card-frame -- -D warnings

# Host tests of the core and the sandbox, and the browser tests against dist/.
test-all:
	cargo test --workspace

sizes:
	@scripts/sizes.sh dist

# Bytes side by side with Adyen's and Braintree's drop-ins, latency over the
# floor, startup cost: one table.
bench: build
	scripts/bench.sh

# Mount, check out and unmount 50 times in one page: heap and wasm memory growth.
bench-memory: build
	cargo run --quiet --example memory_bench

# Pictures of every step (desktop, 360 px, Arabic, dark) for the README, from
# the dist/ already built: docs/screenshots/*.png.
screenshots:
	scripts/screenshots.sh

clean:
	cargo clean
	rm -rf dist
