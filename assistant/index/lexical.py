"""The BM25 index (bm25s over jieba terms), derived from what Chroma holds and cached on disk.

The cache is keyed by the chunk collection's name and the tokenizer's dictionary, so it is rebuilt
when it is missing, stale or unreadable; it is never the source of truth.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from .tokenize import PolicyTokenizer


class LexicalIndex:
    def __init__(self, chunk_ids: list[str], retriever, key: str):
        self.chunk_ids = chunk_ids
        self.position = {cid: i for i, cid in enumerate(chunk_ids)}
        self._bm25 = retriever
        self.key = key

    @classmethod
    def build(cls, chunk_ids: list[str], texts: list[str], tokenizer: PolicyTokenizer, key: str) -> "LexicalIndex":
        import bm25s

        retriever = bm25s.BM25()
        corpus = [tokenizer.terms(t) or ["∅"] for t in texts]
        retriever.index(corpus, show_progress=False)
        return cls(list(chunk_ids), retriever, key)

    def save(self, folder: Path) -> None:
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        self._bm25.save(str(tmp / "bm25"))
        (tmp / "chunks.json").write_text(json.dumps({"key": self.key, "chunk_ids": self.chunk_ids}), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)

    @classmethod
    def load(cls, folder: Path, key: str) -> "LexicalIndex | None":
        """The cached index, or None when it is missing, stale or unreadable."""
        import bm25s

        try:
            meta = json.loads((folder / "chunks.json").read_text(encoding="utf-8"))
            if meta.get("key") != key:
                return None
            retriever = bm25s.BM25.load(str(folder / "bm25"))
            index = cls(meta["chunk_ids"], retriever, key)
            if retriever.scores["num_docs"] != len(index.chunk_ids):
                return None
            return index
        except Exception:       # any damage means "rebuild", which the caller does
            return None

    def scores(self, terms: list[str]) -> np.ndarray:
        if not terms:
            return np.zeros(len(self.chunk_ids), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(terms), dtype=np.float32)
