"""Clause numbering: which label a line starts with, and what number it stands for.

Styles, from outermost to innermost as they usually nest (nesting is decided by order of
appearance, not by this list, because documents mix them freely):
第X编/章 (chapter), 第X节 (section), 第X条 (article), 一、 (cn), （一） (paren_cn), 1． or 1. (arabic),
（1） (paren_arabic), 一是 (ordinal).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

CN_DIGITS = "零〇一二三四五六七八九"
CN_NUM = r"[零〇一二两三四五六七八九十百千]+"

_DIGIT_VALUE = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
                "六": 6, "七": 7, "八": 8, "九": 9}
_UNIT_VALUE = {"十": 10, "百": 100, "千": 1000}


def cn_to_int(text: str) -> int:
    """一 -> 1, 十二 -> 12, 五十四 -> 54, 一百零三 -> 103, 二〇一九 -> 2019, also ASCII/full-width digits."""
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text.isdigit():
        return int(text)
    if all(ch in _DIGIT_VALUE for ch in text):  # digit by digit: 二〇一九
        return int("".join(str(_DIGIT_VALUE[ch]) for ch in text))
    total, current = 0, 0
    for ch in text:
        if ch in _DIGIT_VALUE:
            current = _DIGIT_VALUE[ch]
        elif ch in _UNIT_VALUE:
            total += (current or 1) * _UNIT_VALUE[ch]
            current = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text}")
    return total + current


@dataclass(frozen=True)
class Label:
    style: str       # chapter | part | section | article | cn | paren_cn | arabic | paren_arabic | ordinal
    number: int
    text: str        # the label as written, e.g. "（三）", "第十二条", "1．"
    end: int         # offset in the line where the clause text after the label starts


HEADING_STYLES = ("part", "chapter", "section")   # always section headings, never clauses

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("part", re.compile(rf"第({CN_NUM}|\d+)编(?=[\s\u3000]|$)[\s\u3000]*")),
    ("chapter", re.compile(rf"第({CN_NUM}|\d+)章(?=[\s\u3000]|$)[\s\u3000]*")),
    ("section", re.compile(rf"第({CN_NUM}|\d+)节(?=[\s\u3000]|$)[\s\u3000]*")),
    ("article", re.compile(rf"第({CN_NUM}|\d+)条(?:[\s\u3000]+|(?=[\u4e00-\u9fff“（]))")),
    ("cn", re.compile(rf"({CN_NUM})[、，][\s\u3000]*")),
    ("paren_cn", re.compile(rf"[（(]({CN_NUM})[）)][\s\u3000]*")),
    ("arabic", re.compile(r"([0-9０-９]{1,3})[．.、](?![0-9０-９])[\s\u3000]*")),
    ("paren_arabic", re.compile(r"[（(]([0-9０-９]{1,3})[）)][\s\u3000]*")),
    ("ordinal", re.compile(rf"({CN_NUM})是(?=[\u4e00-\u9fff“])")),
)


def match_label(line: str) -> Label | None:
    """The numbering label at the start of `line`, if any."""
    for style, pattern in _PATTERNS:
        m = pattern.match(line)
        if not m:
            continue
        if style == "cn" and m.group(0)[len(m.group(1))] == "，":
            continue  # "一，" is prose, not a heading
        number = cn_to_int(m.group(1))
        if style == "ordinal" and number > 20:
            continue
        return Label(style=style, number=number, text=m.group(0).strip(), end=m.end())
    return None


# Inline markers for text that lost its line breaks: a label right after a sentence end, a closing
# bracket or the start of text. Arabic labels may also follow a heading fragment ("成果应用1．持续…").
INLINE_MARKER = re.compile(
    rf"(?:第({CN_NUM})(?:章|节)[\s\u3000]*)"
    rf"|(?:第({CN_NUM})条[\s\u3000]*)"
    rf"|(?:(?<![第0-9{CN_DIGITS}十百])({CN_NUM})、)"
    rf"|(?:[（(]({CN_NUM})[）)])"
    r"|(?:(?<![0-9０-９.．])([0-9０-９]{1,3})[．.](?![0-9０-９]))"
    r"|(?:[（(]([0-9０-９]{1,3})[）)])"
)

ORDINAL_MARKER = re.compile(rf"(?:(?<=^)|(?<=[。；！？：]))({CN_NUM})是(?=[\u4e00-\u9fff“])")
