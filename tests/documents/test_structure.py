"""The clause tree on real documents: every numbering rule with a real line."""
import pytest

from assistant.documents.numbering import cn_to_int, match_label
from assistant.tasks.parse import parse_text

from conftest import CORPUS, GUANGXI, clause_with


@pytest.mark.parametrize("text, value", [("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("五十四", 54),
                                         ("一百零三", 103), ("九十九", 99), ("二〇一九", 2019), ("１２", 12)])
def test_chinese_numerals(text, value):
    assert cn_to_int(text) == value


@pytest.mark.parametrize("line, style, number, label", [
    ("一、总体要求", "cn", 1, "一、"),
    ("（十八）健全组织实施机制。建立由农业农村部、工业和信息化部牵头的国家农业机械化发展协调推进机制", "paren_cn", 18, "（十八）"),
    ("1．持续开展重点行业企业用地土壤污染状况调查。", "arabic", 1, "1．"),
    ("21.推广创新制度。经政策评估后，支持综合保税区率先全面复制推广", "arabic", 21, "21."),
    ("9. I类切口手术部位感染率▲", "arabic", 9, "9."),
    ("（1）", "paren_arabic", 1, "（1）"),
    ("第一章 总则", "chapter", 1, "第一章"),
    ("第一章　总  则", "chapter", 1, "第一章"),
    ("第一节 一般规定", "section", 1, "第一节"),
    ("第九十九条 本法自2019年1月1日起施行。", "article", 99, "第九十九条"),
    ("第一条　根据《中华人民共和国个人所得税法》（以下简称个人所得税法），制定本条例。", "article", 1, "第一条"),
    ("五十四、国务院工作人员要严格遵守宪法和法律", "cn", 54, "五十四、"),
    ("三是加强宣传教育。加强《中华人民共和国土壤污染防治法》等法律法规宣传解读", "ordinal", 3, "三是"),
])
def test_numbering_labels(line, style, number, label):
    found = match_label(line)
    assert (found.style, found.number, found.text) == (style, number, label)


@pytest.mark.parametrize("line", ["2021年是我国全面建成小康社会", "国务院", "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：",
                                  "一，不是编号", "1.5亿亩"])
def test_lines_without_numbering(line):
    assert match_label(line) is None


def test_guangxi_bare_headings_make_two_levels(parsed_corpus):
    gx = parsed_corpus[GUANGXI.name]
    task = clause_with(gx, "持续开展重点行业企业用地土壤污染状况调查")
    assert task.section_path == ("重点任务", "加大土壤污染详查范畴和成果应用")
    assert task.label == "1．"
    groundwater = clause_with(gx, "科学制定广西地下水污染防治“十四五”规划")
    assert groundwater.section_path == ("重点任务", "推进地下水污染防治工作开展")
    assert groundwater.label is None
    assert clause_with(gx, "各市、县（市、区）人民政府是实施土壤污染防治工作的责任主体").section_path == ("工作要求", "加强组织领导")
    assert clause_with(gx, "污染地块安全利用率达到95%以上").section_path == ("目标指标",)


def test_guangxi_no_clause_lost_or_merged(parsed_corpus):
    gx = parsed_corpus[GUANGXI.name]
    tasks = [c for c in gx.clauses if c.label and c.label.endswith("．")]
    assert [c.label for c in tasks] == ["1．", "2．", "1．", "2．", "3．", "4．", "5．", "6．", "7．", "1．", "2．", "3．",
                                        "1．", "2．", "3．", "4．", "5．", "1．", "2．", "3．", "1．", "2．", "3．"]
    for clause in tasks:  # each task is one numbered item: no second "N．" item inside it
        assert clause.text.count("．") == 1, clause.text[:40]
        assert clause.text.startswith(clause.label)
    text = GUANGXI.read_text(encoding="utf-8")
    for clause in gx.clauses:   # text as written, span into the source
        assert text[clause.span[0]:clause.span[1]] == clause.text
    ids = [c.clause_id for c in gx.clauses]
    assert len(ids) == len(set(ids))


def test_inline_ordinals_split_and_share_the_closing_attribution(parsed_corpus):
    gx = parsed_corpus[GUANGXI.name]
    first = clause_with(gx, "一是加强部门协调配合")
    second = clause_with(gx, "二是依法公开信息")
    third = clause_with(gx, "三是加强宣传教育")
    assert [first.label, second.label, third.label] == ["一是", "二是", "三是"]
    assert "二是" not in first.text
    for clause in (first, second, third):
        assert [a.name for a in clause.lead_agencies] == ["自治区生态环境厅"]


def test_ids_are_stable_across_parses():
    text = GUANGXI.read_text(encoding="utf-8")
    one, two = parse_text(text, GUANGXI.name), parse_text(text, GUANGXI.name)
    assert [c.clause_id for c in one.clauses] == [c.clause_id for c in two.clauses]
    assert one.document.doc_id == two.document.doc_id
    changed = parse_text(text.replace("约60个", "约70个"), GUANGXI.name)
    assert changed.document.doc_id != one.document.doc_id


def test_paren_heading_alone_with_body_on_next_line(parsed_corpus):
    doc = parsed_corpus["gov_guofa_2019_04_zhijiao.txt"]
    clause = clause_with(doc, "（一）健全国家职业教育制度框架。")
    assert clause.label == "（一）"
    assert "把握好正确的改革方向" in clause.text           # the body on the next line belongs to it
    assert clause.section_path == ("国家职业教育改革实施方案", "一、完善国家职业教育制度体系")


def test_paren_label_alone_then_heading_then_items(parsed_corpus):
    doc = parsed_corpus["gov_guobanfa_2019_04_yiyuan_kaohe.txt"]
    item = clause_with(doc, "16.点评处方占处方总数的比例")
    assert item.section_path == ("三级公立医院绩效考核指标", "一、医疗质量", "（三）合理用药")
    assert "计算方法：点评处方数/处方总数×100%。" in item.text      # table cells of the row stay with it
    assert item.text.startswith("16.")


def test_continuous_numbering_across_chapters(parsed_corpus):
    doc = parsed_corpus["gov_guofa_2004_18_gongzuoguize.txt"]
    items = [c for c in doc.clauses if c.label and c.label.endswith("、")]
    assert [cn_to_int(c.label[:-1]) for c in items] == list(range(1, 55))
    assert clause_with(doc, "五十四、").section_path[-1] == "第十章 作风纪律"
    assert clause_with(doc, "一、第十届全国人民代表大会").section_path == ("国务院工作规则", "第一章 总则")


def test_law_chapters_sections_articles_and_items(parsed_corpus):
    doc = parsed_corpus["law_turang_fangzhi_2018.txt"]
    articles = [c for c in doc.clauses if c.label and c.label.endswith("条")]
    assert len(articles) == 99 == len(doc.clauses)
    art = clause_with(doc, "第十六条 地方人民政府农业农村")
    assert "（六）国务院农业农村、林业草原、生态环境" in art.text        # items stay inside the article
    assert clause_with(doc, "第四十九条").section_path == ("第四章 风险管控和修复", "第二节 农用地")


def test_amendment_history_is_metadata_not_clauses(parsed_corpus):
    doc = parsed_corpus["law_shui_wuran_fangzhi_2017.txt"]
    assert doc.clauses[0].label == "第一条"
    assert not any("第六届全国人民代表大会常务委员会第五次会议通过" in c.text for c in doc.clauses)
    assert doc.document.date == "2017-06-27" and doc.document.issuer == "全国人民代表大会常务委员会"
    geshui = parsed_corpus["gov_ling_707_geshui_tiaoli.txt"]
    assert not any("1994年1月28日中华人民共和国国务院令第142号发布" in c.text for c in geshui.clauses)


@pytest.mark.parametrize("name, title, number, issuer, date", [
    ("gov_guofa_2019_03_zongbaoqu.txt", "国务院关于促进综合保税区高水平开放高质量发展的若干意见", "国发〔2019〕3号", "国务院", "2019-01-12"),
    ("gov_guobanfa_2019_04_yiyuan_kaohe.txt", "国务院办公厅关于加强三级公立医院绩效考核工作的意见", "国办发〔2019〕4号", "国务院办公厅", "2019-01-16"),
    ("gov_guofa_2004_18_gongzuoguize.txt", "国务院关于印发《国务院工作规则》的通知", "国发〔2004〕18号", "国务院", "2004-06-26"),
    ("gov_ling_707_geshui_tiaoli.txt", "中华人民共和国个人所得税法实施条例", "国务院令第707号", "国务院", "2018-12-18"),
    ("law_turang_fangzhi_2018.txt", "中华人民共和国土壤污染防治法", None, "全国人民代表大会常务委员会", "2018-08-31"),
    ("gwr_2022_zhengfu_gongzuo_baogao.txt", "2022年国务院政府工作报告", None, "国务院", "2022-03-05"),
    ("gx_2021_turang_wuran_fangzhi_jihua.txt", "2021年度广西土壤污染防治重点工作实施计划", None, None, None),
])
def test_document_metadata(parsed_corpus, name, title, number, issuer, date):
    doc = parsed_corpus[name].document
    assert (doc.title, doc.doc_number, doc.issuer, doc.date) == (title, number, issuer, date)


def test_header_and_signature_lines_are_not_clauses(parsed_corpus):
    for name in ("gov_guofa_2019_03_zongbaoqu.txt", "gov_guobanfa_2019_04_yiyuan_kaohe.txt"):
        texts = [c.text for c in parsed_corpus[name].clauses]
        assert not any(t.startswith(("各省、自治区、直辖市人民政府，国务院各部委", "国务院办公厅\n", "（此件公开发布）")) for t in texts)
        assert not any(t in ("国务院", "国务院办公厅", "2019年1月12日") for t in texts)


def test_every_corpus_document_parses_into_clauses(parsed_corpus):
    assert len(parsed_corpus) == 28
    for name, doc in parsed_corpus.items():
        assert len(doc.clauses) >= 10, name
        assert doc.document.title, name


def test_flattened_text_still_splits_into_the_same_tasks():
    """Web text with no line breaks: numbering, attributions and sentences still make the clauses."""
    text = GUANGXI.read_text(encoding="utf-8")
    normal = parse_text(text, GUANGXI.name)
    flat = parse_text("".join(text.split()), GUANGXI.name)
    assert flat.document.title == "2021年度广西土壤污染防治重点工作实施计划"

    def tasks(doc):
        return [(c.label, [a.name for a in c.lead_agencies], [a.name for a in c.participants],
                 [d.text for d in c.deadlines]) for c in doc.clauses if c.has_roles]

    assert tasks(flat) == tasks(normal)
    assert len(tasks(flat)) == 27


def test_flattened_national_plan_and_law():
    for name, count in (("gov_guofa_2019_03_zongbaoqu.txt", 21), ("law_turang_fangzhi_2018.txt", 99)):
        text = (CORPUS / name).read_text(encoding="utf-8")
        flat = parse_text("".join(text.split()), name)
        normal = parse_text(text, name)
        assert flat.document.title == normal.document.title
        labelled = [c for c in flat.clauses if c.label and (c.label[0].isdigit() or c.label.endswith("条"))]
        assert len(labelled) == count, name
        assert max(len(c.text) for c in flat.clauses) < 1000
