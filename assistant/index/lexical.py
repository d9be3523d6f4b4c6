"""BM25 over jieba terms, in immutable memory-mapped segments, so that a write costs its documents only.

A segment holds the term frequencies of the chunks of some document versions (a term x chunk
matrix in CSC form: `indptr`, `rows`, `tf`, plus chunk lengths), saved as .npy files and opened
with `mmap_mode="r"`: the operating system pages in the postings a question touches, nothing is
copied into the process. An ingest adds one small segment for its new versions; a snapshot is a
list of segments plus the set of live versions, and the chunks of versions that are no longer live
are masked out. When a snapshot would need more than `MAX_SEGMENTS`, the smallest ones are merged
(from their stored counts: nothing is re-tokenized), so a question reads a handful of segments.

Scores are Lucene's BM25 (k1=1.5, b=0.75, idf = ln(1 + (N - df + 0.5) / (df + 0.5))), the method
bm25s uses by default, computed at question time from the live chunks only (N, df and the average
length), so they equal those of one bm25s index built over the live chunks
(tests/index/test_lexical.py checks it against bm25s).

Segments are derived data under index/lexical/ and are rebuilt from the record cache when missing or
damaged; they are never the source of truth.
"""
from __future__ import annotations

import json
import secrets
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterable
from functools import cached_property
from pathlib import Path

import numpy as np

from .tokenize import PolicyTokenizer

K1, B = 1.5, 0.75
MAX_SEGMENTS = 8          # a question touches at most this many segments (plus one being built)
SEGMENT_GRACE_S = 600     # unused segments younger than this are left for readers that may hold them


class Segment:
    """One immutable segment: the chunks of some document versions and their term counts."""

    def __init__(self, folder: Path | None, doc_ids: list[str], chunk_ids: list[str], chunk_doc: np.ndarray,
                 vocab: list[str], indptr: np.ndarray, rows: np.ndarray, tf: np.ndarray, lengths: np.ndarray):
        self.folder = folder
        self.doc_ids = doc_ids
        self.chunk_ids = chunk_ids
        self.chunk_doc = chunk_doc          # index into doc_ids, per chunk
        self.vocab = vocab
        self.column = {t: i for i, t in enumerate(vocab)}
        self.indptr, self.rows, self.tf, self.lengths = indptr, rows, tf, lengths

    @property
    def name(self) -> str:
        return self.folder.name if self.folder else "memory"

    @cached_property
    def ids_array(self) -> np.ndarray:
        return np.asarray(self.chunk_ids, dtype=object)

    @cached_property
    def doc_id_array(self) -> np.ndarray:
        """The doc_id (without its stamp) of every chunk."""
        return np.asarray([d.split("@", 1)[0] for d in self.doc_ids], dtype=object)[np.asarray(self.chunk_doc)]

    @cached_property
    def row_of(self) -> dict[str, int]:
        return {cid: i for i, cid in enumerate(self.chunk_ids)}

    @classmethod
    def build(cls, docs: Iterable[tuple[str, list[tuple[str, str]]]], tokenizer: PolicyTokenizer) -> "Segment":
        """From (doc_id, [(chunk_id, text as BM25 sees it)]) in order."""
        doc_ids, chunk_ids, chunk_doc, counts = [], [], [], []
        for doc_id, chunks in docs:
            doc_ids.append(doc_id)
            for chunk_id, text in chunks:
                chunk_ids.append(chunk_id)
                chunk_doc.append(len(doc_ids) - 1)
                counts.append(Counter(tokenizer.terms(text) or ["∅"]))
        return cls._from_counts(doc_ids, chunk_ids, np.asarray(chunk_doc, dtype=np.int32), counts)

    @classmethod
    def _from_counts(cls, doc_ids, chunk_ids, chunk_doc, counts: list[Counter]) -> "Segment":
        vocab = sorted({t for c in counts for t in c})
        column = {t: i for i, t in enumerate(vocab)}
        cols, rows, tf = [], [], []
        for row, c in enumerate(counts):
            for term, n in c.items():
                cols.append(column[term])
                rows.append(row)
                tf.append(n)
        lengths = np.asarray([sum(c.values()) for c in counts], dtype=np.float32)
        return cls._from_triplets(doc_ids, chunk_ids, chunk_doc, vocab, np.asarray(cols, dtype=np.int64),
                                  np.asarray(rows, dtype=np.int32), np.asarray(tf, dtype=np.float32), lengths)

    @classmethod
    def _from_triplets(cls, doc_ids, chunk_ids, chunk_doc, vocab, cols, rows, tf, lengths) -> "Segment":
        order = np.lexsort((rows, cols))
        cols, rows, tf = cols[order], rows[order], tf[order]
        indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.add.at(indptr, cols + 1, 1)
        indptr = np.cumsum(indptr)
        return cls(None, list(doc_ids), list(chunk_ids), np.asarray(chunk_doc, dtype=np.int32), list(vocab), indptr,
                   rows.astype(np.int32), tf.astype(np.float32), np.asarray(lengths, dtype=np.float32))

    @classmethod
    def merge(cls, segments: list["Segment"], keep: frozenset[str]) -> "Segment":
        """One segment with the chunks of the versions in `keep` from `segments` (their counts, remapped)."""
        doc_ids, chunk_ids, chunk_doc, lengths = [], [], [], []
        taken: set[str] = set()
        vocab_index: dict[str, int] = {}
        all_cols, all_rows, all_tf = [], [], []
        for seg in segments:
            live_docs = [i for i, d in enumerate(seg.doc_ids) if d in keep and d not in taken]
            remap_doc = {}
            for i in live_docs:
                remap_doc[i] = len(doc_ids)
                doc_ids.append(seg.doc_ids[i])
                taken.add(seg.doc_ids[i])
            chunk_mask = np.isin(seg.chunk_doc, list(remap_doc)) if remap_doc else np.zeros(len(seg.chunk_ids), bool)
            new_row = np.full(len(seg.chunk_ids), -1, dtype=np.int64)
            new_row[chunk_mask] = np.arange(len(chunk_ids), len(chunk_ids) + int(chunk_mask.sum()))
            for i in np.flatnonzero(chunk_mask):
                chunk_ids.append(seg.chunk_ids[i])
                chunk_doc.append(remap_doc[int(seg.chunk_doc[i])])
            lengths.append(np.asarray(seg.lengths)[chunk_mask])
            term_of = np.repeat(np.arange(len(seg.vocab)), np.diff(np.asarray(seg.indptr)))
            rows = np.asarray(seg.rows)
            kept = chunk_mask[rows]
            if not kept.any():
                continue
            term_ids = np.asarray([vocab_index.setdefault(t, len(vocab_index)) for t in seg.vocab], dtype=np.int64)
            all_cols.append(term_ids[term_of[kept]])
            all_rows.append(new_row[rows[kept]])
            all_tf.append(np.asarray(seg.tf)[kept])
        vocab = [None] * len(vocab_index)
        for term, i in vocab_index.items():
            vocab[i] = term
        empty_i, empty_f = np.zeros(0, np.int64), np.zeros(0, np.float32)
        return cls._from_triplets(doc_ids, chunk_ids, chunk_doc, vocab,
                                  np.concatenate(all_cols) if all_cols else empty_i,
                                  np.concatenate(all_rows) if all_rows else empty_i,
                                  np.concatenate(all_tf) if all_tf else empty_f,
                                  np.concatenate(lengths) if lengths else empty_f)

    # ---- on disk
    def save(self, parent: Path) -> "Segment":
        """Written under a temporary name, then renamed: a reader sees a whole segment or none."""
        name = f"seg-{int(time.time() * 1000):x}-{secrets.token_hex(3)}"
        tmp = parent / f".{name}.tmp"
        tmp.mkdir(parents=True)
        for field in ("indptr", "rows", "tf", "lengths", "chunk_doc"):
            np.save(tmp / f"{field}.npy", np.asarray(getattr(self, field)))
        (tmp / "meta.json").write_text(json.dumps({"doc_ids": self.doc_ids, "chunk_ids": self.chunk_ids,
                                                   "vocab": self.vocab}, ensure_ascii=False), encoding="utf-8")
        tmp.rename(parent / name)
        return Segment.load(parent / name)

    @classmethod
    def load(cls, folder: Path) -> "Segment":
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        arrays = {f: np.load(folder / f"{f}.npy", mmap_mode="r")
                  for f in ("indptr", "rows", "tf", "lengths", "chunk_doc")}
        segment = cls(folder, meta["doc_ids"], meta["chunk_ids"], arrays["chunk_doc"], meta["vocab"], **{
            k: arrays[k] for k in ("indptr", "rows", "tf", "lengths")})
        if len(segment.indptr) != len(segment.vocab) + 1 or len(segment.lengths) != len(segment.chunk_ids) or \
                int(segment.indptr[-1]) != len(segment.rows):
            raise ValueError(f"segment {folder.name} is inconsistent")
        return segment

    @staticmethod
    def doc_list(folder: Path) -> list[str]:
        return json.loads((folder / "meta.json").read_text(encoding="utf-8"))["doc_ids"]


class LexicalIndex:
    """BM25 over the live chunks of one snapshot: `chunk_ids`, `position` and `scores(terms)`.

    `chunk_ids[i]` is the chunk scored at `scores(...)[i]`; only chunks of live versions are in it.
    """

    def __init__(self, segments: list[Segment], live: frozenset[str]):
        """Everything here is vectorized over each segment's cached arrays: a new snapshot costs
        milliseconds however many chunks the index holds."""
        self.segments = segments
        self._live_rows: list[np.ndarray] = []
        total_length = 0.0
        for seg in segments:
            live_docs = [i for i, d in enumerate(seg.doc_ids) if d in live]
            rows = np.flatnonzero(np.isin(np.asarray(seg.chunk_doc), live_docs)) if live_docs else np.zeros(0, np.int64)
            self._live_rows.append(rows)
            total_length += float(np.asarray(seg.lengths)[rows].sum())
        empty = np.zeros(0, dtype=object)
        self.chunk_ids = np.concatenate([s.ids_array[r] for s, r in zip(segments, self._live_rows)] or [empty])
        # the doc_id of every chunk, in the same order (retrieval filters on it for --doc)
        self._docs = np.concatenate([s.doc_id_array[r] for s, r in zip(segments, self._live_rows)] or [empty])
        self.n = len(self.chunk_ids)
        self.avgdl = total_length / self.n if self.n else 1.0
        self._offsets = np.cumsum([0] + [len(r) for r in self._live_rows])
        self._masks, self._local = [], []
        for k, (seg, rows) in enumerate(zip(segments, self._live_rows)):
            mask = np.zeros(len(seg.chunk_ids), dtype=bool)
            mask[rows] = True
            self._masks.append(mask)
            local = np.full(len(seg.chunk_ids), -1, dtype=np.int64)
            local[rows] = np.arange(self._offsets[k], self._offsets[k + 1])
            self._local.append(local)
        self.position = _Positions(self)

    @property
    def chunk_docs(self) -> np.ndarray:
        return self._docs

    def scores(self, terms: list[str]) -> np.ndarray:
        """BM25 of every live chunk for these query terms (a repeated term counts again, as in bm25s)."""
        out = np.zeros(self.n, dtype=np.float64)       # summed in float64, in sorted term order: the same
        if not terms or not self.n:                     # scores in every process (set order is per process)
            return out.astype(np.float32)
        postings: dict[str, list[tuple[int, np.ndarray, np.ndarray]]] = {}
        for term in sorted(set(terms)):
            for k, seg in enumerate(self.segments):
                col = seg.column.get(term)
                if col is None:
                    continue
                start, end = int(seg.indptr[col]), int(seg.indptr[col + 1])
                rows = np.asarray(seg.rows[start:end])
                keep = self._masks[k][rows]
                if keep.any():
                    postings.setdefault(term, []).append((k, rows[keep], np.asarray(seg.tf[start:end])[keep]))
        weight = Counter(terms)
        local = self._local
        for term, parts in postings.items():
            df = sum(len(rows) for _, rows, _ in parts)
            idf = np.log(1.0 + (self.n - df + 0.5) / (df + 0.5))
            for k, rows, tf in parts:
                lengths = np.asarray(self.segments[k].lengths)[rows]
                tfc = tf / (K1 * ((1 - B) + B * lengths / self.avgdl) + tf)
                np.add.at(out, local[k][rows], weight[term] * idf * tfc)
        return out.astype(np.float32)


class _Positions:
    """chunk_id -> its place in `LexicalIndex.chunk_ids`, looked up through the segment that holds it
    (a per-segment dictionary built once per process) instead of a dictionary of every chunk per snapshot."""

    def __init__(self, lexical: LexicalIndex):
        self._lexical = lexical
        self._segment_of: dict[str, int] | None = None

    def _where(self) -> dict[str, int]:
        if self._segment_of is None:
            lexical = self._lexical
            self._segment_of = {d: k for k, seg in enumerate(lexical.segments) for d in
                                np.unique(seg.doc_id_array[lexical._live_rows[k]]).tolist()}
        return self._segment_of

    def get(self, chunk_id: str, default=None):
        k = self._where().get(chunk_id.split(":", 1)[0])
        if k is None:
            return default
        row = self._lexical.segments[k].row_of.get(chunk_id)
        if row is None or self._lexical._local[k][row] < 0:
            return default
        return int(self._lexical._local[k][row])

    def __getitem__(self, chunk_id: str) -> int:
        found = self.get(chunk_id)
        if found is None:
            raise KeyError(chunk_id)
        return found

    def __contains__(self, chunk_id) -> bool:
        return isinstance(chunk_id, str) and self.get(chunk_id) is not None

    def __len__(self) -> int:
        return self._lexical.n


class SegmentSet:
    """The segments under one folder (or in memory when the folder is read-only), and the choice of
    which ones serve a set of live versions."""

    def __init__(self, folder: Path, writable: bool):
        self.folder = folder
        self.writable = writable
        self._loaded: dict[str, Segment] = {}
        self._memory: list[Segment] = []

    def _available(self) -> list[Segment]:
        found = list(self._memory)
        if self.folder.is_dir():
            for path in sorted(self.folder.iterdir()):
                if path.name.startswith("seg-") and path.is_dir():
                    if path.name not in self._loaded:
                        try:
                            self._loaded[path.name] = Segment.load(path)
                        except Exception:        # damaged or half-deleted: not used, rebuilt if needed
                            continue
                    found.append(self._loaded[path.name])
        return found

    def for_live(self, live: list[str], chunks_of: Callable[[str], list[tuple[str, str]]],
                 tokenizer: PolicyTokenizer) -> LexicalIndex:
        """A LexicalIndex over `live`: existing segments where they cover it, one new segment for the
        versions none covers, and a merge when that makes too many."""
        wanted = set(live)
        chosen: list[Segment] = []
        covered: set[str] = set()
        for seg in sorted(self._available(), key=lambda s: -len(s.chunk_ids)):
            docs = set(seg.doc_ids) & wanted
            if docs and not docs & covered:
                chosen.append(seg)
                covered |= docs
        missing = [d for d in live if d not in covered]
        if missing:
            chosen.append(self._keep(Segment.build(((d, chunks_of(d)) for d in missing), tokenizer)))
        if len(chosen) > MAX_SEGMENTS:
            chosen = self._merge_smallest(chosen, frozenset(live))
        return LexicalIndex(chosen, frozenset(live))

    def _merge_smallest(self, chosen: list[Segment], live: frozenset[str]) -> list[Segment]:
        """Merge the smaller half of the segments into one (log-structured: a chunk is rewritten only a
        logarithmic number of times as the index grows)."""
        by_size = sorted(chosen, key=lambda s: len(s.chunk_ids))
        small = by_size[:max(2, len(chosen) - MAX_SEGMENTS // 2)]
        merged = self._keep(Segment.merge(small, live))
        return [s for s in chosen if s not in small] + [merged]

    def _keep(self, segment: Segment) -> Segment:
        if self.writable:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                saved = segment.save(self.folder)
                self._loaded[saved.name] = saved
                return saved
            except OSError:
                self.writable = False       # a full disk or a read-only folder: keep serving from memory
        self._memory.append(segment)
        return segment

    def collect(self, in_use: Iterable[Segment]) -> None:
        """Delete segments no snapshot of this process uses once they are older than the grace period
        (a reader elsewhere that still maps one keeps its pages: unlinking does not unmap)."""
        if not self.writable or not self.folder.is_dir():
            return
        keep = {s.name for s in in_use}
        now = time.time()
        for path in self.folder.iterdir():
            stale_tmp = path.name.startswith(".seg-") and now - path.stat().st_mtime > SEGMENT_GRACE_S
            unused = path.name.startswith("seg-") and path.name not in keep and \
                now - path.stat().st_mtime > SEGMENT_GRACE_S
            if stale_tmp or unused:
                self._loaded.pop(path.name, None)
                shutil.rmtree(path, ignore_errors=True)

    def remove_all(self) -> None:
        self._loaded.clear()
        self._memory.clear()
        if self.writable:
            shutil.rmtree(self.folder, ignore_errors=True)


def bm25_text(text: str, context: str, with_context: bool) -> str:
    """What BM25 indexes for a chunk: its text, after its title and headings when `with_context`."""
    return f"{context}\n{text}" if with_context else text


__all__ = ["LexicalIndex", "Segment", "SegmentSet", "bm25_text"]
