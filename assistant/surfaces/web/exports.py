"""Files an officer downloads: the responsibility matrix as .xlsx and CSV, deadlines as iCalendar (.ics).

Every file is written to a fresh temporary folder under a name built from the filter that produced it
("责任分工-自治区林业局-牵头.csv"), because the browser saves a download under the file's own name.

- .xlsx (openpyxl): one sheet for all tasks, then one per document; a row per task (序号, 任务, 章节,
  期限) and a column per agency holding 牵头 / 参与 / 负责; a last row counts each agency's marks.
  Tasks are rows because their text is long; agencies are short column headings.
- CSV: the table shown on screen, UTF-8 with a BOM so Excel opens it as Chinese text.
- .ics (icalendar, RFC 5545): a dated deadline is an all-day event on its last allowed day; a
  recurrence ("每季度结束后3日内" = R/P3M/end+P3D) is an all-day event with an RRULE starting in the
  plan year; deadlines relative to an event ("整治完成后1个月内") have no date and are left out (the
  caller reports how many). Each event's description holds the whole clause and where it stands.
"""
from __future__ import annotations

import calendar
import csv
import hashlib
import re
import shutil
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from ...models import Document
from ...query.select import TaskRow

ROLE_MARKS = (("lead_agencies", "牵头"), ("participants", "参与"), ("responsible", "负责"))
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})$")
_INTERVAL = re.compile(r"\d{4}-\d{2}-\d{2}/(\d{4})-(\d{2})-(\d{2})$")
_RECURRENCE = re.compile(r"R/P(\d+)([YMW])(?:/--(\d{2})-(\d{2})|/end([+-])P(\d+)(WD|D|M))?$")


def export_name(*parts: str | None, limit: int = 80) -> str:
    """A file name (without suffix) from filter values: empty parts dropped, path characters removed."""
    words = [_UNSAFE.sub("_", p.strip()) for p in parts if p and p.strip()]
    return "-".join(words)[:limit].strip("-_ .") or "导出"


EXPORT_DIR = Path(tempfile.gettempdir()) / "policyqa-exports"
KEEP_SECONDS = 3600         # an export is served from here once; older ones are removed on the next export


def _target(name: str, suffix: str) -> Path:
    """A fresh folder per export (two users may export the same filter at once), old ones pruned."""
    EXPORT_DIR.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - KEEP_SECONDS
    for folder in EXPORT_DIR.iterdir():
        try:
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            pass              # removed meanwhile by another export
    return Path(tempfile.mkdtemp(dir=EXPORT_DIR)) / f"{name}{suffix}"


# ---------------------------------------------------------------- CSV

def write_csv(name: str, headers: Sequence[str], rows: Iterable[Sequence]) -> Path:
    """`rows` under `headers` as `<name>.csv` (UTF-8 with BOM); returns the path."""
    path = _target(name, ".csv")
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(list(headers))
        writer.writerows([list(r) for r in rows])
    return path


# ---------------------------------------------------------------- xlsx

def _marks(row: TaskRow) -> dict[str, str]:
    """Agency -> 牵头/参与/负责 for one task (the first role listed wins when a name appears twice)."""
    marks: dict[str, str] = {}
    for attr, mark in ROLE_MARKS:
        for agency in getattr(row.task, attr):
            marks.setdefault(agency.name, mark)
    return marks


def _sheet_title(title: str, taken: set[str]) -> str:
    base = _SHEET_UNSAFE.sub("_", title).strip("'")[:28] or "文件"
    name, n = base, 2
    while name in taken:
        name = f"{base[:26]}_{n}"
        n += 1
    taken.add(name)
    return name


def write_matrix_xlsx(name: str, rows: Sequence[TaskRow]) -> Path:
    """The responsibility matrix of `rows`: sheet 全部 then one sheet per document (in `rows` order)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    taken = {"全部"}
    groups: dict[str, list[TaskRow]] = {}
    for row in rows:
        groups.setdefault(row.document.doc_id, []).append(row)
    sheets = [("全部", list(rows), True)] + [(_sheet_title(g[0].document.title, taken), g, False)
                                             for g in groups.values()]
    fill = {"牵头": PatternFill("solid", fgColor="F4CCCC"), "参与": PatternFill("solid", fgColor="D9EAD3"),
            "负责": PatternFill("solid", fgColor="FFF2CC")}
    for number, (title, group, with_document) in enumerate(sheets):
        sheet = workbook.active if number == 0 else workbook.create_sheet()
        sheet.title = title
        agencies: dict[str, dict[str, int]] = {}
        marks = [_marks(r) for r in group]
        for m in marks:
            for agency, mark in m.items():
                agencies.setdefault(agency, {"牵头": 0, "参与": 0, "负责": 0})[mark] += 1
        order = sorted(agencies, key=lambda a: (-agencies[a]["牵头"], -agencies[a]["参与"], a))
        fixed = ["序号", "任务", "章节", "期限"] + (["文件"] if with_document else [])
        sheet.append(fixed + order)
        for n, (row, m) in enumerate(zip(group, marks), start=1):
            task = row.task
            cells = [n, row.title, " > ".join(task.section_path), "、".join(d.text for d in task.deadlines)]
            if with_document:
                cells.append(row.document.title)
            sheet.append(cells + [m.get(a) for a in order])           # None: no cell written
        sheet.append(["合计", "", "", ""] + ([""] if with_document else []) +
                     ["；".join(f"{k}{v}" for k, v in agencies[a].items() if v) for a in order])
        first = len(fixed) + 1
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        wrap = Alignment(wrap_text=True, vertical="top")
        for row_cells in sheet.iter_rows(min_row=2, max_row=sheet.max_row):
            for cell in row_cells:
                if cell.column < first:
                    cell.alignment = wrap
                elif cell.value in fill:                  # empty agency cells keep the default style (fast)
                    cell.fill = fill[cell.value]
        widths = {1: 6, 2: 48, 3: 28, 4: 16, 5: 30}
        for column in range(1, len(fixed) + 1):
            sheet.column_dimensions[get_column_letter(column)].width = widths[column]
        for column in range(first, first + len(order)):
            sheet.column_dimensions[get_column_letter(column)].width = 10
        sheet.freeze_panes = sheet.cell(row=2, column=first)
    path = _target(name, ".xlsx")
    workbook.save(path)
    return path


# ---------------------------------------------------------------- iCalendar

@dataclass(frozen=True)
class CalendarEntry:
    """Where a normalized deadline falls: a day, and for a recurrence its RRULE."""

    start: date
    rrule: dict | None = None


def _add_working_days(day: date, n: int) -> date:
    while n > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def calendar_entry(normalized: str | None, year: int | None, until: date | None = None) -> CalendarEntry | None:
    """The calendar form of a normalized deadline (assistant/tasks/deadlines.py), or None when it has no
    date (relative to an event, or a recurrence without a plan year). Recurrences start in `year`:
    "R/P3M" falls on each quarter's last day, "R/P3M/end+P3D" three days after it, "R/P3M/end-P5WD"
    (a window before the end) on the last day, "R/P1Y/--02-28" every 28 February. Working days are
    counted Monday to Friday (public holidays are not known)."""
    if not normalized:
        return None
    if m := _ISO_DATE.match(normalized):
        return CalendarEntry(date(int(m[1]), int(m[2]), int(m[3])))
    if m := _INTERVAL.match(normalized):              # the interval's last day is the deadline
        return CalendarEntry(date(int(m[1]), int(m[2]), int(m[3])))
    m = _RECURRENCE.match(normalized)
    if not m or not year:
        return None
    n, unit, month, day, sign, offset, offset_unit = m.groups()
    n = int(n)
    rule: dict = {"freq": {"Y": "yearly", "M": "monthly", "W": "weekly"}[unit]}
    if n > 1:
        rule["interval"] = n
    if until:
        rule["until"] = until
    if month:                                         # every year on a given day
        return CalendarEntry(date(year, int(month), int(day)), rule)
    if unit == "W":
        return CalendarEntry(date(year, 1, 1) + timedelta(days=6 - date(year, 1, 1).weekday()), rule)
    first_end = _month_end(year, n) if unit == "M" else date(year + n - 1, 12, 31)
    if sign == "+" and offset_unit in ("D", "WD"):
        k = int(offset)
        start = first_end + timedelta(days=k) if offset_unit == "D" else _add_working_days(first_end, k)
        if unit == "M" and start.day <= 28:
            rule["bymonthday"] = start.day
        return CalendarEntry(start, rule)
    if sign == "+" and offset_unit == "M":
        start = first_end
        for _ in range(int(offset)):
            start = _month_end(start.year + start.month // 12, start.month % 12 + 1)
        if unit == "M":
            rule["bymonthday"] = -1
        return CalendarEntry(start, rule)
    if unit == "M":
        rule["bymonthday"] = -1
    return CalendarEntry(first_end, rule)


def plan_until(document: Document) -> date | None:
    """An annual plan ("2021年度…计划") binds its recurrences to its own year; other documents run on."""
    m = re.search(r"((?:19|20)\d{2})年度", document.title)
    return date(int(m.group(1)), 12, 31) if m else None


def _plan_year(document: Document) -> int | None:
    if document.year:
        return document.year
    return int(document.date[:4]) if document.date and document.date[:4].isdigit() else None


def write_deadlines_ics(name: str, rows: Sequence[dict], documents: dict[str, Document],
                        clause_texts: dict[str, str]) -> tuple[Path, int, int]:
    """Deadline rows (`deadline_rows`) as `<name>.ics`; returns (path, events written, rows without a date)."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//policyqa//政策文件时间节点//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    stamp = datetime.now(timezone.utc).replace(microsecond=0)
    written = undated = 0
    for r in rows:
        document = documents.get(r["doc_id"])
        if document is None:
            continue
        entry = calendar_entry(r["normalized"], _plan_year(document), plan_until(document))
        if entry is None:
            undated += 1
            continue
        event = Event()
        who = "、".join(r["lead_agencies"])
        event.add("summary", f"{r['deadline']}：{r['task']}" + (f"（{who}）" if who else ""))
        event.add("dtstart", entry.start)
        event.add("dtend", entry.start + timedelta(days=1))
        if entry.rrule:
            event.add("rrule", entry.rrule)
        where = " > ".join(r["section_path"])
        label = f" {r['clause_label']}" if r.get("clause_label") else ""
        lines = [f"《{r['doc_title']}》{(' ' + where) if where else ''}{label}（{r['source']}）",
                 f"期限原文：{r['deadline']}"]
        if who:
            lines.append(f"牵头/负责：{who}")
        if r["participants"]:
            lines.append(f"参与：{'、'.join(r['participants'])}")
        lines += ["", "条款原文：", clause_texts.get(r["clause_id"], r["task"])]
        event.add("description", "\n".join(lines))
        key = f"{r['task_id']}|{r['deadline']}|{r['normalized']}"
        event.add("uid", hashlib.sha256(key.encode()).hexdigest()[:32] + "@policyqa")
        event.add("dtstamp", stamp)
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
        written += 1
    path = _target(name, ".ics")
    path.write_bytes(cal.to_ical())
    return path, written, undated
