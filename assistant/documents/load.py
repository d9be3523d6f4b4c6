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

    def paragraph(self, text: str) -> None:
        for piece in text.split("\n"):
            span = self.line(piece)
            if piece.strip():
                self.blocks.append(Block("paragraph", span))

    def table(self, rows: list[list[str]]) -> None:
        """One line per row, cells separated by a tab; a row of one cell (a section row) is that cell."""
        written = []
        for cells in rows:
            cells = [" ".join(c.replace("\t", " ").split()) for c in cells]
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
    read = reader(str(path), data)
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
            out.paragraph(block.text)
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


def _read_pdf(name: str, data: bytes) -> str:
    from pdfminer.high_level import extract_text
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    try:
        text = extract_text(io.BytesIO(data))
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise LoadError(name, "encrypted PDF; remove the password and try again") from exc
    except (PDFSyntaxError, PSException, ValueError, TypeError, KeyError) as exc:
        raise LoadError(name, f"not a readable PDF ({type(exc).__name__}: {exc})") from exc
    if not text.strip():
        raise LoadError(name, "PDF has no text layer (a scanned image?); run OCR first")
    # pdfminer ends every visual line with \n and paragraphs with a blank line: keep paragraphs whole.
    paragraphs = re.split(r"\n\s*\n", text.replace("\x0c", "\n\n"))
    return "\n".join(p.replace("\n", "") for p in paragraphs)


_HTML_DROP = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "template")
_HTML_BLOCKS = ("p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "section",
                "article", "table", "br", "blockquote", "pre", "dd", "dt", "title")


def _read_html(name: str, data: bytes) -> str:
    from bs4 import BeautifulSoup

    declared = re.search(rb"charset=[\"']?([A-Za-z0-9_-]+)", data[:4096])
    markup = decode_strict(name, data, declared.group(1).decode("ascii") if declared else None)
    soup = BeautifulSoup(markup, "html.parser")
    for tag in soup.find_all(_HTML_DROP):
        tag.decompose()
    root = soup.body or soup
    for tag in root.find_all(_HTML_BLOCKS):
        tag.insert_after("\n")
    title = soup.title.get_text(strip=True) if soup.title else ""
    body = root.get_text()
    if title and title not in body[: len(title) + 200]:
        body = title + "\n" + body
    return body


def _tidy(text: str) -> str:
    """Newlines normalized to \n; nothing else changes, so clause spans index the text as written."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
