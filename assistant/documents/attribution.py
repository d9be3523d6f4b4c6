"""Where a clause assigns roles: attribution parentheses that close a sentence or a clause.

"（自治区生态环境厅牵头，自治区农业农村厅、自然资源厅等参与）", "（海关总署、商务部负责）",
"（负责部门：商务部；适用范围：上海自贸试验区）". The structure parser cuts lines after them (an
attribution closes a task); `assistant.tasks.roles` reads the roles inside them.
"""
from __future__ import annotations

import re

from ..lexicon import AGENCY_ENDINGS, KEYED_ROLES, LABEL_KEYS, ROLE_WORDS, RULE_WORDS, TIME_KEYS, VERB_ROLES
from .tables import looks_like_agencies

ROLE_WORD = re.compile("|".join(ROLE_WORDS))
KEYED = re.compile(rf"^({'|'.join(sorted({*KEYED_ROLES, *TIME_KEYS}, key=len, reverse=True))})[：:](.+)$")
# A labelled line or run under a task: "牵头单位：A；配合单位：B；完成时限：2024年底前", "责任单位：X"
LABELLED = re.compile(rf"(?:^|(?<=[。；;\n]))((?:{'|'.join(sorted(LABEL_KEYS, key=len, reverse=True))})[：:][^\n]*)")
VERB = re.compile(rf"^(?P<names>.+?)(?P<verb>{'|'.join(sorted(VERB_ROLES, key=len, reverse=True))})$")
_RULE_WORDS = re.compile(rf"({'|'.join(RULE_WORDS)})+(?=(牵头|参与|配合|负责|落实))")


def paren_groups(text: str) -> list[tuple[int, int]]:
    """Top-level balanced （…） groups as (start, end) offsets, end exclusive."""
    groups, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "（(":
            if depth == 0:
                start = i
            depth += 1
        elif ch in "）)" and depth:
            depth -= 1
            if depth == 0:
                groups.append((start, i + 1))
    return groups


def attribution_groups(text: str) -> list[tuple[int, int]]:
    """Parenthesized groups that assign roles and close a sentence or the clause."""
    out = []
    for start, end in paren_groups(text):
        inner = text[start + 1:end - 1]
        before = text[:start].rstrip()
        after = text[end:].lstrip()
        closes = not after or after[0] in "。；;\n" or (before and before[-1] in "。；;")
        if not closes or len(inner) > 300:
            continue
        if ROLE_WORD.search(inner) and _is_attribution(inner) or is_bare_agencies(inner, before):
            out.append((start, end))
    return out


def is_bare_agencies(inner: str, before: str | None = None) -> bool:
    """"（市住房城乡建设局）", "（县水利局、县财政局）" after a task: the bodies responsible for it. Not an
    alias ("…（以下简称市生态环境局）") nor a name's own bracket ("建设管理委（交通委）")."""
    if before is not None and (len(before) < 4 or before.endswith(AGENCY_ENDINGS)):
        return False                      # "公安青浦分局（交警支队）": the name's own bracket
    return looks_like_agencies(inner) and not re.search(r"简称|包括|含|即", inner)


def _is_attribution(inner: str) -> bool:
    """Every segment is a role assignment, a scope or a document rule, not prose."""
    parts = [s for s in segments(inner) if s]
    return bool(parts) and any(KEYED.match(s) or VERB.match(strip_rule_words(s)) for s in parts)


def segments(inner: str) -> list[str]:
    """Split at ，；。 outside nested parentheses, each part stripped."""
    return [part.strip() for part in split_top_level(inner, "，；。,;")]


def split_top_level(text: str, separators: str) -> list[str]:
    """Split at any of `separators` outside parentheses: "各市县（市、区）人民政府" stays whole."""
    parts, depth, current = [], 0, []
    for ch in text:
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth = max(0, depth - 1)
        if ch in separators and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def strip_rule_words(segment: str) -> str:
    """"A、B按职责分工负责" -> "A、B负责": words between the agencies and the verb change nothing."""
    return _RULE_WORDS.sub("", segment)
