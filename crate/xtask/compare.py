#!/usr/bin/env python3
"""Compares two builds of the CLI draft by draft on every labelled set: what a rule change gains
and loses, before it is committed.

    git stash; cargo build --release -p postcheck; cp target/release/postcheck /tmp/base
    git stash pop; cargo build --release -p postcheck
    python3 crate/xtask/compare.py /tmp/base target/release/postcheck [SET.jsonl ...] [-v]

Runs `postcheck batch` of both binaries over the sets (default: every `crate/tests/data/*.jsonl`
but the untouched pool (`UNTOUCHED`), whose drafts nobody reads until it is retired,
`crate/tests/data/probes/*.jsonl` and `../shared/corpus/dev.jsonl` when it is beside the
repository; the first line of each id kept), as shipped and rules only (`POSTCHECK_STANCE_MODEL=0`),
and prints for each mode: breaching drafts warned and clean drafts warned, base -> new (the
definitions of `postcheck eval`: warned = a finding of an expected category at warn or block, or
at info for a category whose default is info; a clean draft is warned by any warn or block
finding); then every breaching draft no longer warned ("LOST") and every clean draft newly warned
("FALSE+"), with id and an excerpt. `-v` also lists every draft whose set of found categories
changed. Exit status 1 if a catch was lost or a false alarm added in either mode, else 0.

The project's rule for a detection change: no catch lost and no false alarm added here, as shipped
and rules only. Standard library only.
"""
import glob
import json
import os
import subprocess
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
with open(os.path.join(ROOT, "crate", "rules", "categories.json"), encoding="utf-8") as _f:
    # categories whose default severity is info (images, working-time): a finding at info counts as warned
    INFO_BY_DEFAULT = {c["id"] for c in json.load(_f) if c["severity"] == "info"}
# The newest untouched pool (README, "Detection quality"; train-model.rs `FRESH_SETS`): read in
# aggregate only (`postcheck eval`), never draft by draft, so left out of the default sets.
UNTOUCHED = {"own86.jsonl", "own87.jsonl"}


def default_sets():
    data = os.path.join(ROOT, "crate", "tests", "data")
    sets = sorted(p for p in glob.glob(os.path.join(data, "*.jsonl")) if os.path.basename(p) not in UNTOUCHED)
    sets += sorted(glob.glob(os.path.join(data, "probes", "*.jsonl")))
    dev = os.path.join(ROOT, "..", "shared", "corpus", "dev.jsonl")
    if os.path.exists(dev):
        sets.append(dev)
    return sets


def load_drafts(paths):
    """The drafts of `paths` by id (the first line of each id), as one JSONL text and a dict."""
    drafts = {}
    for p in paths:
        with open(p, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    d = json.loads(line)
                    drafts.setdefault(d["id"], d)
    text = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in drafts.values())
    return drafts, text


def run(binary, text, rules_only):
    """Findings by id from `binary batch -`."""
    env = dict(os.environ)
    env["POSTCHECK_STANCE_MODEL"] = "0" if rules_only else "1"
    out = subprocess.run([binary, "batch", "-"], input=text, capture_output=True, text=True, env=env, check=True).stdout
    return {d["id"]: d["findings"] for d in map(json.loads, out.splitlines())}


def judge(draft, findings):
    """(warned, found categories) as `postcheck eval` counts them."""
    expect = draft["expect"]
    found = sorted({f["category"] for f in findings})
    if expect:
        warned = any(f["category"] in expect and (f["severity"] != "info" or f["category"] in INFO_BY_DEFAULT) for f in findings)
    else:
        warned = any(f["severity"] != "info" for f in findings)
    return warned, found


def main(argv):
    verbose = "-v" in argv
    args = [a for a in argv if a != "-v"]
    if len(args) < 2:
        sys.exit(__doc__)
    base, new, sets = args[0], args[1], args[2:] or default_sets()
    drafts, text = load_drafts(sets)
    worse = False
    for mode, rules_only in (("as shipped", False), ("rules only", True)):
        a, b = run(base, text, rules_only), run(new, text, rules_only)
        counts = {"breaching": [0, 0, 0], "clean": [0, 0, 0]}  # drafts, warned base, warned new
        lost, added, changed = [], [], []
        for i, d in drafts.items():
            (wa, fa), (wb, fb) = judge(d, a[i]), judge(d, b[i])
            c = counts["breaching" if d["expect"] else "clean"]
            c[0] += 1
            c[1] += wa
            c[2] += wb
            if d["expect"] and wa and not wb:
                lost.append(i)
            if not d["expect"] and wb and not wa:
                added.append(i)
            if fa != fb:
                changed.append((i, fa, fb))
        br, cl = counts["breaching"], counts["clean"]
        print(f"{mode}: breaching drafts warned {br[1]} -> {br[2]} of {br[0]}; clean drafts warned {cl[1]} -> {cl[2]} of {cl[0]}; "
              f"{len(lost)} lost, {len(added)} false alarms added, {len(changed)} drafts with other categories")
        for tag, ids in (("LOST", lost), ("FALSE+", added)):
            for i in ids:
                print(f"  {tag} {i} {drafts[i]['expect']}: {drafts[i]['text'][:100]}")
        if verbose:
            for i, fa, fb in changed:
                print(f"  CHANGED {i} expect {drafts[i]['expect']}: {fa} -> {fb}: {drafts[i]['text'][:80]}")
        worse |= bool(lost or added)
    return 1 if worse else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
