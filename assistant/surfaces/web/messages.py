"""The web app's words for what the index reports: ingest results, load errors and progress, in Chinese.

The index and the loaders speak English to the command line ("cannot decode as UTF-8 or GB18030…");
an officer in the web app reads the same facts in Chinese. A reason not listed here is shown after a
Chinese lead-in rather than dropped.
"""
from __future__ import annotations

import re

# (pattern over the English reason, Chinese text; groups are substituted by position)
_REASONS: list[tuple[re.Pattern[str], str]] = [(re.compile(p), t) for p, t in (
    (r"^unchanged$", "已导入过同一文件，内容未变，未重复导入"),
    (r"^same content as (.+)$", "与已导入的 {0} 内容相同，未重复导入"),
    (r"^already indexed as (.+)$", "与已导入的 {0} 内容相同，未重复导入"),
    (r"^no such file", "文件不存在"),
    (r"^is a folder", "这是文件夹，不是文件"),
    (r"^unsupported file type '([^']*)'", "不支持的文件类型 {0}（支持 txt、docx、pdf、html）"),
    (r"^file is ([\d.]+) MB, over the (\d+) MB limit", "文件 {0} MB，超过 {1} MB 的上限"),
    (r"^cannot read file", "无法读取文件"),
    (r"^empty document", "文件是空的，没有文字"),
    (r"^document too long", "文件文字过多，超过上限"),
    (r"^binary data", "不是文本文件（含二进制内容）"),
    (r"^cannot decode", "无法识别文字编码（既不是 UTF-8 也不是 GB18030），请另存为 UTF-8 后再上传"),
    (r"^not a readable \.docx", "无法读取的 Word 文件（.docx 已损坏或格式不对）"),
    (r"^encrypted PDF", "PDF 已加密，请去掉密码后再上传"),
    (r"^not a readable PDF", "无法读取的 PDF 文件"),
    (r"^PDF has no text layer", "PDF 没有文字层（可能是扫描件），请先做文字识别（OCR）"),
    (r"^no clauses found", "文件中没有找到条款"),
    (r"^cannot parse", "解析失败"),
    (r"(?:^|is )protected(?: and cannot be (replaced|removed))?", "该文件受保护，不能替换或删除"),
    (r"another policyqa (?:ingest|writer) is writing|lease", "另一个导入正在写入索引，请稍后再试；索引未改变"),
)]


def reason_zh(reason: str) -> str:
    """A loader or index reason in Chinese (unknown ones keep their English after 原因：)."""
    for pattern, text in _REASONS:
        m = pattern.search(reason)
        if m:
            return text.format(*m.groups())
    return f"无法导入（原因：{reason}）"


def progress_zh(message: str) -> tuple[float | None, str]:
    """An ingest progress line -> (fraction done or None, Chinese description)."""
    if m := re.match(r"(parse|lexical|embed) (\d+)/(\d+)(?: (.+))?$", message):     # the versioned index's steps
        stage, done, total = m.group(1), int(m.group(2)), int(m.group(3))
        start, width, text = {"parse": (0.0, 0.3, "正在读取"), "lexical": (0.3, 0.1, "正在建立关键词索引"),
                              "embed": (0.4, 0.6, "正在建立语义索引")}[stage]
        name = f" {m.group(4)}" if m.group(4) else ""
        return start + width * done / max(total, 1), f"{text}{name}（{done}/{total}）"
    if m := re.match(r"\[(\d+)/(\d+)\] reading (.+)$", message):
        done, total = int(m.group(1)), int(m.group(2))
        return 0.3 * (done - 1) / total, f"正在读取 {m.group(3)}（{done}/{total}）"
    if m := re.match(r"embedding (\d+)/(\d+)$", message):
        done, total = int(m.group(1)), int(m.group(2))
        return 0.3 + 0.65 * done / max(total, 1), f"正在建立检索索引 {done}/{total}"
    if message.startswith("embedding"):
        return 0.3, "正在建立检索索引"
    if message.startswith("copying"):
        return 0.25, "正在保留已有文件的索引"
    return None, "正在导入"
