"""The Chroma side of the index: chunk vectors, document versions, the manifest and the writer lease.

Four kinds of record, in three collections of one Chroma client (embedded under index/chroma, or a
`chroma run` server, same code):

- `policyqa-chunks-<id>`: one record per chunk of a document version (id = chunk_id, which starts with
  the version's doc_id), its vector, its text and {doc_id, clause_id}. Dense search goes through the
  `ChunkStore` protocol; a reader keeps only the chunks of the versions its snapshot has live.
- `policyqa-documents`: one record per document version (id = doc_id, a content hash): its manifest
  entry as metadata and, compressed, everything parsed from it (clauses, tasks, chunk texts). Kept
  after a version is replaced or removed, so `history`/`restore` work on any machine.
- `policyqa-manifest`, record `manifest`: the live versions, the settings the index was built with,
  the generation number. Writing it (one upsert) is the switch from one state of the index to the next. It names the chunk collection in force
  (a new one only when `ingest --rebuild` changes the model or the chunking).
- `policyqa-manifest`, records `lease:<n>`: the writer lease when writers share a server (lease.py).

Telemetry is off; every write passes our own embeddings (Chroma's default embedding function would
download a model) in batches no larger than the client's max batch size. Any Chroma failure becomes
a `StoreError` naming what was being done and where.
"""
from __future__ import annotations

import base64
import hashlib
import json
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol
from urllib.parse import urlparse

import numpy as np

from ..errors import PolicyQAError

MANIFEST_COLLECTION = "policyqa-manifest"
CHUNK_PREFIX = "policyqa-chunks-"
DOCUMENT_COLLECTION = "policyqa-documents"
MANIFEST_ID = "manifest"
REQUIRED_MANIFEST_KEYS = ("generation", "settings", "live", "names")
SHARDED = ("live", "names")      # the parts of the manifest that grow with the corpus
SHARDS = 64


def _shard_of(key: str) -> int:
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:6], 16) % SHARDS
REBUILD_HINT = "rebuild with: policyqa ingest --rebuild corpus/"


class StoreError(PolicyQAError):
    pass


def _chroma_settings():
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def describe(chroma_url: str | None, index_dir: Path) -> str:
    return f"the Chroma server at {chroma_url}" if chroma_url else f"the index at {index_dir}"


def connect(index_dir: Path, chroma_url: str | None, path: Path | None = None, fresh: bool = False):
    """A Chroma client: the server at `chroma_url`, else a PersistentClient on `path` (default index_dir/chroma).

    `fresh`: a new embedded client that loads the folder again. Chroma keeps one client per folder and
    process, with the vector index in memory: after another process wrote to the folder, that copy
    lacks its vectors (asking for them fails with "Error finding id"). The old client is left to the
    snapshots still using it.
    """
    import chromadb

    if chroma_url:
        url = urlparse(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
        if not url.hostname:
            raise StoreError(f"bad Chroma server address '{chroma_url}'; expected http://host:port")
        try:
            client = chromadb.HttpClient(host=url.hostname, port=url.port or 8000, ssl=url.scheme == "https",
                                         settings=_chroma_settings())
            client.heartbeat()
        except Exception as exc:
            raise StoreError(f"Chroma server at {chroma_url} is not reachable ({type(exc).__name__}: {exc}); "
                             f"start it with: chroma run --path DIR --host 127.0.0.1 --port "
                             f"{url.port or 8000}") from exc
        return client
    path = path or Path(index_dir) / "chroma"
    try:
        path.mkdir(parents=True, exist_ok=True)
        if fresh:
            from chromadb.api.shared_system_client import SharedSystemClient

            SharedSystemClient._identifier_to_system.pop(str(path), None)
        return chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
    except Exception as exc:
        raise StoreError(f"cannot open the Chroma index at {path} ({type(exc).__name__}: {exc})") from exc


class ChunkStore(Protocol):
    """Chunk records. Vectors are L2-normalized float32 rows; similarity is cosine."""

    name: str

    def add(self, ids: list[str], vectors: np.ndarray, texts: list[str], metadatas: list[dict]) -> None: ...

    def delete(self, ids: list[str]) -> None: ...

    def query(self, vector: np.ndarray, n: int, where: dict | None = None) -> list[tuple[str, float]]:
        """The `n` nearest records as (id, cosine similarity), best first; `where` filters on metadata."""
        ...

    def vectors(self, ids: list[str]) -> dict[str, np.ndarray]: ...

    def records(self, with_vectors: bool = False) -> Iterator[tuple]:
        """Every record as (id, text, metadata[, vector]), page by page."""
        ...

    def count(self) -> int: ...


class ChromaChunks:
    """`ChunkStore` on one Chroma collection (cosine HNSW space)."""

    def __init__(self, collection, batch_size: int, where: str):
        self._collection = collection
        self.name = collection.name
        self.batch_size = batch_size
        self._where = where

    def add(self, ids, vectors, texts, metadatas) -> None:
        """Batch by batch as float32 arrays (upsert: a resumed write adds nothing twice)."""
        with chroma_errors(f"adding chunk vectors to {self._where}"):
            for start in range(0, len(ids), self.batch_size):
                end = start + self.batch_size
                self._collection.upsert(ids=ids[start:end],
                                        embeddings=np.asarray(vectors[start:end], dtype=np.float32),
                                        documents=texts[start:end], metadatas=metadatas[start:end])

    def delete(self, ids) -> None:
        with chroma_errors(f"deleting chunk records from {self._where}"):
            for start in range(0, len(ids), self.batch_size):
                self._collection.delete(ids=ids[start:start + self.batch_size])

    def delete_documents(self, doc_ids) -> None:
        """Every chunk record of these document versions."""
        with chroma_errors(f"deleting chunk records from {self._where}"):
            for doc_id in doc_ids:
                self._collection.delete(where={"doc_id": doc_id})

    def query(self, vector, n, where=None) -> list[tuple[str, float]]:
        if n <= 0:
            return []
        with chroma_errors(f"searching {self._where}"):
            got = self._collection.query(query_embeddings=[np.asarray(vector, dtype=np.float32).tolist()],
                                         n_results=n, where=where, include=["distances"])
        return [(cid, 1.0 - float(distance)) for cid, distance in zip(got["ids"][0], got["distances"][0])]

    def vectors(self, ids) -> dict[str, np.ndarray]:
        if not ids:
            return {}
        with chroma_errors(f"reading vectors from {self._where}"):
            got = self._collection.get(ids=list(ids), include=["embeddings"])
        return {cid: np.asarray(v, dtype=np.float32) for cid, v in zip(got["ids"], got["embeddings"])}

    def ids_of(self, doc_id: str) -> list[str]:
        with chroma_errors(f"reading {self._where}"):
            return list(self._collection.get(where={"doc_id": doc_id}, include=[])["ids"])

    def records(self, with_vectors: bool = False) -> Iterator[tuple]:
        include = ["documents", "metadatas"] + (["embeddings"] if with_vectors else [])
        with chroma_errors(f"reading {self._where}"):
            total = self._collection.count()
            for offset in range(0, total, self.batch_size):
                got = self._collection.get(include=include, limit=self.batch_size, offset=offset)
                for k, rid in enumerate(got["ids"]):
                    row = (rid, got["documents"][k], got["metadatas"][k])
                    yield row + (got["embeddings"][k],) if with_vectors else row

    def count(self) -> int:
        with chroma_errors(f"reading {self._where}"):
            return self._collection.count()


class LiveChunks:
    """A snapshot's view of the chunk records: only the chunks of its live versions whose vectors are
    complete (`live`).

    Records of a version whose vectors are being written (or whose writer was killed half-way, which
    can leave Chroma's records ahead of its vector segment) or that was just replaced are in the
    collection too; they are never asked for here, so a question sees exactly its snapshot.
    """

    def __init__(self, chunks: ChromaChunks, live: frozenset[str], extra: int):
        self._chunks = chunks
        self._live = live
        self._extra = extra
        self.name = chunks.name
        self.batch_size = chunks.batch_size

    def _is_live(self, chunk_id: str) -> bool:
        return chunk_id.split(":", 1)[0] in self._live

    def query(self, vector, n, where=None) -> list[tuple[str, float]]:
        got = [hit for hit in self._chunks.query(vector, n + self._extra, where) if self._is_live(hit[0])]
        return got[:n]

    def vectors(self, ids) -> dict[str, np.ndarray]:
        return self._chunks.vectors([i for i in ids if self._is_live(i)])

    def records(self, with_vectors: bool = False) -> Iterator[tuple]:
        return (row for row in self._chunks.records(with_vectors) if self._is_live(row[0]))

    def count(self) -> int:
        return sum(1 for _ in self.records())

    def add(self, ids, vectors, texts, metadatas) -> None:
        raise StoreError("a snapshot is read-only; write through Index.ingest")

    delete = add


@contextmanager
def chroma_errors(doing: str):
    """Chroma's and the network's exceptions as one StoreError naming what was being done."""
    try:
        yield
    except PolicyQAError:
        raise
    except Exception as exc:
        raise StoreError(f"{doing} failed ({type(exc).__name__}: {str(exc)[:300]})") from exc


def pack(payload: dict) -> str:
    """A document version's parsed records as compact text (zlib + base64 of the JSON)."""
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(zlib.compress(raw, 6)).decode("ascii")


def unpack(text: str) -> dict:
    return json.loads(zlib.decompress(base64.b64decode(text)).decode("utf-8"))


class ChromaStore:
    """The collections of one Chroma client (see the module docstring)."""

    def __init__(self, client, where: str):
        self.client = client
        self.where = where
        # the Chroma system behind the client: one per folder and process, shared by every client of it;
        # it carries the manifest generation its in-memory vectors are known to match (see connect)
        self.system = getattr(client, "_system", None)
        with chroma_errors(f"opening {where}"):
            self.batch_size = max(1, min(int(client.get_max_batch_size()), 1000))
        self._handles: dict[str, object] = {}
        self._shard_cache: dict[str, dict] = {}
        self._current: set[str] = set()        # shard ids the manifest last read or written names
        self._slots: dict[str, int] = {}                              # key -> shard number, computed once
        self._last_parts: dict[tuple[str, int], tuple[str, dict]] = {}   # (key, shard number) -> (id, content)

    def _collection(self, name: str, create: bool = True, **kwargs):
        if name not in self._handles:
            with chroma_errors(f"opening collection {name} of {self.where}"):
                self._handles[name] = (self.client.get_or_create_collection(name, embedding_function=None, **kwargs)
                                       if create else self.client.get_collection(name, embedding_function=None))
        return self._handles[name]

    def forget_handles(self) -> None:
        self._handles.clear()

    # ---- manifest (the switch)
    def manifest_collection(self):
        return self._collection(MANIFEST_COLLECTION)

    def read_generation(self) -> int | None:
        """The generation of the manifest in force, without reading the manifest itself (cheap)."""
        with chroma_errors(f"reading the manifest of {self.where}"):
            got = self.manifest_collection().get(ids=[MANIFEST_ID], include=["metadatas"])
        if not got["ids"]:
            return None
        return int((got["metadatas"][0] or {}).get("generation", -1))

    def read_manifest(self) -> dict | None:
        """The manifest in force, its live versions and names put together from their shards."""
        with chroma_errors(f"reading the manifest of {self.where}"):
            got = self.manifest_collection().get(ids=[MANIFEST_ID], include=["documents"])
        if not got["ids"]:
            return None
        try:
            manifest = json.loads(got["documents"][0])
            keys = [k for k in SHARDED if f"{k}_shards" in manifest]
            parts = self._shards([i for k in keys for i in manifest[f"{k}_shards"]])
            for key in keys:
                manifest[key] = {}
                for shard_id in manifest[f"{key}_shards"]:
                    manifest[key].update(parts[shard_id])
            self._current = self.shard_ids(manifest)
        except (TypeError, ValueError, KeyError) as exc:
            raise StoreError(f"the manifest of {self.where} is damaged ({exc}); {REBUILD_HINT}") from exc
        missing = [k for k in REQUIRED_MANIFEST_KEYS if not isinstance(manifest, dict) or k not in manifest]
        if missing:
            raise StoreError(f"the manifest of {self.where} is damaged (missing {', '.join(missing)}; written by "
                             f"an older policyqa?); {REBUILD_HINT}")
        return manifest

    def _shards(self, ids: list[str]) -> dict[str, dict]:
        """Shard contents by id: immutable records (the id is a hash of the content), so each is read once."""
        wanted = [i for i in dict.fromkeys(ids) if i not in self._shard_cache]
        for start in range(0, len(wanted), self.batch_size):
            got = self.manifest_collection().get(ids=wanted[start:start + self.batch_size], include=["metadatas"])
            for shard_id, meta in zip(got["ids"], got["metadatas"]):
                self._shard_cache[shard_id] = json.loads(meta["data"])
        lost = [i for i in wanted if i not in self._shard_cache]
        if lost:
            raise KeyError(f"shard {lost[0]} is missing")
        self._shard_cache = {i: self._shard_cache[i] for i in ids}      # only the current ones stay
        return dict(self._shard_cache)

    def write_manifest(self, manifest: dict) -> list[str]:
        """The switch. The live versions and the names are cut into `SHARDS` shards each by a hash of their
        key, and each shard is an immutable record named by a hash of its content: a write that changes one
        document adds one or two small shards (the others already exist), then upserts the small manifest
        record that lists the shards; that one upsert is the switch. Returns the ids of the shards written."""
        record = {k: v for k, v in manifest.items() if k not in SHARDED}
        new: dict[str, str] = {}
        for key in SHARDED:
            parts: list[dict] = [{} for _ in range(SHARDS)]
            for name, value in manifest[key].items():
                slot = self._slots.get(name)
                if slot is None:
                    slot = self._slots[name] = _shard_of(name)
                parts[slot][name] = value
            ids = []
            for slot, part in enumerate(parts):
                last = self._last_parts.get((key, slot))
                if last is not None and last[1] == part:        # unchanged: same content, same id
                    ids.append(last[0])
                    continue
                data = json.dumps(part, ensure_ascii=False, sort_keys=True)
                shard_id = f"{key}:{hashlib.sha256(data.encode('utf-8')).hexdigest()[:24]}"
                ids.append(shard_id)
                self._last_parts[(key, slot)] = (shard_id, part)
                if shard_id not in self._current and shard_id not in new:     # the current ones exist
                    new[shard_id] = data
            record[f"{key}_shards"] = manifest[f"{key}_shards"] = ids
        with chroma_errors(f"writing the manifest of {self.where}"):
            collection = self.manifest_collection()
            if new:
                collection.upsert(ids=list(new), embeddings=[[0.0]] * len(new),
                                  metadatas=[{"kind": "shard", "data": d} for d in new.values()])
            collection.upsert(ids=[MANIFEST_ID], embeddings=[[0.0]],
                              documents=[json.dumps(record, ensure_ascii=False)],
                              metadatas=[{"generation": int(manifest["generation"])}])
        for shard_id, data in new.items():
            self._shard_cache[shard_id] = json.loads(data)
        self._current = self.shard_ids(manifest)
        return list(new)

    def shard_ids(self, manifest: dict) -> set[str]:
        return {i for key in SHARDED for i in manifest.get(f"{key}_shards", ())}

    def drop_shards(self, ids: list[str]) -> None:
        """Shard records no manifest names any more (after a grace period: see Settings.retire_seconds)."""
        with chroma_errors(f"cleaning the manifest shards of {self.where}"):
            for start in range(0, len(ids), self.batch_size):
                self.manifest_collection().delete(ids=ids[start:start + self.batch_size])

    # ---- chunk records
    def chunks(self, name: str) -> ChromaChunks:
        """The chunk collection `name` (the manifest names the one in force; a rebuild starts a new one)."""
        return ChromaChunks(self._collection(name, metadata={"hnsw:space": "cosine"}), self.batch_size, self.where)

    def drop(self, name: str) -> None:
        """Drop a collection that the manifest no longer names (cleanup: missing is fine)."""
        self._handles.pop(name, None)
        try:
            self.client.delete_collection(name)
        except Exception:
            pass

    # ---- document versions
    def documents(self):
        return self._collection(DOCUMENT_COLLECTION)

    def put_versions(self, versions: list[tuple[str, dict, dict]]) -> None:
        """Store document versions [(doc_id, entry, payload)] in one upsert (each call costs tens of ms)."""
        if not versions:
            return
        names = ", ".join(entry.get("source", "?") for _, entry, _ in versions[:3])
        with chroma_errors(f"storing {names}{' …' if len(versions) > 3 else ''} in {self.where}"):
            # in metadata, not as the record's document: Chroma full-text indexes documents, which cost
            # 30 ms a version for text nobody searches there
            self.documents().upsert(ids=[d for d, _, _ in versions], embeddings=[[0.0]] * len(versions),
                                    metadatas=[{"entry": json.dumps(e, ensure_ascii=False), "name": e["source"],
                                                "text_key": e["text_key"], "payload": pack(p)}
                                               for _, e, p in versions])

    def get_versions(self, doc_ids: list[str], with_payload: bool = True) -> dict[str, tuple[dict, dict | None]]:
        """doc_id -> (entry, payload or None) of the stored versions among `doc_ids`."""
        out: dict[str, tuple[dict, dict | None]] = {}
        with chroma_errors(f"reading document versions from {self.where}"):
            for start in range(0, len(doc_ids), 50):
                got = self.documents().get(ids=list(doc_ids[start:start + 50]), include=["metadatas"])
                for doc_id, meta in zip(got["ids"], got["metadatas"]):
                    out[doc_id] = (json.loads(meta["entry"]), unpack(meta["payload"]) if with_payload else None)
        return out

    def collection_names(self) -> list[str]:
        with chroma_errors(f"listing the collections of {self.where}"):
            return [item if isinstance(item, str) else item.name for item in self.client.list_collections()]

    def chunk_collections(self) -> list[str]:
        return [n for n in self.collection_names() if n.startswith(CHUNK_PREFIX)]
