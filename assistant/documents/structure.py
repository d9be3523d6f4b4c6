"""Document text -> Document + clause tree (clauses as spans of the text; fields come from assistant.tasks).

Lines are grouped into units (a numbered line and its continuation lines, a paragraph, a heading),
then nested by order of appearance: a numbering style already open on the stack closes everything
opened after it. A numbered unit is a section heading when it is short and has deeper-numbered
children (or several paragraphs under it); otherwise it is a clause. Articles (第X条) are always
clauses and absorb their （一）… items.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from ..models import Block, Document, RawClause
from . import metadata as meta
from .attribution import LABELLED, attribution_groups
from .numbering import HEADING_STYLES, INLINE_MARKER, ORDINAL_MARKER, Label, cn_to_int, match_label
from .tables import ResolvedRow, header_columns, line_table, task_rows, text_rows, text_table

SENTENCE_PUNCT = re.compile(r"[。；！？：，]")
HEADING_MAX = 30        # a bare heading line (document without numbering) is at most this long
NUMBERED_HEADING_MAX = 60


@dataclass
class Line:
    start: int
    end: int
    text: str


@dataclass
class TableItem:
    """A task table among the body lines: it stands where its lines stood."""

    start: int
    end: int
    rows: list[ResolvedRow]
    text: str = ""              # no line predicate (title, date, numbering) ever matches a table


@dataclass
class Unit:
    kind: str                       # numbered | para | bare | root
    lines: list[Line]
    label: Label | None = None
    level: int = 0                  # for bare headings: 1 or 2
    absorbing: bool = False         # keeps the enumerated items that follow its "：" lead-in

    @property
    def first_text(self) -> str:
        return self.lines[0].text[self.label.end:] if self.label else self.lines[0].text


@dataclass
class _Frame:
    key: str                        # numbering style, or bare1/bare2/root
    heading: str | None             # text for section paths; None for a clause that is not a section
    component: str                  # path component for clause ids
    counters: dict[str, int] = field(default_factory=dict)


def read_structure(text: str, source: str, blocks: tuple[Block, ...] = ()) -> tuple[Document, list[RawClause]]:
    """The document's metadata and its clauses as spans of `text`, in reading order; each row of a task
    table is a clause. `blocks` are the tables a structured file gave (text files: recognised here).

    Raises ValueError for text without a single non-blank line (loaders reject those first).
    """
    doc_id = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    lines = _split_lines(text)
    if not lines:
        raise ValueError(f"{source}: empty document")
    flattened = _is_flattened(text, lines)
    lines = _unflatten(text, lines) if flattened else _cut_after_attributions(_with_tables(lines, blocks))
    title, used = _title(lines)
    document, body = _read_header(doc_id, title, source, text, lines, used)
    raw = _tree(_units(body))
    if not raw:             # never refuse readable text for lacking structure: it is one clause
        raw = [RawClause(label=None, path_id="para1", section_path=(), start=lines[0].start, end=lines[-1].end)]
    return document, raw


_NUMBER_TAIL = re.compile(r"[A-Za-z\u4e00-\u9fff]{1,12}[〔\[［(（]\d{4}[〕\]］)）]\d+号")


def _number_after_title(text: str) -> int | None:
    """Where a 文号 run onto the end of the title starts, if one is."""
    for m in reversed(list(meta.TITLE_SUFFIX.finditer(text))):
        if m.end() >= 6 and _NUMBER_TAIL.fullmatch(text[m.end():]):
            return m.end()
    return None


def _title(lines: list[Line | TableItem]) -> tuple[str, int]:
    """The title and how many lines it used. A first line that is a whole notice ("…的通知各区人民政府：
    为做好…。") gives its title part and stays body text; one with no title gives its first words."""
    first = lines[0]
    cut = _number_after_title(first.text) if isinstance(first, Line) else None
    if cut:                 # "…的通知X政办发〔2020〕12号": the title and its 文号 on one line
        lines[0:1] = [Line(first.start, first.start + cut, first.text[:cut]),
                      Line(first.start + cut, first.end, first.text[cut:])]
        return first.text[:cut], 1
    if isinstance(first, Line) and (len(first.text) > 80 or "。" in first.text[:-1]):
        cut = meta.split_flat_title(first.text)
        if 6 <= cut < len(first.text) and cut <= 80 and first.text[cut] not in "，。；、：,;:" \
                and not re.search(r"[，。；！？]", first.text[:cut]):
            lines[0] = Line(first.start + cut, first.end, first.text[cut:])
            return first.text[:cut], 0
        head = re.match(r"[^。；！？，：]{2,40}", first.text)
        return (head.group(0) if head else first.text[:40]), 0
    return meta.title_from_lines([ln.text for ln in lines[:2]])


# ---------------------------------------------------------------- lines

def _split_lines(text: str) -> list[Line]:
    lines = []
    for m in re.finditer(r"[^\n]+", text):
        raw = m.group(0)
        stripped = raw.strip(" \t\u3000\xa0")
        if not stripped:
            continue
        start = m.start() + raw.index(stripped)
        lines.append(Line(start, start + len(stripped), stripped))
    return lines


def _is_flattened(text: str, lines: list[Line]) -> bool:
    """Web text that lost its line breaks: a few very long lines carry the whole document."""
    return len(text) > 1500 and len(lines) <= max(3, len(text) // 3000)


def _unflatten(text: str, lines: list[Line]) -> list[Line]:
    """Cut flattened text into pseudo-lines at numbering markers, attributions and heading fragments."""
    out: list[Line] = []
    for index, line in enumerate(lines):
        cuts = set(_marker_cuts(line.text)) | set(_attribution_cuts(line.text))
        if index == 0:
            title_end = meta.split_flat_title(line.text)
            if title_end:
                cuts.add(title_end)
            number = meta.DOC_NUMBER_TAIL.search(line.text[:200])
            if number:
                cuts.add(number.end())
                addressee = re.match(r"各[^。：]{2,60}：", line.text[number.end():])
                if addressee:
                    cuts.add(number.end() + addressee.end())
        bounds = sorted(c for c in cuts if 0 < c < len(line.text))
        pieces, prev = [], 0
        for cut in bounds + [len(line.text)]:
            pieces.append((prev, cut))
            prev = cut
        for a, b in pieces:
            segment = line.text[a:b]
            # a heading fragment glued before the next marker: "…95%以上。重点任务加大…成果应用" + "1．"
            tail = re.search(r"[。！？；）]([^。！？；，：、（）]{2,40})$", segment)
            split_at = tail.start(1) if tail and b in bounds else len(segment)
            first = re.match(r"[^。！？]{4,40}[。！？]", segment)
            if first and len(segment) > 600 and match_label(segment) and split_at == len(segment):
                split_at = first.end()    # "（一）着力稳定宏观经济大盘…。" heads the sentences after it
            for x, y in ((0, split_at), (split_at, len(segment))):
                for s, e in _sentence_groups(segment[x:y], labelled_too=True):
                    piece = segment[x:y][s:e]
                    stripped = piece.strip(" \t\u3000")
                    if stripped:
                        start = line.start + a + x + s + piece.index(stripped)
                        out.append(Line(start, start + len(stripped), stripped))
    return out


def _with_tables(lines: list[Line], blocks: tuple[Block, ...]) -> list[Line | TableItem]:
    """The lines with each task table replaced by one TableItem: the tables of `blocks`, else tables
    recognised in text written one cell per line."""
    tables: list[TableItem] = []
    for block in blocks:
        if block.kind != "table" or len(block.rows) < 2:
            continue
        columns = header_columns(list(block.rows[0].cells))
        if columns:
            rows = task_rows(columns, [(list(r.cells), r.span) for r in block.rows[1:]])
            tables.append(TableItem(block.span[0], block.span[1], rows))
    if not blocks:
        texts = [ln.text for ln in lines]
        starts, ends = [ln.start for ln in lines], [ln.end for ln in lines]
        i = 0
        while i < len(lines):
            by_line = line_table(texts, i) if "\t" in texts[i] or " " in texts[i] or "\u3000" in texts[i] else None
            if by_line:                   # one row per line, cells separated by tabs or spaces
                columns, rows = by_line
                resolved = task_rows(columns, [(values, (starts[j], ends[j])) for j, values in rows])
                tables.append(TableItem(starts[i], ends[rows[-1][0]], resolved))
                i = rows[-1][0] + 1
                continue
            found = text_table(texts, i)
            if found is None:
                i += 1
                continue
            rows = task_rows(list(found.columns), text_rows(found, starts, ends))
            tables.append(TableItem(starts[found.start], ends[found.end - 1], rows))
            i = found.end
    if not tables:
        return list(lines)
    out: list[Line | TableItem] = []
    pending = sorted(tables, key=lambda t: t.start)
    for line in lines:
        while pending and pending[0].end <= line.start:       # a table whose lines are all behind us
            table = pending.pop(0)
            if not out or out[-1] is not table:
                out.append(table)
        if pending and pending[0].start <= line.start < pending[0].end:
            if not out or out[-1] is not pending[0]:
                out.append(pending[0])                          # the table stands where its first line stood
            continue
        out.append(line)
    out.extend(t for t in pending if not out or out[-1] is not t)
    return out


def _cut_after_attributions(lines: list[Line | TableItem]) -> list[Line | TableItem]:
    """"…。（A指导）以铅酸蓄电池…（B指导）": an attribution closes a task, so text after it starts another."""
    out = []
    for line in lines:
        if isinstance(line, TableItem):
            out.append(line)
            continue
        prev = 0
        for cut in _attribution_cuts(line.text):
            if len(line.text) - cut >= 10:
                out.append(Line(line.start + prev, line.start + cut, line.text[prev:cut]))
                prev = cut
        out.append(Line(line.start + prev, line.end, line.text[prev:]))
    return out


def _marker_cuts(text: str) -> list[int]:
    cuts, last = [], {}
    for m in INLINE_MARKER.finditer(text):
        groups = m.groups()
        style = ("chapter", "article", "cn", "paren_cn", "arabic", "paren_arabic")[
            next(i for i, g in enumerate(groups) if g is not None)]
        number = cn_to_int(next(g for g in groups if g is not None))
        before = text[m.start() - 1] if m.start() else "。"
        in_sequence = number == 1 or number == last.get(style, 0) + 1
        if style == "cn" and before not in "。；！？）：\u3000 " and not (
                in_sequence and len(re.split(r"[。；！？）：]", text[max(0, m.start() - 30):m.start()])[-1]) < 30):
            continue                      # after a glued heading ("第一章总则一、…") it still counts
        if style in ("chapter", "article"):
            if before in "。；！？）：\u3000 ":
                if number <= last.get(style, 0) and number != 1:
                    continue
            elif not in_sequence or re.search(r"(本法|条例|规定的|依照|按照|根据|违反|适用|依据|、|和|或者|及|款|项)$",
                                              text[max(0, m.start() - 4):m.start()]):
                continue                  # "依照本法第二十条规定" is a reference, not an article
        elif not in_sequence:
            continue
        last[style] = number
        cuts.append(m.start())
    # 一是 opens a paragraph of 一是…二是…; the paragraph is split later, keeping its closing attribution
    cuts.extend(m.start() for m in re.finditer(r"一是(?=[\u4e00-\u9fff“])", text)
                if m.start() and "二是" in text[m.end():m.end() + 1500])
    return cuts


def _attribution_cuts(text: str) -> list[int]:
    """A task's attribution (…牵头，…参与) closes it: cut after it (and a following 。)."""
    cuts = []
    for start, end in attribution_groups(text):
        if end < len(text) and text[end] == "。":
            end += 1
        cuts.append(end)
    return cuts


def _sentence_groups(text: str, limit: int = 300, labelled_too: bool = False) -> list[tuple[int, int]]:
    """Long text is cut at sentence ends into pieces of at most about `limit` characters."""
    if len(text) <= limit * 2 or (match_label(text) and not labelled_too):
        return [(0, len(text))]
    groups, start = [], 0
    for m in re.finditer(r"[。！？]", text):
        if m.end() - start >= limit:
            groups.append((start, m.end()))
            start = m.end()
    groups.append((start, len(text)))
    return [g for g in groups if g[0] < g[1]]


# ---------------------------------------------------------------- header and metadata

def _read_header(doc_id: str, title: str, source: str, text: str, lines: list[Line], used: int):
    """Metadata from the lines around the title and signature; returns the body lines to parse."""
    doc_number = issuer = date = None
    body: list[Line | str] = []      # str markers: "attachment", "inner_title"
    header_zone = True
    expect_inner_title = skip_next = False
    for i in range(used, len(lines)):
        ln = lines[i]
        if isinstance(ln, TableItem):
            body.append(ln)
            header_zone = expect_inner_title = False
            continue
        s = ln.text
        nxt = lines[i + 1].text if i + 1 < len(lines) else ""
        if header_zone and (len(s) >= 40 or match_label(s)):
            header_zone = False
        if meta.DOC_NUMBER.fullmatch(s) and doc_number is None:
            doc_number = s
            continue
        if i < used + 4 and (s.endswith("国务院令") or meta.ORDER_NUMBER.match(s)):
            if meta.ORDER_NUMBER.match(s):
                doc_number = "国务院令" + s
                issuer = issuer or "国务院"
            continue
        iso = meta.parse_date_line(s)
        if iso:
            date = date or iso
            expect_inner_title = True
            continue
        if meta.parse_date_line(nxt) and meta.is_signature(s):
            if meta.ISSUER_SUFFIX.search(s):
                issuer = issuer or s
            continue
        if meta.is_addressee(s) or meta.PUBLISH_NOTE.match(s):
            continue
        attached = re.match(r"^附[件表]\s*[0-9一二三四五六七八九十]*[：:]\s*(.*)$", s)
        if attached:
            title_on_line = attached.group(1)
            if not title_on_line or re.match(r"[1１一][.．、]", title_on_line) or re.match(r"[2２二][.．、]", nxt) \
                    or SENTENCE_PUNCT.search(title_on_line):
                continue                  # the list of attachments under a notice
            body.append("attachment")     # "附件：标题" on one line starts the attachment
            body.append("inner_title")
            body.append(Line(ln.start + attached.start(1), ln.end, title_on_line))
            expect_inner_title = False
            continue
        if re.fullmatch(r"附[件表]\s*[0-9一二三四五六七八九十]*", s):
            body.append("attachment")
            expect_inner_title = True
            continue
        if s.startswith("——") and ("会议上" in s or "讲话" in s):
            m = meta.DATE_ANY.search(s)
            if m and date is None:
                date = f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
            continue
        if skip_next:
            skip_next = False
            continue
        if s.startswith("（") and "）" not in s and nxt.endswith("）") and meta.is_history(s + nxt):
            skip_next = True              # a history note broken over two lines
            continue
        if meta.is_history(s) and (header_zone or expect_inner_title or not _any_clause(body)):
            m = meta.DATE_ANY.search(s)
            if m and doc_number is None and not _has_notice(lines):
                amended = f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
                date = max(date or amended, amended)   # a law: the date of its latest amendment
                if issuer is None and "全国人民代表大会常务委员会" in s:
                    issuer = "全国人民代表大会常务委员会"
            continue
        if expect_inner_title and not match_label(s) and len(s) <= 40 and not SENTENCE_PUNCT.search(s):
            body.append("inner_title")
            body.append(ln)
            expect_inner_title = False
            continue
        if header_zone and not match_label(s) and len(s) < 40 and not SENTENCE_PUNCT.search(s) \
                and (doc_number or _has_notice(lines)):
            if issuer is None and s.endswith("总理"):
                issuer = "国务院"
            continue                      # subtitle, speaker: not clause text
        expect_inner_title = expect_inner_title and not (len(s) >= 40 or match_label(s))
        body.append(ln)
    if issuer is None and title.startswith(("国务院办公厅", "国务院")):
        issuer = "国务院办公厅" if title.startswith("国务院办公厅") else "国务院"
    year = meta.find_year(title, date, text)
    document = Document(doc_id=doc_id, title=title, doc_number=doc_number, issuer=issuer, date=date,
                        source=source, year=year)
    return document, body


def _any_clause(body: list) -> bool:
    return any(isinstance(b, Line) and match_label(b.text) for b in body)


def _has_notice(lines: list[Line]) -> bool:
    return any(meta.is_addressee(ln.text) for ln in lines[:6]) or \
        any(ln.text.startswith("——") for ln in lines[:4])


# ---------------------------------------------------------------- units

def _units(body: list[Line | str]) -> list[Unit]:
    labels = [match_label(b.text) for b in body if isinstance(b, Line)]
    bare_mode = not any(lb and lb.style in ("cn", "chapter", "part", "article") for lb in labels)
    if not any(labels):         # no numbering at all: a long paragraph is cut into runs of whole sentences
        body = [Line(b.start + s, b.start + e, b.text[s:e]) if isinstance(b, Line) else b
                for b in body for s, e in (_sentence_groups(b.text) if isinstance(b, Line) else [(0, 0)])]
    units: list[Unit] = []
    current: Unit | None = None
    root_next = False
    last: dict[str, int] = {}        # the last number of each style that counts in sequence
    for item in body:
        if isinstance(item, str):
            root_next = True
            current = None
            last.clear()
            continue
        if isinstance(item, TableItem):
            units.append(Unit("table", [item]))
            root_next, current = False, None
            continue
        label = _in_sequence(match_label(item.text), last)
        if root_next:
            units.append(Unit("root", [item]))
            root_next, current = False, None
            continue
        if label and current and current.kind == "numbered" and _absorbs(current, label, item.text):
            current.lines.append(item)    # 第X条 and "…：" lead-ins keep their （一）… items
            current.absorbing = True
            continue
        if label:
            current = Unit("numbered", [item], label)
            units.append(current)
            if label.style in HEADING_STYLES:
                current = None
            continue
        if bare_mode and _is_bare_heading(item.text):
            units.append(Unit("bare", [item]))
            current = None
            continue
        if current is not None and current.kind == "numbered" and current.label.style == "ordinal" \
                and len(current.lines) >= 2 and _headingish(current.first_text):
            current = None                # "一是…。" heads one paragraph; later ones belong to the section
        if current is not None and (current.kind == "numbered" or _is_cell(item.text) and _is_cell(current.lines[-1].text)
                                    or current.kind == "para" and _only_attribution(item.text)):
            current.lines.append(item)    # a "牵头单位：…" / "（责任单位：…）" line belongs to the task above it
            continue
        current = Unit("para", [item])
        units.append(current)
    _bare_levels(units)
    return units


def _in_sequence(label: Label | None, last: dict[str, int]) -> Label | None:
    """The label, or None when it breaks its sequence and so is body text: "一、二级保护区…" inside
    section 一, "二、三季度为汛期…" inside section 二, "第三条规定的…" inside 第四条."""
    if label is None:
        return None
    if label.style in ("part", "chapter", "section"):
        last.pop("cn", None)            # 一、 may start again in each chapter
        last[label.style] = label.number
        return label
    if label.style not in ("cn", "article"):
        return label
    previous = last.get(label.style)
    if previous is not None and label.number <= previous:
        return None
    last[label.style] = label.number
    return label


_DEPTH = {"part": 0, "chapter": 1, "section": 2, "article": 3, "cn": 4, "paren_cn": 5, "arabic": 6,
          "paren_arabic": 7, "ordinal": 8}


def _absorbs(current: Unit, label: Label, text: str) -> bool:
    """Whether a numbered line is an item inside `current` rather than a clause of its own."""
    if label.style in HEADING_STYLES or _DEPTH[label.style] <= _DEPTH[current.label.style]:
        return False
    if current.label.style == "article":
        return True
    lead_in = current.absorbing or current.lines[-1].text.rstrip().endswith(("：", ":"))
    return lead_in and len(text) <= 150 and not attribution_groups(text)


def _is_bare_heading(text: str) -> bool:
    return len(text) <= HEADING_MAX and not SENTENCE_PUNCT.search(text) and not meta.DATE_LINE.match(text)


def _is_cell(text: str) -> bool:
    """A table cell flattened onto its own line: short, no sentence end."""
    return len(text) <= 20 and "。" not in text


def _bare_levels(units: list[Unit]) -> None:
    """Bare headings have two levels: one directly followed by another heading is the outer one."""
    outer_open = False
    for i, unit in enumerate(units):
        if unit.kind == "root":
            outer_open = False
        if unit.kind != "bare":
            continue
        followed_by_heading = i + 1 < len(units) and units[i + 1].kind == "bare"
        if followed_by_heading or not outer_open:
            unit.level = 1
            outer_open = followed_by_heading
        else:
            unit.level = 2


# ---------------------------------------------------------------- tree

_STYLE_CODE = {"part": "pt", "chapter": "ch", "section": "se", "article": "art", "cn": "c", "paren_cn": "p",
               "arabic": "n", "paren_arabic": "pn", "ordinal": "o"}


def _tree(units: list[Unit]) -> list[RawClause]:
    stack: list[_Frame] = []
    root = _Frame("doc", None, "")
    out: list[RawClause] = []
    used_ids: set[str] = set()

    def parent() -> _Frame:
        return stack[-1] if stack else root

    def push(key: str, heading: str | None, component_kind: str, number: int | None = None) -> _Frame:
        keys = [f.key for f in stack]
        if key in keys:
            del stack[keys.index(key):]
        counters = parent().counters
        counters[component_kind] = counters.get(component_kind, 0) + 1
        component = f"{component_kind}{number if number is not None else counters[component_kind]}"
        frame = _Frame(key, heading, component)
        stack.append(frame)
        return frame

    def path() -> tuple[str, ...]:
        return tuple(f.heading for f in stack if f.heading)

    def emit(lines: list[Line], label: str | None, component: str, tail: str | None = None, **row) -> None:
        ids = "/".join([f.component for f in stack] + [component]).strip("/")
        base, k = ids, 2
        while ids in used_ids:
            ids, k = f"{base}~{k}", k + 1
        used_ids.add(ids)
        section = path() + row.pop("section", ())
        out.append(RawClause(label=label, path_id=ids, section_path=section,
                             start=lines[0].start, end=lines[-1].end, shared_tail=tail, **row))

    def emit_paragraph(lines: list[Line], label: str | None, component: str) -> None:
        pieces = _ordinal_pieces(lines[0]) if (label is None or label.startswith("一是")) else None
        if not pieces:
            emit(lines, label, component)
            return
        tail = _trailing_attribution(lines[:1])
        for number, written, piece in pieces:
            emit([piece], written, f"o{number}" if label else f"{component}.o{number}", tail)
        for k, line in enumerate(lines[1:], start=1):
            emit([line], None, f"{component}.para{k}")

    units = list(units)
    for i, unit in enumerate(units):
        if unit.kind == "table":            # one clause per task row, under the table's section rows
            counters = parent().counters
            counters["t"] = counters.get("t", 0) + 1
            for row in unit.lines[0].rows:
                emit([Line(row.span[0], row.span[1], "")], row.label, f"t{counters['t']}r{row.number}",
                     section=row.section, cells=row.cells, row=row.number)
            continue
        if unit.kind == "root":
            stack.clear()
            push("root", _heading_text(unit.lines[0].text), "a")
            continue
        if unit.kind == "bare":
            if unit.level == 1:
                stack[:] = [f for f in stack if f.key == "root"]
            push(f"bare{unit.level}", unit.lines[0].text, "h")
            continue
        if unit.kind in ("para", "para_run"):
            for lines in ([unit.lines] if unit.kind == "para" else [[ln] for ln in unit.lines]):
                counters = parent().counters
                counters["para"] = counters.get("para", 0) + 1
                emit_paragraph(lines, None, f"para{counters['para']}")
            continue
        label = unit.label
        code = _STYLE_CODE[label.style]
        if label.style in HEADING_STYLES:
            push(label.style, _heading_text(unit.lines[0].text), code, label.number)
            continue
        keys = [f.key for f in stack]
        if label.style in keys:
            del stack[keys.index(label.style):]
        open_keys = {f.key for f in stack} | {label.style}
        nxt = units[i + 1] if i + 1 < len(units) else None
        has_children = bool(nxt and (nxt.kind == "table" and len(unit.lines) == 1 or
                                     nxt.kind == "numbered" and nxt.label.style not in open_keys
                                     and nxt.label.style not in HEADING_STYLES)) and label.style != "article"
        if label.style != "article" and sum(1 for ln in unit.lines if _trailing_attribution([ln])) >= 2:
            has_children = True           # "（一）…（A牵头）" then more paragraphs, each its own task
            units.insert(i + 1, Unit("para_run", unit.lines[1:]))
            unit.lines = unit.lines[:1]
        heading_lines, rest = _heading_split(unit)
        long_paragraphs = sum(1 for ln in rest if len(ln.text) >= 60 and not _only_attribution(ln.text))
        if heading_lines and (has_children or long_paragraphs >= 2) and label.style != "article":
            frame = push(label.style, _heading_text("".join(ln.text for ln in heading_lines)), code, label.number)
            for ln in rest:
                frame.counters["para"] = frame.counters.get("para", 0) + 1
                emit_paragraph([ln], None, f"para{frame.counters['para']}")
            continue
        if has_children:
            frame = push(label.style, _short_heading(unit.lines[0].text), code, label.number)
            stack.pop()
            emit(unit.lines, label.text, frame.component)
            stack.append(frame)
            continue
        counters = parent().counters
        counters[code] = counters.get(code, 0) + 1
        if label.style == "ordinal":
            emit_paragraph(unit.lines, label.text, f"{code}{label.number}")
        else:
            emit(unit.lines, label.text, f"{code}{label.number}")
    return out


def _heading_split(unit: Unit) -> tuple[list[Line], list[Line]]:
    """The heading lines of a numbered unit (label line, plus the next line when the label stands alone)."""
    first = unit.first_text.strip()
    lines = unit.lines
    if not first and len(lines) > 1 and _headingish(lines[1].text):
        end = 2                           # "（十四）" / "医务人员" / "满意度": cells of one heading
        while end < len(lines) and _is_cell(lines[end].text) and \
                sum(len(ln.text) for ln in lines[1:end + 1]) <= NUMBERED_HEADING_MAX and \
                not match_label(lines[end].text):
            end += 1
        return lines[:end], lines[end:]
    if first and _headingish(first):
        return lines[:1], lines[1:]
    return [], lines


def _headingish(text: str) -> bool:
    body = text.rstrip("。")
    return len(body) <= NUMBERED_HEADING_MAX and not re.search(r"[。；！？：（]", body)


def _heading_text(text: str) -> str:
    """Section path text: inner spacing of '第一章　总  则' and '国 务 院 工 作 规 则' removed."""
    text = text.strip()
    label = match_label(text)
    rest = re.sub(r"(?<=[\u4e00-\u9fff])[\s\u3000]+(?=[\u4e00-\u9fff])", "", text[label.end:] if label else text)
    if label and label.style in HEADING_STYLES:
        return f"{label.text} {rest.strip()}".strip()
    return (label.text if label else "") + rest


def _short_heading(text: str) -> str:
    """A clause that also heads sub-items: its label and first sentence stand in section paths."""
    m = re.match(r"[^。；：]{1,40}[。；：]?", text)
    return m.group(0).rstrip("。；：") if m else text[:40]


def _ordinal_pieces(line: Line) -> list[tuple[int, str, Line]] | None:
    """一是…二是…三是… inside one paragraph -> one piece each (the lead-in stays with 一是)."""
    found = [(m.start(), cn_to_int(m.group(1)), m.group(0)) for m in ORDINAL_MARKER.finditer(line.text)]
    numbers = [n for _, n, _ in found]
    if len(found) < 2 or numbers != list(range(1, len(found) + 1)):
        return None
    starts = [0] + [pos for pos, _, _ in found[1:]] + [len(line.text)]
    pieces = []
    for k in range(len(found)):
        a, b = starts[k], starts[k + 1]
        segment = line.text[a:b]
        stripped = segment.rstrip()
        pieces.append((k + 1, found[k][2], Line(line.start + a, line.start + a + len(stripped), stripped)))
    return pieces


def _only_attribution(text: str) -> bool:
    """A line that is just a task's attribution or labelled roles ("（责任单位：…）", "牵头单位：…")."""
    groups = attribution_groups(text)
    return bool(groups and groups[0][0] == 0 and text[groups[-1][1]:].strip("。；. ") == "") or \
        bool(LABELLED.match(text))


def _trailing_attribution(lines: list[Line]) -> str | None:
    text = lines[-1].text
    groups = attribution_groups(text)
    if groups and text[groups[-1][1]:].strip("。；. ") == "":
        return text[groups[-1][0]:groups[-1][1]]
    return None
