"""Stage 3: Clause -> Chunk(s). A chunk never crosses a clause boundary.

A clause longer than `max_tokens` jieba words is cut at sentence ends (。；！？) into runs of whole
sentences; a single sentence longer than that is cut between words.
"""
from __future__ import annotations

import re

from ..models import Chunk, Clause, Document
from .tokenize import PolicyTokenizer

# Recorded with each document version (manifest.stamp): bump it when a chunk's text or context changes, so
# an existing index re-chunks on the next ingest. 2: table rows name their role columns.
CHUNK_VERSION = 2

_SENTENCE = re.compile(r"[^。；！？\n]*(?:[。；！？]+|\n|$)")


def _word_count(tokenizer: PolicyTokenizer, text: str) -> int:
    return sum(1 for w in tokenizer.cut(text) if w.strip())


def _sentences(text: str) -> list[str]:
    return [m.group(0) for m in _SENTENCE.finditer(text) if m.group(0)]


def _split_long(tokenizer: PolicyTokenizer, sentence: str, max_tokens: int) -> list[str]:
    pieces, current, count = [], [], 0
    for word in tokenizer.cut(sentence):
        if count >= max_tokens and word.strip():
            pieces.append("".join(current))
            current, count = [], 0
        current.append(word)
        count += bool(word.strip())
    if current:
        pieces.append("".join(current))
    return pieces


def split_text(tokenizer: PolicyTokenizer, text: str, max_tokens: int) -> list[str]:
    """Runs of whole sentences of at most `max_tokens` words; joined, they give `text` back."""
    if _word_count(tokenizer, text) <= max_tokens:
        return [text]
    runs: list[str] = []
    current, count = "", 0
    for sentence in _sentences(text):
        n = _word_count(tokenizer, sentence)
        if n > max_tokens:
            if current:
                runs.append(current)
                current, count = "", 0
            runs.extend(_split_long(tokenizer, sentence, max_tokens))
            continue
        if count + n > max_tokens and current:
            runs.append(current)
            current, count = "", 0
        current += sentence
        count += n
    if current:
        runs.append(current)
    return runs


# A task table's row, cut from its table, no longer says what its cells are: "落实消纳场所备案 /
# 区绿化市容局 / 区规划资源局、区水务局" matches "谁牵头，哪些单位配合" only once the columns are named again.
_ROW_COLUMNS = (("lead_agencies", "牵头单位"), ("participants", "配合单位"), ("responsible", "责任单位"),
                ("implementers", "实施部门"), ("guiding", "指导部门"), ("deadlines", "完成时限"))


def clause_context(document: Document, clause: Clause) -> str:
    """Title > section path; a table row adds the names of the columns its fields came from."""
    context = " > ".join((document.title, *clause.section_path))
    if clause.row is not None:
        columns = [name for field, name in _ROW_COLUMNS if getattr(clause, field)]
        if columns:
            context += " > " + " ".join(columns)
    return context


def chunk_clause(document: Document, clause: Clause, tokenizer: PolicyTokenizer, max_tokens: int) -> list[Chunk]:
    context = clause_context(document, clause)
    opening = _sentences(clause.text)[0].strip() if clause.text else ""
    chunks = []
    for index, text in enumerate(split_text(tokenizer, clause.text, max_tokens)):
        prefix = context if index == 0 or len(opening) > 60 else f"{context} > {opening}"
        chunks.append(Chunk(chunk_id=f"{clause.clause_id}#{index}", clause_id=clause.clause_id,
                            doc_id=clause.doc_id, index=index, text=text, context=prefix))
    return chunks
