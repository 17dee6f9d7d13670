"""Fit the knowledge base's weights on the dev split: `python -m bench.knowledge_fit`.

The model (persona/matcher.py) is a conditional logit: an entry's score is a weighted sum of its
four figures, "none of them" scores a weight times the question's chatter plus a bias, and the
probability of the right option (the expected entry, or "none" for off-topic lines and small
talk) is maximised over every dev question of every shop, with a small L2 penalty. Prints the
figures left out one shop at a time (fitted on the five others, asked of the sixth: what a new
shop can expect), their trade-off over thresholds, and the weights to paste into matcher.py.
Only tests/knowledge_eval/*/dev.csv is read; the final split is never fitted on.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bench.knowledge import EVAL, faq_file, shops
from handlers.replies.faq_eval import load_questions
from persona.embed import shared_embedder
from persona.faq import load_faq_file
from persona.matcher import CANDIDATES, Matcher

L2 = 0.1  # on standardised figures; 0.01-0.1 gave the same figures left out one shop at a time
STEPS = 800

Array = npt.NDArray[np.float64]


@dataclass
class Shop:
    name: str
    rows: Array  # questions × entries × figures
    chatter: Array  # questions
    expected: npt.NDArray[np.int64]  # entry index, -1: "none"
    kinds: list[str]


def load_shop(split: str, shop_name: str) -> Shop:
    shop = EVAL / shop_name
    entries = load_faq_file(faq_file(shop))
    matcher = Matcher(entries, shared_embedder())
    questions = load_questions(shop / f"{split}.csv", entries) + load_questions(EVAL / "general" / f"{split}.csv",
                                                                               entries)
    ids = [e.id for e in entries]
    figures = [matcher.features(q.text) for q in questions]
    return Shop(shop_name, np.stack([f[0] for f in figures]).astype(np.float64), np.array([f[1] for f in figures]),
                np.array([ids.index(q.expected) if q.expected else -1 for q in questions]), [q.kind for q in questions])


def fit(train: list[Shop]) -> tuple[Array, float, float]:
    """Weights in raw units (entry figures, chatter, bias); Adam on the standardised problem."""
    rows = np.concatenate([s.rows for s in train])
    chatter = np.concatenate([s.chatter for s in train])
    expected = np.concatenate([s.expected for s in train])
    mu, sd = rows.reshape(-1, rows.shape[2]).mean(0), rows.reshape(-1, rows.shape[2]).std(0) + 1e-9
    cmu, csd = chatter.mean(), chatter.std() + 1e-9
    x, c = (rows - mu) / sd, (chatter - cmu) / csd
    target = np.where(expected >= 0, expected, rows.shape[1])
    onehot = np.zeros((len(target), rows.shape[1] + 1))
    onehot[np.arange(len(target)), target] = 1
    params = [np.zeros(rows.shape[2]), np.zeros(1), np.zeros(1)]  # w, none weight, none bias
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    for step in range(1, STEPS + 1):
        options = np.concatenate([x @ params[0], (params[1] * c + params[2])[:, None]], axis=1)
        p = np.exp(options - options.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        d = (p - onehot) / len(target)
        grads = [np.einsum("qe,qef->f", d[:, :-1], x) + L2 * params[0], np.array([d[:, -1] @ c]),
                 np.array([d[:, -1].sum()])]
        for i, g in enumerate(grads):
            m[i] = 0.9 * m[i] + 0.1 * g
            v[i] = 0.999 * v[i] + 0.001 * g * g
            params[i] -= 0.1 * (m[i] / (1 - 0.9 ** step)) / (np.sqrt(v[i] / (1 - 0.999 ** step)) + 1e-8)
    w = params[0] / sd
    none_weight = float(params[1][0] / csd)
    none_bias = float(params[2][0] - params[1][0] * cmu / csd + (params[0] * mu / sd).sum())
    return w, none_weight, none_bias


def confidences(shop: Shop, w: Array, none_weight: float, none_bias: float) -> tuple[npt.NDArray[np.int64], Array]:
    """The entry ranked first for each question and its probability, as Matcher.rank computes them."""
    scores = shop.rows @ w
    top = scores.argmax(1)
    best = -np.sort(-scores, axis=1)[:, :CANDIDATES]
    options = np.concatenate([best, (none_weight * shop.chatter + none_bias)[:, None]], axis=1)
    p = np.exp(options - options.max(1, keepdims=True))
    return top, p[:, 0] / p.sum(1)


def trade_off(results: list[tuple[Shop, npt.NDArray[np.int64], Array]]) -> str:
    top = np.concatenate([r[1] for r in results])
    conf = np.concatenate([r[2] for r in results])
    expected = np.concatenate([r[0].expected for r in results])
    kinds = np.array([k for r in results for k in r[0].kinds])
    asked, off = kinds == "question", kinds == "offtopic"
    lines = [f"top-1 {100 * (top == expected)[asked].mean():.1f} %", "threshold   right    wrong   off-topic"]
    for t in (0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8):
        sent = conf >= t
        lines.append(f"   {t:.2f}   {100 * (sent & (top == expected))[asked].mean():5.1f} %  "
                     f"{100 * (sent & (top != expected))[asked].mean():4.1f} %   {100 * sent[off].mean():4.1f} %")
    return "\n".join(lines)


def main(split: str = "dev") -> None:
    data = [load_shop(split, s.name) for s in shops()]
    held_out = []
    for shop in data:
        w, nw, nb = fit([s for s in data if s is not shop])
        held_out.append((shop, *confidences(shop, w, nw, nb)))
    print(f"{split} split, each shop asked with weights fitted on the other five:")
    print(trade_off(held_out))
    w, nw, nb = fit(data)
    print(f"\nall shops (in-sample):\n{trade_off([(s, *confidences(s, w, nw, nb)) for s in data])}")
    print(f"\nWEIGHTS = ({', '.join(f'{x:.3f}' for x in w)})\nNONE_WEIGHT = {nw:.3f}\nNONE_BIAS = {nb:.3f}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
