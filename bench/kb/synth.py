#!/usr/bin/env python3
"""A synthetic knowledge base for the latency figure of bench/kb.sh: the real entries plus
generated ones up to N, each made of a real entry's question, tags and answer with random domain
words (the lexicon's terms and the real tags) mixed in, so postings grow like a real base's.

    synth.py FAQ.jsonl LEXICON.txt N SEED > big.jsonl
"""
import json
import random
import sys


def main():
    faq, lexicon, n, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    rng = random.Random(seed)
    entries = [json.loads(l) for l in open(faq, encoding="utf-8") if l.strip()]
    words = set()
    section = None
    for line in open(lexicon, encoding="utf-8"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line
            continue
        if section == "[synonyms]":
            words.update(line.split())
    for e in entries:
        words.update(e["tags"])
    words = sorted(words)
    out = [json.dumps(e, ensure_ascii=False) for e in entries]
    for i in range(len(entries), n):
        base = rng.choice(entries)
        q = list(base["question"].rstrip("？?"))
        for _ in range(rng.randint(1, 3)):
            pos = rng.randrange(len(q) + 1)
            q[pos:pos] = list(rng.choice(words))
        answer = rng.choice(entries)["answer"]
        extra = "".join(rng.choice(words) for _ in range(rng.randint(3, 8)))
        out.append(json.dumps({
            "id": f"syn-{i:05d}",
            "question": "".join(q) + "？",
            "answer": answer[: rng.randint(60, len(answer))] + extra + "。",
            "tags": rng.sample(words, 3),
            "category": base["category"],
        }, ensure_ascii=False))
    print("\n".join(out))


if __name__ == "__main__":
    main()
