"""The Gradio page: five tabs wired to WebApp, and `serve`.

问答 (chat with a document scope beside it), 责任分工 (matrix, CSV and .xlsx), 时间节点 (chart, table,
.ics), 阅读 (a document's clause tree), 文档 (documents by title; upload, replace, re-index, delete).
The scope chosen in any of the first three tabs is the scope of all three.

Gradio's own labels ("Drop File Here", "Loading…") follow the browser's language; every page is served
saying zh-CN to Gradio's scripts (`ChineseLocale`), so they are Chinese in any browser.
"""
import os

from ...answer import Assistant
from ...documents.load import SUPPORTED_SUFFIXES
from ...index import Index
from ...query.retrieve import Retriever
from .app import DEADLINE_HEADERS, DOC_HEADERS, MATRIX_HEADERS, ROLES, WebApp
from .reader import SCROLL_TO_FOCUS
from .render import CLICK_TO_OPEN, CSS, conversation_html, e

EXAMPLES = ["涉镉污染源排查这件事谁牵头？哪些部门参与？", "重点监管单位名录最晚什么时候要公布？",
            "今年污染地块安全利用率要达到多少？", "自治区农业农村厅牵头哪些任务？", "今年年底前要完成哪些工作？",
            "综合保税区汽车保税存储试点谁牵头？"]
SCOPE_LABEL = "文件范围（不选即全部文件）"
# After an answer: scroll the conversation box so the latest question and the start of its answer show.
SHOW_LAST_TURN = ("() => { setTimeout(() => { const root = document.querySelector('#pq-chat');"
                  " const turns = root ? root.querySelectorAll('.pq-turn') : []; if (!turns.length) return;"
                  " const last = turns[turns.length - 1];"
                  " for (let box = last.parentElement; box && box !== root.parentElement; box = box.parentElement) {"
                  "  if (box.scrollHeight > box.clientHeight + 2 && getComputedStyle(box).overflowY !== 'visible') {"
                  "   box.scrollTop += last.getBoundingClientRect().top - box.getBoundingClientRect().top - 8; } }"
                  " }, 100); }")


# Gradio picks its own labels' language ("Drop File Here" / "将文件拖放到此处") from navigator.language when
# the page starts, and some components keep the words they mounted with; so the page must say zh-CN
# before Gradio's scripts run: the first thing in <head> (ChineseLocale below puts it there).
LOCALE_SCRIPT = (b"<script>(function(){try{for(const [k,v] of [['language','zh-CN'],['languages',['zh-CN','zh']]])"
                 b"Object.defineProperty(Navigator.prototype,k,{get:()=>v,configurable:true});}catch(e){}"
                 b"document.documentElement.lang='zh-CN';})();</script>")


class ChineseLocale:
    """ASGI middleware: the app's HTML pages get LOCALE_SCRIPT at the top of <head>; nothing else changes."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].endswith("/"):
            await self.app(scope, receive, send)
            return
        start: dict = {}
        chunks: list[bytes] = []

        async def rewrite(message):
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            content_type = dict((k.lower(), v) for k, v in headers).get(b"content-type", b"")
            if b"text/html" in content_type and b"<head>" in body:
                body = body.replace(b"<head>", b"<head>" + LOCALE_SCRIPT, 1)
            await send({**start, "headers": headers + [(b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, rewrite)


def build_app(app: WebApp):
    """The gr.Blocks page for `app` (not launched; `serve` launches it)."""
    import gradio as gr

    def choices_update(value=None):
        """A document dropdown's current choices, keeping its value while that document still exists."""
        return gr.update(choices=app.doc_choices(), value=value if value in app.documents() else None)

    def open_at(clause_id: str, quote: str = ""):
        doc_id, page = app.open_clause(clause_id, quote)
        return gr.Tabs(selected="reader"), gr.update(choices=app.doc_choices(), value=doc_id), page

    with gr.Blocks(title="政策文件问答 policyqa", delete_cache=(3600, 3600)) as demo:
        gr.HTML("<h2 style='margin:4px 0'>政策文件问答</h2><div class='pq-scope'>回答均引自文件原文条款；"
                "文件中没有的内容会明确说明“未找到”。</div>")
        turns = gr.State([])
        with gr.Tabs(selected="qa") as tabs:
            # ---------------------------------------------------------------- 问答
            with gr.Tab("问答", id="qa"):
                with gr.Row():
                    with gr.Column(scale=3):
                        chat = gr.HTML(conversation_html([]), elem_id="pq-chat", js_on_load=CLICK_TO_OPEN,
                                       max_height=560, autoscroll=True)
                        with gr.Row():
                            box = gr.Textbox(placeholder="例如：涉镉污染源排查谁牵头？", show_label=False, scale=5,
                                             elem_id="pq-question", max_length=500, lines=1)
                            send = gr.Button("提问", variant="primary", scale=1, elem_id="pq-ask")
                        notice = gr.HTML("", elem_id="pq-notice")
                        clear = gr.Button("新对话", size="sm", elem_id="pq-new")
                        gr.Examples(EXAMPLES, inputs=box, label="示例问题（点击填入）")
                    with gr.Column(scale=2):
                        scope_qa = gr.Dropdown(choices=app.doc_choices(), value=[], multiselect=True,
                                               label=SCOPE_LABEL, elem_id="pq-scope")
                        cards = gr.HTML(elem_id="pq-cards", js_on_load=CLICK_TO_OPEN)
            # ---------------------------------------------------------------- 责任分工
            with gr.Tab("责任分工", id="matrix") as matrix_tab:
                with gr.Row():
                    agency = gr.Dropdown(choices=app.agency_choices(), label="部门（可输入搜索）", filterable=True,
                                         value=None, elem_id="pq-agency")
                    role = gr.Radio(list(ROLES), value="全部", label="角色", elem_id="pq-role")
                    scope_m = gr.Dropdown(choices=app.doc_choices(), value=[], multiselect=True, label=SCOPE_LABEL,
                                          elem_id="pq-scope-matrix")
                first_rows, first_summary, first_ids = app.matrix(None, "全部", [])
                summary = gr.HTML(first_summary, elem_id="pq-summary")
                with gr.Row():
                    with gr.Column(scale=1, min_width=220):
                        csv_button = gr.Button("导出 CSV（当前筛选）", elem_id="pq-csv", size="sm")
                        xlsx_button = gr.Button("导出 Excel 分工矩阵（.xlsx）", elem_id="pq-xlsx", size="sm")
                    matrix_file = gr.File(label="导出的文件（点击文件名下载）", interactive=False, elem_id="pq-matrix-file",
                                          height=80, scale=2, visible=False)
                gr.HTML("<div class='pq-scope'>点击表中一行，在原文中查看该任务的条款。</div>")
                table = gr.Dataframe(headers=MATRIX_HEADERS, value=first_rows, wrap=True, interactive=False,
                                     elem_id="pq-matrix", max_height=600,
                                     column_widths=["26%", "6%", "15%", "20%", "10%", "12%", "11%"])
                matrix_ids = gr.State(first_ids)
            # ---------------------------------------------------------------- 时间节点
            with gr.Tab("时间节点", id="deadlines") as deadlines_tab:
                with gr.Row():
                    dl_agency = gr.Dropdown(choices=app.agency_choices(), label="按部门筛选（可输入搜索）",
                                            filterable=True, value=None, elem_id="pq-dl-agency")
                    scope_d = gr.Dropdown(choices=app.doc_choices(), value=[], multiselect=True, label=SCOPE_LABEL,
                                          elem_id="pq-scope-deadlines")
                dl_rows, dl_figure, dl_note, dl_ids = app.deadlines(None, [])
                chart = gr.Plot(dl_figure, elem_id="pq-chart", show_label=False)
                note = gr.HTML(dl_note, elem_id="pq-dl-note")
                with gr.Row():
                    with gr.Column(scale=1, min_width=220):
                        ics_button = gr.Button("导出日历（.ics，当前筛选）", elem_id="pq-ics", size="sm")
                    deadline_file = gr.File(label="导出的文件（点击文件名下载）", interactive=False, elem_id="pq-dl-file",
                                            height=80, scale=2, visible=False)
                dl_table = gr.Dataframe(headers=DEADLINE_HEADERS, value=dl_rows, wrap=True, interactive=False,
                                        elem_id="pq-deadlines", max_height=600,
                                        column_widths=["11%", "13%", "30%", "18%", "14%", "14%"])
                deadline_ids = gr.State(dl_ids)
            # ---------------------------------------------------------------- 阅读
            with gr.Tab("阅读", id="reader") as reader_tab:
                reader_doc = gr.Dropdown(choices=app.doc_choices(), value=None, label="文件", elem_id="pq-reader-doc")
                reader = gr.HTML(app.reader(None), elem_id="pq-reader")
            # ---------------------------------------------------------------- 文档
            with gr.Tab("文档", id="docs") as docs_tab:
                first_docs, first_doc_ids = app.docs_table()
                docs = gr.Dataframe(headers=DOC_HEADERS, value=first_docs, interactive=False, wrap=True,
                                    elem_id="pq-docs", max_height=420,
                                    column_widths=["30%", "12%", "12%", "9%", "6%", "6%", "17%", "8%"])
                doc_ids = gr.State(first_doc_ids)
                with gr.Row():
                    pick = gr.Dropdown(choices=app.doc_choices(), value=None, label="选择文件（或点击表中一行）",
                                       elem_id="pq-pick", scale=3)
                    read_button = gr.Button("阅读全文", size="sm", elem_id="pq-read", scale=1)
                    reindex_button = gr.Button("重新索引", size="sm", elem_id="pq-reindex", scale=1)
                    delete_button = gr.Button("删除", size="sm", variant="stop", elem_id="pq-delete", scale=1)
                overview = gr.HTML(app.overview(None), elem_id="pq-overview")
                with gr.Row():
                    history = gr.Dataframe(headers=["版本", "标题", "文件名", "导入时间", "状态"], value=[],
                                           interactive=False, wrap=True, elem_id="pq-history", scale=3,
                                           label="历史版本（替换后旧版本保留，可恢复）")
                    with gr.Column(scale=1, min_width=200):
                        version = gr.Dropdown(choices=[], value=None, label="要恢复的版本", elem_id="pq-version")
                        restore_button = gr.Button("恢复所选版本", size="sm", elem_id="pq-restore")
                        protect_button = gr.Button("设为受保护 / 取消保护", size="sm", elem_id="pq-protect")
                pending = gr.State(None)
                with gr.Group(visible=False, elem_id="pq-confirm") as confirm_box:
                    confirm_text = gr.HTML(elem_id="pq-confirm-text")
                    with gr.Row():
                        confirm_yes = gr.Button("确认", variant="stop", elem_id="pq-confirm-yes")
                        confirm_no = gr.Button("取消", elem_id="pq-confirm-no")
                results = gr.HTML(elem_id="pq-results")
                if app.settings.allow_upload:
                    with gr.Row():
                        with gr.Column():
                            upload = gr.File(label="上传新文件导入（txt / docx / pdf / html，可多选）",
                                             file_count="multiple", file_types=list(SUPPORTED_SUFFIXES),
                                             elem_id="pq-upload")
                            go = gr.Button("导入", variant="primary", elem_id="pq-import")
                        with gr.Column():
                            new_version = gr.File(label="新版本文件（替换上面选中的文件，旧版本会被替换）",
                                                  file_count="single", file_types=list(SUPPORTED_SUFFIXES),
                                                  elem_id="pq-new-version")
                            replace_button = gr.Button("替换", elem_id="pq-replace")
                else:
                    gr.HTML("<div class='pq-scope'>上传已关闭（只读部署）。</div>")

        # ---------------------------------------------------------------- 问答 events
        def ask(question, turn_list, scope):
            turn_list, conversation, panel, message = app.ask(question, turn_list, scope)
            return "", turn_list, conversation, (panel if panel is not None else gr.update()), message

        for trigger in (send.click, box.submit):
            trigger(ask, [box, turns, scope_qa], [box, turns, chat, cards, notice], api_name=False).then(
                None, None, None, js=SHOW_LAST_TURN)
        clear.click(lambda: ([], conversation_html([]), "", ""), None, [turns, chat, cards, notice], api_name=False)

        def open_citation(turn_list, evt: gr.EventData):
            clause_id = getattr(evt, "clause_id", None)          # sent by CLICK_TO_OPEN
            return open_at(clause_id, app.quote_for(turn_list, clause_id))

        for html in (chat, cards):
            html.click(open_citation, [turns], [tabs, reader_doc, reader], api_name=False).then(
                None, None, None, js=SCROLL_TO_FOCUS)

        # ---------------------------------------------------------------- one scope for three tabs
        scopes = [scope_qa, scope_m, scope_d]
        for source in scopes:
            others = [s for s in scopes if s is not source]
            source.input(lambda value: (value, value), source, others, api_name=False, show_progress="hidden")

        # ---------------------------------------------------------------- 责任分工 events
        matrix_outputs = [table, summary, matrix_ids]
        for control in (agency, role, scope_m):
            control.change(app.matrix, [agency, role, scope_m], matrix_outputs, api_name=False,
                           show_progress="hidden")         # milliseconds (evals/README.md, web actions)
        # exports are written when asked for, from the filter as it is then (never a stale file)
        def shown(write):
            return lambda *filters: gr.update(value=write(*filters), visible=True)

        csv_button.click(shown(app.matrix_csv), [agency, role, scope_m], matrix_file, api_name=False)
        xlsx_button.click(shown(app.matrix_xlsx), [agency, role, scope_m], matrix_file, api_name=False)
        scope_m.change(lambda s: gr.update(choices=app.agency_choices(s)), scope_m, agency, api_name=False,
                       show_progress="hidden")

        def open_row(ids, evt: gr.SelectData):
            row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
            return open_at(ids[row] if ids and 0 <= row < len(ids) else None)

        table.select(open_row, [matrix_ids], [tabs, reader_doc, reader], api_name=False).then(
            None, None, None, js=SCROLL_TO_FOCUS)

        # ---------------------------------------------------------------- 时间节点 events
        deadline_outputs = [dl_table, chart, note, deadline_ids]
        for control in (dl_agency, scope_d):
            control.change(app.deadlines, [dl_agency, scope_d], deadline_outputs, api_name=False,
                           show_progress="hidden")
        ics_button.click(shown(app.deadlines_ics), [dl_agency, scope_d], deadline_file, api_name=False)
        scope_d.change(lambda s: gr.update(choices=app.agency_choices(s)), scope_d, dl_agency, api_name=False,
                       show_progress="hidden")
        dl_table.select(open_row, [deadline_ids], [tabs, reader_doc, reader], api_name=False).then(
            None, None, None, js=SCROLL_TO_FOCUS)

        # ---------------------------------------------------------------- 阅读 events
        reader_doc.input(app.reader, reader_doc, reader, api_name=False)

        # ---------------------------------------------------------------- 文档 events
        def picked(doc_id):
            rows = app.history(doc_id)
            older = [r[0] for r in rows if r[4] != "当前版本"]
            return app.overview(doc_id), rows, gr.update(choices=older, value=older[-1] if older else None)

        pick.change(picked, pick, [overview, history, version], api_name=False)
        def pick_row(ids, evt: gr.SelectData):
            row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
            return gr.update(value=ids[row]) if ids and 0 <= row < len(ids) else gr.update()

        docs.select(pick_row, [doc_ids], pick, api_name=False)

        def read(doc_id):
            return gr.Tabs(selected="reader"), gr.update(choices=app.doc_choices(), value=doc_id), app.reader(doc_id)

        read_button.click(read, pick, [tabs, reader_doc, reader], api_name=False)

        # Lists follow the index: after an action here, and when a page or tab is opened after an ingest
        # elsewhere. Nothing is redrawn when the documents did not change, so a filter being chosen is never
        # reset under the user.
        seen = gr.State(app.version())                # the documents the lists were built from
        drawn = gr.State(app.version())               # the documents the matrix and timeline were drawn from
        lists = [docs, doc_ids, pick, reader_doc, *scopes, agency, dl_agency, seen]
        views = [agency, role, scope_m, dl_agency, scope_d]
        view_outputs = matrix_outputs + deadline_outputs + [drawn]

        def refreshed(pick_value=None, reader_value=None, scope_value=None):
            rows, ids = app.docs_table()
            scope_value = app.scope(scope_value)
            return (rows, ids, choices_update(pick_value), choices_update(reader_value),
                    *[gr.update(choices=app.doc_choices(), value=scope_value) for _ in scopes],
                    gr.update(choices=app.agency_choices(scope_value)),
                    gr.update(choices=app.agency_choices(scope_value)), app.version())

        def on_open(pick_value, reader_value, scope_value, seen_version):
            if seen_version == app.version():
                return tuple(gr.update() for _ in lists)
            return refreshed(pick_value, reader_value, scope_value)

        def redraw(drawn_version, a, r, sm, da, sd):
            if drawn_version == app.version():
                return tuple(gr.update() for _ in view_outputs)
            return (*app.matrix(a, r, sm), *app.deadlines(da, sd), app.version())

        def ask_confirm(action, doc_id, file=None):
            documents = app.documents()
            if not doc_id or doc_id not in documents:
                return None, gr.update(visible=False), "", app.results([("—", "失败", "请先在列表中选择一份文件")])
            title = documents[doc_id].title
            if action == "restore":
                text = f"确定把《{title}》恢复为第 {file} 版吗？当前版本会保留在历史版本中。"
            elif action == "replace":
                if not file:
                    return None, gr.update(visible=False), "", app.results([(title, "失败", "请先选择新版本的文件")])
                text = f"确定用新文件替换《{title}》吗？替换后问答和列表将使用新版本。"
            else:
                text = f"确定从索引中删除《{title}》吗？删除后问答和列表中不再有这份文件。"
            return ({"action": action, "doc_id": doc_id, "file": file}, gr.update(visible=True),
                    f"<div class='pq-notfound'>{e(text)}</div>", "")

        confirm_outputs = [pending, confirm_box, confirm_text, results]
        delete_button.click(lambda d: ask_confirm("delete", d), pick, confirm_outputs, api_name=False)
        confirm_no.click(lambda: (None, gr.update(visible=False), "", "<div class='pq-scope'>已取消。</div>"), None,
                         confirm_outputs, api_name=False)

        def confirmed(action, reader_value, scope_value, progress=gr.Progress()):
            rows = []
            if action and action["action"] == "delete":
                rows = app.delete(action["doc_id"])
            elif action and action["action"] == "restore":
                rows = app.restore(action["doc_id"], action["file"])
            elif action:
                rows = app.replace(action["doc_id"], action["file"], progress)
            return (None, gr.update(visible=False), "", app.results(rows), *refreshed(None, reader_value, scope_value))

        def restore_asked(doc_id, chosen):
            if chosen in (None, ""):
                return None, gr.update(visible=False), "", app.results([("—", "失败", "没有可恢复的旧版本")])
            return ask_confirm("restore", doc_id, chosen)

        restore_button.click(restore_asked, [pick, version], confirm_outputs, api_name=False)

        def protect(doc_id, reader_value, scope_value):
            return (app.results(app.protect(doc_id)), *refreshed(doc_id, reader_value, scope_value))

        def reindex(doc_id, reader_value, scope_value, progress=gr.Progress()):
            return (app.results(app.reindex(doc_id, progress)), *refreshed(None, reader_value, scope_value))

        actions = [confirm_yes.click(confirmed, [pending, reader_doc, scope_qa], confirm_outputs + lists,
                                     api_name=False),
                   reindex_button.click(reindex, [pick, reader_doc, scope_qa], [results] + lists, api_name=False),
                   protect_button.click(protect, [pick, reader_doc, scope_qa], [results] + lists, api_name=False)]
        if app.settings.allow_upload:
            replace_button.click(lambda d, f: ask_confirm("replace", d, f), [pick, new_version], confirm_outputs,
                                 api_name=False)

            def do_upload(files, pick_value, reader_value, scope_value, progress=gr.Progress()):
                rows = app.upload(files, progress)
                return (app.results(rows), None, *refreshed(pick_value, reader_value, scope_value))

            actions.append(go.click(do_upload, [upload, pick, reader_doc, scope_qa], [results, upload] + lists,
                                    api_name=False))
        # Keeping the lists in step is background work: no spinner. A spinner left over when two of these
        # refreshes overlap (a tab opened while the previous action's redraw still runs) covered the
        # dropdowns and took their clicks.
        for tab in (matrix_tab, deadlines_tab, reader_tab, docs_tab):
            actions.append(tab.select(on_open, [pick, reader_doc, scope_qa, seen], lists, api_name=False,
                                      show_progress="hidden"))
        actions.append(demo.load(on_open, [pick, reader_doc, scope_qa, seen], lists, api_name=False,
                                 show_progress="hidden"))
        for action in actions:
            action.then(redraw, [drawn, *views], view_outputs, api_name=False, show_progress="hidden")
        gr.api(app.ask_api, api_name="ask")
    return demo


def serve(index: Index, host: str = "127.0.0.1", port: int = 7860, auth: tuple[str, str] | None = None):
    """Load everything once, then serve with `index.settings.web` (and `.llm`). Blocks until stopped."""
    from starlette.middleware import Middleware

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")   # no calls home; set before gradio loads
    settings = index.settings.web
    assistant = Assistant(Retriever(index))
    index.clauses()
    app = WebApp(index, assistant, settings)
    app.extractive.ask("预热")                  # the model loads now, not on the first request
    demo = build_app(app)
    demo.queue(default_concurrency_limit=settings.concurrency, max_size=settings.queue_size)
    demo.launch(server_name=host, server_port=port, share=False, auth=auth, show_error=False, quiet=True,
                max_file_size=f"{settings.max_upload_mb}mb", blocked_paths=[str(index.index_dir)], css=CSS,
                app_kwargs={"middleware": [Middleware(ChineseLocale)]}, footer_links=["api"], ssr_mode=False,
                run_history=False, enable_monitoring=False,
                state_session_capacity=settings.session_capacity)   # bounded memory: no run log, few sessions
