"""Roles from every attribution form in the corpus, each with a real sentence."""
import pytest

from assistant.tasks.agencies import split_agencies
from assistant.tasks.fields import clause_roles
from assistant.tasks.parse import parse_text

from conftest import GUANGXI, clause_with, names


def roles(text):
    r = clause_roles(text)
    return names(r.lead), names(r.participants), names(r.responsible)


@pytest.mark.parametrize("text, lead, participants, responsible", [
    ("（自治区生态环境厅牵头，自治区农业农村厅、自然资源厅、地矿局等参与）",
     ["自治区生态环境厅"], ["自治区农业农村厅", "自治区自然资源厅", "自治区地矿局"], []),
    ("（自治区生态环境厅、农业农村厅牵头，自治区自然资源厅、住房城乡建设厅、卫生健康委、粮食和储备局、地矿局等参与）",
     ["自治区生态环境厅", "自治区农业农村厅"],
     ["自治区自然资源厅", "自治区住房城乡建设厅", "自治区卫生健康委", "自治区粮食和储备局", "自治区地矿局"], []),
    ("（自治区生态环境厅、公安厅、交通运输厅、住房城乡建设厅、商务厅、南宁海关及广西海事局分别牵头，自治区发展改革委、工业和信息化厅等参与）",
     ["自治区生态环境厅", "自治区公安厅", "自治区交通运输厅", "自治区住房城乡建设厅", "自治区商务厅", "南宁海关", "广西海事局"],
     ["自治区发展改革委", "自治区工业和信息化厅"], []),
    ("（自治区科技厅、农业农村厅、生态环境厅按职责牵头，自治区工业和信息化厅、住房城乡建设厅、交通运输厅、自然资源厅等参与）",
     ["自治区科技厅", "自治区农业农村厅", "自治区生态环境厅"],
     ["自治区工业和信息化厅", "自治区住房城乡建设厅", "自治区交通运输厅", "自治区自然资源厅"], []),
    ("（河池市人民政府与柳州市人民政府按职责分别牵头，自治区相关部门参与配合）",
     ["河池市人民政府", "柳州市人民政府"], [], []),
    ("（自治区生态环境厅、河池市人民政府、梧州市人民政府按职责牵头，自治区自然资源厅、水利厅、农业农村厅等参与）",
     ["自治区生态环境厅", "河池市人民政府", "梧州市人民政府"], ["自治区自然资源厅", "自治区水利厅", "自治区农业农村厅"], []),
    ("（各相关市人民政府牵头，自治区生态环境厅、财政厅、农业农村厅、自然资源厅等参与）",
     ["各相关市人民政府"], ["自治区生态环境厅", "自治区财政厅", "自治区农业农村厅", "自治区自然资源厅"], []),
    ("（自治区生态环境厅、农业农村厅负责）", [], [], ["自治区生态环境厅", "自治区农业农村厅"]),
    ("（海关总署、商务部等有关部门负责）", [], [], ["海关总署", "商务部"]),
    ("（生态环境部会同有关部门负责）", ["生态环境部"], [], []),
    ("（负责部门：人力资源社会保障部、住房城乡建设部、银保监会、证监会、知识产权局，适用范围：广东自贸试验区）",
     [], [], ["人力资源社会保障部", "住房城乡建设部", "银保监会", "证监会", "知识产权局"]),
    ("（负责部门：药监局；适用范围：福建自贸试验区）", [], [], ["药监局"]),
    ("（牵头单位：自治区生态环境厅；责任单位：各设区市人民政府）", ["自治区生态环境厅"], [], ["各设区市人民政府"]),
    ("（农业农村部、工业和信息化部牵头负责）", ["农业农村部", "工业和信息化部"], [], []),
    ("（商务部指导，供销合作总社参与）", ["商务部"], ["供销合作总社"], []),
    ("（教育部、人力资源社会保障部等有关部门和单位按职责分工负责）", [], [], ["教育部", "人力资源社会保障部"]),
    ("（技工院校内由人力资源社会保障行政部门负责）", [], [], ["人力资源社会保障行政部门"]),
])
def test_attribution_forms(text, lead, participants, responsible):
    sentence = "持续开展重点行业企业用地土壤污染状况调查。" + text
    assert roles(sentence) == (lead, participants, responsible)


@pytest.mark.parametrize("text, lead, participants", [
    ("农用地由地方人民政府农业农村、林业部门会同生态环境、自然资源等部门组织开展调查。",
     ["地方人民政府农业农村部门", "地方人民政府林业部门"], ["地方人民政府生态环境部门", "地方人民政府自然资源部门"]),
    ("市场监管总局要发挥牵头作用，会同有关部门制定联合抽查事项清单。", ["市场监管总局"], []),
    ("海关总署要继续做好牵头工作，进一步优化区域布局。", ["海关总署"], []),
    ("建立由农业农村部、工业和信息化部牵头的国家农业机械化发展协调推进机制。", ["农业农村部", "工业和信息化部"], []),
    ("国务院生态环境主管部门会同国务院农业农村、自然资源、住房城乡建设、林业草原等主管部门组织开展全国土壤污染状况普查。",
     ["国务院生态环境主管部门"],
     ["国务院农业农村主管部门", "国务院自然资源主管部门", "国务院住房城乡建设主管部门", "国务院林业草原主管部门"]),
])
def test_roles_in_prose(text, lead, participants):
    assert roles(text)[:2] == (lead, participants)


def test_prose_roles_in_a_law_article_and_a_passive_mention(parsed_corpus):
    law = parsed_corpus["law_turang_fangzhi_2018.txt"]
    art = clause_with(law, "第十六条 地方人民政府农业农村")
    assert names(art.lead_agencies) == ["地方人民政府农业农村主管部门", "地方人民政府林业草原主管部门"]
    assert names(art.participants) == ["地方人民政府生态环境主管部门", "地方人民政府自然资源主管部门"]
    assert not roles("实施方案按程序报送生态环境部，经生态环境部会同有关部门组织专家评审后实施。")[0]


def test_a_parenthetical_that_is_not_an_attribution_gives_no_roles():
    assert roles("根据《中华人民共和国个人所得税法》（以下简称个人所得税法），制定本条例。") == ([], [], [])
    assert roles("各市县（市、区）人民政府要加强领导。") == ([], [], [])


@pytest.mark.parametrize("names_text, expected", [
    ("自治区生态环境厅、农业农村厅", ["自治区生态环境厅", "自治区农业农村厅"]),
    ("自治区发展改革委、工业和信息化厅、市场监管局等", ["自治区发展改革委", "自治区工业和信息化厅", "自治区市场监管局"]),
    ("文化和旅游部、粮食和储备局", ["文化和旅游部", "粮食和储备局"]),
    ("各市县（市、区）人民政府", ["各市县（市、区）人民政府"]),
    ("各有关部门和单位", []),
    ("有关部门", []),
    ("自治区相关部门", []),
    ("人民银行等部门", ["人民银行"]),
    ("省、自治区、直辖市人民政府环境保护主管部门", ["省、自治区、直辖市人民政府环境保护主管部门"]),
    ("国务院有关部门", []),
    # a table cell of the 上海 公园城市 指导意见 (a line break after the comma): the suffix is shared within its run
    ("嘉定区、青浦区、松江区、奉贤区政府，\n临港新片区管委会",
     ["嘉定区政府", "青浦区政府", "松江区政府", "奉贤区政府", "临港新片区管委会"]),
    # Jing'an's table: 市北园区 is a park, its 市 no prefix for the district bodies after it; 等各相关部门 is vague
    ("市北园区、生态环境局、建设管理委、发展改革委", ["市北园区", "生态环境局", "建设管理委", "发展改革委"]),
    ("发展改革委、商务委、生态环境局等各相关部门", ["发展改革委", "商务委", "生态环境局"]),
])
def test_agency_lists(names_text, expected):
    assert names(split_agencies(names_text)[0]) == expected


def test_full_name_and_name_as_written():
    agencies, _ = split_agencies("自治区生态环境厅、农业农村厅")
    assert [(a.name, a.as_written) for a in agencies] == [("自治区生态环境厅", "自治区生态环境厅"), ("自治区农业农村厅", "农业农村厅")]


def test_local_governments_are_responsible_for_every_later_task(parsed_corpus):
    gx = parsed_corpus[GUANGXI.name]
    first = clause_with(gx, "持续开展重点行业企业用地土壤污染状况调查。")
    assert names(first.responsible) == ["各市县（市、区）人民政府", "地方各级人民政府"]
    tasks = [c for c in gx.clauses if c.has_roles]
    assert len(tasks) == 27
    assert all("地方各级人民政府" in names(c.responsible) for c in tasks)
    intro = clause_with(gx, "2021年是我国全面建成小康社会")       # before the rule, and no task
    assert not intro.has_roles


def test_first_listed_agency_leads_after_the_rule(parsed_corpus):
    doc = parsed_corpus["gov_guofa_2019_03_zongbaoqu.txt"]
    rule_clause = clause_with(doc, "积极稳妥地在综合保税区推广增值税一般纳税人资格试点")
    assert (names(rule_clause.lead_agencies), names(rule_clause.participants)) == (["税务总局"], ["财政部", "海关总署"])
    later = clause_with(doc, "14.开展检测维修")
    assert (names(later.lead_agencies), names(later.participants)) == (["商务部"], ["工业和信息化部", "生态环境部", "海关总署"])
    assert not later.responsible
    nongji = parsed_corpus["gov_guofa_2018_42_nongji.txt"]
    clause = clause_with(nongji, "（九）加强绿色高效新机具新技术示范推广")
    assert names(clause.lead_agencies) == ["农业农村部"]
    assert names(clause.participants)[:2] == ["科技部", "工业和信息化部"]


def test_without_the_rule_a_responsible_list_has_no_lead(parsed_corpus):
    doc = parsed_corpus["gov_guofa_2018_38_zimaoqu.txt"]
    tasks = [c for c in doc.clauses if c.has_roles]
    assert len(tasks) == 53
    assert all(not c.lead_agencies and c.responsible for c in tasks)


def test_rules_only_apply_after_they_are_stated():
    text = ("2021年工作计划\n一、重点任务\n1．开展调查。（甲厅、乙厅负责）\n"
            "2．开展评估。（丙厅、丁厅负责，列第一位者为牵头单位，下同）\n3．开展整改。（戊厅、己厅负责）\n")
    doc = parse_text(text, "t.txt")
    by_label = {c.label: c for c in doc.clauses}
    assert names(by_label["1．"].responsible) == ["甲厅", "乙厅"] and not by_label["1．"].lead_agencies
    assert names(by_label["2．"].lead_agencies) == ["丙厅"] and names(by_label["2．"].participants) == ["丁厅"]
    assert names(by_label["3．"].lead_agencies) == ["戊厅"] and names(by_label["3．"].participants) == ["己厅"]


def test_task_after_an_attribution_in_the_same_paragraph_is_its_own_clause(parsed_corpus):
    doc = parsed_corpus["gov_guobanfa_2018_128_wufeichengshi.txt"]
    design = clause_with(doc, "开展绿色设计和绿色供应链建设")
    recycle = clause_with(doc, "以铅酸蓄电池、动力电池、电器电子产品、汽车为重点")
    assert names(design.lead_agencies) == ["工业和信息化部", "商务部", "生态环境部"]
    assert names(recycle.lead_agencies) == ["国家发展改革委", "工业和信息化部", "生态环境部", "商务部", "市场监管总局"]
    assert "试点城市政府" in names(recycle.responsible)
