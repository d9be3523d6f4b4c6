"""The index: document versions in Chroma, a manifest that says which are live, snapshots for readers,
and the writes (ingest, remove, restore, protect) that cost the documents they change.

A write, holding the writer's place (lease.py): parse each file; store the new version (its records
in Chroma's document collection and the local record cache); switch the manifest so the new versions
are live with `vectors: false` (they answer from BM25 and their fields from this moment: a new BM25
segment holds just them); embed their chunks and add the vectors; switch again with `vectors: true`;
then delete the chunk records of versions retired long enough ago that no question still reads them
(`Settings.retire_seconds`; readers filter them out until then). Nothing is copied from the
rest of the index, so a write costs its documents, not the index.

A kill or a failure before the first switch leaves the old manifest in force (stored versions that
no manifest names are inert); after it, the versions are live lexically and the next write finishes
their vectors (and the deletes). Readers go through `snapshot()`: the accessors of `Index` follow the
newest manifest (checked at most every `Settings.manifest_ttl` seconds), and `pinned()` holds one
snapshot for every read of a question.

A document is identified by its normalised text (manifest.text_key): the same content under another
name or format is skipped ("already indexed as …"). A different file with a live document's name
is kept under a new name unless `replace=True`; a protected document is never replaced or removed;
every version stays in `history()` and `restore()` brings it back.
"""
from __future__ import annotations

import dataclasses
import os
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..documents.load import SUPPORTED_SUFFIXES, load_file
from ..errors import LoadError, PolicyQAError
from ..models import Clause, Document, Task
from ..settings import Settings
from ..tasks.parse import parse_loaded
from .chunk import chunk_clause
from .embed import CachedEmbedder, Embedder, load_embedder
from .lease import IndexBusy, writer
from .lexical import LexicalIndex, SegmentSet, bm25_text
from .manifest import (empty_manifest, free_name, now, package_versions, payload, stamp, text_key,
                       version_entry)
from .records import Records
from .snapshot import Snapshot
from .store import CHUNK_PREFIX, REBUILD_HINT, ChromaStore, ChunkStore, LiveChunks, StoreError, connect, describe
from .tokenize import PolicyTokenizer, vocabulary

__all__ = ["Index", "IndexBusy", "IndexMismatch", "IngestReport", "expand_paths", "Snapshot"]


class IndexMismatch(PolicyQAError):
    pass


@dataclass
class IngestReport:
    """What an ingest did, file by file. Names are file names as given; `kept_as_new` pairs a file with
    the name it is stored under; `skipped` and `failed` give the reason."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)     # (file, why)
    kept_as_new: list[tuple[str, str]] = field(default_factory=list)  # (file, stored source name)
    failed: list[tuple[str, str]] = field(default_factory=list)      # (file, reason)
    chunks_embedded: int = 0
    chunks_cached: int = 0
    seconds: float = 0.0
    parse_seconds: float = 0.0
    lexical_seconds: float = 0.0      # from the start until the new versions answered lexically
    embed_seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced or self.kept_as_new)


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


def _step(progress, stage: str, done: int, total: int, detail: str = "") -> None:
    """Report progress: `progress.step(stage, done, total, detail)` when it has one (the CLI's bars),
    else `progress(message)` (the web app's one line)."""
    if progress is None:
        return
    step = getattr(progress, "step", None)
    if step is not None:
        step(stage, done, total, detail)
    else:
        progress(f"{stage} {done}/{total} {detail}".rstrip())


@contextmanager
def _disk_errors(where: str):
    """A full disk, a read-only folder or a vanished file while writing: one message, not a trace."""
    try:
        yield
    except OSError as exc:
        raise StoreError(f"cannot write to {where} ({exc.strerror or exc})") from exc


class Index:
    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None):
        self.settings = settings or Settings.from_env()
        self.index_dir = Path(self.settings.index_dir)
        self._embedder = embedder
        self.where = describe(self.settings.chroma_url, self.index_dir)
        self.read_only = self.index_dir.exists() and not os.access(self.index_dir, os.W_OK)
        self.store = self._connect(fresh=False)
        self._records: Records | None = None
        self._segments = SegmentSet(self.index_dir / "lexical" / f"ctx{int(self.settings.lexical_context)}",
                                    writable=not self.read_only)
        self._tokenizer: PolicyTokenizer | None = None
        self._tokenizer_docs: set[str] = set()
        self._snapshot: Snapshot | None = None
        self._checked_at = 0.0
        self._lock = threading.RLock()
        self._pins = threading.local()
        self._cache: CachedEmbedder | None = None
        self._verified: set[tuple[str, str]] = set()     # (doc_id, stamp) whose rows are in the record cache
        self._entries: dict[str, dict] = {}

    def _connect(self, fresh: bool) -> ChromaStore:
        chroma_path = None
        if self.read_only and not self.settings.chroma_url:
            chroma_path = self._private_copy(self.index_dir / "chroma")
        return ChromaStore(connect(self.index_dir, self.settings.chroma_url, chroma_path, fresh=fresh), self.where)

    def _reconnect_if_stale(self, generation: int | None) -> None:
        """An embedded index written by another process since this process's Chroma system loaded it: open
        it afresh (see store.connect). Writes made in this process go through the same system and keep it
        current. A Chroma server is one process for everybody, so nothing is needed there."""
        if self.settings.chroma_url:
            return
        system = self.store.system
        known = getattr(system, "policyqa_generation", None)
        if known is not None and generation != known:
            self.store = self._connect(fresh=True)
            system = self.store.system
        self._mark_current(generation)

    def _mark_current(self, generation: int | None) -> None:
        if self.store.system is not None:
            self.store.system.policyqa_generation = generation

    # ---------------------------------------------------------------- pieces loaded once
    @staticmethod
    def _private_copy(chroma: Path) -> Path:
        """Chroma cannot open a folder it may not write: a read-only index is searched from a private copy."""
        copy = Path(tempfile.mkdtemp(prefix="policyqa-readonly-")) / "chroma"
        if chroma.exists():
            shutil.copytree(chroma, copy)
        return copy

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = load_embedder(self.settings.model)
        return self._embedder

    @property
    def records(self) -> Records:
        if self._records is None:
            self._records = Records(self.index_dir / "records.sqlite", read_only=self.read_only)
        return self._records

    def _cached_embedder(self) -> CachedEmbedder:
        if self._cache is None:
            path = self.settings.embedding_cache or (self.index_dir / "embeddings.sqlite")
            self._cache = CachedEmbedder(self.embedder, Path(path))
        return self._cache

    def _stored_settings(self) -> dict:
        return self.settings.stored(self.embedder.model_id, self.embedder.dim)

    def check_compatible(self, manifest: dict) -> None:
        """The index must have been built with the model and chunking in use now."""
        built = manifest.get("settings", {})
        wanted = self._stored_settings()
        differences = [f"{key}: index has {built.get(key)!r}, settings say {value!r}"
                       for key, value in wanted.items() if built.get(key) != value]
        if differences:
            raise IndexMismatch(f"{self.where} was built with other settings ({'; '.join(differences)}). "
                                f"Rebuild it: policyqa ingest --rebuild corpus/  (or use the settings it was built with)")

    def _tokenizer_with(self, doc_ids: Iterable[str], extra_words: Iterable[str] = ()) -> PolicyTokenizer:
        """The index's tokenizer with the vocabulary (agency names, quoted terms) of these versions added.
        Words are only ever added, so a segment tokenized earlier stays valid."""
        with self._lock:
            new = [d for d in doc_ids if d not in self._tokenizer_docs]
            words = set(extra_words)
            for doc_id in new:
                words.update(self.records.vocabulary(doc_id))
            if self._tokenizer is None:
                self._tokenizer = PolicyTokenizer(words)
            else:
                self._tokenizer.add_words(words)
            self._tokenizer_docs.update(new)
            return self._tokenizer

    # ---------------------------------------------------------------- snapshots (the read side)
    def snapshot(self) -> Snapshot:
        """The newest snapshot (the manifest is looked at at most every `Settings.manifest_ttl` s)."""
        pinned = getattr(self._pins, "snapshot", None)
        if pinned is not None:
            return pinned
        now_ = time.monotonic()
        current = self._snapshot
        if current is not None and now_ - self._checked_at < self.settings.manifest_ttl:
            return current
        with self._lock:
            generation = self.store.read_generation()
            self._checked_at = time.monotonic()
            if self._snapshot is not None and generation == self._snapshot.generation:
                return self._snapshot
            self._reconnect_if_stale(generation)
            manifest = self.store.read_manifest()
            if manifest is None:
                raise PolicyQAError(f"{self.where} is empty; add documents with: policyqa ingest corpus/")
            self._snapshot = self._build_snapshot(manifest)
            return self._snapshot

    @contextmanager
    def pinned(self):
        """Every read of this thread inside the block sees one snapshot (re-entrant)."""
        if getattr(self._pins, "snapshot", None) is not None:
            yield self._pins.snapshot
            return
        snap = self.snapshot()
        self._pins.snapshot = snap
        try:
            yield snap
        finally:
            self._pins.snapshot = None

    def _build_snapshot(self, manifest: dict) -> Snapshot:
        self.check_compatible(manifest)
        live = manifest["live"]
        doc_ids = tuple(sorted(live, key=lambda d: (live[d]["source"], d)))
        unchecked = [d for d in doc_ids if (d, live[d]["stamp"]) not in self._verified]
        self._fetch_missing([d for d in unchecked if not self.records.current(d, live[d]["stamp"])])
        self._verified.update((d, live[d]["stamp"]) for d in unchecked)
        tokenizer = self._tokenizer_with(doc_ids)
        keys = [f"{d}@{live[d]['stamp']}" for d in doc_ids]
        lexical = self._segments.for_live(keys, self._bm25_chunks, tokenizer)
        chunks = self.store.chunks(manifest["chunks"])
        snap = Snapshot(settings=self.settings, index_dir=self.index_dir, embedder=lambda: self.embedder,
                        tokenizer=tokenizer, manifest=manifest, records=self.records, lexical=lexical,
                        chunks=LiveChunks(chunks, frozenset(d for d in doc_ids if live[d].get("vectors")),
                                          self.settings.candidates), doc_ids=doc_ids,
                        entry_of=self._entry, previous=self._snapshot)
        self._segments.collect(lexical.segments)
        return snap

    def _entry(self, doc_id: str) -> dict:
        """A version's stored entry, read once per process (the rows of a doc_id never change)."""
        entry = self._entries.get(doc_id)
        if entry is None:
            entry = self._entries[doc_id] = self.records.entry(doc_id) or {}
        return entry

    def _bm25_chunks(self, key: str) -> list[tuple[str, str]]:
        doc_id = key.split("@", 1)[0]
        return [(cid, bm25_text(text, context, self.settings.lexical_context))
                for cid, _, text, context in self.records.chunks(doc_id)]

    def _fetch_missing(self, doc_ids: list[str]) -> None:
        """Versions another machine added through the same server: their records, from Chroma, once."""
        if not doc_ids:
            return
        got = self.store.get_versions(doc_ids)
        lost = [d for d in doc_ids if d not in got]
        if lost:
            raise StoreError(f"{self.where} names document versions whose records are missing "
                             f"({', '.join(lost[:3])}); {REBUILD_HINT}")
        for doc_id, (_, stored) in got.items():
            self.records.put(doc_id, stored)
            self._entries.pop(doc_id, None)

    # ---- the read API, following the current snapshot (or the pinned one)
    @property
    def tokenizer(self) -> PolicyTokenizer:
        return self.snapshot().tokenizer

    @property
    def lexical(self) -> LexicalIndex:
        return self.snapshot().lexical

    @property
    def chunks(self) -> ChunkStore:
        """The chunk records of the live versions (dense search goes through this protocol)."""
        return self.snapshot().chunks

    def clauses(self) -> dict[str, Clause]:
        return self.snapshot().clauses()

    def tasks(self) -> dict[str, Task]:
        """Every task of the live versions by task_id, in reading order within a document."""
        return self.snapshot().tasks()

    def documents(self) -> dict[str, Document]:
        return self.snapshot().documents()

    def document_entries(self) -> list[dict]:
        """Entries of the live versions; [] for an empty index."""
        try:
            return self.snapshot().document_entries()
        except PolicyQAError:
            if self.store.read_generation() is None:
                return []
            raise

    def manifest(self, refresh: bool = False) -> dict | None:
        """The manifest in force (None for an empty index); `refresh` reads it from the store now."""
        if refresh:
            self._checked_at = 0.0
        try:
            return self.snapshot().manifest()
        except PolicyQAError:
            if self.store.read_generation() is None:
                return None
            raise

    # ---------------------------------------------------------------- writes
    @contextmanager
    def _writing(self):
        if self.read_only:
            raise PolicyQAError(f"the index folder {self.index_dir} is read-only; it can be searched, not changed")
        self._check_free_space()
        with writer(self.index_dir, self.store, bool(self.settings.chroma_url), self.settings.lock_timeout,
                    self.settings.lease_seconds) as lease:
            with _disk_errors(self.index_dir):
                with self._lock:
                    self._reconnect_if_stale(self.store.read_generation())
                yield _Write(self, lease)

    def _check_free_space(self) -> None:
        """Refuse to write with less than `Settings.min_free_mb` free: Chroma's embedded store does not fail
        on a full disk, it waits for space, so the writer would hang holding the lock."""
        folder = self.index_dir if self.index_dir.exists() else self.index_dir.parent
        try:
            free = shutil.disk_usage(folder).free / 2**20
        except OSError:
            return
        if free < self.settings.min_free_mb:
            raise StoreError(f"not enough free disk space for {self.index_dir} ({free:.0f} MB free, policyqa needs "
                             f"{self.settings.min_free_mb} MB to write safely); free some space and run it again")

    def ingest(self, paths: Iterable[str | Path], *, rebuild: bool = False, replace: bool = False,
               protect: bool = False, progress: Callable | None = None) -> IngestReport:
        """Add files and folders. See the module docstring for what is added, skipped, kept as new or
        replaced; `rebuild` starts a new index from these paths only; `protect` marks what this adds."""
        started = time.perf_counter()
        report = IngestReport()
        files, missing = expand_paths(paths)
        report.failed.extend(missing)
        with self._writing() as write:
            write.begin(rebuild)
            for number, path in enumerate(files, start=1):
                _step(progress, "parse", number - 1, len(files), path.name)
                write.add_file(path, report, replace=replace, protect=protect)
            _step(progress, "parse", len(files), len(files))
            report.parse_seconds = time.perf_counter() - started
            write.commit(report, progress, started)
        report.seconds = time.perf_counter() - started
        return report

    def remove(self, doc: str) -> dict:
        """Take a live document (doc_id, a prefix of one, or its file name) out; its versions stay in
        history. A protected document is refused."""
        with self._writing() as write:
            write.begin(False)
            doc_id = write.resolve_live(doc)
            entry = write.entry(doc_id)
            write.refuse_protected(doc_id, "removed")
            write.retire(doc_id)
            write.commit(IngestReport(), None, time.perf_counter())
            return entry

    def set_protected(self, doc: str, protected: bool = True) -> dict:
        """Mark a live document protected (never replaced or removed) or not."""
        with self._writing() as write:
            write.begin(False)
            doc_id = write.resolve_live(doc)
            write.live[doc_id] = {**write.live[doc_id], "protected": bool(protected)}
            write.changed = True
            write.commit(IngestReport(), None, time.perf_counter())
            return {**write.entry(doc_id), "protected": bool(protected)}

    def history(self, doc: str) -> list[dict]:
        """Every version of a document (by file name, or doc_id or prefix of any version), oldest first:
        version, doc_id, source, title, sha256, ingested_at, live."""
        manifest = self.store.read_manifest()
        if manifest is None:
            raise PolicyQAError(f"{self.where} is empty; nothing has a history")
        name = _resolve_name(manifest, doc)
        versions = manifest["names"][name]
        stored = self.store.get_versions(versions, with_payload=False)
        out = []
        for number, doc_id in enumerate(versions, start=1):
            entry = stored.get(doc_id, ({}, None))[0]
            out.append({"version": number, "doc_id": doc_id, "source": name, "title": entry.get("title"),
                        "sha256": entry.get("sha256"), "ingested_at": entry.get("ingested_at"),
                        "live": doc_id in manifest["live"]})
        return out

    def restore(self, doc: str, version: int) -> dict:
        """Make version `version` (1 = the first) of a document the live one again."""
        with self._writing() as write:
            write.begin(False)
            name = _resolve_name(write.manifest, doc)
            versions = write.names[name]
            if not 1 <= int(version) <= len(versions):
                raise PolicyQAError(f"{name} has versions 1 to {len(versions)}; see: policyqa history {name}")
            target = versions[int(version) - 1]
            if target in write.live:
                return {**write.entry(target), "version": int(version), "restored": False}
            current = write.live_by_source().get(name)
            if current is not None:
                write.refuse_protected(current, "replaced")
                write.retire(current)
            write.make_live_again(target, name, int(version))
            write.commit(IngestReport(), None, time.perf_counter())
            return {**write.entry(target), "version": int(version), "restored": True}


def _resolve_name(manifest: dict, doc: str) -> str:
    """A document's file name from a file name, or a doc_id (or a prefix of 6+ characters) of any version."""
    names = manifest["names"]
    if doc in names:
        return doc
    hits = {name for name, versions in names.items() for d in versions
            if d == doc or (len(doc) >= 6 and d.startswith(doc))}
    if len(hits) != 1:
        raise PolicyQAError(f"no single document matches '{doc}'{' (several do)' if hits else ''}; "
                            f"see: policyqa docs")
    return hits.pop()


class _Write:
    """One write in progress, holding the writer's place: a working copy of the manifest and the
    versions it adds, then the two switches (see the module docstring)."""

    def __init__(self, index: Index, lease):
        self.index = index
        self.lease = lease
        self.store = index.store
        self.settings = index.settings
        self.changed = False
        self.incoming: list[str] = []        # doc_ids whose vectors this write adds
        self.reparse: set[str] = set()       # live doc_ids parsed again (a newer parser): old chunks go first
        self.unsaved: list[tuple[str, dict, dict]] = []     # versions parsed, not yet stored in Chroma

    # ---- the working copy
    def begin(self, rebuild: bool) -> None:
        manifest = self.store.read_manifest()
        stored = self.index._stored_settings()
        if manifest is not None and not rebuild:
            self.index.check_compatible(manifest)
        self.old_chunks = manifest["chunks"] if manifest else None
        if manifest is None or rebuild:
            chunks = f"{CHUNK_PREFIX}{int(time.time())}-{secrets.token_hex(3)}"
            base = empty_manifest(chunks, stored, package_versions())
            if manifest is not None:
                base["generation"] = manifest["generation"]
            self.changed = rebuild
            manifest = base
        self.rebuild = rebuild
        self.manifest = manifest
        # shallow copies: an entry or a name's list is replaced, never changed in place
        self.live: dict[str, dict] = dict(manifest["live"])
        self.names: dict[str, list[str]] = dict(manifest["names"])
        self.retired: list[list] = [list(r) for r in manifest.get("retired", [])]     # [doc_id, retired at]
        self.retired_shards: list[list] = [list(r) for r in manifest.get("retired_shards", [])]
        self.stamp = stamp(self.settings.chunk_tokens)
        self.before = (dict(self.live), dict(self.names), [list(r) for r in self.retired])
        # versions a killed writer made live without vectors: this write finishes them
        self.incoming = [d for d, e in self.live.items() if not e.get("vectors")]
        self._index_live()

    def _index_live(self) -> None:
        """Live versions by file name and by text identity, kept up to date as the write goes (a folder of
        10,000 files must not rescan the manifest for each one)."""
        self.by_source = {e["source"]: d for d, e in self.live.items()}
        self.by_key = {e["text_key"]: d for d, e in self.live.items() if e.get("text_key")}

    def live_by_source(self) -> dict[str, str]:
        return self.by_source

    def entry(self, doc_id: str) -> dict:
        entry = self.index.records.entry(doc_id)
        if entry is None:
            entry = self.store.get_versions([doc_id], with_payload=False).get(doc_id, ({}, None))[0]
        live = self.live.get(doc_id, {})
        return {**entry, **{k: live[k] for k in ("source", "version", "protected") if k in live}}

    def resolve_live(self, doc: str) -> str:
        by_source = self.live_by_source()
        hits = [by_source[doc]] if doc in by_source else \
            [d for d in self.live if d == doc] or [d for d in self.live if len(doc) >= 6 and d.startswith(doc)]
        if len(hits) != 1:
            known = ", ".join(sorted(by_source)[:20])
            raise PolicyQAError(f"no single indexed document matches '{doc}'{' (several do)' if hits else ''}; "
                                f"indexed: {known}{' …' if len(by_source) > 20 else ''}")
        return hits[0]

    def refuse_protected(self, doc_id: str, what: str) -> None:
        if self.live.get(doc_id, {}).get("protected"):
            source = self.live[doc_id]["source"]
            raise PolicyQAError(f"{source} is protected and cannot be {what}; "
                                f"if it really must be, first run: policyqa protect {source} --off")

    def retire(self, doc_id: str) -> None:
        entry = self.live.pop(doc_id, None)
        if entry is not None:
            self.by_source.pop(entry["source"], None)
            self.by_key.pop(entry.get("text_key"), None)
        if doc_id not in [d for d, _ in self.retired]:
            self.retired.append([doc_id, time.time()])
        if doc_id in self.incoming:
            self.incoming.remove(doc_id)
        self.changed = True

    def _make_live(self, doc_id: str, name: str, version: int, protected: bool, key: str) -> None:
        self.live[doc_id] = {"source": name, "version": version, "protected": protected, "vectors": False,
                             "stamp": self.stamp, "text_key": key}
        self.by_source[name] = doc_id
        self.by_key[key] = doc_id
        self.retired = [r for r in self.retired if r[0] != doc_id]
        if doc_id not in self.incoming:
            self.incoming.append(doc_id)
        self.changed = True

    def make_live_again(self, doc_id: str, name: str, version: int) -> None:
        """A stored version back in force (restore): its records from the cache or Chroma, vectors again."""
        entry = self.entry(doc_id)
        holder = self.by_key.get(entry.get("text_key"))
        other = self.live[holder]["source"] if holder and self.live[holder]["source"] != name else None
        if other:
            raise PolicyQAError(f"version {version} of {name} has the same text as {other}, which is live; "
                                f"remove {other} first")
        if entry.get("stamp") != self.stamp:
            raise PolicyQAError(f"version {version} of {name} was indexed by an older policyqa; ingest its file "
                                f"again with --replace instead")
        if not self.index.records.current(doc_id, self.stamp):
            self.index._fetch_missing([doc_id])
        self._make_live(doc_id, name, version, False, entry["text_key"])

    # ---- one file
    def add_file(self, path: Path, report: IngestReport, replace: bool, protect: bool) -> None:
        name = path.name
        try:
            loaded = load_file(path)
            parsed = parse_loaded(loaded)
        except LoadError as exc:
            report.failed.append((str(path), exc.reason))
            return
        except Exception as exc:              # a parser bug must not take the other files down
            report.failed.append((str(path), f"cannot parse ({type(exc).__name__}: {exc})"))
            return
        doc_id = parsed.document.doc_id
        key = text_key(loaded.text)
        same_text = doc_id if doc_id in self.live else self.by_key.get(key)
        if same_text is not None:
            entry = self.live[same_text]
            if same_text == doc_id and entry.get("stamp") != self.stamp:       # indexed by an older parser
                self.reparse.add(doc_id)
                self._store(parsed, loaded.sha256, key, entry["source"], entry["version"],
                            bool(entry.get("protected")) or protect)
                report.replaced.append(name)
                return
            why = "unchanged" if entry["source"] == name else f"already indexed as {entry['source']}"
            report.skipped.append((name, why))
            return
        by_source = self.by_source
        if name in by_source and replace:
            current = by_source[name]
            if self.live[current].get("protected"):
                report.failed.append((str(path), f"{name} is protected and cannot be replaced; "
                                                 f"run policyqa protect {name} --off first"))
                return
            self.retire(current)
            self._store(parsed, loaded.sha256, key, name, len(self.names.get(name, [])) + 1, protect)
            report.replaced.append(name)
            return
        stored_as = free_name(name, self.names.keys() | by_source.keys()) if name in by_source else name
        self._store(parsed, loaded.sha256, key, stored_as, len(self.names.get(stored_as, [])) + 1, protect)
        if stored_as == name:
            report.added.append(name)
        else:
            report.kept_as_new.append((name, stored_as))

    def _store(self, parsed, sha256: str, key: str, name: str, version: int, protect: bool) -> None:
        """A new version, stored (Chroma's document record and the local cache), to go live at the switch."""
        index = self.index
        document = dataclasses.replace(parsed.document, source=name)
        words = vocabulary(parsed.clauses)
        tokenizer = index._tokenizer_with((), words)
        chunks = [chunk for clause in parsed.clauses
                  for chunk in chunk_clause(document, clause, tokenizer, self.settings.chunk_tokens)]
        entry = version_entry(document, sha256, key, len(parsed.clauses), len(parsed.tasks), len(chunks), self.stamp)
        stored = payload(entry, parsed, chunks, words)
        self.unsaved.append((document.doc_id, entry, stored))
        if sum(len(p["chunks"]) for _, _, p in self.unsaved) >= 2000 or len(self.unsaved) >= 50:
            self.save_versions()
        index.records.put(document.doc_id, stored)
        index._entries.pop(document.doc_id, None)
        versions = self.names.get(name, [])
        if document.doc_id not in versions:
            versions = self.names[name] = [*versions, document.doc_id]
        self._make_live(document.doc_id, name, versions.index(document.doc_id) + 1, protect, key)

    def save_versions(self) -> None:
        """The stored versions not yet in Chroma, in one upsert (before any switch names them)."""
        self.store.put_versions(self.unsaved)
        self.unsaved = []

    # ---- the switches
    def _switch(self) -> None:
        manifest = {**self.manifest, "live": dict(self.live), "names": dict(self.names), "retired": self.retired,
                    "generation": int(self.manifest["generation"]) + 1, "updated_at": now(),
                    "versions": package_versions(), "settings": self.index._stored_settings()}
        manifest["collection"] = f"{manifest['chunks']}@{manifest['generation']}"
        if self.lease is not None:
            self.lease.check()
        before = self.store.shard_ids(self.manifest)
        self.store.write_manifest(manifest)
        self.index._mark_current(manifest["generation"])
        dropped = before - self.store.shard_ids(manifest)
        manifest["retired_shards"] = self.retired_shards = self.retired_shards + [[i, time.time()] for i in dropped]
        self.manifest = manifest
        index = self.index
        with index._lock:
            index._snapshot = index._build_snapshot(manifest)
            index._checked_at = time.monotonic()

    def commit(self, report: IngestReport, progress, started: float) -> None:
        if not self.changed and not self.incoming and not self.retired:
            return
        chunks = self.store.chunks(self.manifest["chunks"])
        self.save_versions()
        if self.changed:
            _step(progress, "lexical", 0, 1)
            self._switch()                                   # live now, lexically
            _step(progress, "lexical", 1, 1)
        report.lexical_seconds = time.perf_counter() - started
        if self.incoming:
            try:
                self._embed(chunks, report, progress)
            except BaseException:
                self._roll_back(chunks)
                raise
            for doc_id in self.incoming:
                if doc_id in self.live:
                    self.live[doc_id] = {**self.live[doc_id], "vectors": True}
            self.incoming = []
            self._switch()                                   # dense search includes them
        self._delete_retired(chunks)
        if self.rebuild and self.old_chunks and self.old_chunks != self.manifest["chunks"]:
            self.store.drop(self.old_chunks)

    def _delete_retired(self, chunks) -> None:
        """Chunk records of versions retired at least `Settings.retire_seconds` ago: a question that
        started before the switch has finished with them by then. The others wait for a later write
        (readers filter them out meanwhile)."""
        due = [d for d, at in self.retired if time.time() - at >= self.settings.retire_seconds]
        if due:
            chunks.delete_documents([d for d in due if d not in self.live])
            self.retired = [r for r in self.retired if r[0] not in due]
        current = self.store.shard_ids(self.manifest)
        shards = [i for i, at in self.retired_shards if time.time() - at >= self.settings.retire_seconds]
        if shards:
            self.store.drop_shards([i for i in shards if i not in current])
            self.retired_shards = [r for r in self.retired_shards if r[0] not in shards]

    def _roll_back(self, chunks) -> None:
        """The embedding failed (not a kill): the manifest goes back to what it was before this write, and
        the vectors this write added are deleted, so a failed ingest leaves the index as it was."""
        added = [d for d in self.live if d not in self.before[0]]
        self.live, self.names, self.retired = self.before
        self.incoming = []
        self._index_live()
        try:
            self._switch()
            chunks.delete_documents(added)
        except PolicyQAError:
            pass        # the server went away too: the next writer finishes the versions left pending

    def _embed(self, chunks, report: IngestReport, progress) -> None:
        cached = self.index._cached_embedder()
        records = self.index.records
        pending = [(d, records.chunks(d)) for d in self.incoming if d in self.live]
        total = sum(len(rows) for _, rows in pending)
        t0 = time.perf_counter()
        chunks.delete_documents([d for d, _ in pending if d in self.reparse])   # old chunks may have other ids
        batch: list[tuple[str, tuple]] = []
        done = 0
        for number, (doc_id, rows) in enumerate(pending):
            batch.extend((doc_id, row) for row in rows)
            if len(batch) < chunks.batch_size and number < len(pending) - 1:
                continue                                     # Chroma writes in large batches: each call costs
            texts = [f"{r[3]}\n{r[2]}" if r[3] else r[2] for _, r in batch]
            hits, misses = cached.hits, cached.misses
            vectors = cached.encode_passages(
                texts, progress=lambda n, _t, base=done: _step(progress, "embed", base + n, total))
            report.chunks_embedded += cached.misses - misses
            report.chunks_cached += cached.hits - hits
            chunks.add([r[0] for _, r in batch], vectors, [r[2] for _, r in batch],
                       [{"doc_id": d, "clause_id": r[1]} for d, r in batch])
            done += len(batch)
            batch = []
            _step(progress, "embed", done, total)
        report.embed_seconds += time.perf_counter() - t0

