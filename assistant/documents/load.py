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
from ..models import LoadedText

SUPPORTED_SUFFIXES = (".txt", ".docx", ".pdf", ".html", ".htm")
MAX_FILE_BYTES = 30 * 1024 * 1024      # a scanned-then-OCRed PDF can be large; a policy text never is
MAX_CHARACTERS = 2_000_000             # about 100 plans; embedding more would take hours on 2 cores


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
    text = _tidy(reader(str(path), data))
    if not text.strip():
        raise LoadError(str(path), "empty document (no text after reading it)")
    if len(text) > MAX_CHARACTERS:
        raise LoadError(str(path), f"document too long ({len(text):,} characters, over the {MAX_CHARACTERS:,} "
                                   f"limit); split it into its parts")
    return LoadedText(path=path, text=text, sha256=hashlib.sha256(data).hexdigest())


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


def _read_docx(name: str, data: bytes) -> str:
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise LoadError(name, f"not a readable .docx file ({type(exc).__name__}: {exc})") from exc
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            lines.extend(_table_cells(block))
    return "\n".join(lines)


def _table_cells(table) -> list[str]:
    """One cell per line, row by row; a merged cell is reported once."""
    cells: list[str] = []
    seen: set = set()          # the cell elements themselves, kept alive so identity is stable
    for row in table.rows:
        for cell in row.cells:
            if cell._tc in seen:
                continue
            seen.add(cell._tc)
            cells.extend(p.text for p in cell.paragraphs)
    return cells


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
