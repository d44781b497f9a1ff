#!/usr/bin/env python3
"""Assembles the single-file page (see scripts/build-single.sh).

Usage: single_file.py BINDGEN_OUT_DIR OUTPUT_HTML

Everything is inlined: the styles, the page's wasm and glue (a classic
script: browsers run no module scripts from file://), the worker (glue and
wasm, started from a blob URL) and the example scenarios. The page keeps a
strict Content-Security-Policy: the inline script and style are allowed by
their SHA-256 hashes, not by 'unsafe-inline'.
"""
import base64
import hashlib
import json
import os
import re
import sys

src, out_path = sys.argv[1], sys.argv[2]
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def read(path, mode="r"):
    with open(path, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as f:
        return f.read()


def js_string(text):
    # JSON is valid JavaScript; "</" is escaped so no "</script>" appears.
    return json.dumps(text).replace("</", "<\\/")


page_js = read(os.path.join(src, "err521-web.js"))
page_wasm = base64.b64encode(read(os.path.join(src, "err521-web_bg.wasm"), "rb")).decode()
worker_js = read(os.path.join(src, "err521-worker.js"))
worker_wasm = base64.b64encode(read(os.path.join(src, "err521-worker_bg.wasm"), "rb")).decode()
css = read(os.path.join(root, "static", "style.css"))

examples_dir = os.path.join(root, "static", "examples")
examples = {
    name[:-4]: read(os.path.join(examples_dir, name))
    for name in sorted(os.listdir(examples_dir)) if name.endswith(".txt")
}

# The worker: its glue, then instantiation from the bytes it carries.
worker_tail = (
    "\nconst __w = atob(%s);\nconst __b = new Uint8Array(__w.length);\n"
    "for (let i = 0; i < __w.length; i++) __b[i] = __w.charCodeAt(i);\n"
    "wasm_bindgen({ module_or_path: __b });\n" % json.dumps(worker_wasm)
)
script = (
    "(function () {\n"
    "  'use strict';\n"
    "  const bytes = (b64) => { const s = atob(b64); const a = new Uint8Array(s.length);\n"
    "    for (let i = 0; i < s.length; i++) a[i] = s.charCodeAt(i); return a; };\n"
    "  const worker = new Blob([%s, %s], { type: 'text/javascript' });\n"
    "  window.ERR521_WORKER_URL = URL.createObjectURL(worker);\n"
    "  window.__err521_page_wasm = bytes(%s);\n"
    "})();\n"
    "%s\n"
    "wasm_bindgen({ module_or_path: window.__err521_page_wasm });\n"
) % (js_string(worker_js), js_string(worker_tail), json.dumps(page_wasm), page_js.replace("</script", "<\\/script"))


def sha256(text):
    return "'sha256-%s'" % base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


csp = (
    "default-src 'none'; script-src %s 'wasm-unsafe-eval'; worker-src blob:; style-src %s; "
    "img-src data:; connect-src https://api.cloudflare.com; object-src 'none'; base-uri 'none'; form-action 'none'"
    % (sha256(script), sha256(css))
)
examples_json = json.dumps(examples).replace("</", "<\\/")
# collect.sh, for the "Run this on your server" offer: from file:// there is
# no folder to fetch it from, so the page shows this text to copy.
collect_json = json.dumps(read(os.path.join(root, "static", "collect.sh"))).replace("</", "<\\/")
icon = read(os.path.join(root, "static", "icon.svg"))
icon_uri = "data:image/svg+xml;base64," + base64.b64encode(icon.encode()).decode()

html = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="%s">
<meta name="color-scheme" content="light dark">
<title>Cloudflare Error 521: diagnose and fix</title>
<link rel="icon" href="%s">
<style>%s</style>
<script type="application/json" id="err521-examples">%s</script>
<script type="application/json" id="err521-collect">%s</script>
</head>
<body>
<noscript>This page needs JavaScript and WebAssembly to diagnose your paste; nothing you paste is sent anywhere.</noscript>
<script>%s</script>
</body>
</html>
""" % (csp, icon_uri, css, examples_json, collect_json, script)

with open(out_path, "w", encoding="utf-8") as f:
    f.write(html)
print("single file: %s (%d KB, %d KB gzipped)" % (
    out_path, len(html.encode()) // 1024,
    len(__import__("gzip").compress(html.encode(), 9)) // 1024))
