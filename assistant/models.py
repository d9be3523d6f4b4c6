"""The data passed between pipeline stages: a few frozen dataclasses.

Ids are deterministic so that parsing or ingesting the same content twice gives the same objects:
`doc_id` hashes the decoded text, `clause_id` is `doc_id` plus the clause's numbering path.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Agency:
    """An agency as the clause writes it, plus its full name after shared prefixes are applied."""

    name: str          # normalized full name, e.g. 自治区农业农村厅
    as_written: str    # e.g. 农业农村厅 (in "自治区生态环境厅、农业农村厅牵头")


@dataclass(frozen=True)
class Deadline:
    text: str                   # as written: 2021年底前, 每季度结束后3日内
    normalized: str | None      # see assistant/deadlines.py for the forms


@dataclass(frozen=True)
class Document:
    doc_id: str
    title: str
    doc_number: str | None      # 文号: 国发〔2019〕3号
    issuer: str | None
    date: str | None            # ISO date of issue (or of the latest amendment of a law)
    source: str                 # file name as loaded
    year: int | None = None     # the plan year used to complete deadlines such as "6月前"


@dataclass(frozen=True)
class Clause:
    clause_id: str
    doc_id: str
    label: str | None               # "（三）", "第十二条", "1．", "一是"; None for an unnumbered paragraph
    section_path: tuple[str, ...]   # headings above the clause, outermost first
    text: str                       # as written in the source (lines joined by "\n")
    span: tuple[int, int]           # character offsets of `text` in the decoded source
    lead_agencies: tuple[Agency, ...] = ()
    participants: tuple[Agency, ...] = ()
    responsible: tuple[Agency, ...] = ()
    deadlines: tuple[Deadline, ...] = ()
    targets: tuple[str, ...] = ()

    @property
    def has_roles(self) -> bool:
        return bool(self.lead_agencies or self.participants or self.responsible)


@dataclass(frozen=True)
class Chunk:
    """A piece of one clause (never more than one): what is searched."""

    chunk_id: str           # clause_id + "#" + index
    clause_id: str
    doc_id: str
    index: int
    text: str               # as written, a run of whole sentences of the clause
    context: str            # document title, section path (and the clause's opening sentence after the
                            # first chunk): prefixed to `text` for embedding, so headings' words count

    @property
    def embed_text(self) -> str:
        return f"{self.context}\n{self.text}" if self.context else self.text


@dataclass(frozen=True)
class ParsedDocument:
    document: Document
    clauses: tuple[Clause, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Citation:
    doc_id: str
    doc_title: str
    source: str
    section_path: tuple[str, ...]
    clause_label: str | None
    clause_id: str
    text: str               # the whole clause as written
    quote: str              # the sentence (or attribution) that answers
    score: float


@dataclass(frozen=True)
class Answer:
    question: str
    intent: str                         # lead|participants|deadline|target|agency_tasks|deadline_list|general
    found: bool                         # false: the documents do not answer it (citations are only related)
    answer: str                         # the Chinese answer shown to a person
    lead_agencies: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()
    deadlines: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    citations: tuple[Citation, ...] = ()
    intents: tuple[str, ...] = ()       # all intents found in the question, `intent` first
    clause_ids: tuple[str, ...] = ()    # the clauses the answer rests on (for follow-up questions)
