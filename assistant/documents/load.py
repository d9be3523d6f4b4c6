"""Stage 1: a file on disk -> its text, one paragraph per line.

Decoding is strict: UTF-8 (with or without BOM), then GB18030 (a superset of GBK and GB2312);
anything else is an error naming the file. Silently dropping undecodable bytes would drop Chinese
text, which is worse than refusing the file.
"""
from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from pathlib import Path

from ..errors import LoadError
from ..models import Block, LoadedText, TableRow

SUPPORTED_SUFFIXES = (".txt", ".docx", ".pdf", ".html", ".htm")
MAX_FILE_BYTES = 30 * 1024 * 1024      # a scanned-then-OCRed PDF can be large; a policy text never is
MAX_CHARACTERS = 2_000_000             # about 100 plans; embedding more would take hours on 2 cores
MAX_INFLATED_BYTES = 200 * 1024 * 1024  # a .docx's parts unpacked: a long plan with pictures is ~20 MB
MAX_ZIP_PARTS = 5_000


_CJK_GAP = re.compile(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")


class _Writer:
    """Builds the decoded text one line at a time and records where each table row landed."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.blocks: list[Block] = []

    def line(self, text: str) -> tuple[int, int]:
        text = text.replace("\r", " ").replace("\n", " ")
        if self.parts:
            self.parts.append("\n")
            self.length += 1
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        return start, self.length

    def paragraph(self, text: str, heading: bool = False) -> None:
        for piece in text.split("\n"):
            span = self.line(piece)
            if piece.strip():
                self.blocks.append(Block("heading" if heading else "paragraph", span))

    def table(self, rows: list[list[str]]) -> None:
        """One line per row, cells separated by a tab; a row of one cell (a section row) is that cell."""
        written = []
        for cells in rows:
            # a line break inside a cell ("区土方工作" / "专班") joins without a space between Chinese characters
            cells = [_CJK_GAP.sub("", " ".join(c.replace("\t", " ").split())) for c in cells]
            if not any(cells):
                continue
            shown = cells if sum(1 for c in cells if c) > 1 else [c for c in cells if c]
            written.append(TableRow(cells=tuple(cells), span=self.line("\t".join(shown))))
        if written:
            self.blocks.append(Block("table", (written[0].span[0], written[-1].span[1]), tuple(written)))

    def text(self) -> str:
        return "".join(self.parts)


def load_file(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> LoadedText:
    path = Path(path)
    if not path.exists():
        raise LoadError(str(path), "no such file")
    if path.is_dir():
        raise LoadError(str(path), "is a folder, not a document")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(str(path), f"unsupported file type '{suffix or '(none)'}'; "
                                   f"supported: {', '.join(SUPPORTED_SUFFIXES)}")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise LoadError(str(path), f"file is {size / 2**20:.1f} MB, over the {max_bytes / 2**20:.0f} MB limit")
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(str(path), f"cannot read file ({exc.strerror or exc})") from exc
    if not data.strip():
        raise LoadError(str(path), "empty document")
    reader = {".txt": _read_txt, ".docx": _read_docx, ".pdf": _read_pdf,
              ".html": _read_html, ".htm": _read_html}[suffix]
    try:
        read = reader(str(path), data)
    except LoadError:
        raise
    except RecursionError as exc:
        raise LoadError(str(path), f"{suffix} nests too deeply to read") from exc
    except Exception as exc:          # a damaged file can fail anywhere inside a format library
        raise LoadError(str(path), f"not a readable {suffix} file ({type(exc).__name__}: {exc})") from exc
    text, blocks = (read.text(), tuple(read.blocks)) if isinstance(read, _Writer) else (_tidy(read), ())
    if not text.strip():
        raise LoadError(str(path), "empty document (no text after reading it)")
    if len(text) > MAX_CHARACTERS:
        raise LoadError(str(path), f"document too long ({len(text):,} characters, over the {MAX_CHARACTERS:,} "
                                   f"limit); split it into its parts")
    return LoadedText(path=path, text=text, sha256=hashlib.sha256(data).hexdigest(), blocks=blocks)


def decode_strict(name: str, data: bytes, declared: str | None = None) -> str:
    """UTF-8 (BOM allowed), else GB18030, never with errors ignored."""
    encodings = ([declared] if declared else []) + ["utf-8-sig", "gb18030"]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if _looks_binary(text):
            raise LoadError(name, "binary data, not text (control characters found)")
        return text
    raise LoadError(name, "cannot decode as UTF-8 or GB18030 text; convert the file to UTF-8")


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\r\n\t\f\v")
    return "\x00" in sample or controls > max(2, len(sample) // 200)


def _read_txt(name: str, data: bytes) -> str:
    return decode_strict(name, data)


def _read_docx(name: str, data: bytes) -> _Writer:
    """Paragraphs and tables in document order; a table's merged cells resolved (python-docx gives a
    vertically merged cell in every row it spans; a horizontally merged one is kept once), a table
    nested in a cell kept as that cell's text."""
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    _check_zip(name, data)
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise LoadError(name, f"not a readable .docx file ({type(exc).__name__}: {exc})") from exc
    out = _Writer()
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            style = block.style.name if block.style is not None else ""
            out.paragraph(block.text, heading=style.startswith(("Heading", "Title", "标题")))
        elif isinstance(block, Table):
            out.table(_docx_rows(block))
    return out


def _check_zip(name: str, data: bytes) -> None:
    """Refuse a .docx whose parts would unpack past the limit, before anything is unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise LoadError(name, f"not a readable .docx file ({type(exc).__name__}: {exc})") from exc
    inflated = sum(info.file_size for info in infos)
    if len(infos) > MAX_ZIP_PARTS or inflated > MAX_INFLATED_BYTES:
        raise LoadError(name, f".docx unpacks to {inflated / 2**20:,.0f} MB in {len(infos):,} parts, over the "
                              f"{MAX_INFLATED_BYTES / 2**20:.0f} MB limit (a compressed bomb?)")


def _docx_rows(table, depth: int = 0) -> list[list[str]]:
    rows = []
    for row in table.rows:
        cells, previous = [], None
        for cell in row.cells:
            if previous is not None and cell._tc is previous:
                cells.append("")            # the columns a horizontally merged cell also covers
                continue
            previous = cell._tc
            cells.append(_docx_cell_text(cell, depth))
        rows.append(cells)
    return rows


def _docx_cell_text(cell, depth: int) -> str:
    from docx.table import Table

    parts = []
    for item in cell.iter_inner_content():
        if isinstance(item, Table):
            if depth < 3:                   # a nested table: its rows, cells separated by spaces
                parts.append("；".join(" ".join(c for c in r if c) for r in _docx_rows(item, depth + 1)))
        else:
            parts.append(item.text)
    return "".join(p.strip() for p in parts if p.strip())


def _read_pdf(name: str, data: bytes) -> _Writer:
    """pdfplumber: ruled tables as tables, and the text around them with visual line breaks joined
    (a line continues on the next one unless the next is indented, starts a numbered item after a
    sentence end, or the line is short and ends a sentence), running headers, footers and page
    numbers dropped."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException
    from pdfplumber.utils.exceptions import PdfminerException

    items: list[tuple[str, object]] = []       # ("line", dict) | ("table", rows) in reading order
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = [_pdf_page(page) for page in pdf.pages]
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise LoadError(name, "encrypted PDF; remove the password and try again") from exc
    except (PdfminerException, PDFSyntaxError, PSException, ValueError, TypeError, KeyError) as exc:
        inner = [exc, *exc.args, exc.__cause__, exc.__context__]
        if any(isinstance(e, (PDFPasswordIncorrect, PDFEncryptionError)) for e in inner):
            raise LoadError(name, "encrypted PDF; remove the password and try again") from exc
        raise LoadError(name, f"not a readable PDF ({type(exc).__name__}: {exc})") from exc
    furniture = _running_lines(pages)
    for page in pages:
        items.extend(item for item in page if not (item[0] == "line" and item[1]["key"] in furniture))
    if not any(kind == "line" and item["text"].strip() for kind, item in items) and \
            not any(kind == "table" for kind, _ in items):
        raise LoadError(name, "PDF has no text layer (a scanned image?); run OCR first")
    lines = [item for kind, item in items if kind == "line"]
    left = min((round(ln["x0"]) for ln in lines), default=0)
    right = max((ln["x1"] for ln in lines), default=0)
    out, paragraph, previous, table = _Writer(), "", None, None
    for kind, item in items:
        if kind == "table":
            if paragraph:
                out.paragraph(paragraph)
                paragraph, previous = "", None
            table = _continue_table(table, item, out)
            continue
        if table is not None:
            out.table(table)
            table = None
        if previous is not None and _continues(previous, item, left, right):
            paragraph += item["text"]
        else:
            if paragraph:
                out.paragraph(paragraph)
            paragraph = item["text"]
        previous = item
    if table is not None:
        out.table(table)
    if paragraph:
        out.paragraph(paragraph)
    return out


def _pdf_page(page) -> list[tuple[str, object]]:
    """A page's text lines and ruled tables, top to bottom; lines inside a table are the table's."""
    tables = [t for t in page.find_tables() if len(t.rows) >= 2]
    boxes = [t.bbox for t in tables]
    entries: list[tuple[float, tuple[str, object]]] = []
    for line in page.extract_text_lines(return_chars=False):
        inside = any(x0 - 1 <= line["x0"] and line["x1"] <= x1 + 1 and top - 1 <= line["top"] and
                     line["bottom"] <= bottom + 1 for x0, top, x1, bottom in boxes)
        if inside or not line["text"].strip():
            continue
        text = line["text"].strip()
        band = line["top"] < page.height * 0.08 or line["bottom"] > page.height * 0.92
        key = re.sub(r"\d+", "#", text) if band else None
        entries.append((line["top"], ("line", {"text": text, "x0": line["x0"], "x1": line["x1"], "key": key})))
    for table, (x0, top, x1, bottom) in zip(tables, boxes):
        rows, above = [], []
        for raw in table.extract():
            cells = ["".join((c or "").split()) if c is not None else None for c in raw]
            lead = next((i for i, c in enumerate(cells) if c), len(cells))
            # a None before the row's first cell is merged from the row above; after it, from the left
            row = [above[i] if c is None and i < lead and i < len(above) else (c or "") for i, c in enumerate(cells)]
            rows.append(row)
            above = row
        entries.append((top, ("table", rows)))
    return [entry for _, entry in sorted(entries, key=lambda e: e[0])]


def _running_lines(pages: list[list[tuple[str, object]]]) -> set[str]:
    """Keys of header and footer lines: page numbers, and a line repeated at the top or bottom of most pages."""
    counts: dict[str, int] = {}
    for page in pages:
        for key in {item["key"] for kind, item in page if kind == "line" and item["key"]}:
            counts[key] = counts.get(key, 0) + 1
    page_number = re.compile(r"[-—－\s]*#[-—－\s]*|第#页(?:共#页)?|#/#|- # -")
    return {k for k, n in counts.items() if page_number.fullmatch(k) or (len(pages) >= 3 and n * 2 >= len(pages))}


def _continues(previous: dict, line: dict, left: float, right: float) -> bool:
    """Whether `line` continues the paragraph `previous` ended a visual line of."""
    width = max(1.0, right - left)
    indented = line["x0"] > left + width * 0.02
    ends_sentence = previous["text"].endswith(("。", "！", "？", "；", "：", ":"))
    short = previous["x1"] < right - width * 0.08
    centred = previous["x0"] > left + width * 0.05 and short and not ends_sentence and len(previous["text"]) <= 40
    if indented or centred:
        return False
    if ends_sentence and (short or _LABEL_START.match(line["text"])):
        return False
    return True


_LABEL_START = re.compile(r"[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.．、]|第[一二三四五六七八九十百]+[章节条]")


def _continue_table(table: list[list[str]] | None, rows: list[list[str]], out: _Writer) -> list[list[str]]:
    """A table broken by a page: the rows of the next page's part join it (a repeated header is kept, and
    skipped later as a header)."""
    if table is not None and rows and len(rows[0]) == len(table[0]):
        return table + rows
    if table is not None:
        out.table(table)
    return rows


_HTML_DROP = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "template")
_HTML_BLOCKS = ("p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "section",
                "article", "table", "br", "blockquote", "pre", "dd", "dt", "title")


def _read_html(name: str, data: bytes) -> _Writer:
    """The body's text, a block element per line, and each outermost <table> as a table (rowspan and
    colspan resolved, a table nested in a cell kept as that cell's text)."""
    from bs4 import BeautifulSoup

    declared = re.search(rb"charset=[\"']?([A-Za-z0-9_-]+)", data[:4096])
    markup = decode_strict(name, data, declared.group(1).decode("ascii") if declared else None)
    soup = BeautifulSoup(markup, "html.parser")
    root = soup.body or soup
    tables: list[list[list[str]]] = []
    title = soup.title.get_text(strip=True) if soup.title and soup.title.string else ""
    body = _tidy(_html_text(root, tables))
    if title and title not in body[: len(title) + 200]:
        body = title + "\n" + body
    out = _Writer()
    for line in body.split("\n"):
        mark = re.fullmatch(rf"\s*{_TABLE_MARK}(\d+)\s*", line)
        if mark:
            out.table(tables[int(mark.group(1))])
        elif line.strip():
            out.paragraph(line.strip())
    return out


_TABLE_MARK = "\ue000TABLE"        # a private-use character: never in a document's own text


def _html_text(root, tables: list) -> str:
    """Text with a line break after each block element, each outermost table replaced by a mark (its
    rows go to `tables`). One pass over the tree with an explicit stack: linear in the markup however
    deep it nests (bs4's own insert_after is quadratic in the depth)."""
    from bs4 import NavigableString
    from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

    parts: list[str] = []
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            parts.append("\n")
            continue
        if isinstance(node, NavigableString):
            if not isinstance(node, (Comment, Declaration, Doctype, ProcessingInstruction)):
                parts.append(str(node))
            continue
        if node.name in _HTML_DROP:
            continue
        if node.name == "table":
            tables.append(_html_rows(node))
            parts.append(f"\n{_TABLE_MARK}{len(tables) - 1}\n")
            continue
        if node.name in _HTML_BLOCKS:
            stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.contents))
    return "".join(parts)


def _html_rows(table) -> list[list[str]]:
    """The table's grid: a cell spanning rows is repeated in each, one spanning columns is kept once."""
    rows: list[list[str]] = []
    pending: dict[int, tuple[str, int]] = {}        # column -> (text, rows still to fill)
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue
        row: list[str] = []
        cells = [c for c in tr.find_all(["td", "th"]) if c.find_parent("table") is table]
        column = 0
        for cell in cells:
            column = _rows_spanned(row, pending, column)
            text = " ".join(cell.get_text(" ").split())
            span = _int(cell.get("colspan"), 1, 50)
            down = _int(cell.get("rowspan"), 1, 1000)
            for k in range(span):
                row.append(text if k == 0 else "")
                if down > 1:
                    pending[column + k] = (text if k == 0 else "", down - 1)
            column += span
        _rows_spanned(row, pending, column)
        rows.append(row)
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows]


def _rows_spanned(row: list[str], pending: dict[int, tuple[str, int]], column: int) -> int:
    """Fill `row` from `column` on with the cells above that span down into it; the next free column."""
    while column in pending:
        text, left = pending[column]
        row.append(text)
        if left <= 1:
            del pending[column]
        else:
            pending[column] = (text, left - 1)
        column += 1
    return column


def _int(value, default: int, limit: int) -> int:
    try:
        return max(1, min(limit, int(str(value).strip())))
    except (TypeError, ValueError):
        return default


def _tidy(text: str) -> str:
    """Newlines normalized to \n; nothing else changes, so clause spans index the text as written."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
