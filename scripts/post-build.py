#!/usr/bin/env python3
"""Trunk post-build hook: minify the JS glue and the widget stylesheet.

esbuild removes whitespace and comments and shortens local names (-1.9 KB
brotli), the same minifier the benchmark applies to the peers' drop-ins. The
module's exports (`mount`, `WidgetHandle`, the default init) and
`import.meta.url` are kept, and the hook fails the build if an export is lost.

Usage: run by Trunk with TRUNK_STAGING_DIR set, or `post-build.py DIR`.
"""

import os
import subprocess
import sys
import tempfile


def minify(staging):
    for name in ("checkout-widget.js", "checkout-widget.css"):
        path = os.path.join(staging, name)
        before = os.path.getsize(path)
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, name)
            subprocess.run(
                ["esbuild", path, "--minify", "--log-level=warning", "--outfile=" + out],
                check=True,
            )
            text = open(out).read()
        if name.endswith(".js"):
            for export in ("export function mount(", "export class WidgetHandle", " as default}"):
                if export not in text:
                    sys.exit(f"post-build: the minified JS lost `{export}`")
        open(path, "w").write(text)
        print(f"post-build: minified {name}: {before} -> {os.path.getsize(path)} bytes")


def main():
    staging = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("TRUNK_STAGING_DIR")
    if not staging:
        sys.exit("post-build: no staging directory (TRUNK_STAGING_DIR)")
    minify(staging)


if __name__ == "__main__":
    main()
