"""Readers see one snapshot: a question is answered from the manifest generation it started with, a newer
one is picked up by the next question, lists follow writes made by another process, and a new document
answers lexically before its vectors are written."""
import shutil
import threading

import pytest

from assistant.answer import Assistant
from assistant.query.retrieve import Retriever
from assistant.settings import WebSettings
from assistant.surfaces.web import WebApp

from conftest import CORPUS, GUANGXI, run_concurrently
from fakes import HashEmbedder
from test_index import make_index

PLAN = ("2023年度某县饮用水水源保护工作方案\n重点任务\n"
        "1．开展饮用水水源地规范化建设评估。（县水利局牵头，县生态环境局、县卫生健康局参与）\n"
        "2．完成水源地保护区标志设置和隔离防护工程建设，6月底前完成。（县生态环境局牵头，县交通运输局参与）\n")


@pytest.fixture
def indexed(tmp_path):
    index = make_index(tmp_path / "index")
    index.ingest([GUANGXI, CORPUS / "gov_guofa_2019_03_zongbaoqu.txt"])
    return index


def test_a_snapshot_keeps_answering_from_its_generation(tmp_path, indexed):
    snap = indexed.snapshot()
    question = "涉镉污染源排查整治谁牵头"
    before = [h.clause.clause_id for h in Retriever(snap).search(question, top_k=3).hits]
    answer = Assistant(Retriever(snap)).ask(question).answer
    writer = make_index(tmp_path / "index")                      # another process, same index
    (tmp_path / "new.txt").write_text(PLAN, encoding="utf-8")
    writer.ingest([tmp_path / "new.txt"])
    writer.remove(GUANGXI.name)
    # the old snapshot still has every piece: documents, clauses, BM25, vectors (filtered to its versions)
    assert [h.clause.clause_id for h in Retriever(snap).search(question, top_k=3).hits] == before
    assert Assistant(Retriever(snap)).ask(question).answer == answer
    assert sorted(d.source for d in snap.documents().values()) == sorted([GUANGXI.name, "gov_guofa_2019_03_zongbaoqu.txt"])
    # the index's own accessors follow the newest manifest
    assert sorted(d.source for d in indexed.documents().values()) == ["gov_guofa_2019_03_zongbaoqu.txt", "new.txt"]
    assert not any(c.doc_id == snap.doc_ids[1] and "涉镉" in c.text for c in indexed.clauses().values())
    hits = Retriever(indexed).search("饮用水水源地规范化建设评估谁牵头", top_k=1).hits
    assert hits[0].document.source == "new.txt"


def test_a_question_is_pinned_to_one_snapshot(tmp_path, indexed):
    seen = []
    with indexed.pinned() as snap:
        make_index(tmp_path / "index").remove(GUANGXI.name)
        seen.append(indexed.snapshot() is snap)
        seen.append(GUANGXI.name in [d.source for d in indexed.documents().values()])
        with indexed.pinned() as inner:                          # re-entrant
            seen.append(inner is snap)
    assert seen == [True, True, True]
    assert GUANGXI.name not in [d.source for d in indexed.documents().values()]


def test_web_lists_follow_an_ingest_from_the_command_line(tmp_path, indexed):
    app = WebApp(indexed, Assistant(Retriever(indexed)), WebSettings())
    before = {doc_id for _, doc_id in app.doc_choices()}
    tasks_before = app.matrix(None, "全部", None)[1]
    (tmp_path / "new.txt").write_text(PLAN, encoding="utf-8")
    make_index(tmp_path / "index").ingest([tmp_path / "new.txt"])           # another process
    added = {doc_id for _, doc_id in app.doc_choices()} - before
    assert len(added) == 1 and "new.txt" in [row[6] for row in app.docs_table()[0]]
    assert "县水利局" in app.agency_choices()
    assert app.matrix(None, "全部", None)[1] != tasks_before


class Gate(HashEmbedder):
    """An embedder that holds passages until released: the vectors of an ingest arrive late."""

    def __init__(self):
        super().__init__()
        self.waiting, self.go = threading.Event(), threading.Event()

    def encode_passages(self, texts):
        self.waiting.set()
        assert self.go.wait(30)
        return super().encode_passages(texts)


def test_a_new_document_answers_from_bm25_before_its_vectors_arrive(tmp_path, indexed):
    gate = Gate()
    writer = make_index(tmp_path / "index", embedder=gate, embedding_cache=tmp_path / "gate.sqlite")
    (tmp_path / "new.txt").write_text(PLAN, encoding="utf-8")
    thread = threading.Thread(target=writer.ingest, args=([tmp_path / "new.txt"],))
    thread.start()
    try:
        assert gate.waiting.wait(30)
        entry = next(e for e in indexed.document_entries() if e["source"] == "new.txt")
        assert entry["vectors"] is False
        answer = Assistant(Retriever(indexed)).ask("饮用水水源地规范化建设评估谁牵头？")
        assert answer.found and answer.lead_agencies == ("县水利局",)
        assert answer.citations[0].source == "new.txt"
        assert not [c for c, _ in indexed.chunks.query(HashEmbedder().encode_queries(["水源地"])[0], 50)
                    if c.startswith(entry["doc_id"])]                  # no vectors yet
    finally:
        gate.go.set()
        thread.join(60)
    entry = next(e for e in indexed.document_entries() if e["source"] == "new.txt")
    assert entry["vectors"] is True
    assert [c for c, _ in indexed.chunks.query(HashEmbedder().encode_queries(["饮用水水源地规范化建设评估"])[0], 50)
            if c.startswith(entry["doc_id"])]


def test_readers_never_fail_while_a_writer_ingests_and_removes(tmp_path, indexed):
    assistant = Assistant(Retriever(indexed))
    expected = assistant.ask("涉镉污染源排查整治谁牵头？").lead_agencies
    extra = tmp_path / "extra"
    extra.mkdir()
    for name in ("gov_guofa_2019_04_zhijiao.txt", "gov_guobanfa_2019_03_youeryuan.txt"):
        shutil.copy(CORPUS / name, extra / name)
    writer = make_index(tmp_path / "index")
    stop = threading.Event()
    errors, answers = [], []

    def write():
        while not stop.is_set():
            writer.ingest([extra])
            for name in ("gov_guofa_2019_04_zhijiao.txt", "gov_guobanfa_2019_03_youeryuan.txt"):
                writer.remove(name)

    def ask():
        for _ in range(15):
            try:
                with indexed.pinned() as snap:
                    answer = assistant.ask("涉镉污染源排查整治谁牵头？")
                    live = set(snap.doc_ids)
                answers.append((answer.lead_agencies, {c.doc_id for c in answer.citations} <= live))
                assistant.ask("职业教育改革谁负责？")
            except Exception as exc:          # every failure is collected and reported
                errors.append(repr(exc))

    run_concurrently(write, [ask] * 4, stop)
    assert not errors, errors[:3]
    assert answers and all(lead == expected and consistent for lead, consistent in answers)
