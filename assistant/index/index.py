"""The index: Chroma records + manifest + derived BM25, and the ingest/remove that change them.

Every change builds a new generation (a new chunk collection: unchanged chunks copied with their
vectors, new ones embedded), then switches the manifest to it in one write, then drops the old one.
A failure or a kill before the switch leaves the old generation in force; leftovers are dropped by
the next writer. One writer at a time: an exclusive lock file under the index folder.
"""
from __future__ import annotations

import fcntl
import json
import os
import secrets
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..documents.load import SUPPORTED_SUFFIXES, load_file
from ..errors import LoadError, PolicyQAError
from ..models import Chunk, Clause, Document, Task
from ..serialize import clause_from_record, task_from_record
from ..settings import Settings
from ..tasks.parse import PARSER_VERSION, parse_loaded
from .chunk import chunk_clause
from .embed import CachedEmbedder, Embedder, load_embedder
from .lexical import LexicalIndex
from .manifest import chunk_metadata, document_entry, document_from_entry, package_versions
from .store import CHUNK_PREFIX, ChromaStore, ChunkStore, StoreError, connect
from .tokenize import PolicyTokenizer, shared_tokenizer, vocabulary


class IndexMismatch(PolicyQAError):
    pass


class IndexBusy(PolicyQAError):
    pass


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)     # (file, why)
    failed: list[tuple[str, str]] = field(default_factory=list)      # (file, reason)
    chunks_embedded: int = 0
    chunks_cached: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced)


def expand_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files to ingest from files and folders; paths that do not exist are reported, not raised."""
    files, missing = [], []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES))
        elif path.exists():
            files.append(path)
        else:
            missing.append((str(path), "no such file or folder"))
    return files, missing


# ---------------------------------------------------------------- the index

class Index:
    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None):
        self.settings = settings or Settings.from_env()
        self.index_dir = Path(self.settings.index_dir)
        self._embedder = embedder
        self.store = ChromaStore(connect(self.index_dir, self.settings.chroma_url))
        self._manifest: dict | None = None
        self._loaded_key: str | None = None
        self._clauses: dict[str, Clause] = {}
        self._tasks: dict[str, Task] = {}
        self._documents: dict[str, Document] = {}
        self._lexical: LexicalIndex | None = None
        self._tokenizer: PolicyTokenizer | None = None

    # ---- pieces loaded on demand, once
    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = load_embedder(self.settings.model)
        return self._embedder

    def _cached_embedder(self) -> CachedEmbedder:
        if not isinstance(self.__dict__.get("_cache"), CachedEmbedder):
            path = self.settings.embedding_cache or (self.index_dir / "embeddings.sqlite")
            self._cache = CachedEmbedder(self.embedder, Path(path))
        return self._cache

    def manifest(self, refresh: bool = False) -> dict | None:
        if self._manifest is None or refresh:
            self._manifest = self.store.read_manifest()
        return self._manifest

    def check_compatible(self, manifest: dict) -> None:
        """The index must have been built with the model and chunking in use now."""
        built = manifest.get("settings", {})
        wanted = self.settings.stored(self.embedder.model_id, self.embedder.dim)
        differences = [f"{key}: index has {built.get(key)!r}, settings say {value!r}"
                       for key, value in wanted.items() if built.get(key) != value]
        if differences:
            where = self.settings.chroma_url or str(self.index_dir)
            raise IndexMismatch(f"the index at {where} was built with other settings ({'; '.join(differences)}). "
                                f"Rebuild it: policyqa ingest --rebuild corpus/  (or use the settings it was built with)")

    def _tokenizer_for(self, words: Iterable[str]) -> PolicyTokenizer:
        return shared_tokenizer(tuple(sorted(set(words))), str(self.index_dir / ".cache"))

    @property
    def tokenizer(self) -> PolicyTokenizer:
        self._ensure_loaded()
        return self._tokenizer

    def _ensure_loaded(self) -> None:
        now = time.monotonic()
        if self._loaded_key is not None and now - self.__dict__.get("_checked_at", 0.0) < self.settings.manifest_ttl:
            return
        self._checked_at = now
        manifest = self.manifest(refresh=True)
        if manifest is None:
            raise PolicyQAError(f"the index at {self.settings.chroma_url or self.index_dir} is empty; "
                                f"add documents with: policyqa ingest corpus/")
        key = manifest["collection"]
        if key == self._loaded_key:
            return
        self.check_compatible(manifest)
        self._documents = {d: document_from_entry(e) for d, e in manifest["documents"].items()}
        self._tokenizer = self._tokenizer_for(manifest.get("vocabulary", []))
        collection = self.store.collection(key)
        clauses, tasks, chunk_ids, texts = {}, {}, [], []
        for rid, document, meta in collection.records():
            if "clause" in meta:
                clauses[meta["clause_id"]] = clause_from_record(meta["doc_id"], meta["clause"])
                for record in json.loads(meta.get("tasks") or "[]"):
                    task = task_from_record(meta["doc_id"], record)
                    tasks[task.task_id] = task
            chunk_ids.append(rid)
            texts.append(f"{meta.get('context', '')}\n{document}" if self.settings.lexical_context else document)
        self._clauses = clauses
        self._tasks = tasks
        self._lexical = self._load_lexical(key, chunk_ids, texts)
        self._collection = collection
        self._loaded_key = key

    def _lexical_key(self, collection: str) -> str:
        return f"{collection}|{self._tokenizer.fingerprint}|ctx={int(self.settings.lexical_context)}"

    def _lexical_dir(self, collection: str) -> Path:
        return self.index_dir / "lexical" / collection

    def _load_lexical(self, collection: str, chunk_ids: list[str], texts: list[str]) -> LexicalIndex:
        key = self._lexical_key(collection)
        folder = self._lexical_dir(collection)
        cached = LexicalIndex.load(folder, key)
        if cached is not None and sorted(cached.chunk_ids) == sorted(chunk_ids):
            return cached
        lexical = LexicalIndex.build(chunk_ids, texts, self._tokenizer, key)
        try:
            lexical.save(folder)
        except OSError:
            pass          # a read-only index folder still searches; it just rebuilds next time
        return lexical

    # ---- read side
    @property
    def chunks(self) -> ChunkStore:
        """The chunk records in force (dense search goes through this protocol)."""
        self._ensure_loaded()
        return self._collection

    @property
    def lexical(self) -> LexicalIndex:
        self._ensure_loaded()
        return self._lexical

    def clauses(self) -> dict[str, Clause]:
        self._ensure_loaded()
        return self._clauses

    def tasks(self) -> dict[str, Task]:
        """Every task of the indexed documents by task_id, in reading order within a document."""
        self._ensure_loaded()
        return self._tasks

    def documents(self) -> dict[str, Document]:
        self._ensure_loaded()
        return self._documents

    def document_entries(self) -> list[dict]:
        manifest = self.manifest(refresh=True)
        return list(manifest["documents"].values()) if manifest else []

    # ---- write side
    @contextmanager
    def _writer_lock(self):
        self.index_dir.mkdir(parents=True, exist_ok=True)
        path = self.index_dir / ".lock"
        with open(path, "a+") as handle:
            deadline = time.monotonic() + self.settings.lock_timeout
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise IndexBusy(f"another policyqa ingest is writing to {self.index_dir} "
                                        f"(waited {self.settings.lock_timeout:.0f} s); try again when it ends")
                    time.sleep(0.2)
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _drop_leftovers(self, keep: str | None) -> None:
        for name in self.store.chunk_collections():
            if name != keep:
                self.store.drop(name)
                self._remove_lexical(name)

    def _remove_lexical(self, name: str) -> None:
        import shutil

        shutil.rmtree(self._lexical_dir(name), ignore_errors=True)

    def ingest(self, paths: Iterable[str | Path], rebuild: bool = False,
               progress: Callable[[str], None] | None = None) -> IngestReport:
        """Add new files, replace changed ones, skip unchanged ones; all or nothing for the index."""
        started = time.perf_counter()
        say = progress or (lambda message: None)
        report = IngestReport()
        files, missing = expand_paths(paths)
        report.failed.extend(missing)
        with self._writer_lock():
            manifest = self.manifest(refresh=True)
            if manifest is not None and not rebuild:
                self.check_compatible(manifest)
            old_docs = dict(manifest["documents"]) if manifest and not rebuild else {}
            by_source = {e["source"]: d for d, e in old_docs.items()}
            stale = {d for d, e in old_docs.items() if e.get("parser_version") != PARSER_VERSION}
            incoming: dict[str, tuple] = {}           # doc_id -> (parsed, sha256)
            replaced_ids: set[str] = set()
            for number, path in enumerate(files, start=1):
                say(f"[{number}/{len(files)}] reading {path.name}")
                try:
                    loaded = load_file(path)
                    parsed = parse_loaded(loaded)
                except LoadError as exc:
                    report.failed.append((str(path), exc.reason))
                    continue
                except Exception as exc:              # a parser bug must not take the other files down
                    report.failed.append((str(path), f"cannot parse ({type(exc).__name__}: {exc})"))
                    continue
                doc_id = parsed.document.doc_id
                name = path.name
                if doc_id in stale and doc_id not in replaced_ids:      # parsed by an older policyqa
                    replaced_ids.add(doc_id)
                    report.replaced.append(name)
                    incoming[doc_id] = (parsed, loaded.sha256)
                    continue
                if doc_id in old_docs and doc_id not in replaced_ids:
                    same = old_docs[doc_id]["source"]
                    report.skipped.append((name, "unchanged" if same == name else f"same content as {same}"))
                    continue
                if doc_id in incoming:
                    report.skipped.append((name, f"same content as {incoming[doc_id][0].document.source}"))
                    continue
                if name in by_source and by_source[name] != doc_id:
                    replaced_ids.add(by_source[name])
                    report.replaced.append(name)
                else:
                    report.added.append(name)
                incoming[doc_id] = (parsed, loaded.sha256)
            if not incoming and not rebuild:
                report.seconds = time.perf_counter() - started
                return report
            keep = {d: e for d, e in old_docs.items() if d not in replaced_ids}
            self._build_generation(manifest, keep, incoming, report, say)
        report.seconds = time.perf_counter() - started
        return report

    def remove(self, which: str) -> dict:
        """Drop one document, named by doc_id (or a prefix of it) or by file name."""
        with self._writer_lock():
            manifest = self.manifest(refresh=True)
            if manifest is None:
                raise PolicyQAError("the index is empty; nothing to remove")
            docs = manifest["documents"]
            hits = [d for d, e in docs.items() if e["source"] == which or d == which] or \
                   [d for d in docs if len(which) >= 6 and d.startswith(which)]
            if len(hits) != 1:
                known = ", ".join(sorted(e["source"] for e in docs.values()))
                raise PolicyQAError(f"no single indexed document matches '{which}'"
                                    f"{' (several do)' if hits else ''}; indexed: {known}")
            entry = docs[hits[0]]
            keep = {d: e for d, e in docs.items() if d != hits[0]}
            self._build_generation(manifest, keep, {}, IngestReport(), lambda m: None)
            return entry

    def _build_generation(self, manifest: dict | None, keep: dict, incoming: dict, report: IngestReport,
                          say: Callable[[str], None]) -> None:
        embedder = self.embedder
        old_name = manifest["collection"] if manifest else None
        self._drop_leftovers(keep=old_name)
        new_name = f"{CHUNK_PREFIX}{int(time.time())}-{secrets.token_hex(3)}"
        collection = self.store.create(new_name)
        try:
            if keep and old_name:
                say(f"copying {sum(e['chunks'] for e in keep.values())} unchanged chunks")
                self._copy_chunks(self.store.collection(old_name), collection, set(keep))
            words = set()
            for entry in keep.values():
                words.update(entry.get("vocabulary", []))
            new_words = {d: vocabulary(parsed.clauses) for d, (parsed, _) in incoming.items()}
            for w in new_words.values():
                words.update(w)
            tokenizer = self._tokenizer_for(words)
            documents = dict(keep)
            pending: list[tuple[Document, Clause, Chunk]] = []
            tasks_of: dict[str, list[Task]] = {}
            for doc_id, (parsed, sha256) in incoming.items():
                for task in parsed.tasks:
                    tasks_of.setdefault(task.clause_id, []).append(task)
                chunks = [(parsed.document, clause, chunk) for clause in parsed.clauses
                          for chunk in chunk_clause(parsed.document, clause, tokenizer, self.settings.chunk_tokens)]
                pending.extend(chunks)
                documents[doc_id] = document_entry(parsed.document, sha256, len(parsed.clauses), len(chunks),
                                                    new_words[doc_id])
            say(f"embedding {len(pending)} chunks of {len(incoming)} documents with {embedder.model_id}")
            cached = self._cached_embedder()
            t0 = time.perf_counter()
            hits_before, misses_before = cached.hits, cached.misses
            vectors = cached.encode_passages(
                [c.embed_text for _, _, c in pending],
                progress=lambda done, total: say(f"embedding {done}/{total}"))
            report.embed_seconds += time.perf_counter() - t0
            report.chunks_embedded += cached.misses - misses_before
            report.chunks_cached += cached.hits - hits_before
            collection.add([c.chunk_id for _, _, c in pending], vectors, [c.text for _, _, c in pending],
                           [chunk_metadata(d, cl, c, tasks_of.get(cl.clause_id, ())) for d, cl, c in pending])
            new_manifest = {
                "collection": new_name,
                "settings": self.settings.stored(embedder.model_id, embedder.dim),
                "versions": package_versions(),
                "documents": documents,
                "vocabulary": sorted(words),
                "updated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            }
            self.store.write_manifest(new_manifest)          # the switch
        except BaseException:
            self.store.drop(new_name)
            raise
        self._manifest = new_manifest
        if old_name:
            self.store.drop(old_name)
            self._remove_lexical(old_name)
        self._loaded_key = None
        try:
            self._ensure_loaded()                             # builds and caches the BM25 data now
        except StoreError:
            pass

    def _copy_chunks(self, source: ChunkStore, target: ChunkStore, doc_ids: set[str]) -> None:
        batch: list[tuple] = []
        for row in source.records(with_vectors=True):
            if row[2]["doc_id"] in doc_ids:
                batch.append(row)
            if len(batch) >= self.store.batch_size:
                self._add_rows(target, batch)
                batch = []
        if batch:
            self._add_rows(target, batch)

    def _add_rows(self, target: ChunkStore, rows: list[tuple]) -> None:
        import numpy as np

        target.add([r[0] for r in rows], np.stack([np.asarray(r[3], dtype=np.float32) for r in rows]),
                   [r[1] for r in rows], [r[2] for r in rows])
