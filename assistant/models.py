"""The data passed between pipeline stages: a few frozen dataclasses.

Ids are deterministic so that parsing or ingesting the same content twice gives the same objects:
`doc_id` hashes the decoded text, `clause_id` is `doc_id` plus the clause's numbering path.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from .errors import ChoiceError

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Choice(str, Enum):
    """An enumeration of modes; `from_str` fails with the list of valid values."""

    @classmethod
    def from_str(cls, text: str):
        if isinstance(text, cls):
            return text
        try:
            return cls(str(text).strip().lower())
        except ValueError:
            valid = ", ".join(m.value for m in cls)
            raise ChoiceError(f"unknown {cls.__name__.lower()} '{text}'; valid: {valid}") from None


class Role(Choice):
    """The part an agency has in a task."""

    LEAD = "lead"                   # 牵头 (and 指导)
    PARTICIPANTS = "participants"   # 参与, 配合, 协办
    RESPONSIBLE = "responsible"     # 负责, 落实, 责任单位
    ANY = "any"                     # any of the three


@dataclass(frozen=True)
class TableRow:
    """One row of a table as the file gives it: a cell per column of the table's grid."""

    cells: tuple[str, ...]      # a vertically merged cell's text in every row it spans; "" for the columns a
                                # horizontally merged cell also covers (a section row is its one cell)
    span: tuple[int, int]       # where the row stands in the decoded text


@dataclass(frozen=True)
class Block:
    """A part of a loaded document in reading order: a heading, a paragraph or a table."""

    kind: str                           # heading | paragraph | table
    span: tuple[int, int]               # offsets in the decoded text
    rows: tuple[TableRow, ...] = ()     # a table's rows, header row(s) first


@dataclass(frozen=True)
class LoadedText:
    """A file decoded to text (one paragraph per line, newlines normalized to \\n).

    A table is rendered one row per line, cells separated by a tab; `blocks` says where the tables
    are and gives their cells. Text files have no blocks: their tables are recognised from the lines
    (assistant.documents.tables).
    """

    path: Path
    text: str
    sha256: str      # of the file's bytes, for the index manifest
    blocks: tuple[Block, ...] = ()


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
class RawClause:
    """A clause as the structure parser found it (offsets into the decoded text), before fields."""

    label: str | None
    path_id: str
    section_path: tuple[str, ...]
    start: int
    end: int
    shared_tail: str | None = None   # the attribution closing a paragraph that was split at 一是/二是
    cells: tuple[tuple[str, str], ...] = ()   # a table row: (column name, cell text) with merged cells resolved
    row: int | None = None                    # a table row: its number among the table's task rows


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
    implementers: tuple[Agency, ...] = ()   # 实施部门 / 实施主体
    guiding: tuple[Agency, ...] = ()        # 指导部门
    row: int | None = None                  # a task table's row: its number among the table's task rows

    @property
    def has_roles(self) -> bool:
        return bool(self.lead_agencies or self.participants or self.responsible or self.implementers or self.guiding)


class Origin(Choice):
    """Where a task's fields were read from."""

    ATTRIBUTION = "attribution"         # "（A牵头，B参与）" closing the task
    LABEL = "label"                     # labelled lines: 牵头单位：A；配合单位：B；完成时限：…
    TABLE = "table"                     # a row of a task-division table
    AGENCY_SECTION = "agency_section"   # a duty under an agency-headed section ("（三）市交通运输局：负责…")
    PROSE = "prose"                     # "由A牵头，B配合", "A要会同B…"
    TEXT = "text"                       # no roles: deadlines or targets only


@dataclass(frozen=True)
class Task:
    """A task of a plan: what the responsibility matrix, the timeline and list answers are built from.

    A clause states one task or several (a table's rows, a clause's labelled duties); a task always
    points back to the clause that states it, which is what citations quote.
    """

    task_id: str                            # clause_id, or clause_id + "#" + the task's number within it
    doc_id: str
    clause_id: str                          # the clause stating it
    section_path: tuple[str, ...]
    label: str | None                       # "1．", "（三）", a table row's 序号
    text: str                               # the task as written
    lead_agencies: tuple[Agency, ...] = ()
    participants: tuple[Agency, ...] = ()
    responsible: tuple[Agency, ...] = ()
    implementers: tuple[Agency, ...] = ()   # 实施部门 / 实施主体
    guiding: tuple[Agency, ...] = ()        # 指导部门
    deadlines: tuple[Deadline, ...] = ()
    targets: tuple[str, ...] = ()
    origin: Origin = Origin.TEXT
    span: tuple[int, int] = (0, 0)          # offsets of the task in the decoded text
    row: int | None = None                  # the table row, for origin=table

    @property
    def has_roles(self) -> bool:
        return bool(self.lead_agencies or self.participants or self.responsible or self.implementers or self.guiding)


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
    tasks: tuple[Task, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Due:
    """A time condition on a task's deadlines, from a question ("6月底前要完成哪些", "每季度…哪些", "下半年",
    "长期"). Dated deadlines match between `after` and `by` (both ISO dates, inclusive); `by` alone means
    "by then, in the same year"."""

    label: str                      # as the question says it: 6月底前, 每季度, 有明确时间节点
    by: str | None = None           # ISO date: a dated deadline on or before it
    recurrence: str | None = None   # a recurrence equal to this normalized form (R/P3M/end+P3D)
    period: str | None = None       # a recurrence of this period (R/P3M matches R/P3M/end+P3D, 每季度末…)
    after: str | None = None        # ISO date: a dated deadline on or after it (下半年, 三季度, 明年)
    ongoing: bool = False           # 长期 / 持续推进 / 常态化: a task with no end date

    def matches(self, deadline: Deadline) -> bool:
        value = deadline.normalized or ""
        if self.ongoing:
            return value == "ongoing" or bool(_ONGOING.search(deadline.text))
        if self.by or self.after:
            if not _ISO_DATE.fullmatch(value):
                return False
            if self.after:
                return value >= self.after and (not self.by or value <= self.by)
            return value <= self.by and value[:4] == self.by[:4]
        if self.recurrence:
            return value == self.recurrence
        if self.period:
            return value.startswith(self.period)
        return True                 # no condition: any deadline


_ONGOING = re.compile(r"长期|持续推进|全年推进|常态化|持续开展")


@dataclass(frozen=True)
class AgencyRole:
    """One condition of a question on agencies: one of `agencies` has `role` in the task (or, negated,
    none of them has it). "农业农村厅参与但不牵头" is two conditions."""

    mention: str                    # as the question names it: 工信厅, 土壤处
    agencies: tuple[str, ...]       # the full names it resolves to (any of them)
    role: "Role"
    negated: bool = False


class Operation(Choice):
    """What a question asks to be done with the tasks and clauses it selects."""

    LOOKUP = "lookup"          # a field of one task: 谁牵头 / 什么时候 / 多少
    LIST = "list"              # every task meeting the conditions
    COUNT = "count"            # how many tasks (and which)
    YES_NO = "yes_no"          # 是不是 / 是否 / 有没有 … about an agency's role or a deadline
    WHICH_ROLE = "which_role"  # 什么角色 / 牵头还是参与
    EARLIEST = "earliest"      # the nearest / next / first deadline
    LATEST = "latest"          # the last deadline
    OVERVIEW = "overview"      # what a document is about: purpose, targets, sections with task counts
    OUTLINE = "outline"        # the tasks of one section
    COMPARE = "compare"        # what two documents each require on one matter
    EXPLAIN = "explain"        # how a task is to be carried out
    FACT = "fact"              # the sentence that answers (may X be done, what Y is for, who pays)


@dataclass(frozen=True)
class Query:
    """A question analysed once (assistant.query.analyse); retrieval, `select_tasks` and answering all
    read it. Built with keywords alone (`Query(scope=…, agencies=…, role=…)`) it is a plain task filter,
    which is how the matrix, the timeline and the CLI call `select_tasks`."""

    text: str = ""                              # the question, normalized, cut to the allowed length
    intents: tuple[str, ...] = ("general",)     # what is asked, first asked first (see Answer.intent)
    agencies: tuple[str, ...] = ()              # full names of the agencies it names
    documents: tuple[tuple[str, float], ...] = ()   # (doc_id, strength) of documents it names: ranked first
    restrict: tuple[str, ...] = ()              # doc_ids the user limited the search to (--doc, the web app's
                                                # document selector); empty: all documents
    scope: tuple[str, ...] = ()                 # doc_ids the answer may come from (restrict, else named, else the
                                                # conversation's); empty: all
    listing: str | None = None                  # agency_tasks | deadline_list: a complete list is asked for
    role: Role = Role.ANY                       # the role asked about (of the first agency condition)
    due: Due | None = None                      # the time condition asked about
    content_words: tuple[str, ...] = ()         # its own words (no question words), aliases expanded
    follow_up: bool = False                     # refers to the previous answer ("那期限呢？")
    operation: Operation = Operation.LOOKUP     # what is to be done with what it selects
    conditions: tuple[AgencyRole, ...] = ()     # agency conditions, all to be met ("A牵头、B参与", "但不牵头")
    unknown_agencies: tuple[str, ...] = ()      # agency names no indexed document mentions (said to be unknown)
    scope_from: str = ""                        # restrict | named | conversation | phrase | "" (all)
    deictic: bool = False                       # says "这个计划 / 本方案 / 该文件": the document in scope
    year: int | None = None                     # the year the question names (今年/明年 resolved with the scope)
    section: str | None = None                  # for an outline: the section heading asked about
    section_path: tuple[str, ...] = ()          # a filter: tasks under this heading path only
    more: bool = False                          # asks for more ("还有呢？", "其他的呢")
    task_words: tuple[str, ...] = ()            # content words not naming an agency, a document or a time
    doc_terms: tuple[str, ...] = ()             # the words that name the documents in `documents` (广西, 土壤法…)
    own_text: str = ""                          # the question without the names of documents: what it asks of them


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
    operation: str = "lookup"           # the Operation performed
    count: int | None = None            # for count and list answers: how many tasks
    task_ids: tuple[str, ...] = ()      # the tasks the answer rests on, in the order shown
    scope: tuple[str, ...] = ()         # the doc_ids the question was answered from (the conversation's document)
    query: "Query | None" = field(default=None, compare=False, repr=False)   # for follow-ups
    shown: int = 0                      # list items shown (a follow-up "还有呢" shows the next ones)
    error: str | None = None            # set when answering failed (ask --batch reports it and goes on)
