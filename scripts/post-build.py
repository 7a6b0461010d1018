#!/usr/bin/env python3
"""Trunk post-build hook: prune unused exports, then minify the JS and CSS.

1. Drop exports the widget never uses from the bundle.

Leptos depends on server_fn, whose browser client depends on wasm-streams, and
wasm-streams exports three JavaScript classes (IntoUnderlyingSource, ...Sink,
...ByteSource). Exports are roots, so their code and everything it reaches stay
in the wasm, and wasm-bindgen writes the classes into the JS glue, although
nothing in the widget streams. This hook removes those exports with binaryen's
wasm-metadce, re-optimises with wasm-opt -Oz, and cuts the classes out of the
JS. It fails the build loudly if the JS does not have the shape it expects, so
a future wasm-bindgen can never ship a half-pruned bundle.

2. Minify the JS glue and the widget stylesheet with esbuild (whitespace,
comments, local names; -1.9 KB brotli), the same minifier the benchmark applies
to the peers' drop-ins. The module's exports and `import.meta.url` are kept.

Usage: run by Trunk with TRUNK_STAGING_DIR set, or `post-build.py DIR`.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

PRUNE = re.compile(r"^(__wbg_)?intounderlying(bytesource|sink|source)")
CLASSES = ("IntoUnderlyingByteSource", "IntoUnderlyingSink", "IntoUnderlyingSource")


def leb(data, i):
    result = shift = 0
    while True:
        byte = data[i]
        i += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, i


def exports(data):
    """Names of the module's exports (section 7)."""
    i = 8
    while i < len(data):
        section, i = data[i], i + 1
        size, i = leb(data, i)
        if section == 7:
            count, j = leb(data, i)
            names = []
            for _ in range(count):
                n, j = leb(data, j)
                names.append(data[j : j + n].decode())
                j += n + 1  # the kind byte
                _, j = leb(data, j)  # the index
            return names
        i += size
    return []


def prune_js(js):
    for cls in CLASSES:
        block = re.compile(
            r"export class %s \{\n.*?\n\}\n(if \(Symbol\.dispose\) %s\.prototype\[Symbol\.dispose\] = %s\.prototype\.free;\n)?\n?"
            % (cls, cls, cls),
            re.S,
        )
        js, n = block.subn("", js, count=1)
        if n != 1:
            sys.exit(f"post-build: class {cls} not found in the JS glue")
        registry = re.compile(
            r"const %sFinalization = \(typeof FinalizationRegistry === 'undefined'\)\n.*?\n.*?;\n" % cls
        )
        js, n = registry.subn("", js, count=1)
        if n != 1:
            sys.exit(f"post-build: {cls}Finalization not found in the JS glue")
    if re.search(r"(?i)intounderlying", js):
        sys.exit("post-build: the JS glue still refers to a pruned export")
    return js


def prune(staging):
    wasm_path = os.path.join(staging, "checkout-widget_bg.wasm")
    js_path = os.path.join(staging, "checkout-widget.js")
    data = open(wasm_path, "rb").read()
    names = exports(data)
    keep = [n for n in names if not PRUNE.match(n)]
    if len(keep) == len(names):
        print("post-build: nothing to prune")
        return
    graph = [{"name": "outside", "root": True, "reaches": ["e" + n for n in keep]}]
    graph += [{"name": "e" + n, "export": n} for n in names]
    with tempfile.TemporaryDirectory() as tmp:
        graph_path = os.path.join(tmp, "graph.json")
        with open(graph_path, "w") as f:
            json.dump(graph, f)
        dce = os.path.join(tmp, "dce.wasm")
        subprocess.run(
            ["wasm-metadce", wasm_path, "--graph-file", graph_path, "-o", dce],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        out = os.path.join(tmp, "out.wasm")
        subprocess.run(["wasm-opt", "-Oz", dce, "-o", out], check=True)
        pruned = open(out, "rb").read()
    left = exports(pruned)
    if sorted(left) != sorted(keep):
        sys.exit(f"post-build: unexpected exports after pruning: {sorted(set(left) ^ set(keep))}")
    js = prune_js(open(js_path).read())
    open(wasm_path, "wb").write(pruned)
    open(js_path, "w").write(js)
    print(f"post-build: removed {len(names) - len(keep)} unused exports: "
          f"wasm {len(data)} -> {len(pruned)} bytes")


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
    prune(staging)
    minify(staging)


if __name__ == "__main__":
    main()
