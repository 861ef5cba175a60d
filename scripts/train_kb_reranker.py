#!/usr/bin/env python3
"""Learns the question matcher's re-ranker (docs/kb-matcher.md) — pure Python 3, no packages.

    scripts/train_kb_reranker.py [--binary build/dangan] [--kb ../shared/eval/kb/faq.jsonl]
                                 [--questions ../shared/eval/kb/dev.jsonl] [--out src/kb/data/reranker.json]
                                 [--folds 5] [--no-write]

1. `dangan kb features` prints, for every question, the candidates the matcher re-ranks and their
   feature vectors (the binary must be built with the current features; the weights it carries do
   not matter for the features, except that the candidate set is the union of both channels' best).
2. A logistic regression (L2, Newton's method on standardised features) learns P(candidate is
   the right entry) from the gold ids; out-of-scope questions (id null) give only negatives.
3. Thresholds: t_none (below: abstain) maximises in-scope top-1 accuracy + out-of-scope rejection
   rate; t_answer and t_gap (confident answer, else "unsure") keep errors among confident answers
   under 3 % with as few unsure answers as possible.
4. Honest figures: leave-entries-out cross-validation — folds group dev questions by entry id
   (out-of-scope questions are spread over the folds); each fold is scored by a model and thresholds
   learned on the other folds only. The in-sample figure is printed beside it.
"""

import argparse
import json
import math
import os
import random
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_features(binary, kb, questions):
    out = subprocess.run([binary, "kb", "features", "--kb", kb, "--questions", questions],
                         check=True, capture_output=True, text=True).stdout
    lines = [json.loads(l) for l in out.splitlines() if l.strip()]
    return lines[0]["names"], lines[1:]


def solve(a, b):
    """Solves a x = b (Gaussian elimination with partial pivoting)."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        if abs(m[c][c]) < 1e-12:
            continue
        for r in range(n):
            if r != c and m[r][c] != 0:
                f = m[r][c] / m[c][c]
                row_c = m[c]
                row_r = m[r]
                for k in range(c, n + 1):
                    row_r[k] -= f * row_c[k]
    return [m[i][n] / m[i][i] if abs(m[i][i]) > 1e-12 else 0.0 for i in range(n)]


def sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def rows_of(questions):
    """(features, label, weight) for every candidate of every question."""
    rows = []
    for q in questions:
        gold = q["gold"]
        cands = q["cands"]
        for c in cands:
            y = 1.0 if gold is not None and c["id"] == gold else 0.0
            rows.append((c["f"], y))
    return rows


def train(questions, dim, l2=1.0, iterations=25, balance=True):
    rows = rows_of(questions)
    if not rows:
        return [0.0] * dim, 0.0
    n = len(rows)
    mean = [sum(r[0][i] for r in rows) / n for i in range(dim)]
    std = [math.sqrt(sum((r[0][i] - mean[i]) ** 2 for r in rows) / n) or 1.0 for i in range(dim)]
    xs = [[1.0] + [(r[0][i] - mean[i]) / std[i] for i in range(dim)] for r in rows]
    ys = [r[1] for r in rows]
    # Positives are rare (one per in-scope question): weight them up to balance the classes.
    pos = sum(ys)
    wpos = (n - pos) / pos if pos and balance else 1.0
    ws = [wpos if y else 1.0 for y in ys]
    d = dim + 1
    beta = [0.0] * d
    for _ in range(iterations):
        grad = [0.0] * d
        hess = [[0.0] * d for _ in range(d)]
        for x, y, w in zip(xs, ys, ws):
            z = sum(b * v for b, v in zip(beta, x))
            p = sigmoid(z)
            g = w * (p - y)
            h = w * p * (1 - p)
            for i in range(d):
                xi = x[i]
                grad[i] += g * xi
                if h > 1e-12:
                    hi = h * xi
                    row = hess[i]
                    for j in range(i, d):
                        row[j] += hi * x[j]
        for i in range(d):
            for j in range(i):
                hess[i][j] = hess[j][i]
        for i in range(1, d):
            grad[i] += l2 * beta[i]
            hess[i][i] += l2
        hess[0][0] += 1e-6
        step = solve(hess, grad)
        beta = [b - s for b, s in zip(beta, step)]
        if max(abs(s) for s in step) < 1e-6:
            break
    weights = [beta[i + 1] / std[i] for i in range(dim)]
    bias = beta[0] - sum(beta[i + 1] * mean[i] / std[i] for i in range(dim))
    return weights, bias


def train_listwise(questions, dim, l2=1.0, iterations=30):
    """Softmax over each in-scope question's candidates (the gold one should come first)."""
    qs = [q for q in questions if q["gold"] is not None and any(c["id"] == q["gold"] for c in q["cands"])]
    allf = [c["f"] for q in qs for c in q["cands"]]
    n = len(allf) or 1
    mean = [sum(f[i] for f in allf) / n for i in range(dim)]
    std = [math.sqrt(sum((f[i] - mean[i]) ** 2 for f in allf) / n) or 1.0 for i in range(dim)]
    data = []
    for q in qs:
        xs = [[(c["f"][i] - mean[i]) / std[i] for i in range(dim)] for c in q["cands"]]
        gi = next(i for i, c in enumerate(q["cands"]) if c["id"] == q["gold"])
        data.append((xs, gi))
    beta = [0.0] * dim
    for _ in range(iterations):
        grad = [l2 * b for b in beta]
        hess = [[(l2 if i == j else 0.0) for j in range(dim)] for i in range(dim)]
        for xs, gi in data:
            zs = [sum(b * v for b, v in zip(beta, x)) for x in xs]
            mz = max(zs)
            es = [math.exp(z - mz) for z in zs]
            tot = sum(es)
            ps = [e / tot for e in es]
            ex = [sum(p * x[i] for p, x in zip(ps, xs)) for i in range(dim)]
            for i in range(dim):
                grad[i] += ex[i] - xs[gi][i]
            for p, x in zip(ps, xs):
                if p < 1e-9:
                    continue
                for i in range(dim):
                    pxi = p * x[i]
                    row = hess[i]
                    for j in range(i, dim):
                        row[j] += pxi * x[j]
            for i in range(dim):
                row = hess[i]
                for j in range(i, dim):
                    row[j] -= ex[i] * ex[j]
        for i in range(dim):
            for j in range(i):
                hess[i][j] = hess[j][i]
        step = solve(hess, grad)
        current = listwise_loss(data, beta, l2)
        alpha = 1.0
        while alpha > 1e-4:
            trial = [b - alpha * s for b, s in zip(beta, step)]
            if listwise_loss(data, trial, l2) <= current:
                break
            alpha /= 2
        else:
            break
        beta = trial
        if max(abs(alpha * s) for s in step) < 1e-6:
            break
    return [beta[i] / std[i] for i in range(dim)]


def listwise_loss(data, beta, l2):
    loss = 0.5 * l2 * sum(b * b for b in beta)
    for xs, gi in data:
        zs = [sum(b * v for b, v in zip(beta, x)) for x in xs]
        mz = max(zs)
        loss += mz + math.log(sum(math.exp(z - mz) for z in zs)) - zs[gi]
    return loss


CONF_TOP = ["cov_qt", "cov_all", "cov_py_all", "rare_qt", "rare_all", "edit_char", "lcs_query",
            "cov_entry", "char_bm25", "py_bm25", "unknown", "unknown_py", "foreign"]
CONF_NAMES = ["p1", "margin"] + ["top_" + n for n in CONF_TOP]


def rank_question(q, weights, names):
    """Candidates by the ranker: [(z, p, id, f)], best first, and the confidence features."""
    zs = [(sum(w * v for w, v in zip(weights, c["f"])), c["id"], c["f"]) for c in q["cands"]]
    zs.sort(key=lambda t: (-t[0], t[1]))
    if not zs:
        return [], None
    mz = zs[0][0]
    es = [math.exp(z - mz) for z, _, _ in zs]
    tot = sum(es)
    ranked = [(z, e / tot, i, f) for (z, i, f), e in zip(zs, es)]
    margin = min(10.0, zs[0][0] - zs[1][0]) if len(zs) > 1 else 10.0
    top_f = ranked[0][3]
    conf = [ranked[0][1], margin] + [top_f[names.index(n)] for n in CONF_TOP]
    return ranked, conf


def train_model(questions, names, l2=1.0):
    dim = len(names)
    weights = train_listwise(questions, dim, l2)
    conf_q = []
    for q in questions:
        ranked, conf = rank_question(q, weights, names)
        if conf is None:
            continue
        conf_q.append({"gold": None, "cands": [{"id": "top" if q["gold"] is not None and ranked[0][2] == q["gold"] else "x",
                                               "f": conf}]})
        conf_q[-1]["gold"] = "top"
    cw, cb = train(conf_q, len(CONF_NAMES), l2, balance=False)
    return {"weights": weights, "conf_weights": cw, "conf_bias": cb}


def score_question(q, model, names):
    ranked, conf = rank_question(q, model["weights"], names)
    if conf is None:
        return []
    c = sigmoid(model["conf_bias"] + sum(w * v for w, v in zip(model["conf_weights"], conf)))
    p1 = ranked[0][1]
    return [(c * p / p1, i) for _, p, i, _ in ranked]


def score_question_pointwise(q, weights, bias):
    scored = []
    for c in q["cands"]:
        z = bias + sum(w * v for w, v in zip(weights, c["f"]))
        scored.append((sigmoid(z), c["id"]))
    scored.sort(key=lambda t: (-t[0], t[1]))
    return scored


def outcomes(questions, model, names):
    """Per question: (gold, top id, s1, s2, in top 3)."""
    out = []
    for q in questions:
        s = score_question(q, model, names)
        top = s[0][1] if s else None
        s1 = s[0][0] if s else 0.0
        s2 = s[1][0] if len(s) > 1 else 0.0
        in3 = q["gold"] is not None and any(c[1] == q["gold"] for c in s[:3])
        out.append((q["gold"], top, s1, s2, in3, q.get("kind", "")))
    return out


def decide(o, t):
    gold, top, s1, s2, _, _ = o
    if top is None or s1 < t["t_none"]:
        return "none"
    if s1 >= t["t_answer"] and s1 - s2 >= t["t_gap"]:
        return "answer"
    return "unsure"


def metrics(outs, t):
    ins = [o for o in outs if o[0] is not None]
    oos = [o for o in outs if o[0] is None]
    correct = sum(1 for o in ins if decide(o, t) != "none" and o[1] == o[0])
    rejected = sum(1 for o in oos if decide(o, t) == "none")
    unsure = sum(1 for o in ins if decide(o, t) == "unsure")
    answered = [o for o in outs if decide(o, t) == "answer"]
    wrong_answered = sum(1 for o in answered if o[1] != o[0])
    kinds = {}
    for o in outs:
        k = kinds.setdefault(o[5], [0, 0])
        k[1] += 1
        if o[0] is None:
            k[0] += decide(o, t) == "none"
        else:
            k[0] += decide(o, t) != "none" and o[1] == o[0]
    return {
        "top1": correct / len(ins) if ins else 0.0,
        "oos_rejected": rejected / len(oos) if oos else 0.0,
        "recall3": sum(1 for o in ins if o[4]) / len(ins) if ins else 0.0,
        "unsure": unsure / len(ins) if ins else 0.0,
        "answer_error": wrong_answered / len(answered) if answered else 0.0,
        "kinds": {k: round(v[0] / v[1], 3) for k, v in sorted(kinds.items())},
        "n_in": len(ins), "n_oos": len(oos),
    }


def choose_thresholds(outs):
    cands = sorted(set(round(o[2], 4) for o in outs))
    grid = sorted(set([0.0] + [(a + b) / 2 for a, b in zip(cands, cands[1:])]))
    best = None
    for tn in grid:
        t = {"t_none": tn, "t_answer": tn, "t_gap": 0.0}
        m = metrics(outs, t)
        # Balanced objective; the margin term prefers thresholds in the middle of a plateau.
        val = m["top1"] + m["oos_rejected"]
        if best is None or val > best[0] + 1e-9:
            best = (val, tn, tn)
        elif abs(val - best[0]) <= 1e-9:
            best = (best[0], best[1], tn)  # plateau: remember its upper end
    t_none = (best[1] + best[2]) / 2
    best_band = None
    for ta in [t_none + i * 0.05 for i in range(0, 20)]:
        for tg in [0.0, 0.05, 0.1, 0.15, 0.2, 0.3]:
            t = {"t_none": t_none, "t_answer": ta, "t_gap": tg}
            m = metrics(outs, t)
            if m["answer_error"] <= 0.03:
                key = m["unsure"]
                if best_band is None or key < best_band[0] - 1e-9:
                    best_band = (key, ta, tg)
    if best_band is None:
        best_band = (1.0, 1.01, 1.0)
    return {"t_none": round(t_none, 4), "t_answer": round(best_band[1], 4), "t_gap": best_band[2]}


def folds_of(questions, k, seed=7):
    ids = sorted(set(q["gold"] for q in questions if q["gold"] is not None))
    rng = random.Random(seed)
    rng.shuffle(ids)
    fold_of = {e: i % k for i, e in enumerate(ids)}
    folds = [[] for _ in range(k)]
    oos_i = 0
    for q in questions:
        if q["gold"] is None:
            folds[oos_i % k].append(q)
            oos_i += 1
        else:
            folds[fold_of[q["gold"]]].append(q)
    return folds


def fmt(m):
    return (f"top-1 {m['top1']:.3f}  OOS rejected {m['oos_rejected']:.3f}  recall@3 {m['recall3']:.3f}  "
            f"unsure {m['unsure']:.3f}  errors among confident answers {m['answer_error']:.3f}\n"
            f"    per kind {m['kinds']}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "dangan"))
    ap.add_argument("--kb", default=os.path.join(ROOT, "..", "shared", "eval", "kb", "faq.jsonl"))
    ap.add_argument("--questions", default=os.path.join(ROOT, "..", "shared", "eval", "kb", "dev.jsonl"))
    ap.add_argument("--out", default=os.path.join(ROOT, "src", "kb", "data", "reranker.json"))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--l2", type=float, default=3.0)
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args()

    names, questions = run_features(a.binary, a.kb, a.questions)
    dim = len(names)

    # Cross-validation, grouped by entry.
    pooled = []
    for i, held in enumerate(folds_of(questions, a.folds)):
        train_q = [q for j, f in enumerate(folds_of(questions, a.folds)) if j != i for q in f]
        model = train_model(train_q, names, a.l2)
        t = choose_thresholds(outcomes(train_q, model, names))
        for o in outcomes(held, model, names):
            pooled.append((o, t))
    ins = [p for p in pooled if p[0][0] is not None]
    oos = [p for p in pooled if p[0][0] is None]
    cv = {
        "ranking_top1": sum(1 for o, t in ins if o[1] == o[0]) / max(1, len(ins)),
        "top1": sum(1 for o, t in ins if decide(o, t) != "none" and o[1] == o[0]) / max(1, len(ins)),
        "oos_rejected": sum(1 for o, t in oos if decide(o, t) == "none") / max(1, len(oos)),
        "recall3": sum(1 for o, t in ins if o[4]) / max(1, len(ins)),
    }
    kinds = {}
    for o, t in pooled:
        k = kinds.setdefault(o[5], [0, 0])
        k[1] += 1
        k[0] += (decide(o, t) == "none") if o[0] is None else (decide(o, t) != "none" and o[1] == o[0])
    cv["kinds"] = {k: round(v[0] / v[1], 3) for k, v in sorted(kinds.items())}

    model = train_model(questions, names, a.l2)
    weights = model["weights"]
    outs = outcomes(questions, model, names)
    raw = sum(1 for o in outs if o[0] is not None and o[1] == o[0]) / max(1, sum(1 for o in outs if o[0] is not None))
    print(f"in-sample ranking alone (no abstention): top-1 {raw:.3f}")
    thresholds = choose_thresholds(outs)
    m = metrics(outs, thresholds)
    print(f"in-sample ({len(questions)} questions): " + fmt(m))
    print(f"cross-validated, {a.folds} folds grouped by entry: top-1 {cv['top1']:.3f}  "
          f"OOS rejected {cv['oos_rejected']:.3f}  recall@3 {cv['recall3']:.3f}  ranking alone {cv['ranking_top1']:.3f}\n    per kind {cv['kinds']}")
    print("thresholds", thresholds)
    for n, w in sorted(zip(names, weights), key=lambda t: -abs(t[1])):
        print(f"    {n:<12} {w:+.3f}")
    print("confidence:", {n: round(w, 3) for n, w in zip(CONF_NAMES, model["conf_weights"])}, round(model["conf_bias"], 3))

    if a.no_write:
        return
    old = {}
    if os.path.exists(a.out):
        try:
            with open(a.out) as f:
                old = json.load(f)
        except ValueError:
            old = {}
    model = {
        "comment": "Learned by scripts/train_kb_reranker.py; see docs/kb-matcher.md. Do not edit by hand.",
        "weights": {n: round(w, 6) for n, w in zip(names, weights)},
        "confidence": {"weights": {n: round(w, 6) for n, w in zip(CONF_NAMES, model["conf_weights"])},
                       "bias": round(model["conf_bias"], 6)},
        "t_none": thresholds["t_none"],
        "t_answer": thresholds["t_answer"],
        "t_gap": thresholds["t_gap"],
        "candidates": old.get("candidates", 30),
        "fields": old.get("fields", {}),
        "trained_on": {"questions": len(questions), "in_sample": {k: round(v, 4) if isinstance(v, float) else v
                                                                  for k, v in m.items()},
                       "cross_validated": {k: round(v, 4) if isinstance(v, float) else v for k, v in cv.items()}},
    }
    with open(a.out, "w") as f:
        json.dump(model, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print("wrote", a.out)


if __name__ == "__main__":
    main()
