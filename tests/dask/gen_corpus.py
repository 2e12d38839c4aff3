#!/usr/bin/env python3
"""Write a small scraped-news corpus for tests/dask/test_dask.sh, the same documents twice:

  FOLDER/<site>/<page>.txt        three sites of 15 pages, a few pages at the top level
  JSONL/part-0.jsonl ..part-2.jsonl   one record per document ({"id", "url", "text"}), in the
                                      bytewise order of the folder paths, cut into 3 files

What dupstrip should find in it: per-site furniture (masthead, navigation, cookie notice, a
copyright line whose year changes, a share prompt), three stories syndicated to all three
sites with a word or two changed, a page saved twice in one site, and a page whose body an
aggregator printed twice. Article text comes from a seeded generator, so runs are identical.

Usage: gen_corpus.py FOLDER JSONL
"""

import json
import os
import random
import sys

SITES = {
    "alpha-times": "Alpha Times",
    "beta-herald": "The Beta Herald",
    "gamma-daily": "Gamma Daily",
}
PAGES_PER_SITE = 15
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "da", "fe", "gu", "ha",
             "jo", "pe", "qui", "ro", "su", "ta", "wi", "bra", "cle", "dro", "fla", "gri"]


def make_words(rng, n):
    words = set()
    while len(words) < n:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def paragraph(rng, words, n):
    tokens = [rng.choice(words) for _ in range(n)]
    tokens[0] = tokens[0].capitalize()
    return " ".join(tokens) + "."


def story(rng, words):
    title = " ".join(rng.choice(words) for _ in range(5)).capitalize()
    body = [paragraph(rng, words, rng.randint(45, 70)) for _ in range(3)]
    return title, body


def page(site, name, k, title, body, rng):
    year = 2015 + k % 9
    lines = [
        f"{name} - independent news since 1998",
        "Home | World | Business | Sport | Culture | Contact",
        "",
        title,
        f"Published {rng.randint(1, 28)} March {year} by staff reporter {k}",
        "",
    ]
    for para in body:
        lines += [para, ""]
    lines += [
        "Share this article with your friends on social media.",
        "We use cookies to improve your experience. By continuing you accept our cookie policy.",
        f"Copyright {year} {name}. All rights reserved.",
    ]
    return "\n".join(lines) + "\n"


def build():
    rng = random.Random(20240611)
    words = make_words(rng, 3000)
    syndicated = [story(rng, words) for _ in range(3)]
    docs = {}
    for s, (site, name) in enumerate(SITES.items()):
        for k in range(PAGES_PER_SITE):
            title, body = story(rng, words)
            if k in (3 + s, 8 + s, 11 - s):  # each syndicated story once per site, edited
                title, body = syndicated[[3 + s, 8 + s, 11 - s].index(k)]
                body = list(body)
                edited = body[1].split(" ")
                edited[s + 4] = "reportedly"
                body[1] = " ".join(edited)
            if site == "beta-herald" and k == 6:  # the aggregator printed the body twice
                body = body + body
            docs[f"{site}/page-{k:02d}.txt"] = page(site, name, k, title, body, rng)
    # The same page saved twice, under another name.
    docs["alpha-times/archive/page-05.txt"] = docs["alpha-times/page-05.txt"]
    # Names whose bytewise order differs from a case-insensitive or locale order.
    title, body = story(rng, words)
    docs["gamma-daily/Zz-upper.txt"] = page("gamma-daily", "Gamma Daily", 20, title, body, rng)
    title, body = story(rng, words)
    docs["gamma-daily/\u00e9t\u00e9-page.txt"] = page("gamma-daily", "Gamma Daily", 21, title, body,
                                                  rng)
    # Top-level pages: the group "" (no site).
    docs["about.txt"] = "About this collection.\n" + paragraph(rng, words, 60) + "\n"
    docs["index.txt"] = "Index of these sites.\n" + paragraph(rng, words, 50) + "\n"
    return docs


def main():
    folder, jsonl = sys.argv[1], sys.argv[2]
    docs = build()
    for rel, text in docs.items():
        path = os.path.join(folder, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    names = sorted(docs, key=lambda n: n.encode("utf-8"))
    os.makedirs(jsonl, exist_ok=True)
    per_file = -(-len(names) // 3)
    for part in range(3):
        with open(os.path.join(jsonl, f"part-{part}.jsonl"), "w", encoding="utf-8") as f:
            for rel in names[part * per_file:(part + 1) * per_file]:
                site, rest = rel.split("/", 1) if "/" in rel else ("portal", rel)
                url = f"https://{site}.example/{rest}"
                record = {"id": rel, "url": url, "text": docs[rel]}
                f.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
