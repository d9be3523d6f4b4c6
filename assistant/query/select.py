"""Selecting tasks by their fields, in one place: the list answers, the responsibility matrix, the
deadline table, the CLI's `agencies` and `deadlines` and the web app all filter through
`select_tasks`, so they always agree. Lists are complete: every matching task, not the top-k.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from ..models import AgencyRole, Document, Query, Role, Task
from ..serialize import task_json, task_title


@dataclass(frozen=True)
class TaskRow:
    """A task and its document."""

    task: Task
    document: Document

    @property
    def title(self) -> str:
        return task_title(self.task)

    def agencies(self, role: Role) -> set[str]:
        task = self.task
        lead, participants = {a.name for a in task.lead_agencies}, {a.name for a in task.participants}
        if role == Role.LEAD:
            return lead
        if role == Role.PARTICIPANTS:
            return participants
        responsible = {a.name for a in task.responsible}
        return responsible if role == Role.RESPONSIBLE else lead | participants | responsible

    def meets(self, condition: AgencyRole) -> bool:
        has = bool(self.agencies(condition.role) & set(condition.agencies))
        return has != condition.negated

    def json(self) -> dict:
        return task_json(self.document, self.task)


def select_tasks(tasks: Mapping[str, Task] | Iterable[Task], documents: Mapping[str, Document],
                 query: Query | None = None, **filters) -> list[TaskRow]:
    """Every task meeting the query's conditions, complete, in reading order (file name, position, row).

    The one filter over task records: list, count and yes/no answers, the responsibility matrix, the
    timeline, the CLI and the web app all call it. `query` is an analysed question, or built from
    `filters` (the Query fields scope, agencies, role, due, conditions, section), e.g.
    `select_tasks(tasks, docs, scope=[doc_id], agencies=["自治区农业农村厅"], role=Role.LEAD)`.

    - scope: the documents (all when empty); section_path: a heading path prefix the task stands under;
    - conditions: each met (one of its agencies has its role, or, negated, none has it); without
      conditions, `agencies` with `role` (any of them);
    - due: a deadline of the task meets it.
    """
    if query is None:
        query = Query(**{k: tuple(v) if isinstance(v, (list, set)) else v for k, v in filters.items()})
    elif filters:
        query = replace(query, **filters)
    section = query.section_path
    scope = set(query.scope or query.restrict)
    conditions = query.conditions or ((AgencyRole("", tuple(query.agencies), query.role),) if query.agencies else ())
    rows = []
    for task in (tasks.values() if isinstance(tasks, Mapping) else tasks):
        if task.doc_id not in documents or (scope and task.doc_id not in scope):
            continue
        if section and tuple(task.section_path[:len(section)]) != tuple(section):
            continue
        row = TaskRow(task, documents[task.doc_id])
        if not all(row.meets(c) for c in conditions):
            continue
        if query.due is not None and not any(query.due.matches(d) for d in task.deadlines):
            continue
        rows.append(row)
    return sorted(rows, key=lambda r: (r.document.source, r.task.span[0], r.task.row or 0))


def role_of(task: Task, agencies: Iterable[str]) -> Role | None:
    """The part one of `agencies` has in the task: lead, participants, responsible, or None."""
    wanted = set(agencies)
    for role, attr in ((Role.LEAD, "lead_agencies"), (Role.PARTICIPANTS, "participants"),
                       (Role.RESPONSIBLE, "responsible")):
        if wanted & {a.name for a in getattr(task, attr)}:
            return role
    return None


@dataclass
class AgencyRoles:
    agency: str
    lead: list[TaskRow]
    participants: list[TaskRow]
    responsible: list[TaskRow]

    def json(self) -> dict:
        participants = [t.json() for t in self.participants]
        # "participant" is the name of the first release of `agencies --json`, kept for the tools that read it
        return {"agency": self.agency, "lead": [t.json() for t in self.lead], "participants": participants,
                "participant": participants, "responsible": [t.json() for t in self.responsible]}


def responsibility_matrix(rows: list[TaskRow]) -> list[AgencyRoles]:
    """Every agency of `rows` with the tasks it leads, joins and answers for; most tasks first."""
    table: dict[str, AgencyRoles] = {}
    for row in rows:
        for attr, agencies in (("lead", row.task.lead_agencies), ("participants", row.task.participants),
                               ("responsible", row.task.responsible)):
            for agency in agencies:
                entry = table.setdefault(agency.name, AgencyRoles(agency.name, [], [], []))
                getattr(entry, attr).append(row)
    return sorted(table.values(), key=lambda e: (-len(e.lead), -len(e.participants), e.agency))


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


def deadline_rows(rows: list[TaskRow]) -> list[dict]:
    """Every deadline of `rows` with its task and agencies: dated ones in time order, then recurring,
    then relative ones (the `deadlines --json` shape)."""
    out = []
    for row in rows:
        task = row.task
        for deadline in task.deadlines:
            out.append({"deadline": deadline.text, "normalized": deadline.normalized, "task": row.title,
                        "lead_agencies": [a.name for a in task.lead_agencies] or [a.name for a in task.responsible],
                        "participants": [a.name for a in task.participants],
                        "task_id": task.task_id, "clause_id": task.clause_id, "clause_label": task.label,
                        "section_path": list(task.section_path), "doc_id": row.document.doc_id,
                        "doc_title": row.document.title, "source": row.document.source})
    return sorted(out, key=lambda r: _sort_key(r["normalized"]))
