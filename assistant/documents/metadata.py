"""Document metadata and the lines that carry it: title, 文号, issuer, date.

The same predicates tell the structure parser which lines are not clause text (addressee, signature,
date, publication note, amendment history), so they live in one place.
"""
from __future__ import annotations

import re

from .numbering import cn_to_int

TITLE_SUFFIX = re.compile(
    r"(实施计划|工作计划|行动计划|计划|实施方案|工作方案|试点方案|方案|指导意见|若干意见|意见|通知|办法|规定|条例|"
    r"实施细则|细则|规则|防治法|法|报告|规划|决定|纲要|批复|公告|通告|指南|要点|制度|措施|决议)"
    r"(?![》”\"])"
)
DOC_NUMBER = re.compile(r"[A-Za-z\u4e00-\u9fff]{1,12}[〔\[［(（]\d{4}[〕\]］)）]\d+号")
DOC_NUMBER_TAIL = re.compile(r"[〔\[［]\d{4}[〕\]］]\d+号|国务院令第\d+号")
ORDER_NUMBER = re.compile(r"^第\s*(\d+)\s*号$")
_CN_YEAR = "[〇○零一二三四五六七八九]{4}"
_CN_MD = "[一二三四五六七八九十]{1,3}"
DATE_LINE = re.compile(rf"^(\d{{4}}|{_CN_YEAR})年(\d{{1,2}}|{_CN_MD})月(\d{{1,2}}|{_CN_MD})日$")
DATE_ANY = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
HISTORY_LINE = re.compile(
    r"^(?:[（(]?(?:\d{4}|[〇○零一二三四五六七八九]{4})年.{0,60}(?:通过|修正|修订|发布|公布|施行)|.*(?:通过|修正|修订|发布)[）)])"
)
PUBLISH_NOTE = re.compile(r"^[（(]此件.{0,12}[）)]$")
SALUTATION = re.compile(r"^[\u4e00-\u9fff、，]{2,12}[：:！!]$")
ISSUER_SUFFIX = re.compile(r"(国务院|办公厅|人民政府|委员会|常务委员会|部|委|厅|局|署|院|办公室|领导小组)$")


def _cn_date_part(text: str) -> int:
    return int(text) if text.isdigit() else cn_to_int(text.replace("○", "〇"))


def parse_date_line(line: str) -> str | None:
    """'2019年1月24日' or '二〇〇四年六月二十六日' -> ISO date."""
    m = DATE_LINE.match(line.strip())
    if not m:
        return None
    y, mo, d = (_cn_date_part(g) for g in m.groups())
    return f"{y:04d}-{mo:02d}-{d:02d}"


def is_addressee(line: str) -> bool:
    """'各省、自治区、直辖市人民政府，国务院各部委、各直属机构：' and speech salutations (各位代表：)."""
    s = line.strip()
    if not s.endswith(("：", ":")) and not SALUTATION.match(s) or len(s) > 80 or "。" in s:
        return False
    head = s[:-1]
    return bool(re.fullmatch(r"各[^：:]*|[^：:]*(政府|机构|部门|单位|部委|同志|代表|厅|局|委)", head)) \
        and not re.search(r"应当|进行|下列|如下|以下|包括", head)


def is_history(line: str) -> bool:
    return bool(HISTORY_LINE.match(line.strip())) and len(line) <= 400 and "。" not in line.strip()[:-1]


def is_signature(line: str) -> bool:
    """An issuer's name or a 'role  name' line, to be confirmed by a date line right after it."""
    s = line.strip()
    return 2 <= len(s) <= 30 and not re.search(r"[。，；：！？、]", s)


def split_flat_title(text: str) -> int:
    """Where the title ends in text that lost its line breaks.

    Before a 文号 ("…的指导意见国办发〔2018〕118号"), the title is what precedes it; otherwise it ends at
    the first title word followed by a digit or a header ("…实施计划2021年是…", "…防治法2018年8月…").
    """
    head = text[:160]
    number = re.search(r"[〔\[［]\d{4}[〕\]］]|国务院令", head)
    if number:
        ends = [m.end() for m in TITLE_SUFFIX.finditer(head[: number.start()]) if m.end() >= 6]
        if ends:
            return ends[-1]
    candidates = [m for m in TITLE_SUFFIX.finditer(head[:120]) if m.end() >= 6]
    for m in candidates:
        if m.end() == len(text) or re.match(r"[\d（(\s—]|各|中华人民共和国", text[m.end():]):
            return m.end()
    return candidates[0].end() if candidates else 0


def title_from_lines(lines: list[str]) -> tuple[str, int]:
    """The title and how many leading lines it used: a title broken over two short lines is joined."""
    first = lines[0].strip()
    if len(lines) > 1 and not TITLE_SUFFIX.search(first[-6:]):
        second = lines[1].strip()
        if len(second) <= 20 and not re.search(r"[。，；：！？]", second) and TITLE_SUFFIX.search(second[-6:]) \
                and not DOC_NUMBER.fullmatch(second):
            return first + second, 2
    return first, 1


def find_year(title: str, date: str | None, text: str) -> int | None:
    """The plan year: '2021年度…计划' in the title, else the year of issue, else the first year in the text."""
    m = re.search(r"(\d{4})年", title)
    if m:
        return int(m.group(1))
    if date:
        return int(date[:4])
    m = re.search(r"((?:19|20)\d{2})年", text[:3000])
    return int(m.group(1)) if m else None
