"""The parse contract the answer layer relies on, end to end with a fake embedder: a task-table row is a
clause with the row's fields (cases/docx-task-table-merged), and a document without numbering is
ingested, never refused."""
import pytest

from assistant.answer import Assistant
from assistant.index import Index
from assistant.query.retrieve import Retriever
from assistant.settings import Settings

from conftest import ROOT
from fakes import HashEmbedder

DATA = ROOT / "tests" / "data"
NOTICE = ("关于做好疫情防控期间复工复产工作的通知各区人民政府：为做好疫情防控期间企业复工复产工作，现就有关事项通知如下。"
          "企业复工前应当向所在街道报备防控方案，落实测温、消毒等措施。本通知自发布之日起施行。")


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("docs")
    (folder / "notice.txt").write_text(NOTICE, encoding="utf-8")
    index = Index(Settings.from_env(index_dir=tmp_path_factory.mktemp("index")), embedder=HashEmbedder())
    report = index.ingest([DATA / "feiqiwu_fengong_merged.docx", folder / "notice.txt"])
    assert not report.failed and len(report.added) == 2
    return index


def test_a_table_row_answers_who_leads(index):
    answer = Assistant(Retriever(index)).ask("废旧农膜回收利用试点谁牵头？")
    assert answer.found and answer.lead_agencies == ("县农业农村局",)
    assert answer.answer.startswith("牵头：县农业农村局")
    assert answer.citations[0].clause_label == "2" and "废旧农膜回收利用试点" in answer.citations[0].text


def test_table_rows_are_tasks_of_the_matrix(index):
    rows = [t for t in index.tasks().values() if t.row is not None]
    assert sorted(t.label for t in rows) == ["1", "2", "3"]
    assert all(t.origin.value == "table" for t in rows)


def test_a_notice_without_numbering_is_indexed(index):
    docs = [d for d in index.documents().values() if d.source == "notice.txt"]
    assert docs and docs[0].title == "关于做好疫情防控期间复工复产工作的通知"
