"""The web app (Gradio): 问答, 责任分工, 时间节点, 文档. A thin layer over Assistant, matrix and Index.

The model and index load once at start-up; every request reuses them. All document and user text is
escaped before it is put into HTML. The Gradio API endpoint `/ask` returns the same JSON as
`policyqa ask --json`.
"""
from __future__ import annotations

import csv
import html
import os
import re
import shutil
import tempfile
from pathlib import Path

from ..answer import Assistant
from ..documents.load import SUPPORTED_SUFFIXES
from ..errors import PolicyQAError
from ..index import Index
from ..models import Answer, Role
from ..query.retrieve import Retriever
from ..query.select import deadline_rows, find_agency, responsibility_matrix, select_tasks
from ..serialize import answer_json
from ..settings import WebSettings

EXAMPLES = ["涉镉污染源排查这件事谁牵头？哪些部门参与？", "重点监管单位名录最晚什么时候要公布？",
            "今年污染地块安全利用率要达到多少？", "自治区农业农村厅牵头哪些任务？", "2021年底前要完成哪些工作？",
            "综合保税区汽车保税存储试点谁牵头？"]
ROLE_CHOICES = ["全部", "牵头", "参与", "负责"]
ALL_DOCS = "全部文件"

CSS = """
.pq-asked {color:#666; font-size:0.9em; margin-bottom:4px;}
.pq-fields {display:flex; flex-wrap:wrap; gap:6px; margin:4px 0 8px;}
.pq-field {border:1px solid #c9d6ea; background:#f3f7fd; border-radius:6px; padding:4px 8px;}
.pq-field b {color:#1f4e8c; margin-right:4px;}
.pq-notfound {border-left:4px solid #c0392b; background:#fdf1f0; padding:6px 10px;}
.pq-card {border:1px solid #d8d8d8; border-radius:8px; padding:8px 12px; margin:8px 0; background:#fff;}
.pq-card .pq-where {color:#555; font-size:0.92em;}
.pq-card mark {background:#fff1a8; padding:0 2px;}
.pq-card summary {cursor:pointer; color:#1f4e8c;}
"""


# ---------------------------------------------------------------- HTML pieces (escaped)

def _e(text) -> str:
    return html.escape(str(text), quote=True)


def fields_html(answer: Answer) -> str:
    if not answer.found:
        return f'<div class="pq-notfound">{_e(answer.answer.splitlines()[0])}</div>'
    items = []
    if answer.lead_agencies:
        items.append(("牵头", "、".join(answer.lead_agencies)))
    if answer.participants:
        items.append(("参与", "、".join(answer.participants)))
    if answer.deadlines:
        items.append(("期限", "、".join(answer.deadlines)))
    if answer.targets:
        items.append(("目标", "、".join(answer.targets)))
    chips = "".join(f'<span class="pq-field"><b>{_e(k)}</b>{_e(v)}</span>' for k, v in items)
    return f'<div class="pq-fields">{chips}</div>' if chips else ""


def citation_cards(answer: Answer, limit: int = 5) -> str:
    if not answer.citations:
        return ""
    title = "引用条款" if answer.found else "相关条款（未找到直接答案）"
    cards = [f"<h4>{title}</h4>"]
    for number, c in enumerate(answer.citations[:limit], start=1):
        if number == 2 and answer.found and answer.intent not in ("agency_tasks", "deadline_list"):
            cards.append("<h4>其他相关条款</h4>")
        where = " > ".join(c.section_path)
        label = f" {c.clause_label}" if c.clause_label else ""
        body = _e(c.text)
        if c.quote and c.quote in c.text:
            body = body.replace(_e(c.quote), f"<mark>{_e(c.quote)}</mark>", 1)
        opened = " open" if number == 1 and answer.found else ""
        cards.append(
            f'<div class="pq-card"><div><b>[{number}] 《{_e(c.doc_title)}》</b></div>'
            f'<div class="pq-where">{_e(where)}{_e(label)} · {_e(c.source)}</div>'
            f'<div>“{_e(c.quote)}”</div>'
            f'<details{opened}><summary>展开条款全文</summary><div>{body}</div></details></div>')
    return "".join(cards)


def chat_message(answer: Answer) -> str:
    """The assistant's chat bubble: Markdown with escaped text (the chat component sanitizes too)."""
    lines = []
    for line in answer.answer.splitlines():
        lines.append(_e(line))
    return "\n\n".join(lines)


# ---------------------------------------------------------------- the app

class WebApp:
    def __init__(self, index: Index, assistant: Assistant, settings: WebSettings):
        self.index = index
        self.assistant = assistant
        self.settings = settings
        self.upload_dir = Path(index.index_dir) / "uploads"

    # -- 问答
    def ask(self, question: str, history: list, previous: dict | None):
        question = (question or "").strip()
        if not question:
            return "", history, previous, "", "请输入问题。"
        prev = previous.get("answer") if previous else None
        answer = self.assistant.ask(question, previous=prev)
        history = list(history or []) + [{"role": "user", "content": _e(question)},
                                          {"role": "assistant", "content": chat_message(answer)}]
        header = f'<div class="pq-asked">问题：{_e(answer.question)}</div>'
        return "", history, {"answer": answer}, header + fields_html(answer) + citation_cards(answer), ""

    def ask_api(self, question: str) -> dict:
        """Same JSON as `policyqa ask --json`."""
        return answer_json(self.assistant.ask(question or ""))

    # -- 责任分工
    def _tasks(self, **filters):
        return select_tasks(self.index.tasks(), self.index.documents(), **filters)

    def agency_choices(self) -> list[str]:
        return [e.agency for e in responsibility_matrix(self._tasks())]

    def doc_choices(self) -> list[str]:
        return [ALL_DOCS] + sorted(d.source for d in self.index.documents().values())

    def _doc_id(self, source: str | None) -> str | None:
        if not source or source == ALL_DOCS:
            return None
        return next((d.doc_id for d in self.index.documents().values() if d.source == source), None)

    def matrix_rows(self, agency: str | None, role: str, source: str | None) -> tuple[list[list[str]], str]:
        doc_id = self._doc_id(source)
        matrix = responsibility_matrix(self._tasks(scope=[doc_id] if doc_id else []))
        if agency:
            matrix = find_agency(matrix, agency)
        rows, seen = [], set()
        wanted = {"全部": ("lead", "participants", "responsible"), "牵头": ("lead",), "参与": ("participants",),
                  "负责": ("responsible",)}[role or "全部"]
        role_name = {"lead": "牵头", "participants": "参与", "responsible": "负责"}
        for entry in matrix:
            for attr in wanted:
                for task in getattr(entry, attr):
                    key = task.task.task_id
                    if key in seen:
                        continue
                    seen.add(key)
                    c = task.task
                    rows.append([task.title, role_name[attr] if agency else "—",
                                 "、".join(a.name for a in c.lead_agencies) or
                                 "、".join(a.name for a in c.responsible), "、".join(a.name for a in c.participants),
                                 "、".join(d.text for d in c.deadlines), task.document.source,
                                 " > ".join(c.section_path)])
        if agency and matrix:
            e = matrix[0]
            summary = f"**{e.agency}**：牵头 {len(e.lead)} 项，参与 {len(e.participants)} 项，负责 {len(e.responsible)} 项。"
        else:
            summary = f"共 {len(rows)} 项任务。选择部门可查看其牵头、参与的任务。"
        return rows, summary

    def matrix_csv(self, agency: str | None, role: str, source: str | None) -> str:
        rows, _ = self.matrix_rows(agency, role, source)
        handle = tempfile.NamedTemporaryFile("w", suffix=".csv", prefix="责任分工-", delete=False, encoding="utf-8-sig",
                                             newline="")
        with handle:
            writer = csv.writer(handle)
            writer.writerow(MATRIX_HEADERS)
            writer.writerows(rows)
        return handle.name

    # -- 时间节点
    def deadline_table(self, agency: str | None):
        import pandas as pd

        rows = deadline_rows(self._tasks(agencies=[agency] if agency else [], role=Role.ANY))
        table = [[r["normalized"] or "—", r["deadline"], r["task"], "、".join(r["lead_agencies"]),
                  "、".join(r["participants"]), r["source"]] for r in rows]
        months: dict[str, int] = {}
        for r in rows:
            n = r["normalized"] or ""
            if re.match(r"\d{4}-\d{2}-\d{2}$", n):
                months[n[:7]] = months.get(n[:7], 0) + 1
        chart = pd.DataFrame({"月份": list(months), "到期任务数": list(months.values())}).sort_values("月份")
        return table, chart

    # -- 文档
    def docs_table(self) -> list[list]:
        return [[e["source"], e["title"], e.get("doc_number") or "", e.get("date") or "", e["clauses"]]
                for e in sorted(self.index.document_entries(), key=lambda e: e["source"])]

    def overview(self, source: str | None) -> str:
        doc_id = self._doc_id(source)
        if not doc_id:
            return "选择一份文件查看概要。"
        document = self.index.documents()[doc_id]
        clauses = [c for c in self.index.clauses().values() if c.doc_id == doc_id]
        sections: list[str] = []
        for c in sorted(clauses, key=lambda c: c.span[0]):
            if c.section_path and c.section_path[0] not in sections:
                sections.append(c.section_path[0])
        tasks = [t for t in self.index.tasks().values() if t.doc_id == doc_id and t.has_roles]
        leads: dict[str, int] = {}
        for c in tasks:
            for a in c.lead_agencies:
                leads[a.name] = leads.get(a.name, 0) + 1
        top = sorted(leads.items(), key=lambda kv: -kv[1])[:5]
        upcoming = [r for r in deadline_rows(self._tasks(scope=[doc_id]))
                    if r["normalized"] and r["normalized"][0].isdigit()][:5]
        lines = [f"### {_e(document.title)}",
                 f"{_e(document.doc_number or '')} {_e(document.issuer or '')} {_e(document.date or '')}".strip(),
                 f"- 条款 {len(clauses)} 条，其中有明确分工的任务 {len(tasks)} 项",
                 "- 主要章节：" + ("、".join(_e(s) for s in sections[:12]) or "—"),
                 "- 牵头最多的部门：" + ("、".join(f"{_e(n)}（{k}项）" for n, k in top) or "—"),
                 "- 最近的时间节点：" + ("；".join(f"{_e(r['deadline'])}：{_e(r['task'][:30])}" for r in upcoming) or "—")]
        return "\n".join(lines)

    def upload(self, files, progress=None) -> tuple[str, list[list]]:
        if not self.settings.allow_upload:
            return "上传已关闭（只读部署）。", self.docs_table()
        if not files:
            return "请选择文件。", self.docs_table()
        paths = []
        self.upload_dir.mkdir(parents=True, exist_ok=True)
        messages = []
        for item in files if isinstance(files, list) else [files]:
            src = Path(getattr(item, "name", item))
            name = Path(src.name).name                        # never a path from the client
            if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
                messages.append(f"❌ {name}：不支持的文件类型（支持 txt、docx、pdf、html）")
                continue
            if src.stat().st_size > self.settings.max_upload_mb * 1024 * 1024:
                messages.append(f"❌ {name}：文件超过 {self.settings.max_upload_mb} MB")
                continue
            target_dir = Path(tempfile.mkdtemp(dir=self.upload_dir))
            target = target_dir / name
            shutil.move(str(src), target)                      # out of Gradio's served cache
            paths.append(target)
        if paths:
            say = (lambda m: progress(0.5, desc=m)) if progress else None
            try:
                report = self.index.ingest(paths, progress=say)
            except PolicyQAError as exc:
                messages.append(f"❌ 导入失败，索引未改变：{exc}")
            else:
                messages += [f"✅ 已导入 {n}" for n in report.added]
                messages += [f"✅ 已更新 {n}" for n in report.replaced]
                messages += [f"⏭ {n}：{why}" for n, why in report.skipped]
                messages += [f"❌ {Path(n).name}：{why}" for n, why in report.failed]
        return "\n".join(_e(m) for m in messages), self.docs_table()


MATRIX_HEADERS = ["任务", "角色", "牵头/负责", "参与", "期限", "文件", "章节"]
MATRIX_WIDTHS = ["24%", "6%", "16%", "22%", "10%", "11%", "11%"]


def build_app(app: WebApp):
    import gradio as gr

    with gr.Blocks(title="policyqa 政策文件问答") as demo:
        gr.Markdown("## 政策文件问答 · policyqa\n回答均引自文件原文条款；文件中没有的内容会明确说明“未找到”。")
        with gr.Tabs():
            with gr.Tab("问答", id="qa"):
                previous = gr.State(None)
                with gr.Row():
                    with gr.Column(scale=3):
                        chat = gr.Chatbot(label="对话", height=420, sanitize_html=True, elem_id="pq-chat")
                        with gr.Row():
                            box = gr.Textbox(placeholder="例如：涉镉污染源排查谁牵头？", show_label=False, scale=5,
                                             elem_id="pq-question", max_length=500)
                            send = gr.Button("提问", variant="primary", scale=1, elem_id="pq-ask")
                        notice = gr.Markdown("")
                        gr.Examples(EXAMPLES, inputs=box, label="示例问题（点击填入）")
                    with gr.Column(scale=2):
                        cards = gr.HTML(elem_id="pq-cards")
                outputs = [box, chat, previous, cards, notice]
                send.click(app.ask, [box, chat, previous], outputs, api_name=False)
                box.submit(app.ask, [box, chat, previous], outputs, api_name=False)
                clear = gr.Button("新对话", size="sm")
                clear.click(lambda: ([], None, "", ""), None, [chat, previous, cards, notice], api_name=False)
            with gr.Tab("责任分工", id="matrix"):
                with gr.Row():
                    agency = gr.Dropdown(choices=app.agency_choices(), label="部门（可输入搜索）", filterable=True,
                                         value=None, elem_id="pq-agency")
                    role = gr.Radio(ROLE_CHOICES, value="全部", label="角色")
                    source = gr.Dropdown(choices=app.doc_choices(), value=ALL_DOCS, label="文件")
                summary = gr.Markdown()
                first_rows, first_summary = app.matrix_rows(None, "全部", None)
                table = gr.Dataframe(headers=MATRIX_HEADERS, value=first_rows, wrap=True, interactive=False,
                                     elem_id="pq-matrix", column_widths=MATRIX_WIDTHS, max_height=600)
                download = gr.DownloadButton("下载 CSV", elem_id="pq-csv")
                summary.value = first_summary
                for control in (agency, role, source):
                    control.change(lambda a, r, s: app.matrix_rows(a, r, s), [agency, role, source], [table, summary],
                                   api_name=False)
                    control.change(app.matrix_csv, [agency, role, source], download, api_name=False)
                demo.load(app.matrix_csv, [agency, role, source], download, api_name=False)
            with gr.Tab("时间节点", id="deadlines"):
                dl_agency = gr.Dropdown(choices=app.agency_choices(), label="按部门筛选", filterable=True, value=None,
                                        elem_id="pq-dl-agency")
                rows, chart_data = app.deadline_table(None)
                chart = gr.BarPlot(chart_data, x="月份", y="到期任务数", title="每月到期的任务数", height=260)
                dl_table = gr.Dataframe(headers=["日期/周期", "期限原文", "任务", "牵头/负责", "参与", "文件"], value=rows,
                                        wrap=True, interactive=False, elem_id="pq-deadlines", max_height=600,
                                        column_widths=["11%", "13%", "30%", "18%", "16%", "12%"])
                dl_agency.change(app.deadline_table, dl_agency, [dl_table, chart], api_name=False)
            with gr.Tab("文档", id="docs"):
                docs = gr.Dataframe(headers=["文件", "标题", "文号", "日期", "条款数"], value=app.docs_table(),
                                    interactive=False, wrap=True)
                pick = gr.Dropdown(choices=app.doc_choices()[1:], label="查看概要", value=None)
                overview = gr.Markdown("选择一份文件查看概要。")
                pick.change(app.overview, pick, overview, api_name=False)
                if app.settings.allow_upload:
                    upload = gr.File(label="上传文件导入（txt / docx / pdf / html）", file_count="multiple",
                                     file_types=list(SUPPORTED_SUFFIXES), elem_id="pq-upload")
                    go = gr.Button("导入", elem_id="pq-import")
                    status = gr.Markdown()

                    def do_upload(files, progress=gr.Progress()):
                        message, table_rows = app.upload(files, progress)
                        return message, table_rows, gr.update(choices=app.doc_choices()[1:])
                    go.click(do_upload, upload, [status, docs, pick], api_name=False)
                else:
                    gr.Markdown("上传已关闭（只读部署）。")
        gr.api(app.ask_api, api_name="ask")
    return demo


def serve(index: Index, host: str = "127.0.0.1", port: int = 7860, auth: tuple[str, str] | None = None):
    """Load everything once, then serve with `index.settings.web` (and `.llm`). Blocks until stopped."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")   # no calls home; set before gradio loads
    settings = index.settings.web
    assistant = Assistant(Retriever(index))
    index.clauses()
    assistant.ask("预热")                       # the model loads now, not on the first request
    app = WebApp(index, assistant, settings)
    demo = build_app(app)
    demo.queue(default_concurrency_limit=settings.concurrency, max_size=settings.queue_size)
    demo.launch(server_name=host, server_port=port, share=False, auth=auth, show_error=False, quiet=True,
                max_file_size=f"{settings.max_upload_mb}mb", blocked_paths=[str(index.index_dir)], css=CSS,
                footer_links=["api"], ssr_mode=False, run_history=False, enable_monitoring=False,
                state_session_capacity=settings.session_capacity)   # bounded memory: no run log, few sessions
