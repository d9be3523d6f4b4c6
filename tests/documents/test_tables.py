"""Task tables in every shape they reach us: Word grids with merged cells, ruled PDF tables, HTML tables
and text written one cell per line; each rule with a real row."""
import zipfile

import pytest

from assistant.documents import load
from assistant.documents.load import load_file
from assistant.documents.tables import column_field, header_columns, looks_like_agencies
from assistant.errors import LoadError
from assistant.tasks.parse import parse_file, parse_text

from conftest import CORPUS, ROOT, names

DATA = ROOT / "tests" / "data"


@pytest.mark.parametrize("name, field", [
    ("序号", "label"), ("任务编号", "label"), ("牵头单位", "lead"), ("牵头部门", "lead"), ("配合单位", "participants"),
    ("责任单位", "responsible"), ("责任部门", "responsible"), ("主要部门", "responsible"), ("单位", "responsible"),
    ("实施部门", "implementers"), ("指导部门", "guiding"), ("完成时限", "deadline"), ("时间节点", "deadline"),
    ("时间进度", "deadline"), ("2024年", "year"), ("重点任务", "text"), ("主要工作内容", "text"), ("职责分工", "text")])
def test_column_names(name, field):
    assert column_field(name) == field


def test_a_header_needs_a_role_or_time_column():
    assert [c.field for c in header_columns(["序号", "重点任务", "牵头单位", "配合单位", "完成时限"])] == \
        ["label", "text", "lead", "participants", "deadline"]
    assert header_columns(["序号", "名称", "位置", "面积", "备注"]) is None       # a project list: no task fields
    assert header_columns(["一级指标", "二级指标"]) is None


@pytest.mark.parametrize("cell", [
    "发展改革委、生态环境局、建设管理委、商务委、科技经济委等", "区土方工作专班", "建设主管部门、区规划资源局",
    "嘉定区、青浦区、松江区、奉贤区政府，临港新片区管委会", "卫生健康委、机管局、文化旅游局、区委党校、建设管理委",
    "生态环境局、临汾路街道、彭浦镇", "属地街镇、区属企业", "建设管理委（交通委）、机管局"])
def test_agency_cells(cell):
    assert looks_like_agencies(cell)


@pytest.mark.parametrize("cell", [
    "开展打击“黑车”运营专项执法整治行动，对道路交通安全违法行为进行查处", "落实消纳场所备案", "执法查处", "运行",
    "加快布局和培育绿色低碳新赛道产业发展，力争培育和引进1家绿色低碳行业龙头或核心企业", "相关要求", "面积单位"])
def test_sentences_and_words_are_not_agencies(cell):
    assert not looks_like_agencies(cell)


@pytest.mark.parametrize("name", ["feiqiwu_fengong_merged.docx", "feiqiwu_fengong_plain.docx"])
def test_docx_task_table_merged_cells_belong_to_every_row(name):
    parsed = parse_file(DATA / name)
    rows = [t for t in parsed.tasks if t.origin.value == "table"]
    assert [t.label for t in rows] == ["1", "2", "3"]
    pilot = rows[1]
    assert "废旧农膜回收利用试点" in pilot.text
    assert names(pilot.lead_agencies) == ["县农业农村局"]
    assert names(pilot.participants) == ["县财政局", "县市场监管局"]
    assert [(d.text, d.normalized) for d in pilot.deadlines] == [("2023年6月底前", "2023-06-30")]
    assert pilot.section_path == ("重点任务分工表", "一、回收体系建设")
    # the row is also a clause with the same fields: the single-clause answer path reads those
    clause = next(c for c in parsed.clauses if c.clause_id == pilot.clause_id)
    assert (clause.label, names(clause.lead_agencies), clause.row) == ("2", ["县农业农村局"], 2)
    assert rows[2].section_path[-1] == "二、处置能力建设"


def test_docx_rows_are_tab_separated_lines_with_their_blocks():
    loaded = load_file(DATA / "feiqiwu_fengong_merged.docx")
    table = next(b for b in loaded.blocks if b.kind == "table")
    assert table.rows[0].cells == ("序号", "重点任务", "牵头单位", "配合单位", "完成时限")
    assert table.rows[1].cells == ("一、回收体系建设", "", "", "", "")      # a section row spanning the table
    assert table.rows[3].cells[2] == "县农业农村局"                         # vertically merged over rows 1 and 2
    assert all(loaded.text[slice(*r.span)].split("\t")[0] == r.cells[0] for r in table.rows)


def test_text_table_one_cell_per_line_with_merged_and_broken_cells():
    """附件3 of the Qingpu plan: 序号 and 工作任务 given once for several 主要工作内容, "区土方工作/专班"
    broken over two lines, "——" for nobody, the header repeated after page breaks."""
    parsed = parse_file(CORPUS / "sh_qingpu_2025_20_jianzhulaji.txt")
    rows = [t for t in parsed.tasks if t.origin.value == "table"]
    assert len(rows) == 26
    second = [t for t in rows if "开展建筑垃圾转运码头规划、备案工作" in t.text][0]
    assert second.label == "（四）" and second.section_path[-1] == "落实建筑垃圾转运码头规划、建设和备案"
    assert names(second.lead_agencies) == ["区绿化市容局"] and second.participants == ()
    special = [t for t in rows if "梳理评估本区出土项目" in t.text][0]
    assert names(special.lead_agencies) == ["区土方工作专班"]
    assert not any("序号" in t.text for t in rows)


def test_text_table_section_rows_and_time_column():
    parsed = parse_file(CORPUS / "sh_jingan_2025_11_tandafeng.txt")
    rows = [t for t in parsed.tasks if t.origin.value == "table"]
    assert [t.label for t in rows] == [str(n) for n in range(1, 71)]
    first, seventh, last = rows[0], rows[6], rows[-1]
    assert first.section_path[-1] == "推进碳达峰碳中和综合管理"
    assert names(first.responsible) == ["发展改革委", "生态环境局", "建设管理委", "商务委", "科技经济委"]
    assert [(d.text, d.normalized) for d in first.deadlines] == [("全年推进", "ongoing")]
    assert [(d.text, d.normalized) for d in seventh.deadlines] == [("一季度完成", "2025-03-31")]
    assert last.section_path[-1] == "强化责任落实和监督执法"


def test_agency_first_table():
    """"单位 | 职责分工": each row is the unit's duty."""
    rows = [t for t in parse_file(CORPUS / "sh_fengxian_2024_12_weifayongdi.txt").tasks if t.origin.value == "table"]
    assert len(rows) == 16
    assert names(rows[4].responsible) == ["公安局奉贤分局"] and "刑事司法衔接" in rows[4].text


def test_html_table_rowspan_colspan_and_nested_table(tmp_path):
    page = tmp_path / "fengong.html"
    page.write_text(
        "<html><head><meta charset='utf-8'></head><body><p>某县2023年农业废弃物回收利用工作方案</p>"
        "<p>附件</p><p>重点任务分工表</p><table>"
        "<tr><th>序号</th><th>重点任务</th><th>牵头单位</th><th>配合单位</th><th>完成时限</th></tr>"
        "<tr><td colspan='5'>一、回收体系建设</td></tr>"
        "<tr><td>1</td><td>建立农药包装废弃物回收网络</td><td rowspan='2'>县农业农村局</td><td>县供销社</td>"
        "<td rowspan='2'>2023年6月底前</td></tr>"
        "<tr><td>2</td><td>开展废旧农膜回收利用试点<table><tr><td>试点乡镇</td><td>3个</td></tr></table></td>"
        "<td>县财政局、县市场监管局</td></tr></table></body></html>", encoding="utf-8")
    rows = [t for t in parse_file(page).tasks if t.origin.value == "table"]
    assert [(t.label, names(t.lead_agencies), names(t.participants), [d.text for d in t.deadlines]) for t in rows] == [
        ("1", ["县农业农村局"], ["县供销社"], ["2023年6月底前"]),
        ("2", ["县农业农村局"], ["县财政局", "县市场监管局"], ["2023年6月底前"])]
    assert "试点乡镇 3个" in rows[1].text                  # the nested table's text belongs to its row
    assert rows[0].section_path[-1] == "一、回收体系建设"


def test_deeply_nested_html_is_read(tmp_path):
    page = tmp_path / "deep.html"
    page.write_text("<html><body>" + "<div>" * 20000 + "一、总体要求。加强管理。" + "</div>" * 20000 + "</body></html>",
                    encoding="utf-8")
    assert "加强管理" in load_file(page).text


def test_pdf_wrapped_lines_are_joined_and_roles_read():
    parsed = parse_file(DATA / "daqi_gongjian_fangan.pdf")
    by_label = {c.label: c for c in parsed.clauses if c.label and c.label.startswith("（")}
    assert names(by_label["（一）"].lead_agencies) == ["市生态环境局"]
    assert names(by_label["（一）"].participants) == ["市工业和信息化局", "市发展改革委"]
    assert names(by_label["（二）"].lead_agencies) == ["市交通运输局", "市公安局交警支队"]
    assert names(by_label["（三）"].participants) == ["市城市管理局", "市自然资源局", "市生态环境局"]
    assert names(by_label["（四）"].lead_agencies) == ["市农业农村局"]
    assert "季度结束后10日内" in [d.text for d in by_label["（三）"].deadlines]
    assert "\n" not in by_label["（一）"].text               # one paragraph, not four visual lines


def test_pdf_ruled_table_over_pages():
    rows = [t for t in parse_file(DATA / "sh_jingan_2025_11_tandafeng.pdf").tasks if t.origin.value == "table"]
    assert len(rows) == 70 and names(rows[52].responsible)[0] == "市北园区"


def test_docx_that_inflates_past_the_limit_is_refused_before_reading(tmp_path, monkeypatch):
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"0" * 3_000_000)
    monkeypatch.setattr(load, "MAX_INFLATED_BYTES", 1_000_000)
    with pytest.raises(LoadError, match="bomb.docx: .docx unpacks to .* over the"):
        load_file(bomb)


def test_a_table_row_is_never_a_section_heading():
    text = "某区工作方案\n一、重点任务\n序号\n重点任务\n牵头单位\n配合单位\n1\n开展排查整治\n区生态环境局\n区水务局\n"
    clauses = parse_text(text, "a.txt").clauses
    row = [c for c in clauses if c.row == 1][0]
    assert row.section_path == ("一、重点任务",) and names(row.participants) == ["区水务局"]


def test_pdf_running_headers_footers_and_page_numbers_are_dropped(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "plan.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    tasks = [f"（{n}）开展第{n}批河道整治。（区水务局牵头，区生态环境局参与）" for n in "一二三四五六"]
    for page in range(3):
        c.setFont("STSong-Light", 10)
        c.drawString(72, 810, "某区人民政府办公室文件")           # running header
        c.drawString(290, 30, f"- {page + 1} -")                  # page number
        c.setFont("STSong-Light", 12)
        if page == 0:
            c.drawString(150, 740, "某区2024年河道整治工作方案")
        for k, line in enumerate(tasks[page * 2:page * 2 + 2]):
            c.drawString(96, 680 - 60 * k, line)
        c.showPage()
    c.save()
    parsed = parse_file(path)
    assert parsed.document.title == "某区2024年河道整治工作方案"
    texts = "\n".join(c.text for c in parsed.clauses)
    assert "某区人民政府办公室文件" not in texts and "- 2 -" not in texts
    assert [c.label for c in parsed.clauses if c.lead_agencies] == [f"（{n}）" for n in "一二三四五六"]


def test_year_columns_are_per_year_targets_and_deadlines(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("某区造林项目计划")
    rows = [("序号", "项目名称", "责任单位", "2024年", "2025年"),
            ("1", "环城林带建设", "区绿化市容局", "√", ""),
            ("2", "新增公益林", "区农业农村委", "300亩", "500亩")]
    table = document.add_table(rows=3, cols=5)
    for r, values in enumerate(rows):
        for k, value in enumerate(values):
            table.cell(r, k).text = value
    path = tmp_path / "plan.docx"
    document.save(path)
    rows = [t for t in parse_file(path).tasks if t.origin.value == "table"]
    assert [(d.text, d.normalized) for d in rows[0].deadlines] == [("2024年", "2024-12-31")]
    assert rows[1].targets == ("2024年：300亩", "2025年：500亩")
    assert names(rows[1].responsible) == ["区农业农村委"]


def test_a_docx_with_broken_xml_is_a_clear_error(tmp_path):
    path = tmp_path / "broken.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/'
                         'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                         'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        archive.writestr("word/document.xml", '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/'
                         '2006/main"><w:body><w:p><unclosed></w:body>')
    with pytest.raises(LoadError, match="broken.docx: not a readable .docx file"):
        load_file(path)


def test_word_headings_paragraphs_and_tables_are_blocks_in_order(tmp_path):
    import docx

    document = docx.Document()
    document.add_heading("某县2023年农业废弃物回收利用工作方案", level=1)
    document.add_paragraph("为加强农业面源污染防治，制定本方案。")
    table = document.add_table(rows=2, cols=2)
    for r, values in enumerate([("重点任务", "牵头单位"), ("建立回收网络", "县农业农村局")]):
        for k, value in enumerate(values):
            table.cell(r, k).text = value
    path = tmp_path / "plan.docx"
    document.save(path)
    loaded = load_file(path)
    assert [b.kind for b in loaded.blocks] == ["heading", "paragraph", "table"]
    assert loaded.text[slice(*loaded.blocks[0].span)] == "某县2023年农业废弃物回收利用工作方案"


@pytest.mark.parametrize("sep", ["\t", "  "])
def test_text_table_one_row_per_line_then_more_text(sep):
    """A table pasted from Word or a spreadsheet: a row per line, cells separated by tabs or spaces; a
    section row of one cell; the body goes on after it."""
    rows = [("序号", "重点任务", "牵头单位", "配合单位", "完成时限"), ("一、回收体系建设",),
            ("1", "建立农药包装废弃物回收网络", "县农业农村局", "县供销社、县生态环境分局", "2023年6月底前"),
            ("2", "开展废旧农膜回收利用试点", "县农业农村局", "县财政局、县市场监管局", "2023年6月底前")]
    text = "某县2023年农业废弃物回收利用工作方案\n一、职责分工\n" + "\n".join(sep.join(r) for r in rows) + \
        "\n二、保障措施\n（一）加强组织领导。各乡镇要明确专人负责。\n"
    parsed = parse_text(text, "a.txt")
    table = [c for c in parsed.clauses if c.row]
    assert [(c.label, c.section_path[-1], names(c.lead_agencies), names(c.participants)) for c in table] == [
        ("1", "一、回收体系建设", ["县农业农村局"], ["县供销社", "县生态环境分局"]),
        ("2", "一、回收体系建设", ["县农业农村局"], ["县财政局", "县市场监管局"])]
    after = [c for c in parsed.clauses if c.label == "（一）"]
    assert len(after) == 1 and after[0].section_path == ("二、保障措施",)
