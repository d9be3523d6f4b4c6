"""Every form a task's roles, deadlines and targets come in, beyond the attribution parenthesis; each
rule with a real sentence (the Shanghai forms documents) or one written in the same form."""
import pytest

from assistant.tasks.deadlines import find_deadlines, table_deadline
from assistant.tasks.fields import clause_roles
from assistant.tasks.parse import parse_file, parse_text
from assistant.tasks.targets import find_targets

from conftest import CORPUS, ROOT, clause_with, names

DATA = ROOT / "tests" / "data"


def roles(text):
    r = clause_roles(text)
    return names(r.lead), names(r.participants), names(r.responsible), names(r.implementers), names(r.guiding)


@pytest.mark.parametrize("text, lead, participants, responsible", [
    # half-width brackets and ";" (沪奉府办发〔2021〕18号)
    ("(牵头单位：区绿化市容局、新城公司;配合单位：区水务局、区交通委、奉发集团、各街镇、开发区)",
     ["区绿化市容局", "新城公司"], ["区水务局", "区交通委", "奉发集团", "各街镇", "开发区"], []),
    # a unit list that goes on after a comma (黄发改委办〔2025〕5号)
    ("（责任单位：区发展改革委、区房管局、区国资委，各街道管理办，各区属集团）", [], [],
     ["区发展改革委", "区房管局", "区国资委", "各街道管理办", "各区属集团"]),
    # a shared suffix across a comma (沪绿容〔2021〕208号)
    ("（责任部门：嘉定区、青浦区、松江区、奉贤区政府，临港新片区管委会）", [], [],
     ["嘉定区政府", "青浦区政府", "松江区政府", "奉贤区政府", "临港新片区管委会"]),
    # labels in any order, full-width separators, a time label
    ("（配合单位：县财政局；牵头单位：县农业农村局。完成时限：2023年6月底前）", ["县农业农村局"], ["县财政局"], []),
    # bare agency parentheses: the bodies responsible
    ("完成县城污水管网改造。（县水利局、县财政局）", [], [], ["县水利局", "县财政局"]),
    ("开展城中村整治。（市住房城乡建设局）", [], [], ["市住房城乡建设局"]),
    # 配合实施 is participation
    ("开展试点。（县农业农村局牵头，县财政局、县市场监管局配合实施）", ["县农业农村局"], ["县财政局", "县市场监管局"], []),
    # prose: the agency list ends where the verb begins (青府办发〔2025〕20号)
    ("区生态环境局、区绿化市容局、区城管执法局要会同区建设管理委和区水务局加强对发现建筑垃圾跨省非法倾倒的行为",
     ["区生态环境局", "区绿化市容局", "区城管执法局"], ["区建设管理委", "区水务局"], []),
    ("由区生态环境局牵头，区水务局、区农业农村委配合，开展河道排查。", ["区生态环境局"], ["区水务局", "区农业农村委"], []),
    ("市生态环境局要会同市农业农村局、市水利局做好监测工作。", ["市生态环境局"], ["市农业农村局", "市水利局"], []),
    # an agency heading its duty (沪奉府办发〔2021〕18号 三、工作职责; 青府办发〔2025〕20号 附件1)
    ("(一)区发展改革委：负责公园绿地等建设项目的审批、投资政策制定等工作。", [], [], ["区发展改革委"]),
    ("区建设管理委：一是对建设工地进行日常管理，落实建筑垃圾监管工作。", [], [], ["区建设管理委"]),
])
def test_roles(text, lead, participants, responsible):
    assert roles(text)[:3] == (lead, participants, responsible)


def test_labelled_lines_under_a_task_in_any_order():
    text = "某县2023年农村污水治理工作方案\n一、重点任务\n（一）建成乡镇污水处理站6座。\n" \
           "完成时限：2023年10月底前\n配合单位：县财政局、县自然资源局\n牵头单位：县住房城乡建设局\n" \
           "（二）开展农村黑臭水体整治。\n实施部门：各乡镇人民政府；指导部门：县生态环境局；时间节点：2023年9月\n"
    parsed = parse_text(text, "a.txt")
    first = clause_with(parsed, "建成乡镇污水处理站6座")
    assert (names(first.lead_agencies), names(first.participants)) == (["县住房城乡建设局"], ["县财政局", "县自然资源局"])
    assert [(d.text, d.normalized) for d in first.deadlines] == [("2023年10月底前", "2023-10-31")]
    assert first.targets == ("6座",)
    second = clause_with(parsed, "开展农村黑臭水体整治")
    assert (names(second.implementers), names(second.guiding)) == (["各乡镇人民政府"], ["县生态环境局"])
    assert [(d.text, d.normalized) for d in second.deadlines] == [("2023年9月", "2023-09-30")]
    task = next(t for t in parsed.tasks if t.clause_id == second.clause_id)
    assert task.origin.value == "label" and names(task.implementers) == ["各乡镇人民政府"]


def test_responsibility_line_of_its_own_stays_with_its_task():
    """黄发改委办〔2025〕5号: each （一）… is followed by "（责任单位：…）" as its own line."""
    doc = parse_file(CORPUS / "sh_huangpu_2025_5_kezaishengnengyuan.txt")
    first = clause_with(doc, "全面实施“光伏+”专项工程")
    assert first.label == "（一）" and names(first.responsible)[:2] == ["区发展改革委", "区建管委"]
    assert "打浦桥街道管理办" in names(first.responsible)


def test_agency_headed_duty_sections():
    """虹府规〔2022〕3号: "（三）虹口区建设和管理委员会" heads numbered duties."""
    doc = parse_file(CORPUS / "sh_hongkou_2022_3_jianzhulaji.txt")
    duty = clause_with(doc, "推动施工工地在场地出口设置称重设备")
    assert names(duty.responsible) == ["虹口区建设和管理委员会"]
    task = next(t for t in doc.tasks if t.clause_id == duty.clause_id)
    assert task.origin.value == "agency_section"
    first = clause_with(doc, "区绿化市容局是本区建筑垃圾处理的主管部门")
    assert names(first.responsible) == ["虹口区绿化和市容管理局"]


def test_a_notice_addressee_is_not_a_duty():
    parsed = parse_text("关于做好复工复产工作的通知各区人民政府：为做好企业复工复产工作，现就有关事项通知如下。"
                        "企业复工前应当向所在街道报备防控方案。", "a.txt")
    assert not any(c.has_roles for c in parsed.clauses)


@pytest.mark.parametrize("text, expected", [
    ("3-4月开展排查", [("3-4月", "2024-03-01/2024-04-30")]),
    ("10—11月完成复核", [("10—11月", "2024-10-01/2024-11-30")]),
    ("2024年9月完成验收", [("2024年9月完成", "2024-09-30")]),
    ("雨季前完成河道清淤", [("雨季前", None)]),
    ("春耕前完成培训", [("春耕前", None)]),
    ("每年12月底前报送年度报告", [("每年12月底前", "R/P1Y/--12-31")]),
    ("排查结果于季度结束后 10日内向社会公开", [("季度结束后 10日内", "R/P3M/end+P10D")]),
    ("（完成时限：长期坚持）", [("长期坚持", "ongoing")]),
    ("每年向社会公布一次", [("每年", "R/P1Y")]),
])
def test_deadline_forms(text, expected):
    assert [(d.text, d.normalized) for d in find_deadlines(text, 2024)] == expected


def test_ongoing_work_in_prose_is_not_a_deadline():
    assert find_deadlines("2．持续推进耕地安全利用。", 2021) == []


@pytest.mark.parametrize("cell, expected", [
    ("全年推进", ("全年推进", "ongoing")), ("持续推进", ("持续推进", "ongoing")), ("年内完成", ("年内完成", "2025-12-31")),
    ("一季度完成", ("一季度完成", "2025-03-31")), ("与国家安排同步", ("与国家安排同步", None)),
    ("2023年6月底前", ("2023年6月底前", "2023-06-30"))])
def test_time_column_cells(cell, expected):
    assert [(d.text, d.normalized) for d in table_deadline(cell, 2025)] == [expected]


@pytest.mark.parametrize("text, expected", [
    ("建成乡镇污水处理站6座", ["6座"]), ("完成整治12处", ["12处"]), ("新增监测点位40个", ["40个"]),
    ("建设乡镇垃圾转运站5座，配套密闭运输车辆", ["5座"]), ("涉及73类行业", []), ("共有3个部门参加", [])])
def test_count_targets(text, expected):
    assert find_targets(text) == expected


def test_numbering_that_breaks_the_sequence_is_body_text():
    plan = parse_file(DATA / "shuiyuan_baohu_yaodian.txt")
    assert [c.section_path[0] for c in plan.clauses if c.label] == \
        ["一、强化水源地规范化建设", "一、强化水源地规范化建设", "二、加强水质监测预警", "二、加强水质监测预警", "三、落实保障措施"]
    flood = clause_with(plan, "二、三季度为汛期")
    assert flood.label is None and flood.section_path[0] == "二、加强水质监测预警"
    assert names(clause_with(plan, "完善应急预案").lead_agencies) == ["市应急管理局"]
    rules = parse_file(DATA / "nongcun_gongshui_banfa.txt")
    assert [c.label for c in rules.clauses] == ["第一条", "第二条", "第三条", "第四条", "第五条", "第六条"]
    fourth = clause_with(rules, "供水单位应当每月对出厂水")
    assert "第三条规定的监督管理情况" in fourth.text
    assert ("每年", "R/P1Y") in [(d.text, d.normalized) for d in fourth.deadlines]


def test_title_with_its_number_and_an_attachment_on_one_line():
    text = "某县人民政府办公室关于印发农业废弃物回收利用工作方案的通知某政办发〔2020〕12号\n各乡镇人民政府：\n" \
           "一、工作目标\n到2023年底，回收率达到80%以上。\n附件：重点任务分工表\n序号\n重点任务\n牵头单位\n" \
           "1\n建立回收网络\n县农业农村局\n"
    parsed = parse_text(text, "a.txt")
    assert parsed.document.title == "某县人民政府办公室关于印发农业废弃物回收利用工作方案的通知"
    assert parsed.document.doc_number == "某政办发〔2020〕12号"
    row = [c for c in parsed.clauses if c.row == 1][0]
    assert row.section_path == ("重点任务分工表",) and names(row.lead_agencies) == ["县农业农村局"]


@pytest.mark.parametrize("text", [
    "企业复工前应当向所在街道报备防控方案，落实测温、消毒等措施。区卫生健康委负责指导企业做好防控工作。",
    "关于做好复工复产工作的通知各区人民政府：为做好企业复工复产工作，现就有关事项通知如下。" + "企业复工前应当报备方案，落实测温措施。" * 60,
    "只有一行"])
def test_documents_without_numbering_always_have_clauses(text):
    parsed = parse_text(text, "a.txt")
    assert parsed.clauses and all(text[slice(*c.span)] == c.text for c in parsed.clauses)
    assert all(len(c.text) <= 700 for c in parsed.clauses)


def test_a_responsible_cell_marking_its_lead():
    text = "某市大气污染防治任务分工\n序号\n重点任务\n责任单位\n牵头领导\n完成时限\n" \
           "1\n开展工业炉窑综合治理\n市生态环境局（牵头）、市工业和信息化局、市发展改革委\n张三\n2024年底前\n" \
           "2\n推进柴油货车淘汰\n市交通运输局牵头，市公安局配合\n李四\n2024年9月\n"
    rows = [t for t in parse_text(text, "a.txt").tasks if t.row]
    assert (names(rows[0].lead_agencies), names(rows[0].participants)) == \
        (["市生态环境局"], ["市工业和信息化局", "市发展改革委"])
    assert (names(rows[1].lead_agencies), names(rows[1].participants)) == (["市交通运输局"], ["市公安局"])
    assert [d.normalized for d in rows[1].deadlines] == ["2024-09-30"]
    assert "张三" in rows[0].text and not rows[0].responsible       # 牵头领导 is a person, not an agency


def test_a_labelled_line_under_an_unnumbered_paragraph_belongs_to_it():
    text = "某区河长制工作要点\n全面开展河湖“清四乱”专项行动，年底前完成整治。\n牵头单位：区水务局；配合单位：区生态环境局\n" \
           "加强入河排污口监管。\n（责任单位：区生态环境局）\n"
    clauses = [c for c in parse_text(text, "a.txt").clauses if c.has_roles]
    assert [(c.text.split("\n")[0][:6], names(c.lead_agencies), names(c.participants), names(c.responsible))
            for c in clauses] == [("全面开展河湖", ["区水务局"], ["区生态环境局"], []),
                                  ("加强入河排污", [], [], ["区生态环境局"])]
