"""Question text as the documents write it: half-width letters and digits, simplified characters, no
invisible characters, whitespace folded.

Traditional -> simplified is OpenCC's `t2s` conversion (the `opencc` package, the reference
implementation's own binding): officers paste questions from Hong Kong, Taiwan or old documents
("國土廳牽頭哪些任務") and the documents are simplified. Simplified text passes through unchanged.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# zero-width spaces and joiners, word joiner, BOM, bidi marks: invisible, and they split words
_INVISIBLE = re.compile("[\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff\u00ad]")


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def _half_width(char: str) -> str:
    """Full-width ASCII letters, digits and the ideographic space to half width; Chinese punctuation
    （，。：） stays as the documents write it."""
    code = ord(char)
    if char == "\u3000":
        return " "
    if 0xFF10 <= code <= 0xFF19 or 0xFF21 <= code <= 0xFF3A or 0xFF41 <= code <= 0xFF5A or char in "％＋－．／":
        return chr(code - 0xFEE0)
    return char


def normalize_text(text: str, max_chars: int | None = None) -> str:
    """The question as the index reads it: control and zero-width characters removed, full-width
    letters/digits halved, traditional characters simplified (OpenCC t2s), whitespace folded to single
    spaces, cut at `max_chars`. Never raises on any str."""
    text = _INVISIBLE.sub("", text or "")
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Cs", "Co", "Zl", "Zp") else _half_width(c) for c in text)
    text = " ".join(text.split())
    if max_chars is not None:
        text = text[:max_chars]
    if re.search(r"[\u3400-\u9fff\uf900-\ufaff]", text):
        text = _converter().convert(text)
    return text
