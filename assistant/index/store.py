"""The dense store: chunk records (id, vector, text, metadata) behind a small protocol, and the manifest.

`ChunkStore` is what indexing and retrieval use (add, delete, query, get vectors, list records);
`ChromaChunks` implements it on a Chroma collection, embedded (a PersistentClient under index/) or a
`chroma run` server, same code. Telemetry is off; every write passes our own embeddings (Chroma's
default embedding function would download a model) and goes in batches no larger than the client's
max batch size. The manifest is a record in its own small collection, so a team sharing a server
shares it too.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol
from urllib.parse import urlparse

import numpy as np

from ..errors import PolicyQAError

MANIFEST_COLLECTION = "policyqa-manifest"
CHUNK_PREFIX = "policyqa-chunks-"


class StoreError(PolicyQAError):
    pass


def _chroma_settings():
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def connect(index_dir: Path, chroma_url: str | None):
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
    path = Path(index_dir) / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
    except Exception as exc:
        raise StoreError(f"cannot open the Chroma index at {path} ({type(exc).__name__}: {exc})") from exc


class ChunkStore(Protocol):
    """One set of chunk records. Vectors are L2-normalized float32 rows; similarity is cosine."""

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

    def __init__(self, collection, batch_size: int):
        self._collection = collection
        self.name = collection.name
        self.batch_size = batch_size

    def add(self, ids, vectors, texts, metadatas) -> None:
        """Batch by batch as float32 arrays: no whole-corpus list of Python floats in memory."""
        for start in range(0, len(ids), self.batch_size):
            end = start + self.batch_size
            self._collection.add(ids=ids[start:end], embeddings=np.asarray(vectors[start:end], dtype=np.float32),
                                 documents=texts[start:end], metadatas=metadatas[start:end])

    def delete(self, ids) -> None:
        for start in range(0, len(ids), self.batch_size):
            self._collection.delete(ids=ids[start:start + self.batch_size])

    def query(self, vector, n, where=None) -> list[tuple[str, float]]:
        if n <= 0:
            return []
        got = self._collection.query(query_embeddings=[np.asarray(vector, dtype=np.float32).tolist()], n_results=n,
                                     where=where, include=["distances"])
        return [(cid, 1.0 - float(distance)) for cid, distance in zip(got["ids"][0], got["distances"][0])]

    def vectors(self, ids) -> dict[str, np.ndarray]:
        if not ids:
            return {}
        got = self._collection.get(ids=list(ids), include=["embeddings"])
        return {cid: np.asarray(v, dtype=np.float32) for cid, v in zip(got["ids"], got["embeddings"])}

    def records(self, with_vectors: bool = False) -> Iterator[tuple]:
        include = ["documents", "metadatas"] + (["embeddings"] if with_vectors else [])
        total = self._collection.count()
        for offset in range(0, total, self.batch_size):
            got = self._collection.get(include=include, limit=self.batch_size, offset=offset)
            for k, rid in enumerate(got["ids"]):
                row = (rid, got["documents"][k], got["metadatas"][k])
                yield row + (got["embeddings"][k],) if with_vectors else row

    def count(self) -> int:
        return self._collection.count()


class ChromaStore:
    """The manifest record and the chunk collections (one per generation) of one Chroma client."""

    def __init__(self, client):
        self.client = client
        self.batch_size = max(1, min(int(client.get_max_batch_size()), 1000))

    # ---- manifest
    def _manifest_collection(self):
        return self.client.get_or_create_collection(MANIFEST_COLLECTION, embedding_function=None)

    def read_manifest(self) -> dict | None:
        got = self._manifest_collection().get(ids=["manifest"], include=["documents"])
        if not got["ids"]:
            return None
        try:
            return json.loads(got["documents"][0])
        except (TypeError, json.JSONDecodeError) as exc:
            raise StoreError(f"the index manifest is damaged ({exc}); rebuild with: "
                             f"policyqa ingest --rebuild corpus/") from exc

    def write_manifest(self, manifest: dict) -> None:
        """One upsert: the switch from the old generation of chunks to the new one."""
        self._manifest_collection().upsert(ids=["manifest"], embeddings=[[0.0]],
                                           documents=[json.dumps(manifest, ensure_ascii=False)])

    # ---- chunk collections (one per generation)
    def chunk_collections(self) -> list[str]:
        names = []
        for item in self.client.list_collections():
            name = item if isinstance(item, str) else item.name
            if name.startswith(CHUNK_PREFIX):
                names.append(name)
        return names

    def collection(self, name: str) -> ChromaChunks:
        try:
            return ChromaChunks(self.client.get_collection(name, embedding_function=None), self.batch_size)
        except Exception as exc:
            raise StoreError(f"the index names collection {name}, which is missing ({exc}); rebuild with: "
                             f"policyqa ingest --rebuild corpus/") from exc

    def create(self, name: str) -> ChromaChunks:
        return ChromaChunks(self.client.create_collection(name, metadata={"hnsw:space": "cosine"},
                                                          embedding_function=None), self.batch_size)

    def drop(self, name: str) -> None:
        try:
            self.client.delete_collection(name)
        except Exception:
            pass   # already gone: dropping is cleanup, the manifest never points here
