"""`policyqa parse` end to end, as a user runs it (a subprocess), plus its errors and exit codes."""
import pytest
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import GUANGXI, ROOT, TEST_CACHE


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300, env=env)


def test_parse_json_contract():
    result = run("parse", str(GUANGXI), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data["document"]) == {"doc_id", "title", "doc_number", "issuer", "date", "source"}
    assert data["document"]["title"] == "2021年度广西土壤污染防治重点工作实施计划"
    assert data["document"]["source"] == GUANGXI.name
    clause = next(c for c in data["clauses"] if "持续开展涉镉污染源排查整治工作" in c["text"])
    # the first release's keys stay; implementers, guiding bodies and the table row were added
    assert set(clause) == {"clause_id", "label", "section_path", "text", "lead_agencies", "participants",
                           "responsible", "deadlines", "targets", "implementers", "guiding", "row"}
    assert clause["row"] is None
    assert clause["label"] == "2．"
    assert clause["section_path"] == ["重点任务", "持续狠抓土壤污染源头风险管控"]
    assert clause["lead_agencies"] == ["自治区生态环境厅"]
    assert clause["participants"] == ["自治区农业农村厅", "自治区粮食和储备局", "自治区自然资源厅", "自治区工业和信息化厅"]
    assert {"text": "2021年底前", "normalized": "2021-12-31"} in clause["deadlines"]
    assert clause["clause_id"].startswith(data["document"]["doc_id"] + ":")
    task = next(t for t in data["tasks"] if t["clause_id"] == clause["clause_id"])
    assert task["lead_agencies"] == clause["lead_agencies"] and task["origin"] == "attribution"
    assert task["task"] == "2．持续开展涉镉污染源排查整治工作。" and task["source"] == GUANGXI.name


def test_parse_human_output_is_readable_chinese():
    result = run("parse", str(ROOT / "corpus" / "gov_guofa_2019_03_zongbaoqu.txt"))
    assert result.returncode == 0, result.stderr
    assert "国务院关于促进综合保税区高水平开放高质量发展的若干意见" in result.stdout
    assert "文号: 国发〔2019〕3号" in result.stdout
    assert "牵头: 税务总局" in result.stdout and "参与: 财政部、海关总署" in result.stdout


def test_python_m_and_console_script_agree():
    script = ROOT / ".venv" / "bin" / "policyqa"
    if not script.exists():
        script = "policyqa"
    via_script = subprocess.run([str(script), "parse", str(GUANGXI), "--json"], capture_output=True, text=True)
    assert via_script.returncode == 0
    assert via_script.stdout == run("parse", str(GUANGXI), "--json").stdout


def test_errors_go_to_stderr_with_a_nonzero_exit(tmp_path):
    empty = tmp_path / "空.txt"
    empty.write_text("   \n")
    junk = tmp_path / "junk.docx"
    junk.write_bytes(b"not a zip at all")
    for path, reason in ((empty, "empty document"), (junk, "not a readable .docx"),
                         (tmp_path / "none.txt", "no such file"), (tmp_path / "a.doc", "unsupported file type")):
        if path.suffix == ".doc":
            path.write_bytes(b"\xd0\xcf\x11\xe0")
        result = run("parse", str(path))
        assert result.returncode == 1
        assert result.stdout == ""
        assert path.name in result.stderr and reason in result.stderr
        assert "Traceback" not in result.stderr


def test_usage_errors():
    result = run("parse")
    assert result.returncode == 2 and "usage:" in result.stderr


@pytest.mark.slow
def test_ingest_search_docs_remove_end_to_end(tmp_path):
    env = dict(os.environ, POLICYQA_INDEX=str(tmp_path / "index"),
               POLICYQA_EMBED_CACHE=str(TEST_CACHE / "embeddings.sqlite"))
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(GUANGXI, folder / GUANGXI.name)
    shutil.copy(ROOT / "corpus" / "gov_guofa_2019_03_zongbaoqu.txt", folder / "综保区 意见.txt")
    (folder / "empty.txt").write_text("")
    result = run("ingest", str(folder), env=env)
    assert result.returncode == 1                                   # one file failed, and the exit code says so
    assert f"added     {GUANGXI.name}" in result.stdout and "added     综保区 意见.txt" in result.stdout
    assert "empty.txt: empty document" in result.stderr
    assert "2 added, 0 replaced, 0 skipped, 1 failed" in result.stdout
    (folder / "empty.txt").unlink()
    again = run("ingest", str(folder), env=env)
    assert again.returncode == 0 and "0 added, 0 replaced, 2 skipped, 0 failed" in again.stdout

    docs = run("docs", "--json", env=env)
    assert docs.returncode == 0
    listed = {d["source"]: d for d in json.loads(docs.stdout)}
    assert listed[GUANGXI.name]["clauses"] == 33 and listed["综保区 意见.txt"]["doc_number"] == "国发〔2019〕3号"

    found = run("search", "涉镉污染源排查谁牵头", "--json", "--top-k", "3", env=env)
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)["hits"]
    assert hits[0]["source"] == GUANGXI.name and "持续开展涉镉污染源排查整治工作" in hits[0]["text"]
    assert hits[0]["section_path"] == ["重点任务", "持续狠抓土壤污染源头风险管控"] and hits[0]["clause_label"] == "2．"
    only = run("search", "谁负责", "--doc", "综保区 意见.txt", "--json", env=env)
    assert {h["source"] for h in json.loads(only.stdout)["hits"]} == {"综保区 意见.txt"}
    human = run("search", "重点监管单位名录什么时候公布", env=env)
    assert "1. 2021年度广西土壤污染防治重点工作实施计划" in human.stdout and "期限: 6月前(2021-05-31)" in human.stdout

    removed = run("remove", "综保区 意见.txt", env=env)
    assert removed.returncode == 0 and "removed   综保区 意见.txt" in removed.stdout
    assert [d["source"] for d in json.loads(run("docs", "--json", env=env).stdout)] == [GUANGXI.name]
    missing = run("remove", "nothing.txt", env=env)
    assert missing.returncode == 1 and "no single indexed document matches 'nothing.txt'" in missing.stderr
    blank = run("search", "   ", env=env)
    assert blank.returncode == 1 and "the question is empty" in blank.stderr


def test_search_on_an_empty_index_says_what_to_do(tmp_path):
    env = dict(os.environ, POLICYQA_INDEX=str(tmp_path / "index"))
    result = run("search", "谁牵头", env=env)
    assert result.returncode == 1 and "policyqa ingest corpus/" in result.stderr
    assert "Traceback" not in result.stderr


def _real_env(real_index):
    return dict(os.environ, POLICYQA_INDEX=str(real_index.index_dir),
                POLICYQA_EMBED_CACHE=str(real_index.settings.embedding_cache))


def test_ask_json_and_human_on_the_real_corpus(real_index):
    env = _real_env(real_index)
    result = run("ask", "重点监管单位名录最晚什么时候公布？", "--json", env=env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["found"] and data["intent"] == "deadline" and data["deadlines"] == ["6月前"]
    assert data["citations"][0]["source"] == GUANGXI.name
    human = run("ask", "涉镉污染源排查谁牵头", env=env)
    assert human.stdout.startswith("牵头：自治区生态环境厅") and "条款原文" in human.stdout
    refused = run("ask", "李明是谁", "--json", env=env)
    assert refused.returncode == 0 and json.loads(refused.stdout)["found"] is False


def test_ask_batch_one_json_per_line(real_index, tmp_path):
    questions = tmp_path / "q.txt"
    questions.write_text("涉镉污染源排查谁牵头\n\n综合保税区汽车保税存储谁负责\n李明是谁\n", encoding="utf-8")
    result = run("ask", "--batch", str(questions), env=_real_env(real_index))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["question"] for d in lines] == ["涉镉污染源排查谁牵头", "综合保税区汽车保税存储谁负责", "李明是谁"]
    assert [d["found"] for d in lines] == [True, True, False]
    missing = run("ask", "--batch", str(tmp_path / "nope.txt"), env=_real_env(real_index))
    assert missing.returncode == 1 and "nope.txt: cannot read the question file" in missing.stderr


def test_agencies_and_deadlines_on_the_real_corpus(real_index):
    env = _real_env(real_index)
    table = run("agencies", env=env)
    assert table.returncode == 0 and "自治区生态环境厅" in table.stdout
    one = run("agencies", "农业农村厅", "--json", env=env)
    data = json.loads(one.stdout)
    entry = next(e for e in data if e["agency"] == "自治区农业农村厅")
    assert len(entry["lead"]) == 6 and all(t["source"] == GUANGXI.name for t in entry["lead"])
    human = run("agencies", "自治区林业局", env=env)
    assert "自治区林业局：牵头 1 项" in human.stdout
    unknown = run("agencies", "不存在的局", env=env)
    assert unknown.returncode == 1 and "no indexed task names the agency" in unknown.stderr
    deadlines = json.loads(run("deadlines", "--json", "--doc", GUANGXI.name, env=env).stdout)
    dated = [d["normalized"] for d in deadlines if d["normalized"] and d["normalized"][0].isdigit()]
    assert dated == sorted(dated) and dated[0] == "2021-05-31"
    assert {"deadline": "每季度结束后3日内", "normalized": "R/P3M/end+P3D"}.items() <= \
        next(d for d in deadlines if d["deadline"] == "每季度结束后3日内").items()
    assert "2021-12-31" in run("deadlines", env=env).stdout


def test_parse_a_word_task_table():
    """cases/docx-task-table-merged: each row a clause (its 序号 the label) and a task of origin table."""
    result = run("parse", str(ROOT / "tests" / "data" / "feiqiwu_fengong_merged.docx"), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    row = next(c for c in data["clauses"] if "废旧农膜回收利用试点" in c["text"] and c["row"])
    assert (row["label"], row["row"], row["lead_agencies"]) == ("2", 2, ["县农业农村局"])
    assert row["participants"] == ["县财政局", "县市场监管局"]
    assert row["deadlines"] == [{"text": "2023年6月底前", "normalized": "2023-06-30"}]
    task = next(t for t in data["tasks"] if t["clause_id"] == row["clause_id"])
    assert (task["origin"], task["row"]) == ("table", 2)
    text = run("parse", str(ROOT / "tests" / "data" / "feiqiwu_fengong_merged.docx")).stdout
    assert "任务: " in text and "表格第2行" in text and "牵头: 县农业农村局" in text
