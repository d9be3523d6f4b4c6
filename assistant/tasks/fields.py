"""Clause fields (roles, deadlines, targets) and the document-level rules that carry across clauses.

Rules run in reading order: "以下均需地方各级人民政府落实，不再列出" adds a responsible body to every
later task (a clause with its own attribution); "列第一位者为牵头单位，下同" makes the first agency of
each later "（A、B负责）" the lead and the others participants.
"""
from __future__ import annotations

import re

from ..documents.attribution import KEYED, LABELLED, attribution_groups, segments
from ..documents.numbering import match_label
from ..documents.tables import ROLE_FIELDS, column_field, looks_like_agencies
from ..lexicon import TIME_KEYS
from ..models import Agency, Clause, Deadline, Document, Origin, RawClause, Task
from .agencies import split_agencies
from .deadlines import find_deadlines, table_deadline
from .roles import Roles, roles_from_attribution, roles_from_prose
from .targets import find_targets


# "（一）区发展改革委：负责…", "区建设管理委：一是…": the agency before the colon answers for the duty
AGENCY_HEAD = re.compile(r"^([\u4e00-\u9fff、（）()]{2,40}?)(?:负责|牵头)?[：:]")


def clause_roles(text: str, shared_tail: str | None = None) -> Roles:
    """Roles from attributions ("（A牵头，B参与）", "（责任单位：A）", "（县水利局、县财政局）"), labelled lines
    ("牵头单位：A；配合单位：B"), an agency heading the duty ("区发展改革委：负责…"), else prose."""
    roles = Roles()
    groups = attribution_groups(text)
    inners = [text[s + 1:e - 1] for s, e in groups]
    if shared_tail and not inners:
        inners = [shared_tail[1:-1]]
    inners += [m.group(1) for m in LABELLED.finditer(text)
               if not any(s <= m.start() < e for s, e in groups)]
    for inner in inners:
        found = roles_from_attribution(inner)
        for role in ("lead", "participants", "responsible", "implementers", "guiding", "later_responsible"):
            roles.add(role, getattr(found, role))
        roles.first_listed_leads |= found.first_listed_leads
    if roles.empty() and not inners:
        body = text[match_label(text).end:] if match_label(text) else text
        head = AGENCY_HEAD.match(body)
        addressee = head and (head.group(1).startswith("各") and re.search(r"通知如下|现将|现就|如下|印发给你们", body)
                              or not body[head.end():].strip())
        if head and looks_like_agencies(head.group(1)) and not addressee:
            roles.add("responsible", split_agencies(head.group(1))[0])
            return roles
        return roles_from_prose(text)
    return roles


def labelled_deadlines(text: str, year: int | None, issued: str | None) -> list[Deadline]:
    """Deadlines under a time label ("完成时限：持续推进", "时间节点：2024年9月") that prose rules miss."""
    out = []
    for s, e in [(m.start(1), m.end(1)) for m in LABELLED.finditer(text)] + \
            [(s + 1, e - 1) for s, e in attribution_groups(text)]:
        for segment in segments(text[s:e]):
            keyed = KEYED.match(segment)
            if keyed and keyed.group(1) in TIME_KEYS:
                out.extend(table_deadline(keyed.group(2), year, issued))
    return out


def section_agencies(section_path: tuple[str, ...]) -> list[Agency]:
    """The agency a duty section is headed by ("（一）虹口区绿化和市容管理局", "一、区数据局"), innermost first."""
    for heading in reversed(section_path):
        label = match_label(heading)
        name = (heading[label.end:] if label else heading).strip().rstrip("：:")
        if name and len(name) <= 40 and looks_like_agencies(name):
            return split_agencies(name)[0]
    return []


def row_fields(document: Document, cells: tuple[tuple[str, str], ...]) -> tuple[Roles, list[Deadline], list[str]]:
    """A task-table row's fields, each from the column that states it: agencies from the role columns
    (牵头单位 -> lead, 配合单位 -> participants, 责任单位/单位 -> responsible, 实施部门, 指导部门), deadlines
    from the time column (as written, normalized where possible: 全年推进, 持续推进, 2023年6月底前), per-year
    values from year columns, targets from the text."""
    roles, deadlines, targets, text_deadlines = Roles(), [], [], []
    for name, value in cells:
        if not value:
            continue
        kind = column_field(name)
        if kind in ROLE_FIELDS:
            for role, agencies in _marked_roles(kind, value):
                roles.add(role, agencies)
        elif kind == "deadline":
            deadlines.extend(table_deadline(value, document.year, document.date))
        elif kind == "year":
            year = name[:4]
            if value.strip() in ("√", "✓", "✔", "●", "☑"):
                deadlines.append(Deadline(text=f"{year}年", normalized=f"{year}-12-31"))
            else:
                targets.append(f"{year}年：{value}")
        elif kind == "text":
            targets.extend(t for t in find_targets(value) if t not in targets)
            text_deadlines.extend(find_deadlines(value, document.year, document.date))
    if not deadlines:
        deadlines = text_deadlines
    return roles, list(dict.fromkeys(deadlines)), targets


_MARK = re.compile(r"[（(]?(牵头|配合|参与|协办)[)）]?$")


def _marked_roles(kind: str, value: str) -> list[tuple[str, list[Agency]]]:
    """A role cell's agencies. "市生态环境局（牵头）、市水务局" or "市生态环境局牵头，市水务局配合" in a
    责任单位 column: the marked one leads, the others take part; unmarked, the column's role."""
    items = [i.strip() for i in re.split(r"[、，,；;]", value) if i.strip()]
    if not any(_MARK.search(i) for i in items):
        return [(kind, split_agencies(value)[0])]
    out: list[tuple[str, list[Agency]]] = []
    prefix = None
    for item in items:
        mark = _MARK.search(item)
        role = {"牵头": "lead"}.get(mark.group(1), "participants") if mark else \
            ("participants" if kind in ("responsible", "lead") else kind)
        agencies, prefix = split_agencies(item[:mark.start()] if mark else item, prefix)
        out.append((role, agencies))
    return out


def build_clauses(document: Document, text: str, raw: list[RawClause]) -> tuple[list[Clause], list[Task]]:
    """Each clause with its fields, and the tasks the clauses state (one per clause that has a field)."""
    later_responsible: list[Agency] = []
    first_listed_leads = False
    clauses, tasks = [], []
    for rc in raw:
        body = text[rc.start:rc.end]
        if rc.cells:
            roles, deadlines, targets = row_fields(document, rc.cells)
            clause = Clause(clause_id=f"{document.doc_id}:{rc.path_id}", doc_id=document.doc_id, label=rc.label,
                            section_path=rc.section_path, text=body, span=(rc.start, rc.end),
                            lead_agencies=tuple(roles.lead), participants=tuple(roles.participants),
                            responsible=tuple(roles.responsible), implementers=tuple(roles.implementers),
                            guiding=tuple(roles.guiding), deadlines=tuple(deadlines), targets=tuple(targets),
                            row=rc.row)
            clauses.append(clause)
            tasks.append(task_of_clause(clause, Origin.TABLE))
            continue
        roles = clause_roles(body, rc.shared_tail)
        has_attribution = bool(attribution_groups(body)) or bool(rc.shared_tail) or bool(LABELLED.search(body))
        origin = None
        if roles.empty():
            first_line, _, rest = body.partition("\n")      # "（一）虹口区绿化和市容管理局" heading its duties
            under = section_agencies(rc.section_path + ((first_line,) if rest.strip() else ()))
            if under:                   # a duty listed under an agency-headed section
                roles.add("responsible", under)
                origin = Origin.AGENCY_SECTION
        first_listed_leads |= roles.first_listed_leads
        if first_listed_leads and roles.responsible and not roles.lead:
            first, *rest = roles.responsible
            roles.lead, roles.responsible = [first], []
            roles.add("participants", rest)
        if has_attribution and not roles.empty():
            roles.add("responsible", later_responsible)
        later_responsible.extend(a for a in roles.later_responsible if a not in later_responsible)
        deadlines = find_deadlines(body, document.year, document.date)
        deadlines += [d for d in labelled_deadlines(body, document.year, document.date)
                      if not any(d.text in found.text or found.text in d.text for found in deadlines)]
        clause = Clause(
            clause_id=f"{document.doc_id}:{rc.path_id}",
            doc_id=document.doc_id,
            label=rc.label,
            section_path=rc.section_path,
            text=body,
            span=(rc.start, rc.end),
            lead_agencies=tuple(roles.lead),
            participants=tuple(roles.participants),
            responsible=tuple(roles.responsible),
            implementers=tuple(roles.implementers),
            guiding=tuple(roles.guiding),
            deadlines=tuple(deadlines),
            targets=tuple(find_targets(body)),
        )
        clauses.append(clause)
        if clause.has_roles or clause.deadlines or clause.targets:
            if origin is None or not clause.has_roles:
                origin = Origin.TEXT if not clause.has_roles else \
                    (Origin.LABEL if LABELLED.search(body) else Origin.ATTRIBUTION) if has_attribution else Origin.PROSE
            tasks.append(task_of_clause(clause, origin))
    return clauses, tasks


def task_of_clause(clause: Clause, origin: Origin) -> Task:
    """The one task a clause states, with the clause's fields."""
    return Task(task_id=clause.clause_id, doc_id=clause.doc_id, clause_id=clause.clause_id,
                section_path=clause.section_path, label=clause.label, text=clause.text,
                lead_agencies=clause.lead_agencies, participants=clause.participants, responsible=clause.responsible,
                implementers=clause.implementers, guiding=clause.guiding, deadlines=clause.deadlines,
                targets=clause.targets, origin=origin, span=clause.span, row=clause.row)
