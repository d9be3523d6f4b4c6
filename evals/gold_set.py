"""The gold questions (evals/gold/questions.jsonl) and how a retrieved clause is judged."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

GOLD = Path(__file__).resolve().parent / "gold" / "questions.jsonl"
SINGLE_ANSWER = ("lead", "participants", "deadline", "target", "general")


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    intent: str
    doc: str | None
    clause: str | None
    clauses: tuple[str, ...] = ()
    lead: tuple[str, ...] | None = None
    participants: tuple[str, ...] | None = None
    responsible: tuple[str, ...] | None = None
    deadline: str | None = None
    target: str | None = None
    refuse: bool = False
    split: str = "tune"
    intents: tuple[str, ...] = field(default_factory=tuple)

    def matches(self, source: str, clause_text: str) -> bool:
        """A retrieved clause answers the question: right document, contains the expected text."""
        return bool(self.clause) and source == self.doc and self.clause in clause_text


def read_jsonl(path: Path) -> list[dict]:
    """The objects of a JSON-lines file; a bad line is an error naming the file and line."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: not JSON ({exc})") from exc
    return rows


def load_questions(path: Path = GOLD) -> list[Question]:
    out = []
    for row in read_jsonl(path):
        tup = lambda key: tuple(row[key]) if row.get(key) is not None else None  # noqa: E731
        out.append(Question(
            id=row["id"], question=row["question"], intent=row.get("intent", "general"), doc=row.get("doc"),
            clause=row.get("clause"), clauses=tuple(row.get("clauses") or ()), lead=tup("lead"),
            participants=tup("participants"), responsible=tup("responsible"), deadline=row.get("deadline"),
            target=row.get("target"), refuse=bool(row.get("refuse")), split=row.get("split", "tune"),
            intents=tuple(row.get("intents") or (row.get("intent", "general"),))))
    return out
