"""WebApp without a browser (fake embedder, real corpus documents): scope, exports (.xlsx checked with
openpyxl, .ics with icalendar), chart data, reader view, uploads/replace/delete/re-index, escaping,
Chinese messages."""
import csv
import re
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from assistant.answer import Assistant
from assistant.index import Index
from assistant.query.retrieve import Retriever
from assistant.settings import LLMSettings, Settings, WebSettings
from assistant.surfaces.web import MATRIX_HEADERS, WebApp
from assistant.surfaces.web.chart import month_counts, month_figure
from assistant.surfaces.web.exports import calendar_entry, export_name
from assistant.surfaces.web.layout import LOCALE_SCRIPT, ChineseLocale
from assistant.surfaces.web.messages import progress_zh, reason_zh

from conftest import CORPUS, GUANGXI
from fakes import FakeLLM, HashEmbedder, fake_llm_server

ZONGBAOQU = CORPUS / "gov_guofa_2019_03_zongbaoqu.txt"
GX_TITLE = "2021年度广西土壤污染防治重点工作实施计划"
GLYPHS = re.compile("[\u2600-\u27bf\U0001F000-\U0001FFFF\u23e9-\u23fa]")   # emoji and dingbats (✅ ❌ ⏭)


def make_app(tmp_path, docs=(GUANGXI,), **web):
    index = Index(Settings.from_env(index_dir=tmp_path / "index"), embedder=HashEmbedder())
    if docs:
        index.ingest(list(docs))
    return WebApp(index, Assistant(Retriever(index)), WebSettings(**web))


def same_index(app, **web):
    """Another app (other web settings) over the same index: no second ingest."""
    return WebApp(app.index, app.assistant, WebSettings(**web))


@pytest.fixture(scope="module")
def gx(tmp_path_factory):
    """The Guangxi plan alone; for tests that only read (or whose writes are refused)."""
    return make_app(tmp_path_factory.mktemp("gx"))


def doc_id(app, source):
    return next(d.doc_id for d in app.documents().values() if d.source == source)


def upload_file(path):
    """What Gradio hands the app: an object whose .name is the path of the uploaded copy."""
    return SimpleNamespace(name=str(path))


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    return make_app(tmp_path_factory.mktemp("two"), (GUANGXI, ZONGBAOQU))


# ---------------------------------------------------------------- scope

def test_scope_limits_the_answer_and_says_what_was_searched(two):
    gx, zb = doc_id(two, GUANGXI.name), doc_id(two, ZONGBAOQU.name)
    assert [label for label, _ in two.doc_choices()] == [GX_TITLE, "国务院关于促进综合保税区高水平开放高质量发展的若干意见"]
    turns, html, _, _ = two.ask("海关总署负责哪些任务？", [], [])
    assert turns[-1].answer.found and turns[-1].scope == "全部文件（2 份）"
    turns, html, _, _ = two.ask("海关总署负责哪些任务？", [], [gx])
    assert not turns[-1].answer.found                     # the Guangxi plan gives 海关总署 no task
    assert "检索范围：《2021年度广西土壤污染防治重点工作实施计划》" in html
    turns, _, _, _ = two.ask("今年年底前要完成哪些工作？", [], [zb])
    assert all(c.doc_id == zb for c in turns[-1].answer.citations)
    turns, _, _, _ = two.ask("今年年底前要完成哪些工作？", [], [gx, zb])
    assert turns[-1].answer.found and {c.doc_id for c in turns[-1].answer.citations} == {gx}
    # nothing chosen, but the question names its plan: the label says which document was searched
    turns, html, _, _ = two.ask("广西土壤计划里涉镉污染源排查谁牵头？", [], [])
    assert turns[-1].scope == "《2021年度广西土壤污染防治重点工作实施计划》（问题所指）"
    # a document removed meanwhile drops out of the scope instead of failing
    assert two.scope([gx, "0000000000000000"]) == [gx]


def test_follow_up_keeps_the_previous_answer_of_the_conversation(two):
    gx = doc_id(two, GUANGXI.name)
    turns, _, _, _ = two.ask("持续开展涉镉污染源排查整治工作谁牵头？", [], [gx])
    turns, html, _, _ = two.ask("那期限呢？", turns, [gx])
    assert len(turns) == 2 and "2021年底前" in turns[-1].answer.deadlines
    assert html.count('class="pq-turn"') == 2


def test_matrix_and_deadlines_follow_the_scope(two):
    gx, zb = doc_id(two, GUANGXI.name), doc_id(two, ZONGBAOQU.name)
    rows, summary, ids = two.matrix(None, "全部", [zb])
    assert rows and all(r[5] != GX_TITLE for r in rows) and len(ids) == len(rows)
    assert "海关总署" in two.agency_choices([zb]) and "海关总署" not in two.agency_choices([gx])
    table, figure, note, ids = two.deadlines(None, [gx])
    assert {r[5] for r in table} == {GX_TITLE} and "《2021年度广西" in note


# ---------------------------------------------------------------- exports

def test_csv_is_the_filtered_table_and_named_after_the_filter(gx):
    app = gx
    path = Path(app.matrix_csv("自治区林业局", "牵头", []))
    assert path.name == "责任分工-自治区林业局-牵头-全部文件.csv"
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == MATRIX_HEADERS
    assert len(rows) == 2 and "退耕还林还草" in rows[1][0] and rows[1][1] == "牵头" and rows[1][5] == GX_TITLE
    assert export_name("时间节点", "a/b:c", None, " ") == "时间节点-a_b_c"


def test_xlsx_matrix_one_sheet_for_all_and_one_per_document(two):
    from openpyxl import load_workbook

    path = Path(two.matrix_xlsx(None, "全部", []))
    assert path.name == "责任分工矩阵-全部文件.xlsx"
    book = load_workbook(path)
    assert book.sheetnames[0] == "全部" and len(book.sheetnames) == 3
    assert GX_TITLE[:28] in book.sheetnames
    sheet = book[GX_TITLE[:28]]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["序号", "任务", "章节", "期限"]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[1] and "退耕还林还草" in r[1])
    marks = dict(zip(header, row))
    assert marks["自治区农业农村厅"] == "牵头" and marks["自治区林业局"] == "牵头"
    assert marks["自治区发展改革委"] == "参与" and marks["地方各级人民政府"] == "负责"
    assert marks["海关总署"] if "海关总署" in marks else True           # not a Guangxi agency: no column
    assert "海关总署" not in header
    last = [c.value for c in sheet[sheet.max_row]]
    assert last[0] == "合计" and "牵头" in last[header.index("自治区生态环境厅")]
    everything = book["全部"]
    assert [c.value for c in everything[1]][4] == "文件"
    assert everything.max_row - 2 == len(two.matrix(None, "全部", [])[0])   # every task, plus header and 合计
    zb_sheet = book[next(n for n in book.sheetnames if n.startswith("国务院关于促进综合保税区"))]
    zb_header = [c.value for c in zb_sheet[1]]
    first = [c.value for c in zb_sheet[2]]
    assert "拓展两个市场" in first[1] and first[zb_header.index("税务总局")] == "牵头"
    assert first[zb_header.index("财政部")] == "参与"


def test_ics_dated_deadlines_all_day_recurrences_as_rrule_clause_in_description(gx):
    from dateutil.rrule import rrulestr
    from icalendar import Calendar

    app = gx
    path = Path(app.deadlines_ics("自治区住房城乡建设厅", []))
    assert path.name == "时间节点-自治区住房城乡建设厅-全部文件.ics"
    events = Calendar.from_ical(path.read_bytes()).walk("VEVENT")
    assert events
    for event in events:
        assert type(event.decoded("dtstart")) is date                    # all-day: a DATE, not a DATE-TIME
    named = [ev for ev in events if "重点监管单位名录" in str(ev["description"])]
    assert named and named[0].decoded("dtstart") == date(2021, 5, 31)
    assert "各市应于6月前公布2021年度土壤污染重点监管单位名录" in str(named[0]["description"])

    everything = Calendar.from_ical(Path(app.deadlines_ics(None, [])).read_bytes()).walk("VEVENT")
    quarterly = [ev for ev in everything if "每季度结束后3日内" in str(ev["summary"])]
    assert quarterly, [str(ev["summary"]) for ev in everything]
    event = quarterly[0]
    rule = event["RRULE"]
    assert rule["FREQ"] == ["MONTHLY"] and rule["INTERVAL"] == [3]
    dates = list(rrulestr(rule.to_ical().decode(), dtstart=event.decoded("dtstart")))
    assert [d.strftime("%m-%d") for d in dates] == ["04-03", "07-03", "10-03"]     # until the 2021 plan's end
    assert all(d.year == 2021 for d in dates)
    relative = sum(1 for r in app._deadline_rows(None, []) if (r["normalized"] or "").startswith("+"))
    assert len(everything) == len(app._deadline_rows(None, [])) - relative   # relative ones have no date


@pytest.mark.parametrize("normalized, start, rule", [
    ("2021-05-31", date(2021, 5, 31), None),
    ("2019-01-01/2019-12-31", date(2019, 12, 31), None),
    ("R/P6M", date(2021, 6, 30), {"freq": "monthly", "interval": 6, "bymonthday": -1}),
    ("R/P3M/end+P3D", date(2021, 4, 3), {"freq": "monthly", "interval": 3, "bymonthday": 3}),
    ("R/P3M/end-P5WD", date(2021, 3, 31), {"freq": "monthly", "interval": 3, "bymonthday": -1}),
    ("R/P3M/end+P5WD", date(2021, 4, 7), {"freq": "monthly", "interval": 3, "bymonthday": 7}),
    ("R/P1Y/--02-28", date(2021, 2, 28), {"freq": "yearly"}),
    ("R/P1Y", date(2021, 12, 31), {"freq": "yearly"}),
    ("R/P2Y", date(2022, 12, 31), {"freq": "yearly", "interval": 2}),
])
def test_calendar_entry_forms(normalized, start, rule):
    entry = calendar_entry(normalized, 2021)
    assert entry.start == start and entry.rrule == rule


def test_calendar_entry_without_a_date():
    assert calendar_entry("+P1M", 2021) is None and calendar_entry("+P15WD", 2021) is None
    assert calendar_entry(None, 2021) is None and calendar_entry("R/P3M", None) is None


# ---------------------------------------------------------------- chart

def test_chart_zero_based_time_axis_a_bar_for_every_month_with_tasks(gx):
    app = gx
    table, figure, note, _ = app.deadlines(None, [])
    counts = month_counts(app._deadline_rows(None, []))
    assert counts == {"2021-05": 1, "2021-06": 1, "2021-12": 5, "2022-01": 1}
    bar = figure.data[0]
    assert list(bar.y) == [1, 1, 5, 1] and list(bar.x) == ["2021-05-15", "2021-06-15", "2021-12-15", "2022-01-15"]
    assert figure.layout.xaxis.type == "date" and figure.layout.yaxis.rangemode == "tozero"
    assert figure.layout.yaxis.range[0] == 0
    assert "8 项任务" in note
    one = month_figure({"2021-03": 1})
    assert one.layout.yaxis.range[0] == 0 and one.layout.yaxis.range[1] >= 1
    table, figure, _, _ = app.deadlines("自治区住房城乡建设厅", [])
    assert list(figure.data[0].y) == [1, 1] and "自治区住房城乡建设厅" in figure.layout.title.text


# ---------------------------------------------------------------- reader

def test_reader_opens_the_clause_tree_at_a_clause(gx):
    app = gx
    answer = app.assistant.ask("涉镉污染源排查这件事谁牵头？")
    cited = answer.citations[0]
    doc, html = app.open_clause(cited.clause_id, cited.quote)
    assert doc == cited.doc_id
    assert html.count("pq-focus") == 1 and f"<mark>{cited.quote}</mark>" in html
    focus = html.index("pq-focus")
    assert html.index("<h4>重点任务</h4>") < html.index("<h5>持续狠抓土壤污染源头风险管控</h5>") < focus
    assert "<b>牵头</b>自治区生态环境厅" in html[focus:focus + 3000]
    assert html.count('class="pq-clause') == len([c for c in app.index.clauses().values() if c.doc_id == doc])
    assert "不在索引中" in app.open_clause("nope:h1")[1]


# ---------------------------------------------------------------- uploads, replace, delete, re-index

def test_upload_checks_type_size_and_name_and_reports_in_chinese(gx, tmp_path):
    app = same_index(gx, max_upload_mb=1)
    exe = tmp_path / "tool.exe"
    exe.write_bytes(b"MZ")
    big = tmp_path / "big.txt"
    big.write_text("土壤" * 400_000, encoding="utf-8")
    junk = tmp_path / "坏.txt"
    junk.write_bytes(bytes(range(256)) * 20)
    before = sorted(e["source"] for e in app.index.document_entries())
    results = dict((n, (o, d)) for n, o, d in app.upload([upload_file(exe), upload_file(big), upload_file(junk)]))
    assert results["tool.exe"] == ("失败", "不支持的文件类型（支持 txt、docx、pdf、html）")
    assert results["big.txt"] == ("失败", "文件超过 1 MB 的上限")
    assert results["坏.txt"][0] == "失败" and "二进制" in results["坏.txt"][1] or "编码" in results["坏.txt"][1]
    assert sorted(e["source"] for e in app.index.document_entries()) == before
    assert not list(app.upload_dir.rglob("坏.txt"))                          # nothing kept of a failed file
    html = app.results(list((n, *v) for n, v in results.items()))
    assert not GLYPHS.search(html) and "失败" in html


def test_upload_same_name_is_kept_as_new_same_content_is_reported(tmp_path):
    app = make_app(tmp_path)
    sneaky = tmp_path / "up"
    sneaky.mkdir()
    fake = sneaky / GUANGXI.name                                     # a corpus file name, other content
    fake.write_text("2022年度某县计划\n1．开展调查。（甲局牵头）\n", encoding="utf-8")
    [(name, outcome, detail)] = app.upload([upload_file(fake)])
    assert outcome == "成功" and "另存为 gx_2021_turang_wuran_fangzhi_jihua（2）.txt" in detail
    assert GX_TITLE in [d.title for d in app.documents().values()]   # the original is still there
    copy = tmp_path / "copy.txt"
    copy.write_bytes(GUANGXI.read_bytes())
    [(name, outcome, detail)] = app.upload([upload_file(copy)])
    assert outcome == "未导入" and detail == f"与已导入的 {GUANGXI.name} 内容相同，未重复导入"
    stored = [p.name for p in (tmp_path / "index" / "uploads").rglob("*.txt")]
    assert stored == ["gx_2021_turang_wuran_fangzhi_jihua（2）.txt"]


def test_upload_can_be_switched_off(gx):
    app = same_index(gx, allow_upload=False)
    assert app.upload([upload_file(GUANGXI)]) == [("—", "失败", "上传已关闭（只读部署）")]


def test_replace_delete_and_reindex(tmp_path):
    cli = tmp_path / "cli"                      # a document ingested from the command line, from this folder
    cli.mkdir()
    (cli / "市方案.txt").write_text("2023年度某市工作方案\n1．开展调查。（市生态环境局牵头）\n", encoding="utf-8")
    app = make_app(tmp_path, (cli / "市方案.txt",))
    first = tmp_path / "in" / "县计划.txt"
    first.parent.mkdir()
    first.write_text("2022年度某县土壤工作计划\n重点任务\n1．开展耕地土壤酸化调查。（县农业农村局牵头，县生态环境局参与）\n",
                     encoding="utf-8")
    assert app.upload([upload_file(first)])[0][1] == "成功"
    old = doc_id(app, "县计划.txt")
    assert app.reindex(old) == [("2022年度某县土壤工作计划", "成功", "原文件未改变，解析结果已是最新")]
    second = tmp_path / "new" / "第二版.txt"
    second.parent.mkdir()
    second.write_text("2022年度某县土壤工作计划（修订）\n重点任务\n1．开展耕地土壤酸化调查。（县林业局牵头）\n", encoding="utf-8")
    [(name, outcome, detail)] = app.replace(old, upload_file(second))
    assert outcome == "已更新" and "已替换为新版本" in detail
    assert old not in app.documents()
    new = doc_id(app, "县计划.txt")                                   # stored under the old name
    assert app.assistant.ask("耕地土壤酸化调查谁牵头？", doc=new).lead_agencies == ("县林业局",)
    third = tmp_path / "pdf" / "第三版.html"
    third.parent.mkdir()
    third.write_text("<html><body><h1>2022年度某县土壤工作计划（三）</h1><p>1．开展耕地土壤酸化调查。（县水利局牵头）</p>"
                     "</body></html>", encoding="utf-8")
    [(name, outcome, detail)] = app.replace(new, upload_file(third))   # another type: added, then the old removed
    assert outcome == "已更新", detail
    assert [d.source for d in app.documents().values() if d.source.startswith("县计划")] == ["县计划.html"]
    html_id = doc_id(app, "县计划.html")
    assert app.delete(html_id)[0][1] == "成功" and html_id not in app.documents()
    assert app.delete(html_id)[0][1] == "失败"
    city = doc_id(app, "市方案.txt")
    assert "找不到原文件" in app.reindex(city)[0][2]                  # ingested from the CLI: folder unknown
    (cli / "市方案.txt").write_text("2023年度某市工作方案\n1．开展调查。（市水利局牵头）\n", encoding="utf-8")
    app.settings = WebSettings(source_dirs=(cli,))
    assert app.reindex(city)[0][1:] == ("已更新", "已按原文件（市方案.txt）重新解析并更新索引")
    assert [d.title for d in app.documents().values()] == ["2023年度某市工作方案"]


def test_a_protected_document_is_neither_deleted_nor_replaced(gx, monkeypatch):
    app = same_index(gx)
    gx = doc_id(app, GUANGXI.name)
    monkeypatch.setattr(app, "entries", lambda: {gx: {"protected": True}})
    assert app.delete(gx) == [(GX_TITLE, "失败", "该文件受保护，不能删除")]
    assert app.replace(gx, upload_file(GUANGXI)) == [(GX_TITLE, "失败", "该文件受保护，不能替换")]
    assert gx in app.documents()


# ---------------------------------------------------------------- text is text

def test_document_and_user_text_is_escaped_never_markdown(tmp_path):
    app = make_app(tmp_path, ())
    evil = tmp_path / "evil.txt"
    evil.write_text("2022年度某县计划\n重点任务\n1．开展![x](http://127.0.0.1:9/leak.png)调查**加粗**。"
                    "（县<img src=x onerror=alert(1)>局牵头，县生态环境局参与）\n", encoding="utf-8")
    app.upload([upload_file(evil)])
    turns, html, panel, _ = app.ask("<b>谁</b>牵头开展调查加粗？", [], [doc_id(app, "evil.txt")])
    everything = html + panel + app.matrix(None, "全部", [])[1] + app.overview(doc_id(app, "evil.txt"))
    everything += app.reader(doc_id(app, "evil.txt"))
    assert "<img" not in everything and "<b>谁</b>" not in everything
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "![x](http://127.0.0.1:9/leak.png)" in html
    assert "&lt;b&gt;谁&lt;/b&gt;" in html
    rows, summary, _ = app.matrix("县<img src=x onerror=alert(1)>局", "全部", [])
    assert rows and "<img" not in summary and "&lt;img" in summary


def test_reasons_in_chinese():
    assert reason_zh("unchanged") == "已导入过同一文件，内容未变，未重复导入"
    assert reason_zh("same content as a.txt") == "与已导入的 a.txt 内容相同，未重复导入"
    assert reason_zh("cannot decode as UTF-8 or GB18030 text; convert the file to UTF-8").startswith("无法识别文字编码")
    assert reason_zh("PDF has no text layer (a scanned image?); run OCR first").startswith("PDF 没有文字层")
    assert reason_zh("something new") == "无法导入（原因：something new）"


def test_pages_tell_gradio_to_speak_chinese():
    import asyncio

    async def page(scope, receive, send):
        body = b'<html lang="en"><head><script src="app.js"></script></head></html>'
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/html"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    sent = []

    async def send(message):
        sent.append(message)

    async def run(path):
        sent.clear()
        await ChineseLocale(page)({"type": "http", "method": "GET", "path": path}, None, send)
        return sent[-1]["body"], dict(sent[0]["headers"])[b"content-length"]

    body, length = asyncio.run(run("/"))
    assert body.startswith(b"<html lang=\"en\"><head>" + LOCALE_SCRIPT) and int(length) == len(body)
    assert asyncio.run(run("/assets/app.js"))[0].startswith(b'<html lang="en"><head><script src')   # only pages


def test_with_an_llm_the_chat_shows_its_wording_beside_the_extract_and_citations(gx):
    with fake_llm_server() as url:
        llm = LLMSettings(url=url, model="qwen-test")
        app = WebApp(gx.index, Assistant(Retriever(gx.index), llm=llm), WebSettings())
        FakeLLM.reply = "该项工作由<b>自治区生态环境厅</b>牵头[1]。"
        turns, html, panel, _ = app.ask("涉镉污染源排查这件事谁牵头？", [], [])
        turn = turns[-1]
        assert turn.generated is not None and turn.generated.answer.startswith("该项工作由<b>自治区生态环境厅</b>牵头[1]")
        assert turn.answer.answer.startswith("牵头：自治区生态环境厅")          # the extract stays as it was
        assert "模型生成（qwen-test，仅供参考" in html and "&lt;b&gt;自治区生态环境厅&lt;/b&gt;" in html
        assert html.index("模型生成") < html.index("牵头：自治区生态环境厅") < html.index("引用：")
        assert "<mark>" in panel                                           # citations beside it, as without an LLM
        FakeLLM.reply = "自治区生态环境厅牵头。"                          # cites nothing: not shown
        turns, html, _, _ = app.ask("涉镉污染源排查这件事谁牵头？", [], [])
        assert turns[-1].generated is None and "模型生成" not in html
        assert app.ask_api("涉镉污染源排查谁牵头？")["lead_agencies"] == ["自治区生态环境厅"]


def test_versions_history_restore_and_protect_go_through_the_index(tmp_path):
    """The 文档 tab's version controls on a real index: a replace keeps the old version, history lists
    both, restore brings the first back, a protected document is neither replaced nor deleted."""
    app = make_app(tmp_path)
    first = doc_id(app, GUANGXI.name)
    text = GUANGXI.read_text(encoding="utf-8").replace("约60个", "约70个")

    def upload(folder: str):               # the app moves an upload out of Gradio's folder: one per call
        path = tmp_path / folder / GUANGXI.name
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
        return upload_file(path)

    assert app.replace(first, upload("one"))[0][1] == "已更新"
    second = doc_id(app, GUANGXI.name)
    assert second != first
    rows = app.history(second)
    assert [r[0] for r in rows] == [1, 2] and [r[4] for r in rows] == ["", "当前版本"]
    assert rows[0][1] == GX_TITLE and rows[0][2] == GUANGXI.name
    assert app.restore(second, "1") == [(GX_TITLE, "已更新", f"已恢复第 1 版（{GUANGXI.name}）")]
    assert doc_id(app, GUANGXI.name) == first
    assert any("约60个" in c.text for c in app.index.clauses().values())
    assert app.protect(first) == [(GX_TITLE, "成功", "已设为受保护：不能替换或删除")]
    assert app.replace(first, upload("two"))[0][1] == "失败"
    assert app.delete(first)[0][1] == "失败" and doc_id(app, GUANGXI.name) == first
    assert app.protect(first) == [(GX_TITLE, "成功", "已取消保护")]


def test_progress_in_chinese_for_both_index_formats():
    assert progress_zh("[1/2] reading a.txt") == (0.0, "正在读取 a.txt（1/2）")
    assert progress_zh("embedding 5/10") == (0.3 + 0.65 * 0.5, "正在建立检索索引 5/10")
    assert progress_zh("parse 1/2 b.docx") == (0.15, "正在读取 b.docx（1/2）")
    assert progress_zh("embed 10/40") == (0.4 + 0.6 * 0.25, "正在建立语义索引（10/40）")
    assert progress_zh("something else")[0] is None
