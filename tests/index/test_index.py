"""The index: idempotent ingest, replace, remove, lock, all-or-nothing failure, manifest checks, BM25 cache."""
import shutil
import threading

import pytest

from assistant.errors import PolicyQAError
from assistant.index import Index, IndexBusy, IndexMismatch
from assistant.query.retrieve import Retriever
from assistant.settings import Settings

from conftest import CORPUS, GUANGXI
from fakes import HashEmbedder


def make_index(path, embedder=None, **overrides):
    return Index(Settings.from_env(index_dir=path, **overrides), embedder=embedder or HashEmbedder())


def snapshot(index):
    """What a reader sees: documents, clause ids, and a search's answer."""
    index._loaded_key = None
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
    collection = index.manifest()["collection"]
    again = index.ingest([small_corpus])
    assert not again.changed and {why for _, why in again.skipped} == {"unchanged"}
    assert index.manifest(refresh=True)["collection"] == collection      # nothing rewritten
    assert snapshot(index) == before
    entry = next(e for e in index.document_entries() if e["source"] == GUANGXI.name)
    assert entry["title"] == "2021年度广西土壤污染防治重点工作实施计划" and entry["clauses"] == 33
    assert len(entry["sha256"]) == 64


def test_changed_file_replaces_its_chunks_and_same_content_under_two_names_is_skipped(tmp_path, small_corpus):
    index = make_index(tmp_path / "index")
    index.ingest([small_corpus])
    plan = small_corpus / GUANGXI.name
    plan.write_text(plan.read_text(encoding="utf-8").replace("约60个", "约70个"), encoding="utf-8")
    shutil.copy(small_corpus / "law_turang_fangzhi_2018.txt", small_corpus / "土壤法 副本.txt")
    report = index.ingest([small_corpus])
    assert report.replaced == [GUANGXI.name] and not report.added
    assert ("土壤法 副本.txt", "same content as law_turang_fangzhi_2018.txt") in report.skipped
    texts = [c.text for c in index.clauses().values()]
    assert any("约70个" in t for t in texts) and not any("约60个" in t for t in texts)
    assert len([e for e in index.document_entries() if e["source"] == GUANGXI.name]) == 1
    ids = [rid for rid, _, _ in index.chunks.records()]
    assert len(ids) == len(set(ids)) == index.lexical.position.__len__()


def test_remove_by_file_name_or_doc_id(tmp_path, small_corpus):
    index = make_index(tmp_path / "index")
    index.ingest([small_corpus])
    entry = index.remove("law_turang_fangzhi_2018.txt")
    assert entry["title"] == "中华人民共和国土壤污染防治法"
    assert "law_turang_fangzhi_2018.txt" not in [e["source"] for e in index.document_entries()]
    assert not any(c.doc_id == entry["doc_id"] for c in index.clauses().values())
    other = next(e for e in index.document_entries() if e["source"] == GUANGXI.name)
    index.remove(other["doc_id"])
    with pytest.raises(PolicyQAError, match="no single indexed document matches 'nothing.txt'"):
        index.remove("nothing.txt")


def test_a_failed_ingest_leaves_the_index_as_it_was(tmp_path, small_corpus):
    path = tmp_path / "index"
    index = make_index(path)
    index.ingest([small_corpus / GUANGXI.name])
    before = snapshot(index)
    collections = index.store.chunk_collections()
    broken = make_index(path, embedder=HashEmbedder(fail_after=1), embedding_cache=tmp_path / "other-cache.sqlite")
    with pytest.raises(RuntimeError, match="embedding service died"):
        broken.ingest([small_corpus])                      # fails after the first batch of vectors
    reopened = make_index(path)
    assert snapshot(reopened) == before
    assert reopened.store.chunk_collections() == collections     # the half-built generation is gone


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
    holder = make_index(path)
    waiter = make_index(path, lock_timeout=0.3)
    entered, release = threading.Event(), threading.Event()

    def hold():
        with holder._writer_lock():
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


def test_rebuild_re_embeds_nothing(tmp_path, small_corpus):
    index = make_index(tmp_path / "index")
    first = index.ingest([small_corpus])
    assert first.chunks_embedded > 0 and first.chunks_cached == 0
    again = make_index(tmp_path / "index").ingest([small_corpus], rebuild=True)
    assert again.chunks_embedded == 0 and again.chunks_cached == first.chunks_embedded


def test_lexical_cache_is_rebuilt_when_missing_or_damaged(tmp_path, small_corpus):
    path = tmp_path / "index"
    index = make_index(path)
    index.ingest([small_corpus])
    before = snapshot(index)
    lexical_dir = path / "lexical" / index.manifest()["collection"]
    assert (lexical_dir / "chunks.json").exists()
    shutil.rmtree(path / "lexical")
    assert snapshot(make_index(path)) == before and (lexical_dir / "chunks.json").exists()
    (lexical_dir / "chunks.json").write_text("{broken")
    assert snapshot(make_index(path)) == before


def test_writes_respect_the_client_batch_size(tmp_path, small_corpus):
    index = make_index(tmp_path / "index")
    index.store.batch_size = 7
    index.ingest([small_corpus / GUANGXI.name])
    assert index.chunks.count() == sum(e["chunks"] for e in index.document_entries())


def test_empty_index_says_how_to_fill_it(tmp_path):
    with pytest.raises(PolicyQAError, match="policyqa ingest corpus/"):
        make_index(tmp_path / "index").clauses()
