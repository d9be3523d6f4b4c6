"""The JSON shapes of the data model, written once: the contracts of README (`parse --json`, `ask --json`,
`search --json`, `agencies --json`, `deadlines --json`, the web API and LangChain metadata) and the
clause record stored in the index.

Fields may be added to these shapes, never renamed: other tools read them.
"""
from __future__ import annotations

import json
import re

from .models import Agency, Answer, Citation, Clause, Deadline, Document, Origin, Task

_SENTENCE = re.compile(r"[^。；！？\n]*(?:[。；！？]+|\n|$)")
# a numbering label at the start of a line: "1．", "（三）", "一、", "一是", or a table row's 序号 alone ("1")
_LABEL = re.compile(r"^(?:\d+[．.、](?!\d)|\d+$|[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|[一二三四五六七八九十]是)\s*")
ROLE_FIELDS = ("lead_agencies", "participants", "responsible", "implementers", "guiding")


def names(agencies) -> list[str]:
    return [a.name for a in agencies]


def document_json(doc: Document) -> dict:
    return {"doc_id": doc.doc_id, "title": doc.title, "doc_number": doc.doc_number, "issuer": doc.issuer,
            "date": doc.date, "source": doc.source}


def deadline_json(deadline: Deadline) -> dict:
    return {"text": deadline.text, "normalized": deadline.normalized}


def fields_json(item: Clause | Task) -> dict:
    """Roles (full normalized names), deadlines (as written + normalized) and targets of a clause or task."""
    return {**{role: names(getattr(item, role)) for role in ROLE_FIELDS},
            "deadlines": [deadline_json(d) for d in item.deadlines], "targets": list(item.targets)}


def clause_json(clause: Clause) -> dict:
    """One clause of `parse --json`."""
    return {"clause_id": clause.clause_id, "label": clause.label, "section_path": list(clause.section_path),
            "text": clause.text, **fields_json(clause), "row": clause.row}


def parse_json(document: Document, clauses, tasks=()) -> dict:
    """`parse --json`: the document, its clauses, and its tasks."""
    return {"document": document_json(document), "clauses": [clause_json(c) for c in clauses],
            "tasks": [task_json(document, t) for t in tasks]}


def where_json(document: Document, clause: Clause) -> dict:
    """Where a clause stands: document, file, section path, label and id."""
    return {"doc_id": document.doc_id, "doc_title": document.title, "source": document.source,
            "section_path": list(clause.section_path), "clause_label": clause.label, "clause_id": clause.clause_id}


def hit_json(document: Document, clause: Clause, score: float) -> dict:
    """A ranked clause (`search --json`, LangChain metadata): where it is, its text, fields and score."""
    return {**where_json(document, clause), "text": clause.text, **fields_json(clause), "score": round(float(score), 6)}


def _sentences(text: str) -> list[str]:
    """The sentences of `text`, skipping a line that holds only a numbering label (a table row's 序号 "1"
    above its task cell)."""
    out = [m.group(0).strip() for m in _SENTENCE.finditer(text or "")]
    return [x for x in out if x and not _LABEL.fullmatch(x)]


def first_sentence(text: str, label: str | None = None) -> str:
    """A clause's or task's first sentence without its numbering label ("1．持续开展…。" -> "持续开展…").
    Never raises."""
    for sentence in _sentences(text):
        if label and sentence.startswith(label):
            sentence = sentence[len(label):].strip()
        sentence = _LABEL.sub("", sentence, count=1).rstrip("。；")
        if sentence:
            return sentence
    return (text or "").strip()


def task_title(task: Task) -> str:
    """The task's first sentence as written (with its label), at most 80 characters: how lists and tables
    name it."""
    sentences = _sentences(task.text)
    return (sentences[0] if sentences else task.text)[:80]


def task_json(document: Document, task: Task) -> dict:
    """A task (`parse --json` tasks, `agencies --json`): where it is stated, its title, text and fields."""
    return {"task_id": task.task_id, "doc_id": document.doc_id, "doc_title": document.title, "source": document.source,
            "section_path": list(task.section_path), "clause_label": task.label, "clause_id": task.clause_id,
            "task": task_title(task), "text": task.text, **fields_json(task), "origin": task.origin.value,
            "row": task.row}


def citation_json(c: Citation) -> dict:
    return {"doc_id": c.doc_id, "doc_title": c.doc_title, "source": c.source, "section_path": list(c.section_path),
            "clause_label": c.clause_label, "clause_id": c.clause_id, "text": c.text, "quote": c.quote,
            "score": c.score}


def answer_json(answer: Answer) -> dict:
    """The `ask --json` contract (DESIGN.md; `targets`, `operation` and `count` added)."""
    return {"question": answer.question, "intent": answer.intent, "found": answer.found, "answer": answer.answer,
            "lead_agencies": list(answer.lead_agencies), "participants": list(answer.participants),
            "deadlines": list(answer.deadlines), "targets": list(answer.targets),
            "citations": [citation_json(c) for c in answer.citations],
            "operation": answer.operation, "count": answer.count}


def answer_error_json(question: str, error: BaseException) -> dict:
    """`ask --batch`: a question that could not be answered gets this object, and the run goes on."""
    return {"question": question, "intent": "general", "found": False, "answer": "", "lead_agencies": [],
            "participants": [], "deadlines": [], "targets": [], "citations": [],
            "error": f"{type(error).__name__}: {error}"}


# ---------------------------------------------------------------- stored records

def _agencies_record(item) -> dict:
    return {role: [[a.name, a.as_written] for a in getattr(item, role)] for role in ROLE_FIELDS}


def _agencies_from(data: dict) -> dict:
    return {role: tuple(Agency(n, w) for n, w in data.get(role, ())) for role in ROLE_FIELDS}


def clause_record(clause: Clause) -> str:
    """The clause as the index stores it (agencies with their names as written, the span)."""
    return json.dumps({"clause_id": clause.clause_id, "label": clause.label, "section_path": list(clause.section_path),
                       "text": clause.text, "span": list(clause.span), **_agencies_record(clause),
                       "deadlines": [[d.text, d.normalized] for d in clause.deadlines],
                       "targets": list(clause.targets)}, ensure_ascii=False)


def clause_from_record(doc_id: str, record: str) -> Clause:
    data = json.loads(record)
    return Clause(clause_id=data["clause_id"], doc_id=doc_id, label=data["label"],
                  section_path=tuple(data["section_path"]), text=data["text"], span=tuple(data["span"]),
                  deadlines=tuple(Deadline(*d) for d in data["deadlines"]), targets=tuple(data["targets"]),
                  **_agencies_from(data))


def task_record(task: Task) -> dict:
    """A task as the index stores it (a JSON-ready dict)."""
    return {"task_id": task.task_id, "clause_id": task.clause_id, "label": task.label,
            "section_path": list(task.section_path), "text": task.text, "span": list(task.span), "row": task.row,
            "origin": task.origin.value, **_agencies_record(task),
            "deadlines": [[d.text, d.normalized] for d in task.deadlines], "targets": list(task.targets)}


def task_from_record(doc_id: str, data: dict) -> Task:
    return Task(task_id=data["task_id"], doc_id=doc_id, clause_id=data["clause_id"], label=data["label"],
                section_path=tuple(data["section_path"]), text=data["text"], span=tuple(data["span"]),
                row=data.get("row"), origin=Origin(data["origin"]),
                deadlines=tuple(Deadline(*d) for d in data["deadlines"]), targets=tuple(data["targets"]),
                **_agencies_from(data))
