"""HTML pieces of the web app. Every string that comes from a document or a user goes through `e()`
(html.escape) and is never read as Markdown, so a clause holding `<img …>` or `![x](http://…)` is shown
as those characters and makes the browser fetch nothing.

Elements that open a clause in the reader carry `data-clause="<clause_id>"`; one delegated click
listener per HTML component (CLICK_TO_OPEN) turns a click on them into a Gradio event.
"""
from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from ...models import Answer, Citation

CSS = """
.pq-turn {margin:0 0 14px;}
.pq-user {background:#eef3fb; border-radius:8px; padding:6px 10px; margin:0 0 6px auto; width:fit-content;
          max-width:85%; white-space:pre-wrap;}
.pq-bot {border:1px solid #dde3ea; border-radius:8px; padding:8px 10px; background:#fff;}
.pq-text {white-space:pre-wrap; line-height:1.6;}
.pq-scope {color:#555; font-size:0.88em; margin-top:4px;}
.pq-asked {color:#666; font-size:0.9em; margin-bottom:4px;}
.pq-fields {display:flex; flex-wrap:wrap; gap:6px; margin:4px 0 8px;}
.pq-field {border:1px solid #c9d6ea; background:#f3f7fd; border-radius:6px; padding:2px 8px;}
.pq-field b {color:#1f4e8c; margin-right:4px;}
.pq-notfound {border-left:4px solid #c0392b; background:#fdf1f0; padding:6px 10px; white-space:pre-wrap;}
.pq-generated {border-left:4px solid #8e6ac8; background:#f6f2fc; padding:6px 10px; margin-bottom:8px;}
.pq-generated .pq-tag {color:#6b4aa8; font-size:0.88em; font-weight:bold;}
.pq-cites {margin-top:6px; font-size:0.92em;}
.pq-open {cursor:pointer; color:#1f4e8c; background:none; border:none; padding:0; text-align:left;
          text-decoration:underline; font:inherit;}
.pq-card {border:1px solid #d8d8d8; border-radius:8px; padding:8px 12px; margin:8px 0; background:#fff;}
.pq-card .pq-where {color:#555; font-size:0.92em;}
.pq-card mark, .pq-clause mark {background:#fff1a8; padding:0 2px;}
.pq-card summary {cursor:pointer; color:#1f4e8c;}
.pq-card .pq-full {white-space:pre-wrap;}
.pq-reader {max-height:72vh; overflow:auto; padding-right:8px;}
.pq-reader h3, .pq-reader h4, .pq-reader h5 {margin:14px 0 6px; color:#1f3b5c;}
.pq-clause {border-left:3px solid transparent; padding:4px 10px; margin:4px 0; white-space:pre-wrap;
            line-height:1.6;}
.pq-clause.pq-focus {border-left-color:#e0a800; background:#fff8d6;}
.pq-clause .pq-label {font-weight:bold; color:#1f3b5c;}
.pq-task {display:flex; flex-wrap:wrap; gap:6px; margin:4px 0 2px; white-space:normal;}
.pq-results {width:100%; border-collapse:collapse;}
.pq-results td, .pq-results th {padding:3px 8px; border-bottom:1px solid #eee; text-align:left;}
.pq-results td:nth-child(2), .pq-results th:nth-child(2) {white-space:nowrap;}
.pq-ok {color:#1e7b34; font-weight:bold;} .pq-bad {color:#b3261e; font-weight:bold;}
.pq-skip {color:#8a6d00; font-weight:bold;}
"""

# Delegated listener for gr.HTML(js_on_load=…): a click on [data-clause] fires the component's click
# event with the clause id, which the app turns into "open the reader at that clause".
CLICK_TO_OPEN = ("element.addEventListener('click', (event) => {"
                 " const target = event.target.closest('[data-clause]');"
                 " if (target) { event.preventDefault(); trigger('click', {clause_id: target.dataset.clause}); } });")


def e(text) -> str:
    """Escaped for HTML text and attribute values."""
    return html.escape("" if text is None else str(text), quote=True)


def text_block(text: str, css: str = "pq-text") -> str:
    """Plain text kept as written (line breaks by CSS pre-wrap), never Markdown."""
    return f'<div class="{css}">{e(text)}</div>'


def where(c: Citation) -> str:
    path = " > ".join(c.section_path)
    label = f" {c.clause_label}" if c.clause_label else ""
    return f"{path}{label}".strip()


def open_link(clause_id: str, label: str) -> str:
    return f'<button type="button" class="pq-open" data-clause="{e(clause_id)}">{label}</button>'


def fields_html(answer: Answer) -> str:
    items = []
    for name, values in (("牵头", answer.lead_agencies), ("参与", answer.participants), ("期限", answer.deadlines),
                         ("目标", answer.targets)):
        if values:
            items.append((name, "、".join(values)))
    chips = "".join(f'<span class="pq-field"><b>{e(k)}</b>{e(v)}</span>' for k, v in items)
    return f'<div class="pq-fields">{chips}</div>' if chips and answer.found else ""


def highlighted(text: str, quote: str) -> str:
    """The clause text escaped, with the first occurrence of the quote marked."""
    body = e(text)
    if quote and quote in text:
        body = body.replace(e(quote), f"<mark>{e(quote)}</mark>", 1)
    return body


def citation_cards(answer: Answer, limit: int = 5) -> str:
    """The side panel: one card per citation with the quote and the whole clause, each opening the reader."""
    if not answer.citations:
        return ""
    title = "引用条款" if answer.found else "相关条款（未找到直接答案）"
    cards = [f"<h4>{title}</h4>"]
    for number, c in enumerate(answer.citations[:limit], start=1):
        if number == 2 and answer.found and answer.intent not in ("agency_tasks", "deadline_list"):
            cards.append("<h4>其他相关条款</h4>")
        opened = " open" if number == 1 and answer.found else ""
        cards.append(
            f'<div class="pq-card"><div><b>[{number}] 《{e(c.doc_title)}》</b></div>'
            f'<div class="pq-where">{e(where(c))} · {e(c.source)}</div>'
            f'<div>“{e(c.quote)}”</div>'
            f'<div>{open_link(c.clause_id, "在原文中查看")}</div>'
            f'<details{opened}><summary>展开条款全文</summary><div class="pq-full">{highlighted(c.text, c.quote)}'
            f'</div></details></div>')
    return "".join(cards)


@dataclass
class Turn:
    """One question and its answer, with the documents it searched (and an LLM's wording, if any)."""

    question: str
    answer: Answer
    scope: str                                  # "全部文件（18 份）" or the titles searched
    generated: Answer | None = None
    model: str | None = None


def turn_html(turn: Turn, limit: int = 5) -> str:
    answer = turn.answer
    parts = [f'<div class="pq-turn"><div class="pq-user">{e(turn.question)}</div><div class="pq-bot">']
    if turn.generated is not None:
        parts.append(f'<div class="pq-generated"><div class="pq-tag">模型生成（{e(turn.model)}，仅供参考，'
                     f'以下方摘录的原文为准）</div>{text_block(turn.generated.answer)}</div>')
    if answer.found:
        parts.append(fields_html(answer) + text_block(answer.answer))
    else:
        parts.append(text_block(answer.answer, "pq-notfound"))
    if answer.citations:
        links = [open_link(c.clause_id, f"[{n}] 《{e(c.doc_title)}》 {e(where(c))}")
                 for n, c in enumerate(answer.citations[:limit], start=1)]
        parts.append('<div class="pq-cites">' + ("引用：" if answer.found else "相关：") + "<br>".join(links) + "</div>")
    parts.append(f'<div class="pq-scope">检索范围：{e(turn.scope)}</div></div></div>')
    return "".join(parts)


def conversation_html(turns: Sequence[Turn]) -> str:
    if not turns:
        return '<div class="pq-text" style="color:#777">在下方输入问题。回答均引自文件原文；点击引用可在原文中查看该条款。</div>'
    return "".join(turn_html(t) for t in turns)


def results_table(rows: Sequence[tuple[str, str, str]]) -> str:
    """Per-file results of an upload or action: (file, outcome, detail); outcome is 成功 / 未导入 / 失败."""
    css = {"成功": "pq-ok", "已更新": "pq-ok", "未导入": "pq-skip", "失败": "pq-bad"}
    body = "".join(f'<tr><td>{e(name)}</td><td class="{css.get(outcome, "")}">{e(outcome)}</td><td>{e(detail)}</td></tr>'
                   for name, outcome, detail in rows)
    return f'<table class="pq-results"><tr><th>文件</th><th>结果</th><th>说明</th></tr>{body}</table>' if rows else ""
