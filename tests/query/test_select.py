"""select_tasks: the one filter over task records, on the Guangxi plan's real tasks (no index needed)."""
import pytest

from assistant.models import AgencyRole, Due, Query, Role
from assistant.query.select import role_of, select_tasks

GX = "gx_2021_turang_wuran_fangzhi_jihua.txt"
E, A, Z, I = "自治区生态环境厅", "自治区农业农村厅", "自治区自然资源厅", "自治区工业和信息化厅"


@pytest.fixture(scope="module")
def gx(parsed_corpus):
    parsed = parsed_corpus[GX]
    return parsed.tasks, {parsed.document.doc_id: parsed.document}


def titles(rows):
    return [r.title for r in rows]


def cond(name, role, negated=False):
    return AgencyRole(name, (name,), role, negated)


def test_one_agency_one_role_keywords_and_query_agree(gx):
    tasks, docs = gx
    by_keywords = select_tasks(tasks, docs, agencies=[A], role=Role.LEAD)
    by_query = select_tasks(tasks, docs, Query(conditions=(cond(A, Role.LEAD),)))
    assert titles(by_keywords) == titles(by_query)
    assert len(by_query) == 6 and "2．持续推进耕地安全利用。" in titles(by_query)


def test_two_conditions_both_met(gx):
    # "生态环境厅牵头、农业农村厅参与": 1．重点行业企业用地调查 "（自治区生态环境厅牵头，自治区农业农村厅、自然资源厅…参与）"
    tasks, docs = gx
    rows = select_tasks(tasks, docs, Query(conditions=(cond(E, Role.LEAD), cond(A, Role.PARTICIPANTS))))
    assert len(rows) == 6
    assert all(role_of(r.task, [E]) == Role.LEAD and role_of(r.task, [A]) == Role.PARTICIPANTS for r in rows)
    two = select_tasks(tasks, docs, Query(conditions=(cond(Z, Role.LEAD), cond(E, Role.PARTICIPANTS))))
    assert titles(two) == ["1．巩固提升耕地土壤环境质量。", "3．严格建设用地准入管理。"]


def test_polarity_participates_but_does_not_lead(gx):
    tasks, docs = gx
    rows = select_tasks(tasks, docs, Query(conditions=(cond(A, Role.PARTICIPANTS), cond(A, Role.LEAD, negated=True))))
    assert len(rows) == 8 and all(role_of(r.task, [A]) == Role.PARTICIPANTS for r in rows)


@pytest.mark.parametrize("due, expected", [
    (Due("上半年", after="2021-01-01", by="2021-06-30"), {"4．依法严管土壤污染重点监管单位。", "3．认真做好中央土壤专项资金问题整改。"}),
    (Due("6月底前", by="2021-06-30"), {"4．依法严管土壤污染重点监管单位。", "3．认真做好中央土壤专项资金问题整改。"}),
    # every quarterly form: 每季度结束后3日内 (R/P3M/end+P3D) and 每季度末的5个工作日内 (R/P3M/end-P5WD)
    (Due("每季度", period="R/P3M"), {"4．依法严管土壤污染重点监管单位。", "一是加强部门协调配合。"}),
    (Due("每半年", period="R/P6M"), {"5．强化从业单位和个人管理。"}),
    (Due("明年", after="2022-01-01", by="2022-12-31"), {"5．强化从业单位和个人管理。"}),
])
def test_time_conditions(gx, due, expected):
    tasks, docs = gx
    assert set(titles(select_tasks(tasks, docs, Query(due=due)))) == expected


def test_time_and_agency_together(gx):
    tasks, docs = gx
    rows = select_tasks(tasks, docs, Query(conditions=(cond(I, Role.PARTICIPANTS),), due=Due("年底前", by="2021-12-31")))
    assert titles(rows) == ["2．持续开展涉镉污染源排查整治工作。", "3．逐步消除历史重金属污染问题影响。",
                            "4．依法严管土壤污染重点监管单位。"]


def test_section_and_scope(gx):
    tasks, docs = gx
    rows = select_tasks(tasks, docs, section_path=("重点任务", "扎实落实农用地分类管理"))
    assert len(rows) == 3
    assert select_tasks(tasks, docs, scope=["no-such-doc"]) == []


def test_ongoing_matches_written_forms():
    from assistant.models import Deadline

    due = Due("长期", ongoing=True)
    assert due.matches(Deadline("持续推进", None)) and due.matches(Deadline("长期", "ongoing"))
    assert not due.matches(Deadline("2021年底前", "2021-12-31"))
