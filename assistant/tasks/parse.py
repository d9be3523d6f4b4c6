"""A document's text -> ParsedDocument: its clause tree (assistant.documents) with the fields of each clause.

`PARSER_VERSION` is recorded per document in the index: bump it when parsing changes what comes out
of the same text, and indexed documents are re-parsed on the next ingest.
"""
from __future__ import annotations

from pathlib import Path

from ..documents.load import load_file
from ..documents.structure import read_structure
from ..models import Block, LoadedText, ParsedDocument
from .fields import build_clauses

PARSER_VERSION = 7


def parse_file(path: str | Path) -> ParsedDocument:
    """Load (see assistant.documents.load for the errors) and parse one file."""
    return parse_loaded(load_file(path))


def parse_loaded(loaded: LoadedText) -> ParsedDocument:
    return parse_text(loaded.text, loaded.path.name, loaded.blocks)


def parse_text(text: str, source: str, blocks: tuple[Block, ...] = ()) -> ParsedDocument:
    """`source` is the file name the document is known by; `blocks` the tables a structured file gave.
    Raises ValueError for blank text."""
    document, raw = read_structure(text, source, blocks)
    clauses, tasks = build_clauses(document, text, raw)
    return ParsedDocument(document=document, clauses=tuple(clauses), tasks=tuple(tasks))
