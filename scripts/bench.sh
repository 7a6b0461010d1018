#!/usr/bin/env bash
# The benchmark, one command: bytes side by side with Adyen's and Braintree's
# drop-ins (installed from npm into a temporary folder and bundled with esbuild),
# latency over the floor, and startup cost. Prints one table at the end.
# Usage: scripts/bench.sh   (make bench runs setup and the release build first)
set -euo pipefail
cd "$(dirname "$0")/.."
ADYEN=@adyen/adyen-web@6.45.2
BRAINTREE=braintree-web-drop-in@1.48.0

size() { # file -> "raw gzip brotli"
  printf '%d %d %d' "$(wc -c <"$1")" "$(gzip -9 -c "$1" | wc -c)" "$(brotli -q 11 -c "$1" | wc -c)"
}
sum() { # files... -> "raw gzip brotli" totals
  local r=0 g=0 b=0 x y z
  for f in "$@"; do read -r x y z <<<"$(size "$f")"; r=$((r + x)); g=$((g + y)); b=$((b + z)); done
  printf '%d %d %d' "$r" "$g" "$b"
}

echo "== bytes: ours"
scripts/sizes.sh dist
# Ours is what a shopper downloads on a cold cache: the widget (merchant
# origin) and the card frame (payments origin), like the peers' drop-ins with
# their hosted card fields.
read -r ours_js_raw ours_js_gz ours_js_br <<<"$(sum dist/checkout-widget_bg.wasm dist/checkout-widget.js \
  dist/card-frame_bg.wasm dist/card-frame.js dist/card-frame-boot.js)"
read -r ours_css_raw ours_css_gz ours_css_br <<<"$(sum dist/checkout-widget.css dist/card-frame.css)"
read -r _ _ widget_br <<<"$(sum dist/checkout-widget_bg.wasm dist/checkout-widget.js dist/checkout-widget.css)"
read -r _ _ frame_br <<<"$(sum dist/card-frame_bg.wasm dist/card-frame.js dist/card-frame-boot.js dist/card-frame.css)"

echo "== bytes: peers ($ADYEN, $BRAINTREE, bundled and minified with esbuild)"
peers=$(mktemp -d)
trap 'rm -rf "$peers"' EXIT
(
  cd "$peers"
  npm init -y >/dev/null
  npm install --silent --no-audit --no-fund "$ADYEN" "$BRAINTREE" esbuild >/dev/null
  printf 'import { AdyenCheckout, Dropin, Card } from "@adyen/adyen-web";\nwindow.adyen = { AdyenCheckout, Dropin, Card };\n' > adyen-entry.js
  npx esbuild adyen-entry.js --bundle --minify --format=esm --log-level=error --outfile=adyen.min.js
  npx esbuild node_modules/@adyen/adyen-web/dist/es/adyen.css --minify --log-level=error --outfile=adyen.min.css
  npx esbuild node_modules/braintree-web-drop-in/dist/browser/dropin.js --minify --log-level=error --outfile=braintree.min.js
  css=$(find node_modules/braintree-web-drop-in -name dropin.css | head -1)
  npx esbuild "$css" --minify --log-level=error --outfile=braintree.min.css
)
read -r ad_js_raw ad_js_gz ad_js_br <<<"$(size "$peers/adyen.min.js")"
read -r ad_css_raw ad_css_gz ad_css_br <<<"$(size "$peers/adyen.min.css")"
read -r bt_js_raw bt_js_gz bt_js_br <<<"$(size "$peers/braintree.min.js")"
read -r bt_css_raw bt_css_gz bt_css_br <<<"$(size "$peers/braintree.min.css")"

echo "== latency and startup (headless Chromium, sandbox)"
lat=$(cargo run --quiet --example latency_bench)
echo "$lat" | grep -v '^BENCH '
val() { echo "$lat" | awk -v k="$1" '$1 == "BENCH" && $2 == k { print $3 }'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
ours_br=$((ours_js_br + ours_css_br)); ad_br=$((ad_js_br + ad_css_br)); bt_br=$((bt_js_br + bt_css_br))
echo
echo "================================ benchmark ================================"
printf '%-34s %12s %12s %12s\n' "bytes (brotli -q 11)" "checkout-widget" "Adyen" "Braintree"
printf '%-34s %12d %12d %12d\n' "code (wasm + js)" "$ours_js_br" "$ad_js_br" "$bt_js_br"
printf '%-34s %12d %12d %12d\n' "css" "$ours_css_br" "$ad_css_br" "$bt_css_br"
printf '%-34s %12d %12d %12d\n' "total" "$ours_br" "$ad_br" "$bt_br"
printf '%-34s %12d\n' "  of which the widget" "$widget_br"
printf '%-34s %12d\n' "  of which the card frame" "$frame_br"
printf '%-34s %12s %12s %12s\n' "total gzip -9" "$((ours_js_gz + ours_css_gz))" "$((ad_js_gz + ad_css_gz))" "$((bt_js_gz + bt_css_gz))"
printf '%-34s %12s %12s %12s\n' "total raw" "$((ours_js_raw + ours_css_raw))" "$((ad_js_raw + ad_css_raw))" "$((bt_js_raw + bt_css_raw))"
printf '%-34s %12s %12s %12s\n' "ours / theirs (brotli total)" "-" "$(ratio $ours_br $ad_br)" "$(ratio $ours_br $bt_br)"
echo
printf '%-34s %10s %10s %8s\n' "latency (100 ms per request)" "median ms" "floor ms" "ratio"
for k in mount_to_ready continue_to_place_order_enabled place_order_to_order_placed; do
  printf '%-34s %10s %10s %8s\n' "$k" "$(val ${k}_ms)" "$(val ${k}_floor_ms)" "$(ratio "$(val ${k}_ms)" "$(val ${k}_floor_ms)")"
done
echo
printf '%-34s %10s\n' "startup (no latency)" "median ms"
for k in navigation_to_ready_ms wasm_compile_ms wasm_instantiate_ms; do
  printf '%-34s %10s\n' "$k" "$(val $k)"
done

echo
echo "== merchant backend: what it adds to a read (GET /api/checkouts/{id}, provider alone vs through the backend, in-process)"
cargo run --quiet --profile server -p merchant-backend --example bench
