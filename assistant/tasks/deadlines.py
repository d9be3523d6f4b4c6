"""Deadlines as written plus a normalized form, completed with the plan's year where the text omits it.

Normalized forms:
- a date, the last day allowed: "2021年底前" -> 2021-12-31, "6月前" (plan 2021) -> 2021-05-31,
  "第二季度末" -> 2021-06-30, "次年1月" -> 2022-01-31, "自印发之日起30日内" -> issue date + 30 days;
- an interval: "2019年1月1日至12月31日" -> 2019-01-01/2019-12-31;
- a recurrence (ISO 8601 style R/period): "每半年" -> R/P6M, "每季度结束后3日内" -> R/P3M/end+P3D,
  "每季度末的5个工作日内" -> R/P3M/end-P5WD, "每年2月底前" -> R/P1Y/--02-28;
- a period after an event, whose anchor is in the text: "整治完成后1个月内" -> +P1M, "十五个工作日内" -> +P15WD.
"""
from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from ..documents.numbering import CN_NUM, cn_to_int
from ..models import Deadline

N = rf"(?:\d+|{CN_NUM})"
_UNIT = {"日": "D", "天": "D", "个工作日": "WD", "工作日": "WD", "个月": "M", "月": "M", "年": "Y", "周": "W"}


def _last_day(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def _before_month(year: int, month: int) -> str:
    return _last_day(year - 1, 12) if month == 1 else _last_day(year, month - 1)


def _num(text: str) -> int:
    return cn_to_int(text)


def _duration(n: str, unit: str) -> str:
    return f"P{_num(n)}{_UNIT[unit]}"


# (pattern, normalizer(match, year, issued) -> str|None); earlier patterns win where matches overlap.
_RULES: list[tuple[re.Pattern[str], object]] = []


def _rule(pattern: str):
    def register(fn):
        _RULES.append((re.compile(pattern), fn))
        return fn
    return register


@_rule(r"(?:(\d{4})年)?(\d{1,2})\s*[-—–~～至到]+\s*(\d{1,2})月(?:底|末)?(?:前)?")
def _month_range(m, year, issued):
    """"3-4月", "10—11月", "2024年5-7月": the months, ending on the last day of the second."""
    y = int(m.group(1)) if m.group(1) else year
    first, second = int(m.group(2)), int(m.group(3))
    if not y or not 1 <= first <= second <= 12:
        return None
    return f"{y:04d}-{first:02d}-01/{_last_day(y, second)}"


@_rule(r"(?:雨季|汛期|春耕|秋收|夏收|供暖季|采暖季|冬季|春节|国庆)(?:来临)?(?:前|之前|以前)")
def _season(m, year, issued):
    return None             # an event of the year: kept as written, no date can be derived


@_rule(r"(?:(?<=[，。；：:（(\s])|^)(?:长期坚持|持续推进|长期推进|常态化推进)(?=[。；，）)]|$)")
def _ongoing(m, year, issued):
    return "ongoing"


@_rule(r"(\d{4})年(\d{1,2})月(\d{1,2})日至(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")
def _interval(m, year, issued):
    y1, m1, d1, y2, m2, d2 = m.groups()
    y2 = y2 or y1
    return f"{int(y1):04d}-{int(m1):02d}-{int(d1):02d}/{int(y2):04d}-{int(m2):02d}-{int(d2):02d}"


@_rule(r"每年(\d{1,2})月(?:底|末)(?:前|之前|以前)?")
def _yearly_month_end(m, year, issued):
    month = int(m.group(1))
    return f"R/P1Y/--{month:02d}-{calendar.monthrange(2021, month)[1]:02d}"


@_rule(r"每年(\d{1,2})月(\d{1,2})日(?:前|之前|以前)")
def _yearly_day(m, year, issued):
    return f"R/P1Y/--{int(m.group(1)):02d}-{int(m.group(2)):02d}"


@_rule(rf"每?季度(?:结束后|末后)\s*({N})\s*(日|天|个工作日|工作日)内")
def _quarter_after(m, year, issued):
    return f"R/P3M/end+{_duration(m.group(1), m.group(2))}"


@_rule(rf"每季度末的?({N})(日|天|个工作日|工作日)内")
def _quarter_end_window(m, year, issued):
    return f"R/P3M/end-{_duration(m.group(1), m.group(2))}"


@_rule(rf"每({N})年")
def _every_n_years(m, year, issued):
    return f"R/P{_num(m.group(1))}Y"


@_rule(r"(\d{4})年(上|下)半年(?:前|之前|底前|末)?")
def _half_year(m, year, issued):
    return f"{int(m.group(1)):04d}-{'06-30' if m.group(2) == '上' else '12-31'}"


@_rule(r"(?<![\d年])(上|下)半年(?:前|之前|底前|末)?")
def _half_year_this_year(m, year, issued):
    return f"{year:04d}-{'06-30' if m.group(1) == '上' else '12-31'}" if year else None


@_rule(r"(?:年中和|每年)(?:年底|年末)")
def _yearly_end(m, year, issued):
    return "R/P1Y/--12-31"


@_rule(r"每半年|每季度|每月|每周|每年度|每年(?!的|中|都)")
def _recurring(m, year, issued):
    return {"每半年": "R/P6M", "每季度": "R/P3M", "每月": "R/P1M", "每周": "R/P1W", "每年度": "R/P1Y",
            "每年": "R/P1Y"}[m.group(0)]


@_rule(r"(\d{4})年(\d{1,2})月(\d{1,2})日(?:前|之前|以前)")
def _date_before(m, year, issued):
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"


@_rule(r"(\d{4})年(\d{1,2})月(?:底|末)(?:前|之前|以前)?")
def _month_end(m, year, issued):
    return _last_day(int(m.group(1)), int(m.group(2)))


@_rule(r"(\d{4})年(\d{1,2})月(?:前|之前|以前)")
def _before_month_with_year(m, year, issued):
    return _before_month(int(m.group(1)), int(m.group(2)))


@_rule(r"(?:于|在|到|至)?(\d{4})年(\d{1,2})月(?![\d底末前份])(?:完成|前|之前)?")
def _month_node(m, year, issued):
    """A bare month as a time node: "2024年9月" -> the month's last day."""
    return _last_day(int(m.group(1)), int(m.group(2)))


@_rule(r"(\d{4})年(?:底|末|年底)(?:前|之前|以前)?")
def _year_end(m, year, issued):
    return f"{int(m.group(1)):04d}-12-31"


@_rule(r"(?:到|至|于|在)(\d{4})年(?![\d度底末初中上下前月])")
def _by_year(m, year, issued):
    return f"{int(m.group(1)):04d}-12-31"


@_rule(r"次年(\d{1,2})月(?:底|末)?(?:前)?")
def _next_year_month(m, year, issued):
    return _last_day(year + 1, int(m.group(1))) if year else None


@_rule(r"第([一二三四1-4])季度(?:末|结束前|底)")
def _quarter_end(m, year, issued):
    q = _num(m.group(1))
    return _last_day(year, q * 3) if year else None


@_rule(r"(?:年底|年末)(?:前|之前)?")
def _this_year_end(m, year, issued):
    return f"{year:04d}-12-31" if year else None


@_rule(r"(?<![\d年])(\d{1,2})月(?:底|末)(?:前|之前|以前)?")
def _month_end_this_year(m, year, issued):
    return _last_day(year, int(m.group(1))) if year else None


@_rule(r"(?<![\d年])(\d{1,2})月(?:前|之前|以前)")
def _before_month_this_year(m, year, issued):
    return _before_month(year, int(m.group(1))) if year else None


@_rule(rf"自(?:本[\u4e00-\u9fff]{{1,4}})?(?:印发|发布|公布|施行)之日起({N})(日|天|个工作日|工作日|个月)内")
def _from_issue(m, year, issued):
    n, unit = _num(m.group(1)), _UNIT[m.group(2)]
    if issued and unit == "D":
        return (date.fromisoformat(issued) + timedelta(days=n)).isoformat()
    return f"+{_duration(m.group(1), m.group(2))}"


@_rule(rf"(?:[\u4e00-\u9fff]{{2,10}}(?:之日起|后)|次月)({N})(日|天|个工作日|工作日|个月)内")
def _after_event(m, year, issued):
    return f"+{_duration(m.group(1), m.group(2))}"


@_rule(rf"({N})\s*(?:个)?小时(?:内|以内)")
def _hours(m, year, issued):
    return f"+PT{_num(m.group(1))}H"


@_rule(rf"({N})(个工作日|工作日)内")
def _working_days(m, year, issued):
    return f"+{_duration(m.group(1), m.group(2))}"


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _checked(normalize, m, year, issued) -> str | None:
    """The normalized form, or None when the text names an impossible date ("2019年13月底前")."""
    try:
        value = normalize(m, year, issued)
        for iso in _ISO_DATE.findall(value or ""):
            date.fromisoformat(iso)
        for month_day in re.findall(r"--(\d{2})-(\d{2})", value or ""):
            date(2000, int(month_day[0]), int(month_day[1]))
        return value
    except ValueError:          # calendar.IllegalMonthError is a ValueError too
        return None


def _is_time_node(m: re.Match, text: str, year: int | None) -> bool:
    """A bare "2024年9月" is a deadline when it says so (…完成/前, 于/到…), stands alone (a table's time
    cell, a 完成时限 value) or in parentheses after a stage ("动员部署阶段（2024年6月）"), and is not
    before the plan year: "2018年11月，党中央、国务院印发《…》" in a 2019 notice is a past event."""
    if year and int(m.group(1)) < year:
        return False
    phrase = m.group(0)
    if phrase.endswith(("完成", "前")) or phrase[0] in "于在到至":
        return True
    before, after = text[:m.start()].rstrip(" \u3000"), text[m.end():].lstrip(" \u3000")
    alone = not before.strip("（(：:；;，,。 \t\n") and not after.strip("）)；;，,。 \t\n")
    wrapped = before.endswith(("（", "(")) and after.startswith(("）", ")"))
    return alone or wrapped or after.startswith(("至", "—", "-", "～", "~"))


def find_deadlines(text: str, year: int | None, issued: str | None = None) -> list[Deadline]:
    """Every deadline phrase in `text`, in reading order, without overlaps."""
    taken: list[tuple[int, int, Deadline]] = []
    for pattern, normalize in _RULES:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e, _ in taken):
                continue
            if normalize is _month_node and not _is_time_node(m, text, year):
                continue
            phrase = m.group(0)
            if normalize is _after_event:      # keep the event, not the subject: "整治完成后1个月内"
                phrase = re.sub(r"^.*[在于从由的向]", "", phrase[: -len(m.group(1)) - len(m.group(2)) - 1]) \
                    + phrase[-len(m.group(1)) - len(m.group(2)) - 1:]
            taken.append((m.start(), m.end(), Deadline(text=phrase, normalized=_checked(normalize, m, year, issued))))
    ordered = [d for _, _, d in sorted(taken, key=lambda t: t[0])]
    return list(dict.fromkeys(ordered))      # the same phrase twice in a clause is one deadline


# Time-column phrases of task tables with no date in them: ongoing work, kept as such, or this year.
_ONGOING = re.compile(r"长期坚持|长期推进|长期|持续推进|持续开展|持续|常态化推进|常态化|常态推进|全年推进|全年|按年度推进|逐年推进")
_THIS_YEAR = re.compile(r"(?:年内|年底前|年底|本年度内?)(?:完成|推进)?")
_QUARTER_DONE = re.compile(r"(?:第)?([一二三四1-4])季度(?:完成|内|前)?")


def table_deadline(text: str, year: int | None, issued: str | None = None) -> list[Deadline]:
    """The deadlines of a table's time cell: dated phrases as in prose ("2023年6月底前"), else the cell as
    written with a normalized form where one follows: 年内完成 -> the plan year's last day, 一季度完成 ->
    the quarter's last day, 持续推进 / 长期坚持 / 全年推进 -> "ongoing" (no date, kept as such)."""
    found = find_deadlines(text, year, issued)
    if found:
        return found
    cell = text.strip().rstrip("。；")
    if not cell:
        return []
    quarter = _QUARTER_DONE.fullmatch(cell)
    if quarter and year:
        return [Deadline(cell, _last_day(year, _num(quarter.group(1)) * 3))]
    if _THIS_YEAR.fullmatch(cell):
        return [Deadline(cell, f"{year:04d}-12-31" if year else None)]
    if _ONGOING.fullmatch(cell):
        return [Deadline(cell, "ongoing")]
    return [Deadline(cell, None)]
