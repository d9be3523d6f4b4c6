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

from ..lexicon import EXTRA_STOPWORDS, POLICY_TERMS

_PUNCT = re.compile(r"^[\W_]+$", re.UNICODE)


def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_CHINESE

    return frozenset(STOPWORDS_CHINESE) | EXTRA_STOPWORDS


class PolicyTokenizer:
    """jieba with this corpus's vocabulary; `cut` keeps text whole, `terms` gives BM25 terms."""

    def __init__(self, user_words: Iterable[str] = (), cache_dir: str | None = None):
        import jieba

        logging.getLogger("jieba").setLevel(logging.WARNING)
        self.user_words = tuple(sorted({w for w in user_words if 2 <= len(w) <= 20} | set(POLICY_TERMS)))
        base = _base_dictionary(cache_dir)
        self._jieba = jieba.Tokenizer()
        self._jieba.FREQ, self._jieba.total = dict(base.FREQ), base.total     # a private copy: words added
        self._jieba.dictionary = base.dictionary                                # here stay here
        self._jieba.initialized = True
        for word in self.user_words:
            self._jieba.add_word(word, freq=max(2000, 300 * len(word)))
        self._stop = _stopwords()

    def add_words(self, words: Iterable[str]) -> None:
        """More words for the dictionary (a new document's agency names); words are never taken out, so
        text tokenized before stays consistent with what comes after."""
        new = sorted({w for w in words if 2 <= len(w) <= 20} - set(self.user_words))
        for word in new:
            self._jieba.add_word(word, freq=max(2000, 300 * len(word)))
        if new:
            self.user_words = tuple(sorted(set(self.user_words) | set(new)))

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


@lru_cache(maxsize=1)
def _base_dictionary(cache_dir: str | None):
    """jieba's own dictionary, loaded once per process (about a second); each PolicyTokenizer copies it."""
    import jieba

    base = jieba.Tokenizer()
    base.tmp_dir = cache_dir or os.path.join(tempfile.gettempdir(), f"policyqa-jieba-{os.getuid()}")
    try:
        os.makedirs(base.tmp_dir, exist_ok=True)
    except OSError:
        base.tmp_dir = tempfile.gettempdir()
    base.initialize()
    return base


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
