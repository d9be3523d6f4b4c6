"""What the web app does, without Gradio: each method takes the values of the page's controls and returns
what the page shows (escaped HTML, table rows, file paths). `layout.py` wires them to components.

Scope: a list of doc_ids chosen in any tab (empty = every document); questions, the matrix, the
timeline and the exports all take it. Every list is read from the index on each call, so documents
added or removed by an upload, the 文档 tab or a `policyqa ingest` in another process show up without
a restart.
"""
from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from ...answer import Assistant
from ...answer.llm import generate_answer
from ...documents.load import SUPPORTED_SUFFIXES
from ...errors import PolicyQAError
from ...index import Index
from ...models import Document, Role
from ...query.select import TaskRow, deadline_rows, find_agency, responsibility_matrix, select_tasks
from ...serialize import answer_json
from ...settings import WebSettings
from ...tasks.parse import PARSER_VERSION
from . import exports
from .chart import month_counts, month_figure, undated_count
from .messages import progress_zh, reason_zh
from .reader import reader_html
from .render import Turn, citation_cards, conversation_html, e, results_table

ROLES = {"全部": Role.ANY, "牵头": Role.LEAD, "参与": Role.PARTICIPANTS, "负责": Role.RESPONSIBLE}
ROLE_NAMES = {"lead_agencies": "牵头", "participants": "参与", "responsible": "负责"}
MATRIX_HEADERS = ["任务", "角色", "牵头/负责", "参与", "期限", "文件", "章节"]
DEADLINE_HEADERS = ["日期/周期", "期限原文", "任务", "牵头/负责", "参与", "文件"]
DOC_HEADERS = ["标题", "文号", "发文机关", "日期", "条款", "任务", "文件名", "状态"]
MAX_TURNS = 30          # the conversation shown; older turns drop off the page (the answers stay correct)

Result = tuple[str, str, str]     # (file or title, 成功 / 已更新 / 未导入 / 失败, detail)


def _names(agencies) -> str:
    return "、".join(a.name for a in agencies)


class WebApp:
    def __init__(self, index: Index, assistant: Assistant, settings: WebSettings):
        self.index = index
        self.assistant = assistant                       # as configured (the /ask API answers like the CLI)
        self.settings = settings
        self.llm = assistant.settings.llm
        # the chat shows the extractive answer always, and an LLM's wording beside it when there is one
        self.extractive = assistant if self.llm is None else Assistant(
            assistant.retriever, settings=assistant.settings.model_copy(update={"llm": None}))
        self.upload_dir = Path(index.index_dir) / "uploads"

    # ------------------------------------------------------------ documents and scope
    def documents(self) -> dict[str, Document]:
        return self.index.documents()

    def entries(self) -> dict[str, dict]:
        return {e_["doc_id"]: e_ for e_ in self.index.document_entries()}

    def version(self) -> str:
        """Changes whenever a document is added, replaced or removed (by anyone, in any process)."""
        return "|".join(sorted(self.documents()))

    def doc_choices(self) -> list[tuple[str, str]]:
        """(label, doc_id) by title; a title shared by two documents gets its file name added."""
        docs = sorted(self.documents().values(), key=lambda d: (d.title, d.source))
        titles = [d.title for d in docs]
        return [(d.title if titles.count(d.title) == 1 else f"{d.title}（{d.source}）", d.doc_id) for d in docs]

    def scope(self, doc_ids: Sequence[str] | None) -> list[str]:
        """The chosen doc_ids that still exist (a document removed meanwhile drops out)."""
        known = self.documents()
        return [d for d in (doc_ids or []) if d in known]

    def scope_label(self, doc_ids: Sequence[str] | None) -> str:
        docs = self.documents()
        chosen = self.scope(doc_ids)
        if not chosen:
            return f"全部文件（{len(docs)} 份）"
        return "、".join(f"《{docs[d].title}》" for d in chosen)

    def _titles(self, doc_ids: Sequence[str] | None) -> str:
        docs = self.documents()
        return "、".join(docs[d].title for d in self.scope(doc_ids)) or "全部文件"

    # ------------------------------------------------------------ 问答
    def ask(self, question: str, turns: list[Turn] | None, doc_ids: Sequence[str] | None):
        """-> (turns, conversation HTML, citation panel HTML, notice)."""
        turns = list(turns or [])
        question = (question or "").strip()
        if not question:
            return turns, conversation_html(turns), None, "请输入问题。"
        scope = self.scope(doc_ids)
        previous = turns[-1].answer if turns else None
        answer = self.extractive.ask(question, doc=scope or None, previous=previous)
        generated = None
        if self.llm is not None:
            worded = generate_answer(answer, self.llm)
            generated = worded if worded is not answer else None
        # with nothing chosen, the documents the question itself (or the conversation) pointed to are what
        # was searched: "静安碳达峰那个工作安排里…" is not a search of all documents
        pointed = tuple(getattr(answer.query, "scope", ()) or ()) if not scope and answer.query is not None else ()
        label = self.scope_label(scope) if scope or not pointed else self.scope_label(pointed) + "（问题所指）"
        turns = (turns + [Turn(question, answer, label, generated,
                               self.llm.model if self.llm else None)])[-MAX_TURNS:]
        panel = f'<div class="pq-asked">问题：{e(answer.question)}</div>' + citation_cards(answer)
        return turns, conversation_html(turns), panel, ""

    def ask_api(self, question: str) -> dict:
        """Same JSON as `policyqa ask --json`."""
        return answer_json(self.assistant.ask(question or ""))

    # ------------------------------------------------------------ reader
    def reader(self, doc_id: str | None, focus: str | None = None, quote: str = "") -> str:
        docs = self.documents()
        if not doc_id or doc_id not in docs:
            return '<div class="pq-scope">选择一份文件阅读；问答中的引用、责任分工和时间节点表中的任务都可以在这里打开。</div>'
        clauses = [c for c in self.index.clauses().values() if c.doc_id == doc_id]
        tasks = [t for t in self.index.tasks().values() if t.doc_id == doc_id]
        return reader_html(docs[doc_id], clauses, tasks, focus, quote)

    def open_clause(self, clause_id: str | None, quote: str = "") -> tuple[str | None, str]:
        """-> (doc_id, reader HTML focused on the clause); an unknown clause opens nothing."""
        clause = self.index.clauses().get(clause_id or "")
        if clause is None:
            return None, '<div class="pq-notfound">该条款已不在索引中（文件可能已被删除或替换）。</div>'
        return clause.doc_id, self.reader(clause.doc_id, clause.clause_id, quote)

    def quote_for(self, turns: Sequence[Turn] | None, clause_id: str) -> str:
        """The quote the latest answer citing `clause_id` highlighted."""
        for turn in reversed(list(turns or [])):
            for c in turn.answer.citations:
                if c.clause_id == clause_id:
                    return c.quote
        return ""

    # ------------------------------------------------------------ 责任分工
    def agency_choices(self, doc_ids: Sequence[str] | None = None) -> list[str]:
        return [entry.agency for entry in responsibility_matrix(self._rows(doc_ids))]

    def _rows(self, doc_ids, agencies=(), role: Role = Role.ANY) -> list[TaskRow]:
        return select_tasks(self.index.tasks(), self.documents(), scope=self.scope(doc_ids), agencies=agencies,
                            role=role)

    def _matrix_rows(self, agency: str | None, role: str, doc_ids) -> tuple[list[TaskRow], list[str]]:
        """The task rows of the filter and the full agency names it matched."""
        role_value = ROLES.get(role or "全部", Role.ANY)
        if not agency:
            rows = [r for r in self._rows(doc_ids, role=role_value) if r.task.lead_agencies or r.task.participants
                    or r.task.responsible]
            return rows, []
        names = [m.agency for m in find_agency(responsibility_matrix(self._rows(doc_ids)), agency)]
        return (self._rows(doc_ids, names, role_value) if names else []), names

    def matrix(self, agency: str | None, role: str, doc_ids) -> tuple[list[list[str]], str, list[str]]:
        """-> (table rows, summary HTML, clause_id of each row)."""
        rows, names = self._matrix_rows(agency, role, doc_ids)
        table = []
        for row in rows:
            task = row.task
            mine = ""
            if names:
                mine = "、".join(label for attr, label in ROLE_NAMES.items()
                                 if {a.name for a in getattr(task, attr)} & set(names))
            table.append([row.title, mine or "—", _names(task.lead_agencies) or _names(task.responsible),
                          _names(task.participants), "、".join(d.text for d in task.deadlines), row.document.title,
                          " > ".join(task.section_path)])
        scope = self.scope_label(doc_ids)
        if agency and names:
            entries = [m for m in responsibility_matrix(self._rows(doc_ids)) if m.agency in names]
            counts = "；".join(f"<b>{e(m.agency)}</b>：牵头 {len(m.lead)} 项，参与 {len(m.participants)} 项，"
                              f"负责 {len(m.responsible)} 项" for m in entries)
            summary = f"{counts}。（范围：{e(scope)}）"
        elif agency:
            summary = f"范围内没有部门名为“{e(agency)}”的任务。（范围：{e(scope)}）"
        else:
            summary = f"共 {len(table)} 项有分工的任务。选择部门可查看其牵头、参与的任务。（范围：{e(scope)}）"
        return table, f'<div class="pq-scope">{summary}</div>', [r.task.clause_id for r in rows]

    def _matrix_name(self, kind: str, agency, role, doc_ids) -> str:
        return exports.export_name(kind, agency, None if (role or "全部") == "全部" else role,
                                   self._titles(doc_ids)[:40])

    def matrix_csv(self, agency: str | None, role: str, doc_ids) -> str:
        table, _, _ = self.matrix(agency, role, doc_ids)
        return str(exports.write_csv(self._matrix_name("责任分工", agency, role, doc_ids), MATRIX_HEADERS, table))

    def matrix_xlsx(self, agency: str | None, role: str, doc_ids) -> str:
        rows, _ = self._matrix_rows(agency, role, doc_ids)
        return str(exports.write_matrix_xlsx(self._matrix_name("责任分工矩阵", agency, role, doc_ids), rows))

    # ------------------------------------------------------------ 时间节点
    def _deadline_rows(self, agency: str | None, doc_ids) -> list[dict]:
        names = []
        if agency:
            names = [m.agency for m in find_agency(responsibility_matrix(self._rows(doc_ids)), agency)] or [agency]
        return deadline_rows(self._rows(doc_ids, names, Role.ANY))

    def deadlines(self, agency: str | None, doc_ids):
        """-> (table rows, plotly figure, note HTML, clause_id of each row)."""
        rows = self._deadline_rows(agency, doc_ids)
        table = []
        for r in rows:
            n = r["normalized"] or ""
            when = n if n[:1].isdigit() else ("周期性" if n.startswith("R/") else ("相对期限" if n else "—"))
            table.append([when, r["deadline"], r["task"], "、".join(r["lead_agencies"]), "、".join(r["participants"]),
                          r["doc_title"]])
        counts = month_counts(rows)
        title = "每月到期的任务数" + (f"：{agency}" if agency else "")
        undated = undated_count(rows)
        note = (f"图中 {sum(counts.values())} 项任务按到期月份计数；另有 {undated} 项只有周期性或相对期限，见下表。"
                f"（范围：{e(self.scope_label(doc_ids))}）")
        return table, month_figure(counts, title), f'<div class="pq-scope">{note}</div>', [r["clause_id"] for r in rows]

    def deadlines_ics(self, agency: str | None, doc_ids) -> str:
        rows = self._deadline_rows(agency, doc_ids)
        clauses = self.index.clauses()
        texts = {r["clause_id"]: clauses[r["clause_id"]].text for r in rows if r["clause_id"] in clauses}
        name = exports.export_name("时间节点", agency, self._titles(doc_ids)[:40])
        path, _, _ = exports.write_deadlines_ics(name, rows, self.documents(), texts)
        return str(path)

    # ------------------------------------------------------------ 文档
    def docs_table(self) -> tuple[list[list], list[str]]:
        """-> (rows by title, doc_id of each row)."""
        tasks: dict[str, int] = {}
        for task in self.index.tasks().values():
            if task.lead_agencies or task.participants or task.responsible:
                tasks[task.doc_id] = tasks.get(task.doc_id, 0) + 1
        entries = sorted(self.index.document_entries(), key=lambda x: (x["title"], x["source"]))
        rows = []
        for x in entries:
            status = "受保护" if x.get("protected") else ""
            if x.get("parser_version") not in (None, PARSER_VERSION):
                status = (status + " 需重新索引").strip()
            rows.append([x["title"], x.get("doc_number") or "", x.get("issuer") or "", x.get("date") or "",
                         x["clauses"], tasks.get(x["doc_id"], 0), x["source"], status or "正常"])
        return rows, [x["doc_id"] for x in entries]

    def overview(self, doc_id: str | None) -> str:
        docs = self.documents()
        if not doc_id or doc_id not in docs:
            return '<div class="pq-scope">选择一份文件查看概要。</div>'
        document = docs[doc_id]
        clauses = [c for c in self.index.clauses().values() if c.doc_id == doc_id]
        sections: list[str] = []
        for c in sorted(clauses, key=lambda c: c.span[0]):
            if c.section_path and c.section_path[0] not in sections:
                sections.append(c.section_path[0])
        rows = self._rows([doc_id])
        with_roles = [r for r in rows if r.task.lead_agencies or r.task.participants or r.task.responsible]
        leads: dict[str, int] = {}
        for r in with_roles:
            for a in r.task.lead_agencies:
                leads[a.name] = leads.get(a.name, 0) + 1
        top = sorted(leads.items(), key=lambda kv: -kv[1])[:5]
        upcoming = [r for r in deadline_rows(rows) if (r["normalized"] or "")[:1].isdigit()][:5]
        meta = " · ".join(x for x in (document.doc_number, document.issuer, document.date) if x)
        items = [f"条款 {len(clauses)} 条，其中有明确分工的任务 {len(with_roles)} 项",
                 "主要章节：" + ("、".join(sections[:12]) or "—"),
                 "牵头最多的部门：" + ("、".join(f"{n}（{k}项）" for n, k in top) or "—"),
                 "最近的时间节点：" + ("；".join(f"{r['deadline']}：{r['task'][:30]}" for r in upcoming) or "—")]
        return (f'<h4>{e(document.title)}</h4><div class="pq-scope">{e(meta)}{" · " if meta else ""}文件：'
                f'{e(document.source)}</div><ul>' + "".join(f"<li>{e(i)}</li>" for i in items) + "</ul>")

    # -- writes
    def _protected(self, doc_id: str) -> bool:
        return bool(self.entries().get(doc_id, {}).get("protected"))

    def _ingest(self, paths: list[Path], replace: bool, progress: Callable | None):
        """Index.ingest with progress in Chinese."""
        def say(message: str) -> None:
            if progress is not None:
                fraction, text = progress_zh(message)
                progress(fraction, desc=text)

        return self.index.ingest(paths, replace=replace, progress=say)

    def _check_file(self, item) -> tuple[Path | None, str, str | None]:
        """-> (source path, file name, problem in Chinese or None)."""
        src = Path(getattr(item, "name", item))
        name = Path(src.name).name                        # never a path from the client
        if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
            return None, name, "不支持的文件类型（支持 txt、docx、pdf、html）"
        if src.stat().st_size > self.settings.max_upload_mb * 1024 * 1024:
            return None, name, f"文件超过 {self.settings.max_upload_mb} MB 的上限"
        return src, name, None

    def _store(self, src: Path, name: str) -> Path:
        """Move an upload out of Gradio's served cache into <index>/uploads/<fresh folder>/<name>."""
        self.upload_dir.mkdir(parents=True, exist_ok=True)
        target = Path(tempfile.mkdtemp(dir=self.upload_dir)) / name
        shutil.move(str(src), target)
        return target

    def _free_name(self, name: str, taken: set[str]) -> str:
        stem, suffix = Path(name).stem, Path(name).suffix
        n = 2
        while name in taken:
            name = f"{stem}（{n}）{suffix}"
            n += 1
        return name

    @staticmethod
    def _busy(exc: PolicyQAError) -> str:
        """A refused or failed write, in Chinese (the index is as it was)."""
        if type(exc).__name__ == "IndexBusy":
            return "另一个导入正在写入索引，请稍后再试；索引未改变"
        said = reason_zh(str(exc))
        return said if not said.startswith("无法导入") else f"操作未完成，索引未改变（原因：{exc}）"

    def upload(self, files, progress: Callable | None = None) -> list[Result]:
        """Ingest uploaded files as new documents. A file named like an indexed document is kept as a new
        document under a free name (replacing is a separate, confirmed action); one result per file."""
        if not self.settings.allow_upload:
            return [("—", "失败", "上传已关闭（只读部署）")]
        if not files:
            return [("—", "失败", "请先选择文件")]
        results: list[Result] = []
        taken = {entry["source"] for entry in self.index.document_entries()}     # (the index may be empty)
        stored: list[tuple[Path, str]] = []               # (path, name as uploaded)
        for item in files if isinstance(files, list) else [files]:
            src, name, problem = self._check_file(item)
            if problem:
                results.append((name, "失败", problem))
                continue
            free = self._free_name(name, taken)
            taken.add(free)
            stored.append((self._store(src, free), name))
        if not stored:
            return results
        try:
            report = self._ingest([p for p, _ in stored], replace=False, progress=progress)
        except PolicyQAError as exc:
            for path, name in stored:
                shutil.rmtree(path.parent, ignore_errors=True)
                results.append((name, "失败", self._busy(exc)))
            return results
        docs_by_source = {d.source: d for d in self.documents().values()}
        outcome = self._outcomes(report)
        for path, name in stored:
            state, detail = outcome.get(path.name, ("失败", "导入结果未知"))
            if state == "成功":
                document = docs_by_source.get(path.name)
                detail = f"已导入《{document.title}》" if document else "已导入"
                if path.name != name:
                    detail += f"；与已有文件同名，另存为 {path.name}（要替换旧版本，请在文档列表中选择它后用“替换”）"
            else:
                shutil.rmtree(path.parent, ignore_errors=True)    # nothing of it is indexed: keep no copy
            results.append((name, state, detail))
        return results

    @staticmethod
    def _outcomes(report) -> dict[str, tuple[str, str]]:
        """File name -> (outcome, detail in Chinese) from an IngestReport (and issue 13's kept_as_new)."""
        out: dict[str, tuple[str, str]] = {}
        for name in report.added:
            out[Path(name).name] = ("成功", "已导入")
        for name in report.replaced:
            out[Path(name).name] = ("已更新", "已替换为新版本")
        for name, why in report.skipped:
            out[Path(name).name] = ("未导入", reason_zh(why))
        for name, stored_as in getattr(report, "kept_as_new", []):
            out[Path(name).name] = ("成功", f"与已有文件同名，另存为 {stored_as}")
        for name, why in report.failed:
            out[Path(name).name] = ("失败", reason_zh(why))
        return out

    def delete(self, doc_id: str | None) -> list[Result]:
        docs = self.documents()
        if not doc_id or doc_id not in docs:
            return [("—", "失败", "请先在列表中选择一份文件")]
        title = docs[doc_id].title
        if self._protected(doc_id):
            return [(title, "失败", "该文件受保护，不能删除")]
        try:
            self.index.remove(doc_id)
        except PolicyQAError as exc:
            return [(title, "失败", self._busy(exc))]
        return [(title, "成功", f"已从索引中删除《{title}》（{docs[doc_id].source}）")]

    def replace(self, doc_id: str | None, file, progress: Callable | None = None) -> list[Result]:
        """A new version of an indexed document: stored under the old file name (same type) so the index
        replaces it; a file of another type is added and the old version then removed."""
        docs = self.documents()
        if not self.settings.allow_upload:
            return [("—", "失败", "上传已关闭（只读部署）")]
        if not doc_id or doc_id not in docs:
            return [("—", "失败", "请先在列表中选择要替换的文件")]
        if not file:
            return [(docs[doc_id].title, "失败", "请先选择新版本的文件")]
        old = docs[doc_id]
        if self._protected(doc_id):
            return [(old.title, "失败", "该文件受保护，不能替换")]
        src, name, problem = self._check_file(file[0] if isinstance(file, list) else file)
        if problem:
            return [(name, "失败", problem)]
        same_type = Path(name).suffix.lower() == Path(old.source).suffix.lower()
        target_name = old.source if same_type else self._free_name(Path(old.source).stem + Path(name).suffix,
                                                                   {d.source for d in docs.values()})
        path = self._store(src, target_name)
        try:
            report = self._ingest([path], replace=True, progress=progress)
        except PolicyQAError as exc:
            shutil.rmtree(path.parent, ignore_errors=True)
            return [(name, "失败", self._busy(exc))]
        state, detail = self._outcomes(report).get(path.name, ("失败", "导入结果未知"))
        if state == "成功" and not same_type:            # added beside the old one: now drop the old version
            try:
                self.index.remove(doc_id)
            except PolicyQAError as exc:
                return [(name, "失败", f"新版本已导入，但旧版本未能删除（{exc}）")]
            state = "已更新"
        if state == "已更新":
            new = next((d for d in self.documents().values() if d.source == path.name), None)
            detail = f"《{old.title}》已替换为新版本" + (f"《{new.title}》" if new and new.title != old.title else "")
        else:
            shutil.rmtree(path.parent, ignore_errors=True)
        return [(name, state, detail)]

    # -- versions: Index.history / restore / set_protected
    def history(self, doc_id: str | None) -> list[list]:
        """A document's versions, oldest first: 版本, 标题, 文件名, 导入时间, 状态."""
        docs = self.documents()
        if not doc_id or doc_id not in docs:
            return []
        try:
            versions = self.index.history(docs[doc_id].source)
        except PolicyQAError:
            return []
        return [[v["version"], v.get("title", ""), v.get("source", ""), (v.get("ingested_at") or "")[:19].replace("T", " "),
                 "当前版本" if v.get("live") else ""] for v in versions]

    def restore(self, doc_id: str | None, version) -> list[Result]:
        docs = self.documents()
        if not doc_id or doc_id not in docs:
            return [("—", "失败", "请先在列表中选择一份文件")]
        title = docs[doc_id].title
        try:
            self.index.restore(docs[doc_id].source, int(version))
        except (PolicyQAError, TypeError, ValueError) as exc:
            return [(title, "失败", self._busy(exc) if isinstance(exc, PolicyQAError) else "请选择一个版本")]
        return [(title, "已更新", f"已恢复第 {int(version)} 版（{docs[doc_id].source}）")]

    def protect(self, doc_id: str | None) -> list[Result]:
        """Toggle protection: a protected document is never replaced or deleted (here or from the CLI)."""
        docs = self.documents()
        if not doc_id or doc_id not in docs:
            return [("—", "失败", "请先在列表中选择一份文件")]
        title, on = docs[doc_id].title, not self._protected(doc_id)
        try:
            self.index.set_protected(doc_id, on)
        except PolicyQAError as exc:
            return [(title, "失败", self._busy(exc))]
        return [(title, "成功", "已设为受保护：不能替换或删除" if on else "已取消保护")]

    def original(self, doc_id: str) -> Path | None:
        """The file a document was read from, when the app can see it: the newest upload kept under
        <index>/uploads, else a file of that name in one of `settings.source_dirs`."""
        source = self.documents()[doc_id].source
        uploads = sorted(self.upload_dir.glob(f"*/{source}"), key=lambda p: p.stat().st_mtime, reverse=True) \
            if self.upload_dir.is_dir() else []
        folders = [Path(d) / source for d in self.settings.source_dirs]
        return next((p for p in [*uploads, *folders] if p.is_file()), None)

    def reindex(self, doc_id: str | None, progress: Callable | None = None) -> list[Result]:
        """Read a document's original file again with the current parser (a changed file or a newer
        policyqa replaces the indexed version; an unchanged one is left as it is)."""
        docs = self.documents()
        if not doc_id or doc_id not in docs:
            return [("—", "失败", "请先在列表中选择一份文件")]
        document = docs[doc_id]
        path = self.original(doc_id)
        if path is None:
            return [(document.title, "失败", "找不到原文件：网页上传的文件保存在索引目录的 uploads 中；命令行导入的"
                                            "文件请在启动时用 --source-dir 指明其文件夹，或在命令行重新导入")]
        try:
            report = self._ingest([path], replace=True, progress=progress)
        except PolicyQAError as exc:
            return [(document.title, "失败", self._busy(exc))]
        state, detail = self._outcomes(report).get(path.name, ("失败", "导入结果未知"))
        if state == "未导入" and any(why == "unchanged" for _, why in report.skipped):
            return [(document.title, "成功", "原文件未改变，解析结果已是最新")]
        if state == "已更新":
            detail = f"已按原文件（{path.name}）重新解析并更新索引"
        return [(document.title, state, detail)]

    def results(self, rows: list[Result]) -> str:
        return results_table(rows)
