#!/usr/bin/env python3
"""Plain BM25 baseline for bench/kb.sh: SQLite FTS5 over the canonical questions (or, with
--fields all, questions + tags + answers). FTS5 has no Chinese tokenizer, so every text is
pre-split into space-separated character unigrams and bigrams (NFKC, lower case; no other
normalisation). The best bm25() row is the answer; a question with no matching token at all is
"rejected". Prints one JSON object: top1, recall3, oos_rejected, per kind, latency.

    baseline.py FAQ.jsonl QUESTIONS.jsonl [--fields questions|all]
"""
import json
import sqlite3
import sys
import time
import unicodedata


def units(text):
    text = unicodedata.normalize("NFKC", text).lower()
    out, word = [], ""
    segs = [[]]
    for ch in text:
        if ch.isascii() and ch.isalnum():
            word += ch
            continue
        if word:
            segs[-1].append(word)
            word = ""
        if ch.isalnum():
            segs[-1].append(ch)
        else:
            segs.append([])
    if word:
        segs[-1].append(word)
    for seg in segs:
        out.extend(seg)
        out.extend(a + b for a, b in zip(seg, seg[1:]))
    return out


def main():
    faq, questions = sys.argv[1], sys.argv[2]
    fields = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--fields" else "questions"
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE kb USING fts5(id UNINDEXED, body)")
    for line in open(faq, encoding="utf-8"):
        if not line.strip():
            continue
        e = json.loads(line)
        text = e["question"]
        if fields == "all":
            text += " " + " ".join(e.get("tags", [])) + " " + e.get("answer", "")
        db.execute("INSERT INTO kb VALUES (?, ?)", (e["id"], " ".join(units(text))))
    qs = [json.loads(l) for l in open(questions, encoding="utf-8") if l.strip()]
    ins = correct = in3 = oos = rejected = 0
    kinds = {}
    lat = []
    for q in qs:
        toks = sorted(set(units(q["q"])))
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in toks)
        t0 = time.perf_counter()
        rows = db.execute("SELECT id FROM kb WHERE kb MATCH ? ORDER BY bm25(kb) LIMIT 3", (match,)).fetchall() if toks else []
        lat.append((time.perf_counter() - t0) * 1000)
        ids = [r[0] for r in rows]
        k = kinds.setdefault(q.get("kind", "-"), [0, 0])
        k[1] += 1
        if q.get("id") is None:
            oos += 1
            rejected += not ids
            k[0] += not ids
        else:
            ins += 1
            correct += bool(ids) and ids[0] == q["id"]
            k[0] += bool(ids) and ids[0] == q["id"]
            in3 += q["id"] in ids
    lat.sort()
    print(json.dumps({
        "top1": correct / max(1, ins), "recall3": in3 / max(1, ins), "oos_rejected": rejected / max(1, oos),
        "kinds": {k: v[0] / v[1] for k, v in sorted(kinds.items())},
        "latency_ms": {"mean": sum(lat) / len(lat), "p50": lat[len(lat) // 2], "p99": lat[min(len(lat) - 1, int(len(lat) * 0.99))]},
    }))


if __name__ == "__main__":
    main()
