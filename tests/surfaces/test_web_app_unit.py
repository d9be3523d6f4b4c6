"""WebApp pieces without a browser: CSV export, upload checks (type, size, name), escaping."""
import csv
from types import SimpleNamespace

from assistant.answer import Assistant
from assistant.index import Index
from assistant.query.retrieve import Retriever
from assistant.settings import Settings
from assistant.settings import WebSettings
from assistant.surfaces.web import MATRIX_HEADERS, WebApp, citation_cards, fields_html

from conftest import GUANGXI
from fakes import HashEmbedder


def make_app(tmp_path, **web):
    index = Index(Settings.from_env(index_dir=tmp_path / "index"), embedder=HashEmbedder())
    index.ingest([GUANGXI])
    return WebApp(index, Assistant(Retriever(index)), WebSettings(**web))


def test_csv_export_is_the_filtered_table(tmp_path):
    app = make_app(tmp_path)
    path = app.matrix_csv("自治区林业局", "牵头", None)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == MATRIX_HEADERS
    assert len(rows) == 2 and "退耕还林还草" in rows[1][0] and rows[1][1] == "牵头"


def test_upload_checks_type_size_and_name(tmp_path):
    app = make_app(tmp_path, max_upload_mb=1)
    exe = tmp_path / "tool.exe"
    exe.write_bytes(b"MZ")
    big = tmp_path / "big.txt"
    big.write_text("土壤" * 400_000, encoding="utf-8")
    sneaky = tmp_path / "up"
    sneaky.mkdir()
    evil = sneaky / "evil.txt"
    evil.write_text("2022年度计划\n1．开展调查。（甲局牵头）\n", encoding="utf-8")
    before = sorted(e["source"] for e in app.index.document_entries())
    message, _ = app.upload([SimpleNamespace(name=str(exe)), SimpleNamespace(name=str(big))])
    assert "tool.exe：不支持的文件类型" in message and "big.txt：文件超过 1 MB" in message
    assert sorted(e["source"] for e in app.index.document_entries()) == before
    message, _ = app.upload([SimpleNamespace(name=str(evil))])
    assert "已导入 evil.txt" in message
    stored = list((tmp_path / "index" / "uploads").rglob("*.txt"))
    assert [p.name for p in stored] == ["evil.txt"] and stored[0].resolve().is_relative_to(
        (tmp_path / "index" / "uploads").resolve())


def test_upload_can_be_switched_off(tmp_path):
    app = make_app(tmp_path, allow_upload=False)
    message, _ = app.upload([SimpleNamespace(name=str(GUANGXI))])
    assert "上传已关闭" in message


def test_html_pieces_escape_document_text(tmp_path):
    app = make_app(tmp_path)
    answer = app.assistant.ask("涉镉污染源排查谁牵头")
    forged = answer.__class__(**{**answer.__dict__, "lead_agencies": ("<b onclick=x>局</b>",)})
    html = fields_html(forged) + citation_cards(answer)
    assert "<b onclick" not in html and "&lt;b onclick=x&gt;" in html
    assert "<mark>" in html
