"""The index: idempotent ingest, versions (replace, kept as new, history, restore, protect), remove, the
writer lock, a failed write changes nothing, writes that cost the document, manifest checks, BM25 segments."""
import shutil
import threading

import numpy as np
import pytest

from assistant.errors import PolicyQAError
from assistant.index import Index, IndexBusy, IndexMismatch
from assistant.index.lease import local_lock
from assistant.index.store import ChromaChunks
from assistant.query.retrieve import Retriever
from assistant.settings import Settings

from conftest import CORPUS, GUANGXI
from fakes import HashEmbedder

SMALL_PLAN = ("2022年度某市土壤污染防治工作计划\n重点任务\n"
              "1．开展耕地土壤环境质量类别划分。（市农业农村局牵头，市生态环境局、自然资源局等参与）\n"
              "2．2022年底前完成重点监管单位隐患排查。（市生态环境局牵头，市工业和信息化局参与）\n")


def make_index(path, embedder=None, **overrides):
    return Index(Settings.from_env(index_dir=path, **{"manifest_ttl": 0, **overrides}),
                 embedder=embedder or HashEmbedder())


def snapshot(index):
    """What a reader sees: documents, clause ids, and a search's answer."""
    return (sorted(e["source"] for e in index.document_entries()), sorted(index.clauses()),
            [h.clause.clause_id for h in Retriever(index).search("涉镉污染源排查整治谁牵头", top_k=3).hits])


@pytest.fixture
def small_corpus(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in (GUANGXI.name, "gov_guofa_2019_03_zongbaoqu.txt", "law_turang_fangzhi_2018.txt"):
        shutil.copy(CORPUS / name, folder / name)
    return folder


def test_ingest_is_idempotent(tmp_path, small_corpus):
    index = make_index(tmp_path / "index")
    first = index.ingest([small_corpus])
    assert sorted(first.added) == sorted(p.name for p in small_corpus.iterdir()) and not first.failed
    before = snapshot(index)
    generation = index.manifest()["generation"]
    again = index.ingest([small_corpus])
    assert not again.changed and {why for _, why in again.skipped} == {"unchanged"}
    assert index.manifest(refresh=True)["generation"] == generation      # nothing rewritten
    assert snapshot(index) == before
    entry = next(e for e in index.document_entries() if e["source"] == GUANGXI.name)
    assert entry["title"] == "2021年度广西土壤污染防治重点工作实施计划" and entry["clauses"] == 33
    assert len(entry["sha256"]) == 64 and entry["version"] == 1 and entry["protected"] is False


def test_a_changed_file_with_a_known_name_is_kept_as_new_unless_replace_is_asked(tmp_path, small_corpus):
    index = make_index(tmp_path / "index", retire_seconds=0)
    index.ingest([small_corpus])
    plan = small_corpus / GUANGXI.name
    plan.write_text(plan.read_text(encoding="utf-8").replace("约60个", "约70个"), encoding="utf-8")
    kept = index.ingest([plan])
    stem = GUANGXI.stem
    assert kept.kept_as_new == [(GUANGXI.name, f"{stem} (2).txt")] and not kept.replaced
    sources = sorted(e["source"] for e in index.document_entries())
    assert GUANGXI.name in sources and f"{stem} (2).txt" in sources          # nothing overwritten

    index.remove(f"{stem} (2).txt")
    replaced = index.ingest([plan], replace=True)
    assert replaced.replaced == [GUANGXI.name] and not replaced.added
    texts = [c.text for c in index.clauses().values()]
    assert any("约70个" in t for t in texts) and not any("约60个" in t for t in texts)
    assert [e["source"] for e in index.document_entries()].count(GUANGXI.name) == 1
    history = index.history(GUANGXI.name)
    assert [(v["version"], v["live"]) for v in history] == [(1, False), (2, True)]
    assert history[0]["title"] == "2021年度广西土壤污染防治重点工作实施计划" and len(history[0]["sha256"]) == 64
    # the replaced version's chunk records are gone from the collection; the live ones are all there
    ids = [rid for rid, _, _ in index.chunks.records()]
    chunk_store = index.store.chunks(index.manifest()["chunks"])
    assert not chunk_store.ids_of(history[0]["doc_id"]) and chunk_store.ids_of(history[1]["doc_id"])
    assert len(ids) == len(set(ids)) == len(index.lexical.chunk_ids)

    restored = index.restore(GUANGXI.name, 1)
    assert restored["restored"] and restored["version"] == 1
    texts = [c.text for c in index.clauses().values()]
    assert any("约60个" in t for t in texts) and not any("约70个" in t for t in texts)
    assert [v["live"] for v in index.history(GUANGXI.name)] == [True, False]
    with pytest.raises(PolicyQAError, match="has versions 1 to 2"):
        index.restore(GUANGXI.name, 3)


def test_same_text_in_another_name_or_format_is_already_indexed(tmp_path):
    import docx

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "plan.txt").write_text(SMALL_PLAN, encoding="utf-8")
    d = docx.Document()
    for line in SMALL_PLAN.splitlines():
        d.add_paragraph("  " + line + " ")              # other spacing, same text
    d.save(folder / "计划（word版）.docx")
    (folder / "plan copy.txt").write_text(SMALL_PLAN, encoding="utf-8")
    index = make_index(tmp_path / "index")
    report = index.ingest([folder / "plan.txt"])
    assert report.added == ["plan.txt"]
    again = index.ingest([folder / "计划（word版）.docx", folder / "plan copy.txt"])
    assert again.skipped == [("计划（word版）.docx", "already indexed as plan.txt"),
                             ("plan copy.txt", "already indexed as plan.txt")]
    assert len(index.document_entries()) == 1 and len(index.tasks()) == 2


def test_two_different_files_of_the_same_name_both_stay(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "same.txt").write_text(SMALL_PLAN, encoding="utf-8")
    (second / "same.txt").write_text(SMALL_PLAN.replace("某市", "另一市").replace("耕地", "园地"), encoding="utf-8")
    index = make_index(tmp_path / "index")
    assert index.ingest([first / "same.txt"]).added == ["same.txt"]
    assert index.ingest([second / "same.txt"]).kept_as_new == [("same.txt", "same (2).txt")]
    titles = {e["source"]: e["title"] for e in index.document_entries()}
    assert titles == {"same.txt": "2022年度某市土壤污染防治工作计划", "same (2).txt": "2022年度另一市土壤污染防治工作计划"}
    hits = Retriever(index).search("园地土壤环境质量类别划分", top_k=1).hits
    assert hits[0].document.source == "same (2).txt"


def test_protected_documents_are_never_replaced_or_removed(tmp_path, small_corpus):
    index = make_index(tmp_path / "index")
    index.ingest([small_corpus], protect=True)
    before = snapshot(index)
    fake = tmp_path / "upload"
    fake.mkdir()
    (fake / GUANGXI.name).write_text("2021年度广西土壤污染防治重点工作实施计划\n1．伪造条款。（自治区虚构厅牵头）\n",
                                     encoding="utf-8")
    report = index.ingest([fake / GUANGXI.name], replace=True)
    assert not report.changed and "protected and cannot be replaced" in report.failed[0][1]
    with pytest.raises(PolicyQAError, match="is protected and cannot be removed.*policyqa protect"):
        index.remove(GUANGXI.name)
    assert snapshot(index) == before
    assert all(e["protected"] for e in index.document_entries())
    assert index.set_protected(GUANGXI.name, False)["protected"] is False
    assert index.ingest([fake / GUANGXI.name], replace=True).replaced == [GUANGXI.name]
    assert index.restore(GUANGXI.name, 1)["restored"]
    assert snapshot(index) == before


def test_remove_by_file_name_or_doc_id_and_restore(tmp_path, small_corpus):
    index = make_index(tmp_path / "index")
    index.ingest([small_corpus])
    entry = index.remove("law_turang_fangzhi_2018.txt")
    assert entry["title"] == "中华人民共和国土壤污染防治法"
    assert "law_turang_fangzhi_2018.txt" not in [e["source"] for e in index.document_entries()]
    assert not any(c.doc_id == entry["doc_id"] for c in index.clauses().values())
    assert index.history(entry["doc_id"][:8]) == [{**index.history("law_turang_fangzhi_2018.txt")[0]}]
    other = next(e for e in index.document_entries() if e["source"] == GUANGXI.name)
    index.remove(other["doc_id"])
    with pytest.raises(PolicyQAError, match="no single indexed document matches 'nothing.txt'"):
        index.remove("nothing.txt")
    index.restore("law_turang_fangzhi_2018.txt", 1)
    assert "law_turang_fangzhi_2018.txt" in [e["source"] for e in index.document_entries()]
    assert Retriever(index).search("土壤污染防治法 农用地分类管理", top_k=1).hits[0].document.source == \
        "law_turang_fangzhi_2018.txt"


def test_a_write_costs_the_document_not_the_index(tmp_path, small_corpus, monkeypatch):
    index = make_index(tmp_path / "index")
    index.ingest([small_corpus])
    segments_before = set(p.name for p in (tmp_path / "index" / "lexical" / "ctx1").iterdir())
    written: list[str] = []
    original = ChromaChunks.add

    def spy(self, ids, vectors, texts, metadatas):
        written.extend(ids)
        return original(self, ids, vectors, texts, metadatas)

    monkeypatch.setattr(ChromaChunks, "add", spy)
    new = tmp_path / "new.txt"
    new.write_text(SMALL_PLAN, encoding="utf-8")
    report = index.ingest([new])
    entry = next(e for e in index.document_entries() if e["source"] == "new.txt")
    assert report.added == ["new.txt"] and len(written) == entry["chunks"]
    assert {w.split(":")[0] for w in written} == {entry["doc_id"]}                # only the new version's vectors
    segments = set(p.name for p in (tmp_path / "index" / "lexical" / "ctx1").iterdir())
    assert segments_before < segments and len(segments - segments_before) == 1    # one small BM25 segment
    added = next(s for s in index.lexical.segments if s.name in segments - segments_before)
    assert set(added.doc_ids) == {f"{entry['doc_id']}@{index.manifest()['live'][entry['doc_id']]['stamp']}"}


def test_a_failed_ingest_leaves_the_index_as_it_was(tmp_path, small_corpus):
    path = tmp_path / "index"
    index = make_index(path)
    index.ingest([small_corpus / GUANGXI.name])
    before = snapshot(index)
    broken = make_index(path, embedder=HashEmbedder(fail_after=1), embedding_cache=tmp_path / "other-cache.sqlite")
    with pytest.raises(RuntimeError, match="embedding service died"):
        broken.ingest([small_corpus])                      # fails after the first batch of vectors
    reopened = make_index(path)
    assert snapshot(reopened) == before
    ids = [rid for rid, _, _ in reopened.store.chunks(reopened.manifest()["chunks"]).records()]
    assert len(ids) == len(reopened.lexical.chunk_ids)     # the vectors it had added are gone again


def test_bad_files_are_reported_and_good_ones_ingested(tmp_path, small_corpus):
    (small_corpus / "empty.txt").write_text("  \n")
    (small_corpus / "junk.txt").write_bytes(bytes(range(256)) * 8)
    index = make_index(tmp_path / "index")
    report = index.ingest([small_corpus, tmp_path / "missing.txt"])
    assert len(report.added) == 3
    failed = dict((p.rsplit("/", 1)[-1], why) for p, why in report.failed)
    assert failed == {"empty.txt": "empty document", "junk.txt": "cannot decode as UTF-8 or GB18030 text; "
                      "convert the file to UTF-8", "missing.txt": "no such file or folder"}


def test_one_writer_at_a_time(tmp_path, small_corpus):
    path = tmp_path / "index"
    waiter = make_index(path, lock_timeout=0.3)
    entered, release = threading.Event(), threading.Event()

    def hold():
        with local_lock(path, 5):
            entered.set()
            release.wait(5)

    thread = threading.Thread(target=hold)
    thread.start()
    entered.wait(5)
    try:
        with pytest.raises(IndexBusy, match="another policyqa ingest is writing"):
            waiter.ingest([small_corpus / GUANGXI.name])
    finally:
        release.set()
        thread.join()
    assert waiter.ingest([small_corpus / GUANGXI.name]).added == [GUANGXI.name]


def test_index_built_with_other_settings_is_a_clear_error(tmp_path, small_corpus):
    path = tmp_path / "index"
    make_index(path).ingest([small_corpus / GUANGXI.name])
    other = make_index(path, chunk_tokens=40)
    with pytest.raises(IndexMismatch, match="chunk_tokens: index has 160, settings say 40.*policyqa ingest --rebuild"):
        other.clauses()

    class OtherModel(HashEmbedder):
        model_id = "test/other"

    with pytest.raises(IndexMismatch, match="model: index has 'test/hash-bigrams'"):
        make_index(path, embedder=OtherModel()).ingest([small_corpus])
    rebuilt = make_index(path, embedder=OtherModel())
    assert rebuilt.ingest([small_corpus / GUANGXI.name], rebuild=True).added == [GUANGXI.name]
    assert rebuilt.store.chunk_collections() == [rebuilt.manifest()["chunks"]]     # the old vectors dropped


def test_rebuild_re_embeds_nothing(tmp_path, small_corpus):
    cache = tmp_path / "vectors.sqlite"
    index = make_index(tmp_path / "index", embedding_cache=cache)
    first = index.ingest([small_corpus])
    assert first.chunks_embedded > 0 and first.chunks_cached == 0
    again = make_index(tmp_path / "index", embedding_cache=cache).ingest([small_corpus], rebuild=True)
    assert again.chunks_embedded == 0 and again.chunks_cached == first.chunks_embedded


def test_bm25_segments_are_rebuilt_when_missing_or_damaged(tmp_path, small_corpus):
    path = tmp_path / "index"
    index = make_index(path)
    index.ingest([small_corpus])
    before = snapshot(index)
    segments = path / "lexical" / "ctx1"
    assert any(p.name.startswith("seg-") for p in segments.iterdir())
    shutil.rmtree(path / "lexical")
    assert snapshot(make_index(path)) == before and any(p.name.startswith("seg-") for p in segments.iterdir())
    for seg in segments.iterdir():
        (seg / "meta.json").write_text("{broken")
    assert snapshot(make_index(path)) == before


def test_records_are_read_when_needed_and_bm25_is_memory_mapped(tmp_path, small_corpus):
    index = make_index(tmp_path / "index")
    index.ingest([small_corpus])
    clauses, tasks = index.clauses(), index.tasks()
    assert dict.__len__(clauses) == 0 and dict.__len__(tasks) == 0           # nothing held in the mapping
    assert len(clauses) == sum(e["clauses"] for e in index.document_entries()) == len(list(clauses.values()))
    assert isinstance(clauses, dict) and next(iter(clauses)) in clauses
    with pytest.raises(TypeError):
        clauses["x"] = None
    reopened = make_index(tmp_path / "index")
    assert all(isinstance(s.rows, np.memmap) and isinstance(s.tf, np.memmap) for s in reopened.lexical.segments)


def test_writes_respect_the_client_batch_size(tmp_path, small_corpus):
    index = make_index(tmp_path / "index")
    index.store.batch_size = 7
    index.ingest([small_corpus / GUANGXI.name])
    assert index.chunks.count() == sum(e["chunks"] for e in index.document_entries())


def test_empty_index_says_how_to_fill_it(tmp_path):
    with pytest.raises(PolicyQAError, match="policyqa ingest corpus/"):
        make_index(tmp_path / "index").clauses()
    assert make_index(tmp_path / "index2").document_entries() == []
