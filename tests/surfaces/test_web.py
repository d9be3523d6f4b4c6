"""The web app in a real browser (Debian chromium via Playwright) and its API through the Gradio client."""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import GUANGXI, ROOT, free_port, TEST_CACHE

CHROMIUM = "/usr/bin/chromium"



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


def test_browser_lead_and_deadline_questions_then_matrix_filter(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server, wait_until="load")
    page.locator("#pq-question textarea").wait_for(timeout=60000)

    text = ask(page, "涉镉污染源排查这件事谁牵头？哪些部门参与？")
    assert "牵头" in text and "自治区生态环境厅" in text and "自治区农业农村厅" in text
    assert "《2021年度广西土壤污染防治重点工作实施计划》" in text
    assert page.locator("#pq-cards mark").first.inner_text().startswith("（自治区生态环境厅牵头")
    assert "持续狠抓土壤污染源头风险管控" in text
    page.screenshot(path=str(tmp_path / "1-lead.png"), full_page=True)

    text = ask(page, "那期限呢？")                                  # a follow-up on the same task
    assert "2021年底前" in text and "整治完成后1个月内" in text

    text = ask(page, "重点监管单位名录最晚什么时候要公布？")                # a new topic
    assert "期限" in text and "6月前" in text
    assert "各市应于6月前公布2021年度土壤污染重点监管单位名录" in page.locator("#pq-cards mark").first.inner_text()
    page.screenshot(path=str(tmp_path / "2-deadline.png"), full_page=True)

    text = ask(page, "李明是谁？")
    assert "文件中未找到" in text

    page.get_by_role("tab", name="责任分工").click()
    page.locator("#pq-agency input").fill("自治区林业局")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#pq-matrix').innerText.includes('退耕还林还草')"
                           " && !document.querySelector('#pq-matrix').innerText.includes('涉镉')", timeout=30000)
    assert "自治区林业局：牵头 1 项" in page.locator("body").inner_text()
    page.screenshot(path=str(tmp_path / "3-matrix.png"), full_page=True)

    page.get_by_role("tab", name="时间节点").click()
    page.locator("#pq-dl-agency input").fill("自治区住房城乡建设厅")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#pq-deadlines').innerText.includes('2021-05-31')",
                           timeout=30000)
    assert "依法严管土壤污染重点监管单位" in page.locator("#pq-deadlines").inner_text()
    page.get_by_role("tab", name="文档").click()
    assert "gx_2021_turang_wuran_fangzhi_jihua.txt" in page.locator("body").inner_text()
    page.screenshot(path=str(tmp_path / "4-docs.png"), full_page=True)
    page.close()
    print(f"screenshots in {tmp_path}")


def test_script_in_a_question_is_shown_as_text(server, browser):
    page = browser.new_page()
    page.goto(server, wait_until="load")
    page.locator("#pq-question textarea").wait_for(timeout=60000)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    ask(page, "<img src=x onerror=alert(1)><script>alert(2)</script>谁牵头涉镉排查")
    time.sleep(1)
    assert dialogs == []
    assert page.locator("#pq-chat img[src=x]").count() == 0
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


def test_upload_ingests_reports_bad_files_and_serves_nothing_back(tmp_path, browser):
    index_dir = tmp_path / "index"
    env = dict(os.environ, POLICYQA_EMBED_CACHE=str(TEST_CACHE / "embeddings.sqlite"))
    subprocess.run([sys.executable, "-m", "assistant", "ingest", str(GUANGXI), "--index", str(index_dir)], cwd=ROOT,
                   env=env, check=True, capture_output=True)
    good = tmp_path / "上传 计划.txt"
    good.write_text("2022年度某县土壤工作计划\n重点任务\n1．开展<script>alert('x')</script>耕地土壤酸化调查。"
                    "（县农业农村局牵头，县生态环境局参与）\n", encoding="utf-8")
    bad = tmp_path / "坏.txt"
    bad.write_bytes(os.urandom(3000))
    process, url = start_server(index_dir, env_extra={"POLICYQA_EMBED_CACHE": env["POLICYQA_EMBED_CACHE"]})
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(url, wait_until="load")
        page.get_by_role("tab", name="文档").click()
        page.locator("#pq-upload input[type=file]").set_input_files([str(good), str(bad)])
        page.wait_for_timeout(1500)
        page.locator("#pq-import").click()
        page.wait_for_function("() => document.body.innerText.includes('已导入')", timeout=90000)
        body = page.locator("body").inner_text()
        assert "✅ 已导入 上传 计划.txt" in body and "❌ 坏.txt：cannot decode" in body
        stored = list((index_dir / "uploads").rglob("上传 计划.txt"))
        assert len(stored) == 1
        for target in (stored[0], index_dir / "chroma" / "chroma.sqlite3", Path("/etc/passwd")):
            for route in ("gradio_api/file=", "file="):
                try:
                    code = urllib.request.urlopen(url + route + urllib.parse.quote(str(target)), timeout=10).status
                except urllib.error.HTTPError as exc:
                    code = exc.code
                assert code in (403, 404), (route, target, code)
        page.get_by_role("tab", name="问答").click()
        text = ask(page, "耕地土壤酸化调查谁牵头？")
        assert "县农业农村局" in text
        assert "<script>alert('x')</script>" in page.locator("#pq-cards").inner_text()      # shown as text
        page.get_by_role("tab", name="责任分工").click()
        page.wait_for_timeout(500)
        assert dialogs == []
        page.close()
    finally:
        process.terminate()
        process.wait(20)
    after = subprocess.run([sys.executable, "-m", "assistant", "docs", "--json", "--index", str(index_dir)], cwd=ROOT,
                           capture_output=True, text=True, check=True)
    assert sorted(d["source"] for d in json.loads(after.stdout)) == sorted([GUANGXI.name, "上传 计划.txt"])
