#!/usr/bin/env bash
# Prints each asset of the widget (merchant page) and of the card frame
# (payments origin) raw, gzip -9 and brotli -q 11, with the totals of each and
# of both: a shopper with a cold cache downloads both, from two origins.
# Usage: scripts/sizes.sh [dist-dir]
set -euo pipefail
dist=${1:-dist}
widget=(checkout-widget_bg.wasm checkout-widget.js checkout-widget.css)
frame=(card-frame_bg.wasm card-frame.js card-frame-boot.js card-frame.css)
printf '%-26s %10s %10s %10s\n' asset raw gzip-9 brotli-11
a_raw=0; a_gz=0; a_br=0
group() {
  local label=$1; shift
  local t_raw=0 t_gz=0 t_br=0 a f raw gz br
  for a in "$@"; do
    f="$dist/$a"
    if [ ! -f "$f" ]; then echo "sizes: missing $f" >&2; exit 1; fi
    raw=$(wc -c <"$f")
    gz=$(gzip -9 -c "$f" | wc -c)
    br=$(brotli -q 11 -c "$f" | wc -c)
    printf '%-26s %10d %10d %10d\n' "$a" "$raw" "$gz" "$br"
    t_raw=$((t_raw + raw)); t_gz=$((t_gz + gz)); t_br=$((t_br + br))
  done
  printf '%-26s %10d %10d %10d\n' "$label" "$t_raw" "$t_gz" "$t_br"
  a_raw=$((a_raw + t_raw)); a_gz=$((a_gz + t_gz)); a_br=$((a_br + t_br))
}
group total "${widget[@]}"
group "card frame total" "${frame[@]}"
printf '%-26s %10d %10d %10d\n' "widget + card frame" "$a_raw" "$a_gz" "$a_br"
