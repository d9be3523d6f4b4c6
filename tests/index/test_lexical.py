"""BM25 segments: the same scores as one bm25s index over the live chunks, however the chunks are split into
segments, merged or masked."""
import numpy as np
import pytest

from assistant.index.lexical import MAX_SEGMENTS, LexicalIndex, Segment, SegmentSet
from assistant.index.tokenize import PolicyTokenizer


@pytest.fixture(scope="module")
def corpus_chunks(parsed_corpus):
    """(doc_id, [(chunk_id, clause text)]) for six corpus documents."""
    out = []
    for name in sorted(parsed_corpus)[:6]:
        parsed = parsed_corpus[name]
        out.append((parsed.document.doc_id, [(c.clause_id + "#0", c.text) for c in parsed.clauses]))
    return out


@pytest.fixture(scope="module")
def tokenizer():
    return PolicyTokenizer()


def bm25s_scores(chunks, tokenizer, terms):
    import bm25s

    retriever = bm25s.BM25()
    retriever.index([tokenizer.terms(t) or ["∅"] for _, t in chunks], show_progress=False)
    return np.asarray(retriever.get_scores(terms), dtype=np.float32)


QUESTIONS = ["涉镉污染源排查整治谁牵头", "综合保税区 增值税 一般纳税人 资格试点", "农村 幼儿园 建设 督导", "土壤 土壤 污染"]


def test_segments_score_like_one_bm25s_index(corpus_chunks, tokenizer, tmp_path):
    live = [d for d, _ in corpus_chunks][1:]                     # the first document is not live any more
    whole = [c for d, chunks in corpus_chunks if d in live for c in chunks]
    segments = [Segment.build(corpus_chunks[:2], tokenizer).save(tmp_path),
                Segment.build(corpus_chunks[2:4], tokenizer), Segment.build(corpus_chunks[4:], tokenizer)]
    lexical = LexicalIndex(segments, frozenset(live))
    assert list(lexical.chunk_ids) == [cid for cid, _ in whole]
    assert lexical.position[whole[5][0]] == 5 and whole[5][0] in lexical.position and len(lexical.position) == len(whole)
    assert corpus_chunks[0][1][0][0] not in lexical.position and set(lexical.chunk_docs) == set(live)
    for question in QUESTIONS:
        terms = tokenizer.terms(question)
        np.testing.assert_allclose(lexical.scores(terms), bm25s_scores(whole, tokenizer, terms), rtol=1e-4, atol=1e-5)
    merged = LexicalIndex([Segment.merge(segments, frozenset(live))], frozenset(live))
    assert sorted(merged.chunk_ids) == sorted(lexical.chunk_ids)
    terms = tokenizer.terms(QUESTIONS[0])
    by_id = dict(zip(lexical.chunk_ids, lexical.scores(terms)))
    np.testing.assert_allclose([by_id[c] for c in merged.chunk_ids], merged.scores(terms), rtol=1e-5)


def test_a_snapshot_uses_few_segments_and_merges_the_small_ones(corpus_chunks, tokenizer, tmp_path):
    chunks = dict(corpus_chunks)
    store = SegmentSet(tmp_path / "lexical", writable=True)
    live = []
    for doc_id, _ in corpus_chunks * 2:                           # twelve writes of one document each
        if doc_id not in live:
            live.append(doc_id)
        store.for_live([d for d in live], chunks.get, tokenizer)
        live.append(f"{doc_id}-copy{len(live)}")
        chunks[live[-1]] = [(f"{live[-1]}:{cid}", text) for cid, text in chunks[doc_id]]
    lexical = store.for_live(live, chunks.get, tokenizer)
    assert len(lexical.segments) <= MAX_SEGMENTS
    assert sorted(lexical.chunk_ids) == sorted(cid for d in live for cid, _ in chunks[d])
    whole = [c for d in live for c in chunks[d]]
    terms = tokenizer.terms(QUESTIONS[0])
    by_id = dict(zip(lexical.chunk_ids, lexical.scores(terms)))
    expected = bm25s_scores(whole, tokenizer, terms)
    np.testing.assert_allclose([by_id[c] for c, _ in whole], expected, rtol=1e-4, atol=1e-5)


def test_a_damaged_segment_is_not_used(corpus_chunks, tokenizer, tmp_path):
    store = SegmentSet(tmp_path / "lexical", writable=True)
    chunks = dict(corpus_chunks)
    first = store.for_live(list(chunks), chunks.get, tokenizer)
    folder = first.segments[0].folder
    np.save(folder / "rows.npy", np.zeros(3, dtype=np.int32))     # postings cut short
    again = SegmentSet(tmp_path / "lexical", writable=True).for_live(list(chunks), chunks.get, tokenizer)
    assert again.segments[0].folder != folder and sorted(again.chunk_ids) == sorted(first.chunk_ids)
