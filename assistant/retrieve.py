"""Stage 5: question -> ranked clauses. jieba BM25 and dense search over chunks, fused, folded to clauses.

Fusion is reciprocal-rank fusion with a weight on the dense ranking (`Settings.dense_weight`, chosen
on the eval questions: see evals/README.md). A clause ranks by its best chunk. A question that names
an agency puts the clauses where that agency has a role first; one that names a document puts that
document's clauses first; `doc=` restricts the search to one document.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import numpy as np

from .agencies import PROVINCES
from .index import Index
from .models import Clause, Document

AGENCY_ALIASES = {
    "发改委": "发展改革委", "工信厅": "工业和信息化厅", "工信部": "工业和信息化部", "住建厅": "住房城乡建设厅",
    "住建部": "住房城乡建设部", "环保厅": "生态环境厅", "环保部": "生态环境部", "国土厅": "自然资源厅",
    "卫健委": "卫生健康委", "市监局": "市场监管局", "农业厅": "农业农村厅", "文旅部": "文化和旅游部",
    "文旅厅": "文化和旅游厅", "人社部": "人力资源社会保障部", "人社厅": "人力资源社会保障厅",
    "供销社": "供销合作总社", "银保监": "银保监会", "央行": "人民银行", "林草局": "林业和草原局", "税务局": "税务总局",
}
_JURISDICTION = re.compile(r"^(自治区|国家|国务院|省|市|县)")


@dataclass
class Hit:
    clause: Clause
    document: Document
    score: float
    chunk_id: str
    bm25_rank: int | None = None
    dense_rank: int | None = None
    boosted: bool = False


@dataclass
class SearchResult:
    hits: list[Hit]
    agencies: list[str] = field(default_factory=list)     # agencies the question names (full names)
    documents: list[str] = field(default_factory=list)    # doc_ids the question names
    timings: dict = field(default_factory=dict)


def expand_aliases(text: str) -> str:
    """"发改委" -> "发展改革委", "文旅部" -> "文化和旅游部": officers' short names to the documents' ones."""
    for alias, full in AGENCY_ALIASES.items():
        text = text.replace(alias, full)
    return text


def _short_forms(name: str) -> set[str]:
    forms = {name}
    bare = _JURISDICTION.sub("", name)
    if len(bare) >= 3:
        forms.add(bare)
    if name.endswith("人民政府") and len(name) >= 7:          # 梧州市人民政府: 梧州市, 梧州市政府
        forms.update({name[:-4], name[:-4] + "政府"})
    return forms


class Retriever:
    def __init__(self, index: Index):
        self.index = index
        self._agency_forms: list[tuple[str, str]] | None = None
        self._doc_terms: dict[str, list[str]] | None = None
        self._loaded_key: str | None = None

    # ---- what a question names
    def _refresh(self) -> None:
        key = self.index.manifest()["collection"] if self.index.manifest() else None
        if key == self._loaded_key and self._agency_forms is not None:
            return
        forms: dict[str, set[str]] = {}
        for clause in self.index.clauses().values():
            for agency in (*clause.lead_agencies, *clause.participants, *clause.responsible):
                for form in _short_forms(agency.name) | _short_forms(agency.as_written):
                    forms.setdefault(form, set()).add(agency.name)
        self._agency_forms = sorted(((f, sorted(n)) for f, n in forms.items()), key=lambda kv: -len(kv[0]))
        self._doc_terms = _distinctive_title_terms(self.index.documents())
        self._loaded_key = key

    def named_agencies(self, question: str) -> list[str]:
        """Full names of the agencies a question mentions ("农业农村厅" -> 自治区农业农村厅 …)."""
        self._refresh()
        text = expand_aliases(question)
        found: list[str] = []
        for form, full_names in self._agency_forms:
            if form in text:
                found.extend(n for n in full_names if n not in found)
                text = text.replace(form, "　")
        return found

    def named_documents(self, question: str) -> list[str]:
        self._refresh()
        return [doc_id for doc_id, strength in self._named_documents(question)]

    def _named_documents(self, question: str) -> list[tuple[str, float]]:
        """(doc_id, strength): a province the question is about scopes it more than a title phrase."""
        self._refresh()
        named = []
        for doc_id, terms in self._doc_terms.items():
            for term in terms:
                at = question.find(term)
                if at < 0:
                    continue
                if term in PROVINCES:
                    named.append((doc_id, 3.0))
                    break
                if term.startswith(("国发", "国办")) or _DOC_WORD.search(term[-2:]) or \
                        _DOC_WORD.search(question[at + len(term): at + len(term) + 8]):
                    named.append((doc_id, 1.0))
                    break
        return named

    # ---- search
    def search(self, question: str, top_k: int = 5, doc: str | None = None, boost: bool = True,
               mode: str | None = None) -> SearchResult:
        index = self.index
        settings = index.settings
        mode = mode or settings.fusion
        timings = {}
        t0 = time.perf_counter()
        clauses = index.clauses()
        lexical = index.lexical
        chunk_doc = self._chunk_docs()
        allowed = None
        if doc:
            allowed = np.array([d == doc for d in chunk_doc], dtype=bool)
        n = settings.candidates
        bm25_ranked: list[int] = []
        scores = None
        if mode in ("rrf", "bm25", "score"):
            scores = lexical.scores(index.tokenizer.terms(question))
            if allowed is not None:
                scores = np.where(allowed, scores, 0.0)
            top = np.argpartition(-scores, min(n, len(scores) - 1))[:n] if len(scores) > n else np.arange(len(scores))
            order = top[np.argsort(-scores[top], kind="stable")]      # only the best n are sorted
            bm25_ranked = [int(i) for i in order if scores[i] > 0]
        timings["bm25_ms"] = (time.perf_counter() - t0) * 1000
        t1 = time.perf_counter()
        dense_ranked: list[int] = []
        similarity: dict[int, float] = {}
        if mode in ("rrf", "dense", "score"):
            vector = index.embedder.encode_queries([question])[0]
            where = {"doc_id": doc} if doc else None
            collection = index.collection
            got = collection.query(query_embeddings=[vector.tolist()], n_results=min(n, len(chunk_doc)),
                                   where=where, include=["distances"])
            for cid, distance in zip(got["ids"][0], got["distances"][0]):
                if cid in lexical.position:
                    dense_ranked.append(lexical.position[cid])
                    similarity[lexical.position[cid]] = 1.0 - float(distance)
            if mode == "score":
                missing = [lexical.chunk_ids[i] for i in bm25_ranked if i not in similarity]
                if missing:
                    extra = collection.get(ids=missing, include=["embeddings"])
                    for cid, emb in zip(extra["ids"], extra["embeddings"]):
                        similarity[lexical.position[cid]] = float(np.dot(np.asarray(emb, dtype=np.float32), vector))
        timings["dense_ms"] = (time.perf_counter() - t1) * 1000
        fused: dict[int, float] = {}
        if mode == "score":
            fused = _score_fusion(bm25_ranked, scores, similarity, settings.dense_weight)
        else:
            k = settings.rrf_k
            weights = {"rrf": (1.0, settings.dense_weight), "bm25": (1.0, 0.0), "dense": (0.0, 1.0)}[mode]
            for rank, i in enumerate(bm25_ranked):
                fused[i] = fused.get(i, 0.0) + weights[0] / (k + rank + 1)
            for rank, i in enumerate(dense_ranked):
                fused[i] = fused.get(i, 0.0) + weights[1] / (k + rank + 1)
        agencies = self.named_agencies(question) if boost else []
        named_docs = dict(self._named_documents(question)) if boost and not doc else {}
        if agencies or named_docs:
            fused = self._boost(fused, set(agencies), named_docs, clauses, lexical.chunk_ids, mode)
        bm25_pos = {i: r for r, i in enumerate(bm25_ranked)}
        dense_pos = {i: r for r, i in enumerate(dense_ranked)}
        best: dict[str, Hit] = {}
        documents = index.documents()
        for i, score in sorted(fused.items(), key=lambda kv: -kv[1]):
            chunk_id = lexical.chunk_ids[i]
            clause_id = chunk_id.rsplit("#", 1)[0]
            if clause_id in best or clause_id not in clauses:
                continue
            clause = clauses[clause_id]
            best[clause_id] = Hit(clause=clause, document=documents[clause.doc_id], score=score, chunk_id=chunk_id,
                                  bm25_rank=bm25_pos.get(i), dense_rank=dense_pos.get(i))
        hits = list(best.values())
        timings["total_ms"] = (time.perf_counter() - t0) * 1000
        return SearchResult(hits=hits[:top_k], agencies=agencies, documents=list(named_docs), timings=timings)

    def _boost(self, fused: dict[int, float], agencies: set[str], doc_ids: dict[str, float], clauses: dict,
               chunk_ids: list[str], mode: str) -> dict[int, float]:
        """Clauses where a named agency has a role, or of a named document, move up by a bonus."""
        settings = self.index.settings
        scale = 1.0 if mode == "score" else 1.0 / (settings.rrf_k + 1)
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

    def _chunk_docs(self) -> list[str]:
        lexical = self.index.lexical
        if getattr(lexical, "_docs", None) is None:
            clauses = self.index.clauses()
            lexical._docs = [clauses[c.rsplit("#", 1)[0]].doc_id if c.rsplit("#", 1)[0] in clauses else ""
                             for c in lexical.chunk_ids]
        return lexical._docs


def _score_fusion(bm25_ranked: list[int], bm25_scores, similarity: dict[int, float], alpha: float) -> dict[int, float]:
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




_DOC_WORD = re.compile(r"计划|方案|意见|通知|文件|报告|规则|条例|(?<!执)法(?!规)|办法|措施|里|中")
_GENERIC_TITLE = re.compile(r"国务院办公厅|国务院|关于|印发|通知|意见|方案|若干|的|进一步|加强|推进|工作|实施|年度|"
                            r"中华人民共和国|重点|全面|推行|发展|制度|试点|建设")


def _distinctive_title_terms(documents: dict[str, Document]) -> dict[str, list[str]]:
    """Per document, title pieces (and its 文号) no other title contains: "综合保税区", "土壤污染防治法"."""
    pieces: dict[str, set[str]] = {}
    for doc_id, doc in documents.items():
        parts = [p for p in _GENERIC_TITLE.split(doc.title.replace("《", "").replace("》", "")) if p]
        grams = set()
        for part in parts:
            for size in range(4, min(len(part), 10) + 1):
                for start in range(0, len(part) - size + 1):
                    grams.add(part[start:start + size])
            grams.update(p for p in PROVINCES if p in part)          # "广西" names the Guangxi plan
        if doc.doc_number:
            grams.add(doc.doc_number)
        pieces[doc_id] = grams
    out = {}
    for doc_id, grams in pieces.items():
        others = set().union(*(g for d, g in pieces.items() if d != doc_id)) if len(pieces) > 1 else set()
        titles = [documents[d].title for d in documents if d != doc_id]
        out[doc_id] = sorted((g for g in grams if g not in others and not any(g in t for t in titles)
                              and not re.fullmatch(r"[\d年度]+", g)), key=len, reverse=True)
    return out
