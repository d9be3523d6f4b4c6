"""Clauses and documents as JSON (the contract in README) and as readable Chinese text."""
from __future__ import annotations

from .models import Clause, Document, ParsedDocument


def document_json(doc: Document) -> dict:
    return {"doc_id": doc.doc_id, "title": doc.title, "doc_number": doc.doc_number, "issuer": doc.issuer,
            "date": doc.date, "source": doc.source}


def clause_json(clause: Clause) -> dict:
    return {
        "clause_id": clause.clause_id,
        "label": clause.label,
        "section_path": list(clause.section_path),
        "text": clause.text,
        "lead_agencies": [a.name for a in clause.lead_agencies],
        "participants": [a.name for a in clause.participants],
        "responsible": [a.name for a in clause.responsible],
        "deadlines": [{"text": d.text, "normalized": d.normalized} for d in clause.deadlines],
        "targets": list(clause.targets),
    }


def parse_json(parsed: ParsedDocument) -> dict:
    return {"document": document_json(parsed.document), "clauses": [clause_json(c) for c in parsed.clauses]}


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
