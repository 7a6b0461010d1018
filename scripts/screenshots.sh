#!/usr/bin/env bash
# Pictures of every step (desktop, 360 px, Arabic, dark) into docs/screenshots/.
# Builds nothing: it drives the release dist/ (run `make build` first) through
# the browser test rig (the sandbox and headless Chromium). See examples/screenshots.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
for f in dist/index.html dist/checkout-widget.js dist/card-frame.html; do
  [[ -f $f ]] || { echo "screenshots: $f is missing; run make build first" >&2; exit 1; }
done
cargo run --quiet --example screenshots
# Smaller files when an optimiser is at hand (lossless).
if command -v oxipng >/dev/null; then
  oxipng --quiet -o 3 --strip safe docs/screenshots/*.png
elif command -v optipng >/dev/null; then
  optipng -quiet -o2 docs/screenshots/*.png
fi
du -ch docs/screenshots/*.png | tail -1
