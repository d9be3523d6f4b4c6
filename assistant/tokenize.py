"""One jieba tokenizer for chunking and BM25, with agency names and policy terms in its dictionary.

A private `jieba.Tokenizer()` (not jieba's global one), built once per index: its dictionary gets
the agency names the parser found and the quoted terms of the documents ("净土收储", "无废城市"),
so "土壤污染重点监管单位" is one token in chunks and questions alike. jieba's DEBUG logging and its
cache in the shared temp dir are switched off / redirected.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from collections.abc import Iterable
from functools import lru_cache

POLICY_TERMS = (
    "土壤污染重点监管单位", "重点监管单位", "严格管控类耕地", "安全利用类耕地", "优先保护类耕地", "净土收储", "净土供应",
    "净土开发", "污染地块", "疑似污染地块", "建设用地", "农用地", "风险管控", "治理修复", "先行区", "涉镉", "涉重金属",
    "重金属", "固体废物", "危险废物", "洋垃圾", "无废城市", "尾矿库", "非正规垃圾堆放点", "测土配方施肥", "面源污染",
    "地下水", "废弃井", "化工园区", "专项资金", "资金执行率", "开工率", "双随机、一公开", "综合保税区", "自贸试验区",
    "牵头", "参与", "配合", "负责", "落实", "年底前", "月底前", "季度末", "工作日",
)
_PUNCT = re.compile(r"^[\W_]+$", re.UNICODE)
_EXTRA_STOPWORDS = {"要", "将", "及", "与", "和", "或", "等", "对", "为", "于", "以", "在", "由", "并", "其", "之", "所",
                    "是", "有", "个", "了", "的", "地", "得", "着", "把", "被", "从", "向", "按", "按照", "进一步",
                    "有关", "相关", "各", "哪些", "哪个", "什么", "谁", "吗", "呢", "啊", "吧", "怎么", "如何", "多少"}


def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_CHINESE

    return frozenset(STOPWORDS_CHINESE) | _EXTRA_STOPWORDS


class PolicyTokenizer:
    """jieba with this corpus's vocabulary; `cut` keeps text whole, `terms` gives BM25 terms."""

    def __init__(self, user_words: Iterable[str] = (), cache_dir: str | None = None):
        import jieba

        logging.getLogger("jieba").setLevel(logging.WARNING)
        self.user_words = tuple(sorted({w for w in user_words if 2 <= len(w) <= 20} | set(POLICY_TERMS)))
        self._jieba = jieba.Tokenizer()
        self._jieba.tmp_dir = cache_dir or os.path.join(tempfile.gettempdir(), f"policyqa-jieba-{os.getuid()}")
        os.makedirs(self._jieba.tmp_dir, exist_ok=True)
        self._jieba.initialize()
        for word in self.user_words:
            self._jieba.add_word(word, freq=max(2000, 300 * len(word)))
        self._stop = _stopwords()

    @property
    def fingerprint(self) -> str:
        """Changes when the dictionary changes, so BM25 data built with another one is rebuilt."""
        return hashlib.sha256("\n".join(self.user_words).encode("utf-8")).hexdigest()[:12]

    def cut(self, text: str) -> list[str]:
        """Words in order, whitespace and punctuation included: their lengths add up to the text."""
        return list(self._jieba.cut(text, HMM=True))

    def terms(self, text: str) -> list[str]:
        """BM25 terms: jieba's search-mode cut (long words and their parts), no stopwords or punctuation."""
        out = []
        for token in self._jieba.cut_for_search(text, HMM=True):
            token = token.strip().lower()
            if token and token not in self._stop and not _PUNCT.match(token):
                out.append(token)
        return out


@lru_cache(maxsize=4)
def shared_tokenizer(user_words: tuple[str, ...], cache_dir: str | None = None) -> PolicyTokenizer:
    """One tokenizer per vocabulary in a process: loading jieba's dictionary takes about a second."""
    return PolicyTokenizer(user_words, cache_dir)


_QUOTED = re.compile(r"[“\"]([\u4e00-\u9fff、·]{2,12})[”\"]")


def vocabulary(clauses) -> tuple[str, ...]:
    """Agency names (full and as written) and quoted terms of the given clauses."""
    words: set[str] = set()
    for clause in clauses:
        for agency in (*clause.lead_agencies, *clause.participants, *clause.responsible):
            words.add(agency.name)
            words.add(agency.as_written)
        words.update(_QUOTED.findall(clause.text))
    return tuple(sorted(w for w in words if 2 <= len(w) <= 20))
