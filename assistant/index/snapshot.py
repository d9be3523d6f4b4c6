"""A snapshot: the index as one manifest generation left it, immutable, with the read API of `Index`.

A question takes one snapshot at its start and reads everything from it: the live document
versions, their clauses and tasks (from the record cache, which never changes a version's rows),
the BM25 segments of exactly those versions, and the chunk vectors filtered to them. A writer's
switch makes a new snapshot for the next question; nothing a snapshot uses is deleted under it
(record rows are content-addressed and kept, segments outlive their last user by a grace period,
and chunk records of replaced versions are only ever filtered out of its dense results).
"""
from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

from ..models import Clause, Document, Task
from ..settings import Settings
from .lexical import LexicalIndex
from .records import LiveRecords, Records, document_from_entry
from .store import ChunkStore, LiveChunks
from .tokenize import PolicyTokenizer


class Snapshot:
    """Read API shared with `Index`: settings, index_dir, embedder, tokenizer, lexical, chunks, clauses(),
    tasks(), documents(), document_entries(), manifest(); `snapshot()` and `pinned()` return itself."""

    def __init__(self, *, settings: Settings, index_dir: Path, embedder: Callable, tokenizer: PolicyTokenizer,
                 manifest: dict, records: Records, lexical: LexicalIndex, chunks: LiveChunks,
                 doc_ids: tuple[str, ...], entry_of: Callable[[str], dict], previous: "Snapshot | None" = None):
        """`previous`: the snapshot this one follows; what did not change is taken from it (a switch that
        changes one document does not rebuild the entries of ten thousand)."""
        self.settings = settings
        self.index_dir = index_dir
        self._embedder = embedder
        self.tokenizer = tokenizer
        self._manifest = manifest
        self._records = records
        self.lexical = lexical
        self.chunks: ChunkStore = chunks
        self.doc_ids = doc_ids
        self.generation = int(manifest["generation"])
        live = manifest["live"]
        old_live = previous._manifest["live"] if previous else {}
        old_entries = previous._by_id if previous else {}
        old_documents = previous._documents if previous else {}
        self._by_id: dict[str, dict] = {}
        self._documents: dict[str, Document] = {}
        for doc_id in doc_ids:
            state = live[doc_id]
            if old_live.get(doc_id) == state and doc_id in old_entries:
                self._by_id[doc_id] = old_entries[doc_id]
                self._documents[doc_id] = old_documents[doc_id]
                continue
            entry = {**entry_of(doc_id), "source": state["source"], "version": state["version"],
                     "protected": bool(state.get("protected")), "vectors": bool(state.get("vectors"))}
            self._by_id[doc_id] = entry
            self._documents[doc_id] = document_from_entry(entry)
        self._entries = list(self._by_id.values())
        self._clauses = LiveRecords(records, "clause", doc_ids, {d: e.get("clauses", 0) for d, e in self._by_id.items()})
        self._tasks = LiveRecords(records, "task", doc_ids, {d: e.get("tasks", 0) for d, e in self._by_id.items()})

    @property
    def embedder(self):
        """The index's embedder (loaded on first use: a BM25-only question never loads the model)."""
        return self._embedder()

    def clauses(self) -> dict[str, Clause]:
        """clause_id -> Clause of the live versions (read from SQLite when asked for)."""
        return self._clauses

    def tasks(self) -> dict[str, Task]:
        """task_id -> Task of the live versions, document by document in reading order."""
        return self._tasks

    def documents(self) -> dict[str, Document]:
        return self._documents

    def document_entries(self) -> list[dict]:
        """The manifest entries of the live versions (title, 文号, source, sha256, clauses, chunks, version,
        protected, vectors …)."""
        return [dict(e) for e in self._entries]

    def manifest(self, refresh: bool = False) -> dict:
        return self._manifest

    def snapshot(self) -> "Snapshot":
        return self

    def pinned(self):
        return nullcontext(self)

    def __repr__(self) -> str:
        return f"<Snapshot generation {self.generation}: {len(self.doc_ids)} documents>"
