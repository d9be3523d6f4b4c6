"""Clauses as readable text for the terminal (`parse`, `search`); JSON shapes are in assistant.serialize."""
from __future__ import annotations

from ..models import Clause


def clause_lines(clause: Clause, width: int = 80) -> list[str]:
    text = " ".join(clause.text.split("\n"))
    if width and len(text) > width:
        text = text[:width] + "…"
    path = " > ".join(clause.section_path)
    lines = [f"[{path}]  ({clause.clause_id.split(':', 1)[1]})" if path else f"[—]  ({clause.clause_id.split(':', 1)[1]})",
             f"  {text}"]
    fields = []
    if clause.lead_agencies:
        fields.append("牵头: " + "、".join(a.name for a in clause.lead_agencies))
    if clause.participants:
        fields.append("参与: " + "、".join(a.name for a in clause.participants))
    if clause.responsible:
        fields.append("负责: " + "、".join(a.name for a in clause.responsible))
    if clause.deadlines:
        fields.append("期限: " + "、".join(f"{d.text}({d.normalized})" if d.normalized else d.text
                                         for d in clause.deadlines))
    if clause.targets:
        fields.append("目标: " + "、".join(clause.targets))
    lines.extend(f"    {f}" for f in fields)
    return lines
