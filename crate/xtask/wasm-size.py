#!/usr/bin/env python3
"""Attributes a wasm module's bytes to sections, crates and functions.

    POSTCHECK_WASM_KEEP_NAMES=1 cargo run -p postcheck-xtask --release -- wasm /tmp/wasm-names
    python3 crate/xtask/wasm-size.py /tmp/wasm-names/postcheck_wasm_bg.wasm [TOP_N]

Reads the code section (body size per function, bytes) and the name section (function names,
Rust-mangled or demangled); prints section sizes (raw, and each section alone through gzip -9),
code bytes per crate (first path segment of the demangled name, generics' own crate; also the
crate's function bodies concatenated and compressed alone with gzip -9 — an estimate of its share
of the shipped gzip, a little high since redundancy across crates is not shared) and the TOP_N
largest functions. Data segments are reported as one total (the data section). Standard library
only.
"""
import gzip
import re
import sys
from collections import Counter


def leb(b, i):
    r = s = 0
    while True:
        x = b[i]
        i += 1
        r |= (x & 0x7F) << s
        s += 7
        if x < 0x80:
            return r, i


def demangle(n):
    """Rough legacy (_ZN...E) demangling: enough to read the path segments."""
    if n.startswith("_ZN"):
        i, parts = 3, []
        while i < len(n) and n[i].isdigit():
            j = i
            while n[j].isdigit():
                j += 1
            k = int(n[i:j])
            parts.append(n[j:j + k])
            i = j + k
        if parts and re.fullmatch(r"h[0-9a-f]{16}", parts[-1]):
            parts.pop()
        return "::".join(p.replace("$LT$", "<").replace("$GT$", ">").replace("$u20$", " ")
                         .replace("..", "::").replace("$RF$", "&").replace("$C$", ",") for p in parts)
    return n


def crate_of(name):
    n = name.lstrip("<&_ ")
    if n.startswith("impl "):
        n = n[5:]
    m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)", n)
    return m.group(1) if m else "?"


def main():
    b = open(sys.argv[1], "rb").read()
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    i = 8
    sections = []
    n_imported = 0
    bodies = []
    names = {}
    while i < len(b):
        sid = b[i]
        size, j = leb(b, i + 1)
        payload = b[j:j + size]
        label = str(sid)
        if sid == 0:
            nl, k = leb(payload, 0)
            label = "custom:" + payload[k:k + nl].decode()
            if label == "custom:name":
                p = k + nl
                while p < len(payload):
                    sub = payload[p]
                    ssz, q = leb(payload, p + 1)
                    if sub == 1:
                        cnt, r = leb(payload, q)
                        for _ in range(cnt):
                            idx, r = leb(payload, r)
                            ln, r = leb(payload, r)
                            names[idx] = payload[r:r + ln].decode("utf-8", "replace")
                            r += ln
                    p = q + ssz
        elif sid == 2:
            cnt, k = leb(payload, 0)
            for _ in range(cnt):
                for _ in range(2):
                    ln, k = leb(payload, k)
                    k += ln
                kind = payload[k]
                k += 1
                if kind == 0:
                    _, k = leb(payload, k)
                    n_imported += 1
                elif kind == 1:
                    k += 1
                    fl = payload[k]; k += 1
                    _, k = leb(payload, k)
                    if fl & 1:
                        _, k = leb(payload, k)
                elif kind == 2:
                    fl = payload[k]; k += 1
                    _, k = leb(payload, k)
                    if fl & 1:
                        _, k = leb(payload, k)
                elif kind == 3:
                    k += 2
            label = "import"
        elif sid == 10:
            cnt, k = leb(payload, 0)
            for f in range(cnt):
                sz, k2 = leb(payload, k)
                bodies.append((n_imported + f, sz + (k2 - k), payload[k2:k2 + sz]))
                k = k2 + sz
            label = "code"
        elif sid == 11:
            label = "data"
        sections.append((label, size, len(gzip.compress(payload, 9))))
        i = j + size
    print("sections (bytes; gzip -9 of the section alone):")
    for l, s, g in sections:
        print(f"  {l:24} {s:9} {g:9}")
    per_crate = Counter()
    crate_bytes = {}
    funcs = []
    for idx, sz, body in bodies:
        nm = demangle(names.get(idx, f"func{idx}"))
        c = crate_of(nm)
        per_crate[c] += sz
        crate_bytes.setdefault(c, []).append(body)
        funcs.append((sz, nm))
    print("\ncode bytes per crate (raw; gzip -9 of its bodies alone):")
    for c, s in per_crate.most_common(30):
        print(f"  {c:28} {s:9} {len(gzip.compress(b''.join(crate_bytes[c]), 9)):9}")
    print(f"\nlargest {top} functions:")
    for sz, nm in sorted(funcs, reverse=True)[:top]:
        print(f"  {sz:8}  {nm[:150]}")


if __name__ == "__main__":
    main()
