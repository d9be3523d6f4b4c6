"""Clauses as readable text for the terminal (`parse`, `search`); JSON shapes are in assistant.serialize."""
from __future__ import annotations

from ..models import Clause


def clause_lines(clause: Clause, width: int = 80) -> list[str]:
    """The clause's place, its text on one line (cut at `width` characters; a table row's cells separated
    by spaces), and its fields."""
    text = " ".join(clause.text.replace("\t", " ").split("\n"))
    if width and len(text) > width:
        text = text[:width] + "…"
    path = " > ".join(clause.section_path)
    where = clause.clause_id.split(':', 1)[1] + (f", 表格第{clause.row}行" if clause.row is not None else "")
    lines = [f"[{path or '—'}]  ({where})", f"  {text}"]
    fields = []
    if clause.lead_agencies:
        fields.append("牵头: " + "、".join(a.name for a in clause.lead_agencies))
    if clause.participants:
        fields.append("参与: " + "、".join(a.name for a in clause.participants))
    if clause.responsible:
        fields.append("负责: " + "、".join(a.name for a in clause.responsible))
    if clause.implementers:
        fields.append("实施: " + "、".join(a.name for a in clause.implementers))
    if clause.guiding:
        fields.append("指导: " + "、".join(a.name for a in clause.guiding))
    if clause.deadlines:
        fields.append("期限: " + "、".join(f"{d.text}({d.normalized})" if d.normalized else d.text
                                         for d in clause.deadlines))
    if clause.targets:
        fields.append("目标: " + "、".join(clause.targets))
    lines.extend(f"    {f}" for f in fields)
    return lines
