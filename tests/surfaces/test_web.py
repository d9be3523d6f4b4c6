"""The web app in a real browser (Debian chromium via Playwright) and its API through the Gradio client."""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import CORPUS, GUANGXI, ROOT, free_port, TEST_CACHE

ALL = len(list(CORPUS.glob("*.txt")))       # every corpus/ document is indexed by the real_index fixture

CHROMIUM = "/usr/bin/chromium"
# README's pictures come from these tests: POLICYQA_SCREENSHOTS=evals/results/web writes them there
SHOTS = Path(os.environ.get("POLICYQA_SCREENSHOTS") or tempfile.mkdtemp(prefix="policyqa-shots-"))
SHOTS.mkdir(parents=True, exist_ok=True)



def start_server(index_dir: Path, *extra: str, env_extra: dict | None = None):
    port = free_port()
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False", **(env_extra or {}))
    process = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--index", str(index_dir), "--port",
                                str(port), *extra], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 120
    while time.time() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {process.stdout.read()}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return process, url
        except OSError as exc:
            if getattr(exc, "code", None) in (401, 403):
                return process, url
            time.sleep(0.5)
    process.kill()
    raise AssertionError("server did not start")


@pytest.fixture(scope="module")
def server(real_index):
    process, url = start_server(real_index.index_dir)
    yield url
    process.terminate()
    process.wait(20)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: apt-get install chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                    "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield b
        b.close()


def ask(page, question: str):
    """Type, click, and wait until the citation panel shows this question's answer."""
    page.locator("#pq-question textarea").fill(question)
    page.locator("#pq-ask").click()
    page.wait_for_function("(q) => { const e = document.querySelector('#pq-cards'); const t = e && e.innerText; "
                           "return t && t.includes('问题：' + q) && !t.includes('processing'); }",
                           arg=question, timeout=60000)
    return page.locator("#pq-cards").inner_text()


def last_turn(page) -> str:
    return page.locator("#pq-chat .pq-turn").last.inner_text()


def open_page(browser, url, **options):
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="en-US", **options)
    page.goto(url, wait_until="load")
    page.locator("#pq-question textarea").wait_for(timeout=60000)
    return page


def wait_idle(page, elem_id: str, timeout=90000):
    """Until the component's Gradio status tracker (the spinner shown while an event updates it) is hidden:
    a click on a component being refreshed lands on the spinner."""
    page.wait_for_function(
        "(id) => [...document.querySelectorAll(`#${id} [data-testid=status-tracker]`)]"
        ".every(t => t.classList.contains('hide') || t.offsetParent === null)", arg=elem_id, timeout=timeout)


def choose(page, elem_id: str, text: str):
    """Pick the option containing `text` in a (filterable, maybe multiselect) dropdown."""
    wait_idle(page, elem_id)
    box = page.locator(f"#{elem_id} input")
    box.click()
    box.fill(text)
    page.wait_for_timeout(300)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")


def wait_text(page, selector: str, text: str, timeout=30000):
    page.wait_for_function("([s, t]) => { const e = document.querySelector(s); return e && e.innerText.includes(t); }",
                           arg=[selector, text], timeout=timeout)


def in_view(page, selector: str) -> bool:
    """The element is what the user sees at its centre (not scrolled away inside a box, not covered)."""
    return page.evaluate("(s) => { const e = document.querySelector(s); const r = e.getBoundingClientRect();"
                         " const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);"
                         " return r.height > 0 && hit !== null && (hit === e || e.contains(hit)); }", selector)


def test_browser_lead_and_deadline_questions_then_matrix_filter(server, browser, tmp_path):
    page = open_page(browser, server)
    text = ask(page, "涉镉污染源排查这件事谁牵头？哪些部门参与？")
    assert "牵头" in text and "自治区生态环境厅" in text and "自治区农业农村厅" in text
    assert "《2021年度广西土壤污染防治重点工作实施计划》" in text
    assert page.locator("#pq-cards mark").first.inner_text().startswith("（自治区生态环境厅牵头")
    assert "持续狠抓土壤污染源头风险管控" in text
    assert f"检索范围：全部文件（{ALL} 份）" in last_turn(page)

    ask(page, "那期限呢？")                                        # a follow-up on the same task
    text = last_turn(page)
    assert "2021年底前" in text and "整治完成后1个月内" in text

    ask(page, "重点监管单位名录最晚什么时候要公布？")                      # a new topic
    text = last_turn(page)
    assert "期限" in text and "6月前" in text
    assert "各市应于6月前公布2021年度土壤污染重点监管单位名录" in page.locator("#pq-cards mark").first.inner_text()
    page.wait_for_timeout(500)
    assert in_view(page, "#pq-chat .pq-turn:last-child .pq-user")          # the chat shows the newest turn

    page.wait_for_timeout(500)
    page.screenshot(path=str(SHOTS / "web-qa.png"))
    ask(page, "李明是谁？")
    assert "文件中未找到" in last_turn(page)

    page.get_by_role("tab", name="责任分工").click()
    choose(page, "pq-agency", "自治区林业局")
    page.wait_for_function("() => document.querySelector('#pq-matrix').innerText.includes('退耕还林还草')"
                           " && !document.querySelector('#pq-matrix').innerText.includes('涉镉')", timeout=30000)
    assert "自治区林业局：牵头 1 项" in page.locator("#pq-summary").inner_text()
    page.screenshot(path=str(SHOTS / "web-matrix.png"))

    page.get_by_role("tab", name="时间节点").click()
    choose(page, "pq-dl-agency", "自治区住房城乡建设厅")
    wait_text(page, "#pq-deadlines", "2021-05-31")
    assert "依法严管土壤污染重点监管单位" in page.locator("#pq-deadlines").inner_text()
    page.get_by_role("tab", name="文档").click()
    body = page.locator("#pq-docs").inner_text()
    assert "2021年度广西土壤污染防治重点工作实施计划" in body and "gx_2021_turang_wuran_fangzhi_jihua.txt" in body
    page.close()


def test_browser_scope_changes_the_answer_and_follows_to_the_other_tabs(server, browser):
    page = open_page(browser, server)
    question = "今年年底前要完成哪些工作？"
    ask(page, question)
    everything = last_turn(page)
    assert f"检索范围：全部文件（{ALL} 份）" in everything
    assert "2021年度广西" not in everything        # "今年" over every document: another plan's year
    choose(page, "pq-scope", "2021年度广西土壤污染防治重点工作实施计划")
    page.locator("#pq-question textarea").fill(question)
    page.locator("#pq-ask").click()
    page.wait_for_function("() => document.querySelectorAll('#pq-chat .pq-turn').length == 2", timeout=60000)
    scoped = last_turn(page)
    assert "检索范围：《2021年度广西土壤污染防治重点工作实施计划》" in scoped
    assert "持续开展涉镉污染源排查整治工作" in scoped
    page.screenshot(path=str(SHOTS / "web-scope.png"))

    page.get_by_role("tab", name="责任分工").click()          # the same scope, chosen once
    assert "2021年度广西土壤污染防治重点工作实施计划" in page.locator("#pq-scope-matrix").inner_text()   # a chip
    wait_text(page, "#pq-summary", "范围：《2021年度广西土壤污染防治重点工作实施计划》")
    shown = page.locator("#pq-matrix").inner_text()
    assert "2021年度广西土壤污染防治重点工作实施计划" in shown and "国务院" not in shown and "中华人民共和国" not in shown
    page.get_by_role("tab", name="时间节点").click()
    wait_text(page, "#pq-dl-note", "范围：《2021年度广西土壤污染防治重点工作实施计划》")
    page.close()


def test_browser_citation_and_task_rows_open_the_reader_at_the_clause(server, browser):
    page = open_page(browser, server)
    ask(page, "涉镉污染源排查这件事谁牵头？哪些部门参与？")
    page.locator("#pq-chat [data-clause]").first.click()
    wait_text(page, "#pq-reader .pq-focus", "持续开展涉镉污染源排查整治工作")
    assert page.locator("#pq-reader").is_visible()
    focus = page.locator("#pq-reader .pq-focus")
    assert focus.locator("mark").inner_text().startswith("（自治区生态环境厅牵头")
    assert "牵头自治区生态环境厅" in focus.inner_text().replace(" ", "").replace("\n", "")
    page.wait_for_timeout(500)
    assert in_view(page, "#pq-reader .pq-focus")
    assert page.locator("#pq-reader .pq-clause").count() > 20             # the whole document, not one clause
    assert page.locator("#pq-reader-doc input").input_value() == "2021年度广西土壤污染防治重点工作实施计划"
    page.screenshot(path=str(SHOTS / "web-reader.png"))

    page.get_by_role("tab", name="问答").click()
    page.locator("#pq-cards [data-clause]").nth(1).click()                  # a card of the side panel too
    page.wait_for_function("() => document.querySelector('#pq-reader .pq-focus') !== null", timeout=30000)

    page.get_by_role("tab", name="责任分工").click()
    choose(page, "pq-agency", "自治区林业局")
    wait_text(page, "#pq-matrix", "退耕还林还草")
    page.locator("#pq-matrix .body-cell", has_text="退耕还林还草").first.click()
    wait_text(page, "#pq-reader .pq-focus", "落实严格管控类耕地种植结构调整或退耕还林还草")

    page.get_by_role("tab", name="时间节点").click()
    choose(page, "pq-dl-agency", "自治区住房城乡建设厅")
    wait_text(page, "#pq-deadlines", "2021-05-31")
    page.locator("#pq-deadlines .body-cell", has_text="依法严管土壤污染重点监管单位").first.click()
    wait_text(page, "#pq-reader .pq-focus", "依法严管土壤污染重点监管单位")
    page.close()


def export(page, button: str, box: str, name: str, folder: Path) -> Path:
    """Click an export button, wait for the file named `name`, download it through its link."""
    page.locator(button).click()
    link = page.locator(f'{box} a[download="{name}"]')
    link.wait_for(timeout=30000)
    with page.expect_download() as info:
        link.click()
    assert info.value.suggested_filename == name
    target = folder / name
    info.value.save_as(target)
    return target


def test_browser_exports_are_real_files_named_after_the_filter(server, browser, tmp_path):
    from icalendar import Calendar
    from openpyxl import load_workbook

    page = open_page(browser, server, accept_downloads=True)
    page.get_by_role("tab", name="责任分工").click()
    choose(page, "pq-agency", "自治区林业局")
    wait_text(page, "#pq-summary", "自治区林业局：牵头 1 项")
    target = export(page, "#pq-csv", "#pq-matrix-file", "责任分工-自治区林业局-全部文件.csv", tmp_path)
    rows = target.read_text(encoding="utf-8-sig").splitlines()
    assert rows[0].startswith("任务,角色") and "退耕还林还草" in rows[1] and len(rows) == 2

    target = export(page, "#pq-xlsx", "#pq-matrix-file", "责任分工矩阵-自治区林业局-全部文件.xlsx", tmp_path)
    book = load_workbook(target)
    assert book.sheetnames == ["全部", "2021年度广西土壤污染防治重点工作实施计划"]
    header = [c.value for c in book["全部"][1]]
    row = [c.value for c in book["全部"][2]]
    assert "退耕还林还草" in row[1] and row[header.index("自治区林业局")] == "牵头"
    assert row[header.index("自治区发展改革委")] == "参与"

    page.get_by_role("tab", name="时间节点").click()
    choose(page, "pq-dl-agency", "自治区住房城乡建设厅")
    wait_text(page, "#pq-deadlines", "2021-05-31")
    target = export(page, "#pq-ics", "#pq-dl-file", "时间节点-自治区住房城乡建设厅-全部文件.ics", tmp_path)
    events = Calendar.from_ical(target.read_bytes()).walk("VEVENT")
    assert sorted(str(ev.decoded("dtstart")) for ev in events) == ["2021-04-03", "2021-05-31", "2021-12-31"]
    quarterly = next(ev for ev in events if "RRULE" in ev)
    assert quarterly["RRULE"]["FREQ"] == ["MONTHLY"] and quarterly["RRULE"]["INTERVAL"] == [3]
    assert all("依法严管土壤污染重点监管单位" in str(ev["description"]) for ev in events)
    page.screenshot(path=str(SHOTS / "web-export.png"))
    page.close()


def test_browser_chart_has_a_bar_for_every_month_from_zero(server, browser, real_index):
    from assistant.query.select import deadline_rows, select_tasks
    from assistant.surfaces.web.chart import month_counts

    page = open_page(browser, server)
    page.get_by_role("tab", name="时间节点").click()
    page.wait_for_function("() => document.querySelectorAll('#pq-chart .barlayer .point').length > 0", timeout=30000)
    everything = month_counts(deadline_rows(select_tasks(real_index.tasks(), real_index.documents())))
    plot = ("() => { const g = document.querySelector('#pq-chart .js-plotly-plot'); return {"
            " bars: [...g.querySelectorAll('.barlayer .point path')].map(p => p.getBBox().height),"
            " x: g._fullLayout.xaxis.type, y0: g._fullLayout.yaxis.range[0], ys: [...g.data[0].y] }; }")
    shown = page.evaluate(plot)
    assert len(shown["bars"]) == len(everything) and all(h > 0 for h in shown["bars"])
    assert shown["x"] == "date" and shown["y0"] == 0 and shown["ys"] == list(everything.values())
    assert 1 in shown["ys"]                                   # a month with one task has a visible bar
    page.screenshot(path=str(SHOTS / "web-deadlines.png"), full_page=True)

    choose(page, "pq-dl-agency", "自治区住房城乡建设厅")
    page.wait_for_function("() => document.querySelectorAll('#pq-chart .barlayer .point').length == 2",
                           timeout=30000)
    shown = page.evaluate(plot)
    assert shown["ys"] == [1, 1] and all(h > 0 for h in shown["bars"])
    page.close()


def test_api_endpoint_returns_the_cli_json(server, real_index):
    from gradio_client import Client

    client = Client(server, verbose=False)
    question = "重点监管单位名录最晚什么时候要公布？"
    via_api = client.predict(question, api_name="/ask")
    env = dict(os.environ, POLICYQA_INDEX=str(real_index.index_dir))
    via_cli = json.loads(subprocess.run([sys.executable, "-m", "assistant", "ask", question, "--json"], cwd=ROOT,
                                        env=env, capture_output=True, text=True, check=True).stdout)
    assert via_api == via_cli
    assert via_api["deadlines"] == ["6月前"] and via_api["citations"][0]["source"] == GUANGXI.name


def test_binds_loopback_only_by_default(server):
    port = int(server.rsplit(":", 1)[1].strip("/"))
    addresses = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    outside = [a for a in addresses if not a.startswith("127.")]
    for address in outside:
        with socket.socket() as s:
            s.settimeout(2)
            assert s.connect_ex((address, port)) != 0, f"reachable on {address}"


def test_with_auth_an_unauthenticated_request_gets_nothing(real_index):
    process, url = start_server(real_index.index_dir, "--auth", "officer:s3cret-pass")
    try:
        for path in ("config", "gradio_api/info"):
            with pytest.raises(urllib.error.HTTPError) as err:
                urllib.request.urlopen(url + path, timeout=10)
            assert err.value.code in (401, 403)
        request = urllib.request.Request(url + "gradio_api/call/ask", data=b'{"data": ["\\u8c01\\u7275\\u5934"]}',
                                         headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(request, timeout=10)
        assert err.value.code in (401, 403)
        from gradio_client import Client

        answer = Client(url, auth=("officer", "s3cret-pass"), verbose=False).predict("涉镉污染源排查谁牵头",
                                                                                       api_name="/ask")
        assert answer["lead_agencies"] == ["自治区生态环境厅"]
    finally:
        process.terminate()
        process.wait(20)


class Leak(BaseHTTPRequestHandler):
    """Counts every request: a page that renders document text as Markdown or HTML would fetch from it."""
    hits: list = []

    def do_GET(self):
        Leak.hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_upload_replace_delete_and_document_text_shown_as_text(tmp_path, browser):
    leak = ThreadingHTTPServer(("127.0.0.1", 0), Leak)
    threading.Thread(target=leak.serve_forever, daemon=True).start()
    bait = f"http://127.0.0.1:{leak.server_address[1]}"
    index_dir = tmp_path / "index"
    env = dict(os.environ, POLICYQA_EMBED_CACHE=str(TEST_CACHE / "embeddings.sqlite"))
    subprocess.run([sys.executable, "-m", "assistant", "ingest", str(GUANGXI), "--index", str(index_dir)], cwd=ROOT,
                   env=env, check=True, capture_output=True)
    good = tmp_path / "上传 计划.txt"
    good.write_text("2022年度某县土壤工作计划\n重点任务\n1．开展<script>alert('x')</script>耕地土壤酸化调查。"
                    f"![图]({bait}/md.png) <img src=\"{bait}/img.png\"> **加粗**"
                    f"（县农业农村局<img src=\"{bait}/agency.png\" onerror=alert(3)>牵头，县生态环境局参与）\n",
                    encoding="utf-8")
    bad = tmp_path / "坏.txt"
    bad.write_bytes(bytes(range(256)) * 20)
    same_name = tmp_path / "again" / GUANGXI.name                 # a corpus name, other content: kept as new
    same_name.parent.mkdir()
    same_name.write_text("2023年度某市计划\n1．开展调查。（市生态环境局牵头）\n", encoding="utf-8")
    process, url = start_server(index_dir, env_extra={"POLICYQA_EMBED_CACHE": env["POLICYQA_EMBED_CACHE"]})
    try:
        page = open_page(browser, url)
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.get_by_role("tab", name="文档").click()
        wait_text(page, "#pq-upload", "将文件拖放到此处")                   # Gradio's own label, in Chinese
        assert "Drop File Here" not in page.locator("#pq-upload").inner_text()
        page.locator("#pq-upload input[type=file]").set_input_files([str(good), str(bad), str(same_name)])
        page.wait_for_timeout(1500)
        page.locator("#pq-import").click()
        wait_text(page, "#pq-results", "已导入", timeout=90000)
        results = page.locator("#pq-results").inner_text()
        assert "上传 计划.txt\t成功\t已导入《2022年度某县土壤工作计划》" in results
        assert "坏.txt\t失败\t" in results and "cannot" not in results
        assert "另存为 gx_2021_turang_wuran_fangzhi_jihua（2）.txt" in results
        assert not re.search("[\u2600-\u27bf\U0001F000-\U0001FFFF]", page.locator("body").inner_text())
        assert "2021年度广西土壤污染防治重点工作实施计划" in page.locator("#pq-docs").inner_text()   # not replaced
        page.screenshot(path=str(SHOTS / "web-docs.png"), full_page=True)
        stored = list((index_dir / "uploads").rglob("上传 计划.txt"))
        assert len(stored) == 1
        for target in (stored[0], index_dir / "chroma" / "chroma.sqlite3", Path("/etc/passwd")):
            for route in ("gradio_api/file=", "file="):
                try:
                    code = urllib.request.urlopen(url + route + urllib.parse.quote(str(target)), timeout=10).status
                except urllib.error.HTTPError as exc:
                    code = exc.code
                assert code in (403, 404), (route, target, code)

        # the new document is in the scope list without a restart; its text is shown as text everywhere
        page.get_by_role("tab", name="问答").click()
        choose(page, "pq-scope", "2022年度某县土壤工作计划")
        text = ask(page, "耕地土壤酸化调查谁牵头？")
        assert "县农业农村局" in text
        chat = page.locator("#pq-chat").inner_text() + text
        assert "<script>alert('x')</script>" in text and f"![图]({bait}/md.png)" in chat
        assert f'<img src="{bait}/agency.png" onerror=alert(3)>' in chat and "**加粗**" in chat
        page.locator("#pq-chat [data-clause]").first.click()
        wait_text(page, "#pq-reader .pq-focus", f"![图]({bait}/md.png)")
        page.get_by_role("tab", name="责任分工").click()
        choose(page, "pq-agency", "县农业农村局")
        wait_text(page, "#pq-summary", "牵头 1 项")
        assert "<img" in page.locator("#pq-summary").inner_text()
        assert "<img" in page.locator("#pq-matrix").inner_text()
        page.wait_for_timeout(1000)
        assert dialogs == [] and Leak.hits == []
        assert page.locator(f"img[src^='{bait}']").count() == 0

        # replace, with a confirmation; the answer follows the new version
        page.get_by_role("tab", name="文档").click()
        choose(page, "pq-pick", "2022年度某县土壤工作计划")
        new_version = tmp_path / "v2" / "第二版.txt"
        new_version.parent.mkdir()
        new_version.write_text("2022年度某县土壤工作计划（修订）\n重点任务\n1．开展耕地土壤酸化调查。（县林业局牵头）\n",
                               encoding="utf-8")
        page.locator("#pq-new-version input[type=file]").set_input_files(str(new_version))
        page.wait_for_timeout(1500)
        page.locator("#pq-replace").click()
        wait_text(page, "#pq-confirm-text", "确定用新文件替换《2022年度某县土壤工作计划》吗")
        page.locator("#pq-confirm-yes").click()
        wait_text(page, "#pq-results", "已替换为新版本", timeout=90000)
        wait_text(page, "#pq-docs", "2022年度某县土壤工作计划（修订）")
        page.get_by_role("tab", name="问答").click()
        choose(page, "pq-scope", "2022年度某县土壤工作计划（修订）")
        assert "县林业局" in ask(page, "耕地土壤酸化调查由哪个部门牵头？")

        # delete, with a confirmation; cancel first
        page.get_by_role("tab", name="文档").click()
        choose(page, "pq-pick", "2022年度某县土壤工作计划（修订）")
        page.locator("#pq-delete").click()
        wait_text(page, "#pq-confirm-text", "确定从索引中删除《2022年度某县土壤工作计划（修订）》吗")
        page.locator("#pq-confirm-no").click()
        wait_text(page, "#pq-results", "已取消")
        assert "（修订）" in page.locator("#pq-docs").inner_text()
        assert page.locator("#pq-pick input").input_value() == "2022年度某县土壤工作计划（修订）"
        page.locator("#pq-delete").click()
        wait_text(page, "#pq-confirm-text", "确定从索引中删除《2022年度某县土壤工作计划（修订）》吗")
        page.locator("#pq-confirm-yes").click()
        wait_text(page, "#pq-results", "已从索引中删除")
        page.wait_for_function("() => !document.querySelector('#pq-docs').innerText.includes('（修订）')", timeout=30000)
        page.get_by_role("tab", name="问答").click()
        assert "（修订）" not in page.locator("#pq-scope").inner_text()      # dropped from the chosen scope
        page.get_by_role("tab", name="阅读").click()
        page.locator("#pq-reader-doc input").click()
        page.wait_for_timeout(500)
        options = page.locator("#pq-reader-doc").evaluate("e => document.body.innerText")
        assert "2021年度广西土壤污染防治重点工作实施计划" in options and "土壤工作计划（修订）" not in options
        page.close()
    finally:
        process.terminate()
        process.wait(20)
        leak.shutdown()
    after = subprocess.run([sys.executable, "-m", "assistant", "docs", "--json", "--index", str(index_dir)], cwd=ROOT,
                           capture_output=True, text=True, check=True)
    assert sorted(d["source"] for d in json.loads(after.stdout)) == sorted(
        [GUANGXI.name, "gx_2021_turang_wuran_fangzhi_jihua（2）.txt"])


def test_script_in_a_question_is_shown_as_text(server, browser):
    page = open_page(browser, server)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    ask(page, "<img src=x onerror=alert(1)><script>alert(2)</script>谁牵头涉镉排查")
    page.wait_for_timeout(1000)
    assert dialogs == [] and page.locator("#pq-chat img[src=x]").count() == 0
    assert "<img src=x onerror=alert(1)><script>alert(2)</script>谁牵头涉镉排查" in page.locator("#pq-chat").inner_text()
    page.close()
