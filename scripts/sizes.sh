#!/usr/bin/env bash
# Prints each widget asset raw, gzip -9 and brotli -q 11, and the totals.
# Usage: scripts/sizes.sh [dist-dir]
set -euo pipefail
dist=${1:-dist}
assets=(checkout-widget_bg.wasm checkout-widget.js checkout-widget.css)
printf '%-26s %10s %10s %10s\n' asset raw gzip-9 brotli-11
t_raw=0; t_gz=0; t_br=0
for a in "${assets[@]}"; do
  f="$dist/$a"
  if [ ! -f "$f" ]; then echo "sizes: missing $f" >&2; exit 1; fi
  raw=$(wc -c <"$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  br=$(brotli -q 11 -c "$f" | wc -c)
  printf '%-26s %10d %10d %10d\n' "$a" "$raw" "$gz" "$br"
  t_raw=$((t_raw + raw)); t_gz=$((t_gz + gz)); t_br=$((t_br + br))
done
printf '%-26s %10d %10d %10d\n' total "$t_raw" "$t_gz" "$t_br"
