#!/usr/bin/env bash
# Question matcher (issue 7): `dangan kb eval` on ../shared/eval/kb (faq.jsonl + dev.jsonl) beside a
# plain BM25 baseline in the same run — SQLite FTS5 (python3's sqlite3) over the canonical
# questions, and over questions + tags + answers, texts pre-split into character unigrams and
# bigrams because FTS5 has no Chinese tokenizer (bench/kb/baseline.py) — and the latency with a
# synthetic base of BENCH_KB_ENTRIES entries (bench/kb/synth.py: the real entries' text mixed with
# random domain words). Latency is given as wall clock and as the matching thread's CPU time (the
# second is what to read on a shared, busy machine). Writes bench/results/kb.md.
#
#   bench/kb.sh
#   BENCH_KB_ENTRIES=10000 DANGAN_BINARY=build-x/dangan bench/kb.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${DANGAN_BINARY:-build/dangan}
if [ ! -x "$BIN" ]; then
  [ "$BIN" = build/dangan ] && scripts/build.sh
  [ -x "$BIN" ] || { echo "kb: $BIN is not built" >&2; exit 1; }
fi
EVAL=${BENCH_KB_EVAL:-../shared/eval/kb}
ENTRIES=${BENCH_KB_ENTRIES:-10000}
WORK=$(mktemp -d /tmp/dangan-kb.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

"$BIN" kb eval --kb "$EVAL/faq.jsonl" --questions "$EVAL/dev.jsonl" --json > "$WORK/ours.json"
python3 bench/kb/baseline.py "$EVAL/faq.jsonl" "$EVAL/dev.jsonl" > "$WORK/fts_q.json"
python3 bench/kb/baseline.py "$EVAL/faq.jsonl" "$EVAL/dev.jsonl" --fields all > "$WORK/fts_all.json"
python3 bench/kb/synth.py "$EVAL/faq.jsonl" src/kb/data/lexicon.txt "$ENTRIES" 7 > "$WORK/big.jsonl"
"$BIN" kb eval --kb "$WORK/big.jsonl" --questions "$EVAL/dev.jsonl" --json > "$WORK/big.json"
python3 bench/kb/baseline.py "$WORK/big.jsonl" "$EVAL/dev.jsonl" > "$WORK/fts_big.json"

python3 - "$WORK" "$ENTRIES" "$(git rev-parse --short HEAD 2>/dev/null || echo -)" <<'PY' | tee bench/results/kb.md
import json, sys, os
work, entries, commit = sys.argv[1], sys.argv[2], sys.argv[3]
load = lambda n: json.load(open(os.path.join(work, n)))
ours, fq, fa, big, fbig = load("ours.json"), load("fts_q.json"), load("fts_all.json"), load("big.json"), load("fts_big.json")
train = {}
try:
    train = json.load(open("src/kb/data/reranker.json")).get("trained_on", {})
except (OSError, ValueError):
    pass
cv = train.get("cross_validated", {})
print(f"# Question matcher — dev figures (commit {commit})\n")
print("`bench/kb.sh`: ../shared/eval/kb/faq.jsonl (60 entries), dev.jsonl (180 in scope, 15 out of scope).")
print("Top-1 counts an answer only when the matcher does not abstain; OOS rejected = out-of-scope questions")
print("answered with `id: null`. The baselines never abstain unless no token matches.\n")
print("| | top-1 in scope | recall@3 | OOS rejected |")
print("|---|---|---|---|")
print(f"| dangan matcher (in-sample: re-ranker trained on these questions) | {ours['top1']:.3f} | {ours['recall3']:.3f} | {ours['oos_rejected']:.3f} |")
if cv:
    print(f"| dangan matcher, leave-entries-out 5-fold cross-validation | {cv.get('top1', 0):.3f} | {cv.get('recall3', 0):.3f} | {cv.get('oos_rejected', 0):.3f} |")
print(f"| BM25 baseline, SQLite FTS5 over canonical questions | {fq['top1']:.3f} | {fq['recall3']:.3f} | {fq['oos_rejected']:.3f} |")
print(f"| BM25 baseline, SQLite FTS5 over questions + tags + answers | {fa['top1']:.3f} | {fa['recall3']:.3f} | {fa['oos_rejected']:.3f} |")
print("\nPer kind (accuracy; for `oos` the rejection rate):\n")
kinds = sorted(ours["kinds"])
print("| kind | n | dangan | dangan CV | FTS5 questions | FTS5 all fields |")
print("|---|---|---|---|---|---|")
for k in kinds:
    print(f"| {k} | {ours['kinds'][k]['n']} | {ours['kinds'][k]['accuracy']:.3f} | {cv.get('kinds', {}).get(k, float('nan')):.3f} | "
          f"{fq['kinds'].get(k, 0):.3f} | {fa['kinds'].get(k, 0):.3f} |")
l, c = ours["latency_ms"], ours["cpu_ms"]
print(f"\nLatency, 60 entries: wall mean {l['mean']:.3f} ms, p50 {l['p50']:.3f}, p99 {l['p99']:.3f}; "
      f"CPU mean {c['mean']:.3f} ms, p50 {c['p50']:.3f}, p99 {c['p99']:.3f}.")
l, c, fl = big["latency_ms"], big["cpu_ms"], fbig["latency_ms"]
print(f"\nLatency, {entries} entries (synthetic, bench/kb/synth.py), the 195 dev questions: wall mean {l['mean']:.3f} ms, "
      f"p50 {l['p50']:.3f}, p99 {l['p99']:.3f}; **CPU p99 {c['p99']:.3f} ms** (mean {c['mean']:.3f}, p50 {c['p50']:.3f}). "
      f"FTS5 baseline on the same base (questions only): mean {fl['mean']:.3f} ms, p99 {fl['p99']:.3f}.")
PY
