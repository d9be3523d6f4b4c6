"""Tables over all indexed clauses: the responsibility matrix (agency -> tasks) and the deadline list.

Shared by `policyqa agencies`, `policyqa deadlines` and the web app, so they always agree.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .models import Clause, Document


@dataclass(frozen=True)
class TaskRow:
    clause: Clause
    document: Document

    @property
    def title(self) -> str:
        first = re.match(r"[^。；！？\n]*[。；！？]?", self.clause.text)
        return (first.group(0) if first else self.clause.text)[:80]

    def json(self) -> dict:
        return {"clause_id": self.clause.clause_id, "clause_label": self.clause.label, "task": self.title,
                "doc_id": self.document.doc_id, "doc_title": self.document.title, "source": self.document.source,
                "section_path": list(self.clause.section_path),
                "lead_agencies": [a.name for a in self.clause.lead_agencies],
                "participants": [a.name for a in self.clause.participants],
                "responsible": [a.name for a in self.clause.responsible],
                "deadlines": [{"text": d.text, "normalized": d.normalized} for d in self.clause.deadlines]}


@dataclass
class AgencyRoles:
    agency: str
    lead: list[TaskRow]
    participant: list[TaskRow]
    responsible: list[TaskRow]

    def json(self) -> dict:
        return {"agency": self.agency, "lead": [t.json() for t in self.lead],
                "participant": [t.json() for t in self.participant],
                "responsible": [t.json() for t in self.responsible]}


def _ordered(clauses: dict[str, Clause], documents: dict[str, Document]) -> list[TaskRow]:
    rows = [TaskRow(c, documents[c.doc_id]) for c in clauses.values() if c.doc_id in documents]
    return sorted(rows, key=lambda r: (r.document.source, r.clause.span[0]))


def responsibility_matrix(clauses: dict[str, Clause], documents: dict[str, Document],
                          doc_id: str | None = None) -> list[AgencyRoles]:
    """Every agency with the tasks it leads, joins and answers for; most tasks first."""
    table: dict[str, AgencyRoles] = {}
    for row in _ordered(clauses, documents):
        if doc_id and row.document.doc_id != doc_id:
            continue
        for role, agencies in (("lead", row.clause.lead_agencies), ("participant", row.clause.participants),
                               ("responsible", row.clause.responsible)):
            for agency in agencies:
                entry = table.setdefault(agency.name, AgencyRoles(agency.name, [], [], []))
                getattr(entry, role).append(row)
    return sorted(table.values(), key=lambda e: (-len(e.lead), -len(e.participant), e.agency))


def find_agency(matrix: list[AgencyRoles], name: str) -> list[AgencyRoles]:
    """Entries for a name as officers write it: exact, or the name without its 自治区/国家 prefix."""
    exact = [e for e in matrix if e.agency == name]
    if exact:
        return exact
    return [e for e in matrix if e.agency.endswith(name) or name in e.agency]


def _sort_key(normalized: str | None) -> tuple:
    if normalized is None:
        return (3, "")
    if re.match(r"\d{4}-\d{2}-\d{2}", normalized):
        return (0, normalized)
    if normalized.startswith("R/"):
        return (1, normalized)
    return (2, normalized)


def deadline_rows(clauses: dict[str, Clause], documents: dict[str, Document],
                  doc_id: str | None = None) -> list[dict]:
    """Every deadline with its task and agencies: dated ones in time order, then recurring, then relative."""
    rows = []
    for row in _ordered(clauses, documents):
        if doc_id and row.document.doc_id != doc_id:
            continue
        for deadline in row.clause.deadlines:
            rows.append({"deadline": deadline.text, "normalized": deadline.normalized, "task": row.title,
                         "lead_agencies": [a.name for a in row.clause.lead_agencies] or
                         [a.name for a in row.clause.responsible],
                         "participants": [a.name for a in row.clause.participants],
                         "clause_id": row.clause.clause_id, "clause_label": row.clause.label,
                         "section_path": list(row.clause.section_path), "doc_title": row.document.title,
                         "source": row.document.source})
    return sorted(rows, key=lambda r: _sort_key(r["normalized"]))
