"""The reader view: one document's clause tree with each clause's tasks, opened at a clause.

Clauses are shown in reading order (by span); a heading line is written when a clause's section path
departs from the previous one, one level per heading. Each clause holds its text as written and, under
it, the fields of the tasks it states (牵头 / 参与 / 负责 / 期限 / 目标). The clause asked for carries
the class `pq-focus` (highlighted; the page scrolls to it) and its quote, if given, is marked.
"""
from __future__ import annotations

from collections.abc import Iterable

from ...models import Clause, Document, Task
from .render import e, highlighted

# Run after the reader is updated: bring the focused clause into view inside the reader's scroll box.
SCROLL_TO_FOCUS = ("() => { setTimeout(() => { const f = document.querySelector('#pq-reader .pq-focus');"
                   " if (f) f.scrollIntoView({block: 'center'}); }, 150); }")


def task_fields(task: Task) -> list[tuple[str, str]]:
    out = []
    for name, agencies in (("牵头", task.lead_agencies), ("参与", task.participants), ("负责", task.responsible)):
        if agencies:
            out.append((name, "、".join(a.name for a in agencies)))
    if task.deadlines:
        out.append(("期限", "、".join(d.text for d in task.deadlines)))
    if task.targets:
        out.append(("目标", "、".join(task.targets)))
    return out


def reader_html(document: Document, clauses: Iterable[Clause], tasks: Iterable[Task],
                focus: str | None = None, quote: str = "") -> str:
    """The document as an HTML clause tree; `focus` is the clause_id to highlight."""
    by_clause: dict[str, list[Task]] = {}
    for task in tasks:
        by_clause.setdefault(task.clause_id, []).append(task)
    meta = " · ".join(e(x) for x in (document.doc_number, document.issuer, document.date) if x)
    parts = [f'<div class="pq-reader"><h3>{e(document.title)}</h3>',
             f'<div class="pq-scope">{meta + " · " if meta else ""}文件：{e(document.source)}</div>']
    shown: tuple[str, ...] = ()
    for clause in sorted(clauses, key=lambda c: c.span[0]):
        path = clause.section_path
        common = 0
        while common < min(len(path), len(shown)) and path[common] == shown[common]:
            common += 1
        for depth in range(common, len(path)):
            tag = f"h{min(4 + depth, 5)}"
            parts.append(f"<{tag}>{e(path[depth])}</{tag}>")
        shown = path
        focused = clause.clause_id == focus
        body = highlighted(clause.text, quote) if focused else e(clause.text)
        parts.append(f'<div class="pq-clause{" pq-focus" if focused else ""}" data-id="{e(clause.clause_id)}">'
                     f'{body}')
        for task in by_clause.get(clause.clause_id, []):
            chips = "".join(f'<span class="pq-field"><b>{e(k)}</b>{e(v)}</span>' for k, v in task_fields(task))
            if chips:
                parts.append(f'<div class="pq-task">{chips}</div>')
        parts.append("</div>")
    parts.append("</div>")
    return "".join(parts)
