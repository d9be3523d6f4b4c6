"""Loading what officers actually receive: strict decoding, docx, pdf, html, and clear errors."""

import pytest

from assistant.errors import LoadError
from assistant.documents.load import load_file

SENTENCE = "各市应于6月前公布2021年度土壤污染重点监管单位名录。"


def test_utf8_with_and_without_bom(tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_bytes(SENTENCE.encode("utf-8"))
    bom = tmp_path / "bom.txt"
    bom.write_bytes(b"\xef\xbb\xbf" + SENTENCE.encode("utf-8"))
    assert load_file(plain).text == SENTENCE
    assert load_file(bom).text == SENTENCE      # the BOM is not part of the text


def test_gbk_and_gb18030_including_a_character_outside_gbk(tmp_path):
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes(SENTENCE.encode("gbk"))
    assert load_file(gbk).text == SENTENCE
    rare = "㐀" + SENTENCE                          # U+3400 exists in GB18030 only
    gb = tmp_path / "gb18030.txt"
    gb.write_bytes(rare.encode("gb18030"))
    assert load_file(gb).text == rare


@pytest.mark.parametrize("content, reason", [
    (b"", "empty document"),
    (b"  \n\t\r\n  ", "empty document"),
    ("\u3000\u3000\n".encode("utf-8"), "empty document"),
    (bytes(range(256)) * 4, "cannot decode"),
    (b"\x00\x01PK\x03\x04\x14\x00" * 50, "binary data"),
])
def test_bad_text_files_fail_with_the_file_name(tmp_path, content, reason):
    path = tmp_path / "坏 文件.txt"
    path.write_bytes(content)
    with pytest.raises(LoadError) as err:
        load_file(path)
    assert "坏 文件.txt" in str(err.value) and reason in str(err.value)


def test_undecodable_bytes_are_refused_not_dropped(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes(b"\x81\x30\xff\xfe" * 10 + SENTENCE.encode("utf-8"))
    with pytest.raises(LoadError, match="cannot decode as UTF-8 or GB18030"):
        load_file(path)


def test_unknown_extension_missing_file_and_folder(tmp_path):
    odd = tmp_path / "plan.xlsx"
    odd.write_bytes(b"PK")
    with pytest.raises(LoadError, match="unsupported file type '.xlsx'"):
        load_file(odd)
    with pytest.raises(LoadError, match="no such file"):
        load_file(tmp_path / "missing.txt")
    with pytest.raises(LoadError, match="is a folder"):
        load_file(tmp_path)


def test_size_limit(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(SENTENCE.encode("utf-8") * 100)
    with pytest.raises(LoadError, match="over the .* MB limit"):
        load_file(big, max_bytes=1000)


def _docx(path):
    import docx

    document = docx.Document()
    document.add_paragraph("2021年度广西土壤污染防治重点工作实施计划")
    document.add_paragraph("1．持续开展重点行业企业用地土壤污染状况调查。（自治区生态环境厅牵头，自治区农业农村厅等参与）")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "一级指标"
    table.cell(0, 1).text = "二级指标"
    table.cell(1, 0).text = "医疗质量"
    table.cell(1, 1).text = "功能定位"
    document.add_paragraph("2．加大土壤污染状况详查成果应用。")
    document.save(path)


def test_docx_paragraphs_and_tables_in_order(tmp_path):
    path = tmp_path / "计划.docx"
    _docx(path)
    loaded = load_file(path)
    lines = [ln for ln in loaded.text.split("\n") if ln]
    assert lines == ["2021年度广西土壤污染防治重点工作实施计划",
                     "1．持续开展重点行业企业用地土壤污染状况调查。（自治区生态环境厅牵头，自治区农业农村厅等参与）",
                     "一级指标\t二级指标", "医疗质量\t功能定位", "2．加大土壤污染状况详查成果应用。"]
    table = [b for b in loaded.blocks if b.kind == "table"]
    assert [r.cells for r in table[0].rows] == [("一级指标", "二级指标"), ("医疗质量", "功能定位")]
    assert all(loaded.text[slice(*r.span)] == "\t".join(r.cells) for r in table[0].rows)


def test_truncated_docx_is_a_clear_error(tmp_path):
    whole = tmp_path / "whole.docx"
    _docx(whole)
    cut = tmp_path / "cut.docx"
    cut.write_bytes(whole.read_bytes()[:2000])
    with pytest.raises(LoadError, match="cut.docx: not a readable .docx"):
        load_file(cut)


def _pdf(path, lines=(), encrypt=None):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt)
    c.setFont("STSong-Light", 12)
    y = 800
    for line in lines:
        c.drawString(50, y, line)
        y -= 40
    c.rect(50, 100, 200, 100, fill=1)       # something on the page even without text
    c.save()


def test_pdf_text_layer(tmp_path):
    path = tmp_path / "plan.pdf"
    _pdf(path, ["2021年度广西土壤污染防治重点工作实施计划", "1．持续开展重点行业企业用地土壤污染状况调查。"])
    text = load_file(path).text
    assert "2021年度广西土壤污染防治重点工作实施计划" in text
    assert "1．持续开展重点行业企业用地土壤污染状况调查。" in text


def test_scanned_and_encrypted_pdfs_are_clear_errors(tmp_path):
    scanned = tmp_path / "scan.pdf"
    _pdf(scanned)
    with pytest.raises(LoadError, match="scan.pdf: PDF has no text layer"):
        load_file(scanned)
    locked = tmp_path / "locked.pdf"
    _pdf(locked, ["保密文件"], encrypt="secret")
    with pytest.raises(LoadError, match="locked.pdf: encrypted PDF"):
        load_file(locked)
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 50)
    with pytest.raises(LoadError, match="junk.pdf"):
        load_file(junk)


def test_html_body_without_scripts_or_navigation(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><meta charset='gbk'><title>国务院关于促进综合保税区高水平开放高质量发展的若干意见</title>"
        "<script>alert('x')</script><style>p{color:red}</style></head><body>"
        "<nav>首页 | 政策 | 解读</nav><h1>国务院关于促进综合保税区高水平开放高质量发展的若干意见</h1>"
        "<p>1.拓展两个市场。<span>积极稳妥地</span>在综合保税区推广增值税一般纳税人资格试点。（税务总局、财政部、海关总署负责）</p>"
        "<footer>版权所有</footer></body></html>", encoding="gbk")
    text = load_file(path).text
    lines = [ln for ln in text.split("\n") if ln.strip()]
    assert lines[0] == "国务院关于促进综合保税区高水平开放高质量发展的若干意见"
    assert "1.拓展两个市场。积极稳妥地在综合保税区推广增值税一般纳税人资格试点。（税务总局、财政部、海关总署负责）" in lines
    assert not any(bad in text for bad in ("alert", "color:red", "首页", "版权所有"))
