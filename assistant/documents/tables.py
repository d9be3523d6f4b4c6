"""Task tables: which column holds what, which rows are tasks, merged and broken cells.

Tables reach us in two shapes. Structured files (docx, html, pdf) give a grid (`Block.rows`, one
cell per column, a vertically merged cell repeated in every row it spans). Text copied out of web
pages gives one cell per line, a merged cell once and a cell broken over several lines; `text_table`
regroups those lines into rows by what each line looks like (a 序号, an agency list, a time, text)
and the order of the columns. Either way `task_rows` turns the table into its task rows:

- the header names the columns (序号 | 重点任务 | 牵头单位 | 配合单位 | 完成时限); a table is a task
  table when one column names a role, a time or a year;
- a row holding only a section title ("一、回收体系建设", "一 | 推进碳达峰碳中和综合管理") is the
  section of the rows under it;
- a cell merged over several rows belongs to each (in text, the leading cells a row lacks are those
  of the row above: 序号 and 工作任务 merged over several 主要工作内容);
- a header repeated after a page break is skipped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..lexicon import AGENCY_ENDINGS, COLUMN_ROLES, COLUMN_WORDS, EMPTY_CELLS, RESPONSIBLE_COLUMNS

ROLE_FIELDS = ("lead", "participants", "responsible", "implementers", "guiding")
TASK_FIELDS = (*ROLE_FIELDS, "deadline", "year")

LABEL_CELL = re.compile(r"[（(]?(?:[一二三四五六七八九十]{1,3}|\d{1,3})[)）]?[、.．]?")
YEAR_COLUMN = re.compile(r"(\d{4})\s*年?(?:度)?(?:指标|目标|任务|计划)?")
_COLUMN_NAME = re.compile(r"[\u4e00-\u9fff（）()“”\d]{1,9}")   # "主要工作内容", "2025年指标"; a title is longer
_TIME_WORD = re.compile(r"\d{4}年|\d{1,2}月|季度|年底|年末|年内|全年|上半年|下半年|持续|长期|常态|同步|每年|每月|每季|每半年|汛期|"
                        r"雨季|春耕|即时|立即|定期|\d+个?(?:工作)?日|\d+天")
_TIME_END = re.compile(r"(前|内|底|末|止|完成|推进|坚持|开展|同步|实施|启动|月|年|季度|每年|为止|以后|起|中旬|上旬|下旬)$")
_NUMBER_CELL = re.compile(r"[≥≤<>＞＜约]?\s*\d+(?:\.\d+)?\s*(?:%|％)?[\u4e00-\u9fff]{0,4}|[√✓✔●○☑]")
_PLACE = re.compile(r"[\u4e00-\u9fff]{1,5}(?:区|县|市|镇|乡|州|旗)")
_GROUP = re.compile(r"(?:各|属地|相关|有关|其他)[\u4e00-\u9fff]{0,10}(?:部门|单位|区|县|市|街镇|街道|乡镇|镇|政府|管委会|"
                    r"企业|集团|机构|功能区|园区|管理办)")
_WEAK_ENDINGS = ("处", "行", "所", "会", "站", "室", "单位", "部门")
_ORG_WORD = re.compile(r"[局委办厅部院署]|政府|中心|管理|主管|行政|建设|施工|运输|服务|监理|设计|责任|成员|监管|法人|相关|有关|"
                       r"银行|协会|学会|商会|居委|村委|派出|监测|检测|卫生|供销|工会|妇联|团委|街道|乡镇|企业|事业")
_ATTACHMENT = re.compile(r"附[件表]\s*[0-9一二三四五六七八九十]*[：:]?")
_DATE_LINE = re.compile(r"(?:\d{4}|[〇○零一二三四五六七八九]{4})年[\d一二三四五六七八九十]{1,3}月[\d一二三四五六七八九十]{1,3}日")


@dataclass(frozen=True)
class Column:
    name: str
    field: str      # label | lead | participants | responsible | implementers | guiding | deadline | year | text


@dataclass(frozen=True)
class ResolvedRow:
    """A task row of a table: its cells by column, merged cells resolved, and where it stands."""

    cells: tuple[tuple[str, str], ...]   # (column name, cell text) for every column, "" when empty
    fields: tuple[str, ...]              # the field of each column (Column.field), same order
    label: str | None                    # its 序号 (the one above when merged)
    section: tuple[str, ...]             # the section row above it, and a merged task name it lacks
    span: tuple[int, int]                # in the decoded text
    number: int                          # 1, 2, … among the table's task rows


def column_field(name: str) -> str:
    """What a column holds, from its name: "牵头单位" -> lead, "完成时限" -> deadline, "2024年" -> year."""
    name = re.sub(r"\s+", "", name)
    if YEAR_COLUMN.fullmatch(name):
        return "year"
    if name in RESPONSIBLE_COLUMNS:
        return "responsible"
    for word, field in COLUMN_ROLES:
        if word in name:
            return field
    return "text"


def is_column_name(text: str) -> bool:
    text = re.sub(r"\s+", "", text)
    if not _COLUMN_NAME.fullmatch(text):
        return False
    return bool(YEAR_COLUMN.fullmatch(text)) or text in RESPONSIBLE_COLUMNS or text.endswith(COLUMN_WORDS) \
        or any(word in text for word, field in COLUMN_ROLES if field in TASK_FIELDS)


def header_columns(cells: list[str]) -> list[Column] | None:
    """The columns, when `cells` is the header of a task table (two or more column names, one of them a
    role, a time or a year); else None."""
    cells = [re.sub(r"\s+", "", c) for c in cells]
    if len(cells) < 2 or not all(cells) or not all(is_column_name(c) for c in cells):
        return None
    columns = [Column(c, column_field(c)) for c in cells]
    fields = [c.field for c in columns]
    if not any(f in TASK_FIELDS for f in fields) or len(set(cells)) < len(cells):
        return None
    if all(f == "year" for f in fields):
        return None
    return columns


# ---------------------------------------------------------------- what a cell looks like

def is_empty_cell(text: str) -> bool:
    return text.strip() in EMPTY_CELLS


def looks_like_agencies(text: str) -> bool:
    """"区绿化市容局、区规划资源局", "发展改革委、生态环境局等", "嘉定区、青浦区…奉贤区政府，临港新片区管委会",
    "属地街镇、区属企业": a list of bodies, not a sentence."""
    text = text.strip().rstrip("等")
    if not text or "。" in text or len(text) > 400:
        return False
    parts = [re.sub(r"[（(]?(?:牵头|配合|参与|协办)[)）]?$", "", p.strip())       # "市生态环境局（牵头）"
             for p in re.split(r"[、，,；;]|(?<=[局委办厅部])(?:和|及)", text) if p.strip()]
    if not parts or any(len(p) > 20 for p in parts):
        return False

    def agency(part: str) -> bool:
        part = re.sub(r"[（(][^）)]*[）)]$", "", part).rstrip("等")
        if re.search(r"[“”《》：:]", part) or len(part) < 3 and not part.endswith(("委", "局", "办")):
            return False
        if _GROUP.fullmatch(part) or _PLACE.fullmatch(part):
            return True
        if not part.endswith(AGENCY_ENDINGS) or len(part) > 12 and re.search(r"进行|开展|推进|落实|加强|负责|做好", part):
            return False
        if part.endswith(_WEAK_ENDINGS):        # 执法查处, 运行, 面积单位: words, not bodies
            return len(part) >= 4 and bool(_ORG_WORD.search(part[:-2] if part.endswith(("单位", "部门")) else part[:-1]))
        return True

    last = re.sub(r"[（(][^）)]*[）)]$", "", parts[-1]).rstrip("等")
    odd = [p for p in parts[:-1] if not agency(p)]     # one unfamiliar name in a long list ("区委党校") is allowed
    return (not odd or len(parts) >= 3 and len(odd) == 1 and len(odd[0]) <= 8 and agency(odd[0] + "局")) \
        and agency(parts[-1]) and (last.endswith(AGENCY_ENDINGS) or bool(_GROUP.fullmatch(last))
                                   or any(p.endswith(AGENCY_ENDINGS) for p in parts[:-1]))


def looks_like_time(text: str) -> bool:
    """"全年推进", "2023年6月底前", "一季度完成", "持续推进", "与国家安排同步", "2024年9月"."""
    text = text.strip().rstrip("。")
    return len(text) <= 30 and not re.search(r"[。；]", text) and bool(_TIME_WORD.search(text)) \
        and bool(_TIME_END.search(text)) and "，" not in text[:-1] or text in ("长期", "持续", "常态化")


def cell_kind(text: str, columns: list[Column]) -> str:
    """label | empty | time | agencies | number | text, as far as this table has such columns."""
    fields = {c.field for c in columns}
    if is_empty_cell(text):
        return "empty"
    if "label" in fields and LABEL_CELL.fullmatch(text):
        return "label"
    if "deadline" in fields and looks_like_time(text):
        return "time"
    if fields & set(ROLE_FIELDS) and looks_like_agencies(text):
        return "agencies"
    if "year" in fields and _NUMBER_CELL.fullmatch(text):
        return "number"
    return "text"


_FITS = {"label": ("label",), "empty": (*ROLE_FIELDS, "deadline", "year", "text"),
         "time": ("deadline", "year", "text"), "agencies": (*ROLE_FIELDS, "text"),
         "number": ("year", "text"), "text": ("text",)}


# ---------------------------------------------------------------- one cell per line (text files)

@dataclass(frozen=True)
class TextTable:
    """A table recognised in text: lines [start, end) of the given list, and its rows as lists of
    (column index, cell text, first line, last line)."""

    start: int
    end: int
    columns: tuple[Column, ...]
    rows: tuple[tuple[tuple[int, str, int, int], ...], ...]


def find_header(lines: list[str], at: int) -> list[Column] | None:
    """The task-table header starting at line `at` (one column name per line), if one does."""
    end = at
    while end < len(lines) and end - at < 12 and is_column_name(lines[end]):
        end += 1
    for stop in range(end, at + 1, -1):        # the longest run that is a header
        columns = header_columns(lines[at:stop])
        if columns:
            return columns
    return None


def text_table(lines: list[str], at: int) -> TextTable | None:
    """The table whose header starts at line `at`, with its rows, or None when there is none there."""
    columns = find_header(lines, at)
    if not columns or not any(c.field in (*ROLE_FIELDS, "deadline") for c in columns):
        return None             # year columns alone: an indicator table, too irregular to regroup from lines
    n = len(columns)
    header = [c.name for c in columns]
    # cells are joined and typed as the rows need them, so a header with no table under it costs little
    cells = _Lazy(_join_broken_cells(lines, at + n, columns))
    kinds = _Lazy(cell_kind(text, columns) for text, _, _ in cells)
    rows: list[tuple[tuple[int, str, int, int], ...]] = []
    k, end = 0, at + n
    while k < len(cells):
        if [cells[i][0] for i in range(k, k + n) if i < len(cells)] == header:   # the header again (page break)
            k += n
            end = cells[k - 1][2] + 1
            continue
        row, k_next = _place_row(cells, kinds, k, columns)
        if row is None:
            break
        rows.append(row)
        k = k_next
        end = cells[k - 1][2] + 1
    if not any(any(columns[c].field in TASK_FIELDS and text for c, text, _, _ in row) for row in rows):
        return None
    return TextTable(start=at, end=end, columns=tuple(columns), rows=tuple(rows))


class _Lazy:
    """A list filled from an iterator as far as it is read: `len` is the length read so far plus one while
    more may follow, so `while k < len(cells)` loops stop where the iterator does."""

    def __init__(self, items):
        self._items, self._source, self._done = [], iter(items), False

    def _fill(self, index: int) -> None:
        while not self._done and len(self._items) <= index:
            try:
                self._items.append(next(self._source))
            except StopIteration:
                self._done = True

    def __getitem__(self, index: int):
        self._fill(index)
        return self._items[index]

    def __len__(self) -> int:
        self._fill(len(self._items))
        return len(self._items)


def _join_broken_cells(lines: list[str], start: int, columns: list[Column]):
    """(cell text, first line, last line), one by one: a line ending in 、，and a fragment that completes
    an agency name ("区土方工作" + "专班") continue on the next line."""
    header = {c.name for c in columns}
    i = start
    while i < len(lines):
        text, first = lines[i], i
        if _ATTACHMENT.fullmatch(text) or _DATE_LINE.fullmatch(text):
            break
        while i + 1 < len(lines) and not LABEL_CELL.fullmatch(lines[i + 1]) and text not in header \
                and lines[i + 1] not in header and (
                text.endswith(("、", "，", ",", "和", "及"))
                or (cell_kind(text, columns) == "text" and len(text) <= 12 and len(lines[i + 1]) <= 4
                    and looks_like_agencies(text + lines[i + 1]))):
            i += 1
            text += lines[i]
        yield text, first, i
        i += 1


def _place_row(cells: list[tuple[str, int, int]], kinds: list[str], k: int, columns: list[Column]):
    """One row from cells[k:], each cell in a column to the right of the one before; text cells fill
    the last columns of a run of text columns (the leading ones are merged from the row above).
    Returns (row, next k), or (None, k) where the table ends."""
    fields = [c.field for c in columns]
    placed: list[tuple[int, str, int, int]] = []
    pos = -1
    j = k
    while j < len(cells):
        kind = kinds[j]
        if kind == "empty" and not placed and "label" in fields and j + 2 < len(cells) \
                and kinds[j + 1] == "text" and kinds[j + 2] == "label":
            kind = "label"                           # "—" / "构建…体系" / "（一）": a section numbered with a dash
        if kind == "label" and placed:
            break
        options = [c for c in range(pos + 1, len(columns)) if fields[c] in _FITS[kind]]
        if kind == "label" and not options:
            break
        if not options:
            if kind == "text" and placed and placed[-1][0] == pos and fields[pos] == "text":
                text, first, last = cells[j]       # a text cell broken over lines: the same cell
                column, before, start, _ = placed[-1]
                placed[-1] = (column, before + text, start, last)
                j += 1
                continue
            break
        column = options[0]
        if kind == "text":                           # right-align a run of text cells in a run of text columns
            run = 1
            while j + run < len(cells) and kinds[j + run] == "text":
                run += 1
            block = [column]
            while block[-1] + 1 < len(columns) and fields[block[-1] + 1] == "text":
                block.append(block[-1] + 1)
            column = block[max(0, len(block) - run)]
        placed.append((column, *cells[j]))
        pos = column
        j += 1
    if not placed:
        return None, k
    has_task_cell = any(fields[c] in TASK_FIELDS for c, _, _, _ in placed)
    labelled = fields[placed[0][0]] == "label"
    if not has_task_cell and not (labelled and len(placed) <= 3):
        return None, k                               # prose after the table: not a row
    return tuple(placed), j


# ---------------------------------------------------------------- rows -> task rows

def task_rows(columns: list[Column], rows: list[tuple[list[str | None], tuple[int, int]]]) -> list[ResolvedRow]:
    """Task rows of a table. `rows` are (cell per column, span); None marks a cell the row does not give
    (merged with the row above); a row holding only a title (and maybe its number) is a section row."""
    fields = [c.field for c in columns]
    names = [c.name for c in columns]
    text_columns = [i for i, f in enumerate(fields) if f == "text"]
    above: list[str] = [""] * len(columns)
    section: str | None = None
    out: list[ResolvedRow] = []
    for values, span in rows:
        given = [(i, v) for i, v in enumerate(values) if v]
        if not given or [v or "" for v in values] == names:
            continue
        title = _section_title(values, fields)
        if title is not None:
            section, above = title, [""] * len(columns)
            continue
        resolved = []
        for i, value in enumerate(values):
            if value is None:
                value = above[i] if fields[i] in ("label", "text") else ""
            resolved.append("" if is_empty_cell(value) else value.strip())
        above = resolved
        extra = []        # with several text columns, the first names the task ("推动源头减量"): a heading
        if len(text_columns) > 1 and resolved[text_columns[0]] and any(resolved[i] for i in text_columns[1:]):
            extra.append(resolved[text_columns[0]])
        label = next((resolved[i] for i, f in enumerate(fields) if f == "label" and resolved[i]), None)
        out.append(ResolvedRow(cells=tuple(zip(names, resolved)), fields=tuple(fields), label=label,
                               section=tuple(s for s in (section, *extra) if s), span=span, number=len(out) + 1))
    return out


def _section_title(values: list[str | None], fields: list[str]) -> str | None:
    """The title of a section row: no role, time or year cell, one title ("一、回收体系建设") or a number
    and a title, spanning the table; None for a task row."""
    given = [(i, v.strip()) for i, v in enumerate(values) if v and v.strip() and not is_empty_cell(v)]
    if any(fields[i] in TASK_FIELDS and not is_empty_cell(v) for i, v in given):
        return None
    texts = [v for i, v in given if not (fields[i] == "label" and LABEL_CELL.fullmatch(v))]
    distinct = list(dict.fromkeys(texts))
    if len(distinct) != 1 or len(distinct[0]) > 60:
        return None
    return distinct[0]


def text_rows(table: TextTable, starts: list[int], ends: list[int]) -> list[tuple[list[str | None], tuple[int, int]]]:
    """A text table's rows as `task_rows` takes them; `starts`/`ends` give each line's offsets. A column
    the row skips left of its last text cell is merged from the row above (None); one further right is
    empty."""
    fields = [c.field for c in table.columns]
    out = []
    for row in table.rows:
        values: list[str | None] = [""] * len(table.columns)
        last_text = max((c for c, _, _, _ in row if fields[c] in ("label", "text")), default=-1)
        for i in range(last_text):
            values[i] = None
        for column, text, a, b in row:
            values[column] = text
        out.append((values, (starts[row[0][2]], ends[row[-1][3]])))
    return out


# ---------------------------------------------------------------- one row per line (text files)

_CELL_GAP = re.compile(r"\t+|[ \u3000]{2,}|\u3000")


def split_row(line: str) -> list[str]:
    """A text line's cells when it is a table row pasted from Word or a spreadsheet (tabs, or runs of
    spaces); one cell otherwise. A header of column names may also be separated by single spaces."""
    cells = [c.strip() for c in _CELL_GAP.split(line.strip()) if c.strip()]
    if len(cells) == 1 and " " in line.strip():
        spaced = line.split()
        if len(spaced) >= 3 and all(is_column_name(c) for c in spaced):
            return spaced
    return cells


def line_table(lines: list[str], at: int) -> tuple[list[Column], list[tuple[int, list[str | None]]]] | None:
    """A table written one row per line (cells separated by tabs or spaces) whose header is line `at`:
    its columns and its rows as (line index, cell per column; None where a typed placement left a
    leading cell to the row above). Ends at the first line that is neither a row nor a section title."""
    columns = header_columns(split_row(lines[at]))
    if not columns or not any(c.field in (*ROLE_FIELDS, "deadline") for c in columns):
        return None
    n, fields = len(columns), [c.field for c in columns]
    rows: list[tuple[int, list[str | None]]] = []
    for j in range(at + 1, len(lines)):
        cells = split_row(lines[j])
        if len(cells) == 1:
            if len(cells[0]) <= 30 and not re.search(r"[。；]", cells[0]) and j + 1 < len(lines) \
                    and len(split_row(lines[j + 1])) >= 2:
                rows.append((j, [cells[0]] + [""] * (n - 1)))        # a section row
                continue
            break
        if len(cells) > n:                       # a text cell holding spaces: the surplus joins the last text column
            last_text = max((i for i, f in enumerate(fields) if f == "text"), default=n - 1)
            tail = n - 1 - last_text
            cells = cells[:last_text] + [" ".join(cells[last_text:len(cells) - tail])] + cells[len(cells) - tail:]
        if len(cells) < n:
            kinds = [cell_kind(c, columns) for c in cells]
            placed, used = _place_row([(c, j, j) for c in cells], kinds, 0, columns)
            if placed is None or used < len(cells):
                break
            values: list[str | None] = [""] * n
            first_text = max((c for c, _, _, _ in placed if fields[c] in ("label", "text")), default=-1)
            for i in range(first_text):
                values[i] = None
            for column, text, _, _ in placed:
                values[column] = text
            rows.append((j, values))
            continue
        rows.append((j, list(cells)))
    if not any(any(v and fields[i] in TASK_FIELDS for i, v in enumerate(values)) for _, values in rows):
        return None
    return columns, rows
