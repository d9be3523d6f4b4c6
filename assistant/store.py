"""Chroma access: an embedded PersistentClient under index/ or a `chroma run` server, same code.

Telemetry is off; every write passes our own embeddings (Chroma's default embedding function would
download a model) and goes in batches no larger than the client's max batch size. The manifest is a
record in its own small collection, so a team sharing a server shares it too.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

from .errors import PolicyQAError

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


class ChromaStore:
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

    def collection(self, name: str):
        try:
            return self.client.get_collection(name, embedding_function=None)
        except Exception as exc:
            raise StoreError(f"the index names collection {name}, which is missing ({exc}); rebuild with: "
                             f"policyqa ingest --rebuild corpus/") from exc

    def create(self, name: str):
        return self.client.create_collection(name, metadata={"hnsw:space": "cosine"}, embedding_function=None)

    def drop(self, name: str) -> None:
        try:
            self.client.delete_collection(name)
        except Exception:
            pass   # already gone: dropping is cleanup, the manifest never points here

    def add(self, collection, ids, embeddings, documents, metadatas) -> None:
        """Vectors go batch by batch as float32 arrays: no whole-corpus list of Python floats in memory."""
        import numpy as np

        for start in range(0, len(ids), self.batch_size):
            end = start + self.batch_size
            collection.add(ids=ids[start:end], embeddings=np.asarray(embeddings[start:end], dtype=np.float32),
                           documents=documents[start:end], metadatas=metadatas[start:end])

    def records(self, collection, include=("documents", "metadatas"), where=None) -> Iterator[tuple]:
        """All records as (id, document, metadata[, embedding]), page by page."""
        total = collection.count()
        for offset in range(0, total, self.batch_size):
            got = collection.get(include=list(include), where=where, limit=self.batch_size, offset=offset)
            embeddings = got.get("embeddings")
            for k, rid in enumerate(got["ids"]):
                row = (rid, got["documents"][k] if got.get("documents") is not None else None,
                       got["metadatas"][k] if got.get("metadatas") is not None else None)
                if "embeddings" in include:
                    row += (embeddings[k],)
                yield row
