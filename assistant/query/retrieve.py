"""Query -> ranked clauses: jieba BM25 and dense search over chunks, fused, boosted, folded to clauses.

Fusion (`Settings.fusion`): score fusion by default, reciprocal-rank fusion, or either component
alone (evals/README.md compares them). A question that names an agency moves the clauses where that
agency has a role up, one that names a document moves that document's clauses up; a question limited to
documents (`--doc`, the conversation's document) is searched in those documents only. A clause ranks by its best chunk.
"""
from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from ..models import Clause, Document, Query
from ..settings import Fusion
from .analyse import QueryAnalyser


@dataclass
class Hit:
    clause: Clause
    document: Document
    score: float
    chunk_id: str
    bm25_rank: int | None = None
    dense_rank: int | None = None


@dataclass
class SearchResult:
    hits: list[Hit]
    agencies: list[str] = field(default_factory=list)     # agencies the question names (full names)
    documents: list[str] = field(default_factory=list)    # doc_ids the question names
    timings: dict = field(default_factory=dict)


@dataclass
class _Candidates:
    """Chunk positions (in the lexical index's order) with what each ranking said about them."""

    bm25_ranked: list[int]
    bm25_scores: np.ndarray | None
    dense_ranked: list[int]
    similarity: dict[int, float]


class Retriever:
    def __init__(self, index):
        self.index = index
        self.analyser = QueryAnalyser(index, phrase_document=self._phrase_document)

    def analyse(self, question: str, doc: str | Iterable[str] | None = None, previous=None) -> Query:
        """The question analysed once (see QueryAnalyser.analyse); `previous`: the conversation's last Answer."""
        return self.analyser.analyse(question, doc=doc, previous=previous)

    def named_agencies(self, question: str) -> list[str]:
        return self.analyser.named_agencies(question)

    def named_documents(self, question: str) -> list[str]:
        return [doc_id for doc_id, _ in self.analyser.named_documents(question)]

    def search(self, query: Query | str, top_k: int = 5, doc: str | Iterable[str] | None = None, boost: bool = True,
               mode: Fusion | str | None = None) -> SearchResult:
        """The `top_k` best clauses for a query (a question string is analysed first), all read from one
        snapshot of the index.

        `boost=False` ranks by text alone; `mode` overrides `Settings.fusion` (an unknown one is a
        ChoiceError listing the valid modes).
        """
        with self.index.pinned():
            return self._search(query, top_k, doc, boost, mode)

    def _search(self, query, top_k, doc, boost, mode) -> SearchResult:
        if isinstance(query, str):
            query = self.analyse(query, doc=doc)
        limit = _limit(query)
        mode = Fusion.from_str(mode) if mode is not None else self.index.settings.fusion
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        candidates = self._candidates(query, limit, mode, timings)
        fused = self._fuse(candidates, mode)
        agencies = list(query.agencies) if boost else []
        named_docs = dict(query.documents) if boost and not limit else {}
        if agencies or named_docs:
            fused = self._boost(fused, set(agencies), named_docs, mode)
        hits = self._fold(fused, candidates)
        timings["total_ms"] = (time.perf_counter() - t0) * 1000
        return SearchResult(hits=hits[:top_k], agencies=agencies, documents=list(named_docs), timings=timings)

    # ---- the two rankings
    def _candidates(self, query: Query, limit: tuple[str, ...], mode: Fusion, timings: dict) -> _Candidates:
        index = self.index
        n = index.settings.candidates
        lexical = index.lexical
        t0 = time.perf_counter()
        bm25_ranked: list[int] = []
        scores = None
        if mode in (Fusion.RRF, Fusion.BM25, Fusion.SCORE):
            scores = lexical.scores(index.tokenizer.terms(query.text))
            if limit:
                scores = np.where(np.isin(self._chunk_docs(), list(limit)), scores, 0.0)
            top = np.argpartition(-scores, min(n, len(scores) - 1))[:n] if len(scores) > n else np.arange(len(scores))
            order = top[np.argsort(-scores[top], kind="stable")]      # only the best n are sorted
            bm25_ranked = [int(i) for i in order if scores[i] > 0]
        timings["bm25_ms"] = (time.perf_counter() - t0) * 1000
        t1 = time.perf_counter()
        dense_ranked: list[int] = []
        similarity: dict[int, float] = {}
        if mode in (Fusion.RRF, Fusion.DENSE, Fusion.SCORE):
            vector = index.embedder.encode_queries([query.text])[0]
            chunks = index.chunks
            where = None
            if limit:
                where = {"doc_id": limit[0]} if len(limit) == 1 else {"doc_id": {"$in": list(limit)}}
            for cid, cosine in chunks.query(vector, min(n, len(lexical.chunk_ids)), where=where):
                if cid in lexical.position:
                    dense_ranked.append(lexical.position[cid])
                    similarity[lexical.position[cid]] = cosine
            if mode == Fusion.SCORE:     # BM25 candidates the dense top-n missed still get their cosine
                missing = [lexical.chunk_ids[i] for i in bm25_ranked if i not in similarity]
                for cid, v in chunks.vectors(missing).items():
                    similarity[lexical.position[cid]] = float(np.dot(v, vector))
        timings["dense_ms"] = (time.perf_counter() - t1) * 1000
        return _Candidates(bm25_ranked, scores, dense_ranked, similarity)

    def _fuse(self, c: _Candidates, mode: Fusion) -> dict[int, float]:
        settings = self.index.settings
        if mode == Fusion.SCORE:
            return score_fusion(c.bm25_ranked, c.bm25_scores, c.similarity, settings.dense_weight)
        weights = {Fusion.RRF: (1.0, settings.dense_weight), Fusion.BM25: (1.0, 0.0), Fusion.DENSE: (0.0, 1.0)}[mode]
        return reciprocal_rank_fusion([c.bm25_ranked, c.dense_ranked], weights, settings.rrf_k)

    # ---- boosts and folding to clauses
    def _boost(self, fused: dict[int, float], agencies: set[str], doc_ids: dict[str, float],
               mode: Fusion) -> dict[int, float]:
        """Clauses where a named agency has a role, or of a named document, move up by a bonus."""
        settings = self.index.settings
        clauses = self.index.clauses()
        chunk_ids = self.index.lexical.chunk_ids
        scale = 1.0 if mode == Fusion.SCORE else 1.0 / (settings.rrf_k + 1)
        out = {}
        for i, score in fused.items():
            clause = clauses.get(chunk_ids[i].rsplit("#", 1)[0])
            if clause is not None:
                roles = {a.name for a in (*clause.lead_agencies, *clause.participants, *clause.responsible)}
                if roles & agencies:
                    score += settings.agency_boost * scale
                if clause.doc_id in doc_ids:
                    score += settings.doc_boost * doc_ids[clause.doc_id] * scale
            out[i] = score
        return out

    def _fold(self, fused: dict[int, float], c: _Candidates) -> list[Hit]:
        """Chunks best first -> clauses, each at its best chunk's score."""
        clauses = self.index.clauses()
        documents = self.index.documents()
        chunk_ids = self.index.lexical.chunk_ids
        bm25_pos = {i: r for r, i in enumerate(c.bm25_ranked)}
        dense_pos = {i: r for r, i in enumerate(c.dense_ranked)}
        best: dict[str, Hit] = {}
        for i, score in sorted(fused.items(), key=lambda kv: -kv[1]):
            clause_id = chunk_ids[i].rsplit("#", 1)[0]
            if clause_id in best or clause_id not in clauses:
                continue
            clause = clauses[clause_id]
            best[clause_id] = Hit(clause=clause, document=documents[clause.doc_id], score=score,
                                  chunk_id=chunk_ids[i], bm25_rank=bm25_pos.get(i), dense_rank=dense_pos.get(i))
        return list(best.values())

    def _chunk_docs(self) -> np.ndarray:
        """The doc_id of every chunk, in the lexical index's order (cached on the lexical index)."""
        lexical = self.index.lexical
        if getattr(lexical, "_docs", None) is None:
            clauses = self.index.clauses()
            lexical._docs = np.array([clauses[c.rsplit("#", 1)[0]].doc_id if c.rsplit("#", 1)[0] in clauses else ""
                                      for c in lexical.chunk_ids], dtype=object)
        return lexical._docs

    def _phrase_document(self, phrase: str) -> str | None:
        """The one document the three best clauses for `phrase` come from, if they agree."""
        hits = self.search(phrase, top_k=3, boost=False).hits
        if hits and len({h.clause.doc_id for h in hits}) == 1:
            return hits[0].clause.doc_id
        return None


def _limit(query: Query) -> tuple[str, ...]:
    """The documents a search is limited to: the user's --doc, else the conversation's document or the one a
    loose phrase resolved to. Documents the question names by title words are ranked first instead (a
    clause of another plan about that document, "加强《土壤污染防治法》宣传解读", may answer); the answer
    then admits only clauses of those documents or naming them (Assistant)."""
    if query.restrict:
        return query.restrict
    return query.scope if query.scope_from in ("conversation", "phrase") else ()


def score_fusion(bm25_ranked: list[int], bm25_scores, similarity: dict[int, float], alpha: float) -> dict[int, float]:
    """(1-alpha) * BM25 / best BM25 + alpha * cosine rescaled over the candidates.

    BM25 leads where the question shares words with the clause; the dense score decides among
    clauses BM25 scores alike, and alone where BM25 finds nothing.
    """
    candidates = set(bm25_ranked) | set(similarity)
    if not candidates:
        return {}
    top = max((float(bm25_scores[i]) for i in bm25_ranked), default=0.0)
    sims = [similarity.get(i, 0.0) for i in candidates]
    low, high = min(sims), max(sims)
    spread = (high - low) or 1.0
    fused = {}
    for i in candidates:
        lexical = float(bm25_scores[i]) / top if top > 0 and bm25_scores is not None else 0.0
        dense = (similarity.get(i, low) - low) / spread
        fused[i] = (1 - alpha) * lexical + alpha * dense
    return fused


def reciprocal_rank_fusion(rankings: list[list[int]], weights: tuple[float, ...], k: int) -> dict[int, float]:
    """Σ weight / (k + rank), ranks from 1 (Cormack et al. 2009)."""
    fused: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, i in enumerate(ranking):
            fused[i] = fused.get(i, 0.0) + weight / (k + rank + 1)
    return fused
