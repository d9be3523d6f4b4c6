"""Question -> Query on a small index (a hashing embedder: analysis reads names, titles and words, not
vectors): scope, agencies with roles and polarity, unknown names, time conditions, operations."""

import pytest

from assistant.index import Index
from assistant.models import Operation, Role
from assistant.query.analyse import QueryAnalyser
from assistant.settings import Settings

from conftest import CORPUS
from fakes import HashEmbedder

FILES = ["gx_2021_turang_wuran_fangzhi_jihua.txt", "law_turang_fangzhi_2018.txt", "gov_guofa_2019_03_zongbaoqu.txt",
         "gov_guobanfa_2019_03_youeryuan.txt"]
FENGXIAN = "sh_fengxian_2021_18_gongyuanchengshi.txt"


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    index = Index(Settings.from_env(index_dir=tmp_path_factory.mktemp("analyse")), embedder=HashEmbedder())
    paths = [CORPUS / f for f in FILES + [FENGXIAN]]
    report = index.ingest(paths)
    assert not report.failed
    return index


@pytest.fixture(scope="module")
def analyser(small):
    return QueryAnalyser(small)


def source(small, doc_ids):
    return sorted(small.documents()[d].source for d in doc_ids)


@pytest.mark.parametrize("question, expected", [
    ("广西土壤计划中涉镉污染源排查谁牵头？", "gx_2021_turang_wuran_fangzhi_jihua.txt"),   # a province the plan is about
    ("国发〔2019〕3号里促进内销便利谁负责？", "gov_guofa_2019_03_zongbaoqu.txt"),         # 文号 as written
    ("国发2019年3号文件中促进内销便利谁负责？", "gov_guofa_2019_03_zongbaoqu.txt"),        # 文号 typed loosely
    ("土壤法里重点监管单位名录由谁制定？", "law_turang_fangzhi_2018.txt"),                 # a short name of a law
    ("在综保区意见里，促进内销便利是谁负责？", "gov_guofa_2019_03_zongbaoqu.txt"),
    ("小区配套幼儿园治理通知里摸底排查什么时候完成？", "gov_guobanfa_2019_03_youeryuan.txt"),
])
def test_scope_from_the_document_named(small, analyser, question, expected):
    q = analyser.analyse(question)
    assert source(small, q.scope) == [expected] and q.scope_from == "named"


def test_scope_by_place_and_a_loose_kind_word(small, analyser):
    # the Fengxian document is an 实施意见; officers call it 方案
    q = analyser.analyse("奉贤那个方案里万个微基建谁牵头？")
    assert source(small, q.scope) == [FENGXIAN]


def test_scope_from_the_conversation_and_deictic_words(small, analyser):
    first = analyser.analyse("广西土壤计划主要讲什么？")

    class Previous:
        query, scope = first, first.scope

    q = analyser.analyse("这个计划里耕地安全利用谁牵头？", previous=Previous)
    assert q.scope == first.scope and q.scope_from == "conversation" and q.deictic
    assert analyser.analyse("这个计划里耕地安全利用谁牵头？").scope == ()


@pytest.mark.parametrize("question, conditions", [
    ("工信厅参与了哪些任务？", [("自治区工业和信息化厅", Role.PARTICIPANTS, False)]),          # short name
    ("国土厅牵头哪些任务？", [("自治区自然资源厅", Role.LEAD, False)]),                        # older name
    ("广西自然资源厅牵头什么任务？", [("自治区自然资源厅", Role.LEAD, False)]),                # another prefix
    ("生态环竟厅牵头的任务有哪些？", [("自治区生态环境厅", Role.LEAD, False)]),                # one-character typo
    ("生态环境厅牵头、农业农村厅参与的任务有哪些？", [("自治区生态环境厅", Role.LEAD, False),
                                                   ("自治区农业农村厅", Role.PARTICIPANTS, False)]),
    ("农业农村厅参与但不牵头的任务有哪些？", [("自治区农业农村厅", Role.PARTICIPANTS, False),
                                            ("自治区农业农村厅", Role.LEAD, True)]),
    ("生态环境厅和自然资源厅共同牵头的任务？", [("自治区生态环境厅", Role.LEAD, False),
                                               ("自治区自然资源厅", Role.LEAD, False)]),
    ("牵头单位是不是市监局？", [("自治区市场监管局", Role.LEAD, False)]),                      # role word before
])
def test_agency_conditions(analyser, question, conditions):
    q = analyser.analyse(question)
    got = [(c.agencies[0] if len(c.agencies) == 1 else c.agencies, c.role, c.negated) for c in q.conditions]
    assert got == conditions and not q.unknown_agencies


@pytest.mark.parametrize("question, unknown", [
    ("文旅厅牵头哪些任务？", "文化和旅游厅"),
    ("教育厅参与了哪些土壤污染防治任务？", "教育厅"),
    ("民政厅牵头哪些任务？", "民政厅"),
])
def test_agencies_the_documents_never_name_are_unknown(analyser, question, unknown):
    q = analyser.analyse(question)
    assert q.unknown_agencies == (unknown,) and not q.conditions


@pytest.mark.parametrize("question", ["哪个部门牵头？", "各有关部门负责什么", "主管部门是谁", "涉镉污染源排查谁牵头？"])
def test_generic_words_are_not_agencies(analyser, question):
    assert not analyser.analyse(question).unknown_agencies


@pytest.mark.parametrize("question, due", [
    ("广西土壤计划上半年要完成哪些任务？", dict(after="2021-01-01", by="2021-06-30")),
    ("广西土壤计划下半年到期的任务有哪些？", dict(after="2021-07-01", by="2021-12-31")),
    ("广西土壤计划第二季度末前要完成哪些工作？", dict(by="2021-06-30", after=None)),
    ("广西土壤计划三季度要完成哪些工作？", dict(after="2021-07-01", by="2021-09-30")),
    ("广西土壤计划年底前要完成哪些任务？", dict(by="2021-12-31")),
    ("广西土壤计划明年要完成什么任务？", dict(after="2022-01-01", by="2022-12-31")),
    ("广西土壤计划里哪些工作要按季度报送进展？", dict(period="R/P3M")),
    ("哪些任务每季度结束后3日内报送？", dict(recurrence="R/P3M/end+P3D")),
    ("哪些任务是长期持续推进的？", dict(ongoing=True)),
])
def test_time_conditions(analyser, question, due):
    q = analyser.analyse(question)
    assert q.due is not None
    for key, value in due.items():
        assert getattr(q.due, key) == value, (key, q.due)


@pytest.mark.parametrize("question, operation", [
    ("涉镉污染源排查谁牵头？", Operation.LOOKUP),
    ("农业农村厅牵头哪些任务？", Operation.LIST),
    ("生态环境厅牵头的任务有几项？", Operation.COUNT),
    ("工信厅是不是涉镉污染源排查的牵头单位？", Operation.YES_NO),
    ("发改委在涉重金属企业污染管控中是什么角色？", Operation.WHICH_ROLE),
    ("广西土壤计划里最早到期的任务是哪项？", Operation.EARLIEST),
    ("广西土壤计划中最晚到期的是哪个任务？", Operation.LATEST),
    ("广西土壤计划主要讲了什么？", Operation.OVERVIEW),
    ("广西土壤计划重点任务分几个方面？", Operation.OVERVIEW),
    ("广西土壤计划里农用地分类管理方面有哪些任务？", Operation.OUTLINE),
    ("土壤法和广西土壤计划对土壤污染重点监管单位各有什么要求？", Operation.COMPARE),
    ("涉镉污染源排查具体怎么做？", Operation.EXPLAIN),
    ("永久基本农田集中区域能不能规划新建可能造成土壤污染的建设项目？", Operation.FACT),
    ("重点监管单位名录最晚什么时候要公布？", Operation.LOOKUP),      # 最晚 of one task is a field, not "the latest"
])
def test_operations(analyser, question, operation):
    assert analyser.analyse(question).operation == operation


def test_follow_up_and_more_need_a_previous_answer(analyser):
    first = analyser.analyse("涉镉污染源排查谁牵头？")

    class Previous:
        query, scope = first, first.scope

    assert analyser.analyse("那期限呢？", previous=Previous).follow_up
    assert analyser.analyse("还有呢？", previous=Previous).more
    alone = analyser.analyse("还有呢？")
    assert not alone.more and not alone.follow_up


@pytest.mark.parametrize("name, form", [
    ("公安局奉贤分局", "奉贤分局"),                 # a unit named without its parent
    ("自治区生态环境厅土壤生态环境处", "土壤生态环境处"),
    ("自治区农业农村厅", "农业农村厅"),             # without the jurisdiction prefix
    ("梧州市人民政府", "梧州市政府"),
])
def test_short_forms_officers_use(name, form):
    from assistant.query.analyse import _short_forms

    assert form in _short_forms(name)


@pytest.mark.parametrize("name", ["区属企业", "市级有关部门", "县内各乡镇"])
def test_a_place_word_that_is_an_adjective_is_not_dropped(name):
    """"区属企业" (district-owned enterprises) must not become "属企业", which would be found
    inside "涉重金属企业" in a question about another task."""
    from assistant.query.analyse import _short_forms

    assert _short_forms(name) == {name}


def test_a_plan_being_drawn_up_is_the_topic_not_a_documents_name(analyser, small):
    """"公园城市规划编制谁牵头": 规划 followed by 编制 is the task (drawing up the plan), so 公园城市 and 规划
    stay the question's topic; 奉贤 still names the Fengxian plan."""
    query = analyser.analyse("奉贤区公园城市规划编制谁牵头，配合单位有哪些？")
    assert {"公园城市", "规划", "编制"} <= set(query.task_words)
    assert source(small, query.scope) == [FENGXIAN]


@pytest.fixture(scope="module")
def shanghai(tmp_path_factory):
    index = Index(Settings.from_env(index_dir=tmp_path_factory.mktemp("shanghai")), embedder=HashEmbedder())
    files = ["sh_qingpu_2025_20_jianzhulaji.txt", "sh_lvrong_2021_208_gongyuanchengshi.txt", FENGXIAN,
             "sh_fengxian_2024_12_weifayongdi.txt", "sh_hongkou_2022_3_jianzhulaji.txt",
             "sh_jingan_2025_11_tandafeng.txt"]
    assert not index.ingest([CORPUS / f for f in files]).failed
    return index


@pytest.mark.parametrize("question, expected", [
    # a district one title is issued by names that plan, as a province does
    ("青浦消纳场所备案这块谁牵头，哪些单位配合？", ["sh_qingpu_2025_20_jianzhulaji.txt"]),
    ("青浦区装修垃圾监督管理是哪个部门牵头？", ["sh_qingpu_2025_20_jianzhulaji.txt"]),
    # the subject of a title: 《静安区2025年碳达峰碳中和…工作安排》
    ("静安碳达峰那个工作安排里，哪些任务是发改委牵头的？", ["sh_jingan_2025_11_tandafeng.txt"]),
    # 青浦区政府 is an agency of the 上海市 公园城市 plan, not the name of the Qingpu plan
    ("青浦区政府在公园城市建设中负责什么？", []),
    # "公园城市规划" fits the 上海市 and the 奉贤区 plan; 奉贤 settles it
    ("奉贤公园城市规划谁牵头？", [FENGXIAN]),
    # two 奉贤 plans: the place alone names neither
    ("奉贤那个方案讲什么？", [FENGXIAN, "sh_fengxian_2024_12_weifayongdi.txt"]),
])
def test_a_district_names_the_one_plan_it_issued(shanghai, question, expected):
    assert source(shanghai, QueryAnalyser(shanghai).analyse(question).scope) == sorted(expected)


def test_the_issuer_of_a_document_is_not_an_agency_asked_about(shanghai):
    """"绿化市容局印发的公园城市指导意见里…责任部门是谁": 绿化市容局 issued the document; the question asks who
    is responsible for a task whose 责任部门 are district governments, so no agency condition and no boost."""
    q = QueryAnalyser(shanghai).analyse("绿化市容局印发的公园城市指导意见里，五个新城打造“绿心”公园那条，责任部门是谁？")
    assert q.agencies == () and q.conditions == ()
    assert "绿化市容局" not in q.own_text and "那条" not in q.content_words
    q = QueryAnalyser(shanghai).analyse("市绿化市容局牵头哪些任务？")
    assert q.agencies == ("市绿化市容局",)


def test_住建委_is_the_short_name_of_the_housing_and_construction_commission(shanghai):
    q = QueryAnalyser(shanghai).analyse("公园城市指导意见里住建委负责什么？")
    assert "市住房城乡建设管理委" in q.agencies and not q.unknown_agencies
