"""The index commands as a user runs them: ingest (--replace, --protect), docs, history, restore, protect, remove;
errors as one `policyqa: error:` line."""
import json

import pytest

import assistant.index.index as index_module
from assistant.surfaces import cli

from conftest import CORPUS, GUANGXI
from fakes import HashEmbedder

FAKE = "2021年度广西土壤污染防治重点工作实施计划\n1．伪造的任务条款。（自治区虚构厅牵头）\n"


@pytest.fixture
def run(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(index_module, "load_embedder", lambda name: HashEmbedder())
    monkeypatch.setenv("POLICYQA_INDEX", str(tmp_path / "index"))
    monkeypatch.setenv("POLICYQA_EMBED_CACHE", str(tmp_path / "cache.sqlite"))

    def invoke(*args):
        code = cli.main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err
    return invoke


def test_replace_protect_history_restore_from_the_command_line(tmp_path, run):
    code, out, _ = run("ingest", GUANGXI, CORPUS / "gov_guofa_2019_03_zongbaoqu.txt", "--protect")
    assert code == 0 and "2 added, 0 replaced, 0 skipped, 0 failed, 0 kept as new" in out
    upload = tmp_path / "upload"
    upload.mkdir()
    (upload / GUANGXI.name).write_text(FAKE, encoding="utf-8")

    code, _, err = run("ingest", upload / GUANGXI.name, "--replace")
    assert code == 1 and "is protected and cannot be replaced" in err
    code, out, _ = run("ingest", upload / GUANGXI.name)
    assert code == 0 and f"kept      {GUANGXI.name} as {GUANGXI.stem} (2).txt" in out
    code, out, _ = run("ingest", upload / GUANGXI.name, "--replace")
    assert code == 0 and f"skipped   {GUANGXI.name} (already indexed as {GUANGXI.stem} (2).txt)" in out
    code, _, err = run("remove", GUANGXI.name)
    assert code == 1 and err.startswith("policyqa: error:") and "is protected" in err and len(err.splitlines()) == 1

    docs = json.loads(run("docs", "--json")[1])
    assert {d["source"]: d["protected"] for d in docs} == {
        GUANGXI.name: True, "gov_guofa_2019_03_zongbaoqu.txt": True, f"{GUANGXI.stem} (2).txt": False}
    assert "[protected]" in run("docs")[1]

    assert run("protect", GUANGXI.name, "--off") == (0, f"unprotected {GUANGXI.name}\n", "")
    assert run("remove", f"{GUANGXI.stem} (2).txt")[0] == 0
    code, out, _ = run("ingest", upload / GUANGXI.name, "--replace")
    assert code == 0 and f"replaced  {GUANGXI.name}" in out

    history = json.loads(run("history", GUANGXI.name, "--json")[1])
    assert [(h["version"], h["live"]) for h in history] == [(1, False), (2, True)]
    assert "live" in run("history", GUANGXI.name)[1]
    code, out, _ = run("restore", GUANGXI.name, "1")
    assert code == 0 and out.startswith(f"restored {GUANGXI.name} version 1")
    code, out, _ = run("ask", "涉镉污染源排查整治谁牵头？", "--json")
    assert json.loads(out)["lead_agencies"] == ["自治区生态环境厅"]
    assert run("protect", GUANGXI.name)[0] == 0

    code, _, err = run("restore", GUANGXI.name, "7")
    assert code == 1 and "has versions 1 to 2" in err
    code, _, err = run("history", "nothing.txt")
    assert code == 1 and "no single document matches 'nothing.txt'" in err


def test_ingest_into_a_log_reports_each_stage_as_it_goes(run):
    """stderr is no terminal (a log, `make run > log`): no bars, but a line as each stage starts and ends,
    before the per-file report; stderr stays empty for a clean ingest."""
    code, out, err = run("ingest", GUANGXI)
    lines = out.splitlines()
    assert code == 0 and err == ""
    for stage in ("parsing", "BM25 (answers now)", "embedding"):
        assert lines.index(f"{stage} …") < lines.index(next(ln for ln in lines if ln.startswith(f"{stage}: done")))
    assert lines.index(next(ln for ln in lines if ln.startswith("embedding: done"))) < \
        lines.index(next(ln for ln in lines if ln.startswith("added")))
