"""Deadlines (as written + normalized) and quantitative targets, on real sentences."""
import pytest

from assistant.tasks.deadlines import find_deadlines
from assistant.tasks.targets import find_targets


@pytest.mark.parametrize("sentence, year, issued, expected", [
    ("原则上应当在2021年底前完成整治销号", 2021, None, [("2021年底前", "2021-12-31")]),
    ("各市应于6月前公布2021年度土壤污染重点监管单位名录", 2021, None, [("6月前", "2021-05-31")]),
    ("并按国家要求于每季度结束后3日内将进展情况报送自治区生态环境厅汇总", 2021, None,
     [("每季度结束后3日内", "R/P3M/end+P3D")]),
    ("各相关任务牵头部门每季度末的5个工作日内，要将本季度相应的工作进展情况推送", 2021, None,
     [("每季度末的5个工作日内", "R/P3M/end-P5WD")]),
    ("评审部门应当每半年将报告评审通过情况在其网站进行公开", 2021, None, [("每半年", "R/P6M")]),
    ("于次年1月将2021年度报告评审通过情况在其网站进行公开", 2021, None, [("次年1月", "2022-01-31")]),
    ("项目到第二季度末全部实现开工建设，到第四季度末资金执行率达到90%以上", 2021, None,
     [("第二季度末", "2021-06-30"), ("第四季度末", "2021-12-31")]),
    ("各设区市生态环境主管部门在整治完成后1个月内向自治区生态环境厅提交经验总结报告", 2021, None,
     [("整治完成后1个月内", "+P1M")]),
    ("自印发之日起30日内报送实施方案", 2019, "2019-01-16", [("自印发之日起30日内", "2019-02-15")]),
    ("适用于2019年1月1日至12月31日取得的所得", 2019, None, [("2019年1月1日至12月31日", "2019-01-01/2019-12-31")]),
    ("收到申请之日起十五个工作日内作出决定", 2019, None, [("收到申请之日起十五个工作日内", "+P15WD")]),
    ("应当于2018年12月31日前完成", 2018, None, [("2018年12月31日前", "2018-12-31")]),
    ("每年2月底前各省份完成辖区内三级公立医院绩效考核", 2019, None, [("每年2月底前", "R/P1Y/--02-28")]),
    ("2019年3月底前，国家卫生健康委推行全国统一的疾病分类编码", 2019, None, [("2019年3月底前", "2019-03-31")]),
    ("到2021年末，实现年度农用地安全利用", 2021, None, [("2021年末", "2021-12-31")]),
    ("到2022年，职业院校教学条件基本达标", 2019, None, [("到2022年", "2022-12-31")]),
    ("扣缴义务人应当在代扣税款的次月十五日内缴入国库", 2018, None, [("次月十五日内", "+P15D")]),
    ("国务院统一领导全国土壤污染状况普查，每十年组织开展一次", 2018, None, [("每十年", "R/P10Y")]),
    ("2019年上半年，确定试点城市", 2018, None, [("2019年上半年", "2019-06-30")]),
    ("国家卫生健康委每年3月底前完成上述工作", 2019, None, [("每年3月底前", "R/P1Y/--03-31")]),
    ("并在年中和年末向国务院报告执行情况", 2004, None, [("年中和年末", "R/P1Y/--12-31")]),
])
def test_deadlines(sentence, year, issued, expected):
    assert [(d.text, d.normalized) for d in find_deadlines(sentence, year, issued)] == expected


def test_year_less_deadline_without_a_plan_year_is_kept_unnormalized():
    assert [(d.text, d.normalized) for d in find_deadlines("各市应于6月前公布名录", None)] == [("6月前", None)]


def test_impossible_dates_keep_their_text_without_a_normalized_form():
    found = find_deadlines("于2019年13月底前完成，2019年2月30日前报送，每年14月底前公开，18月前公布", 2019)
    assert [(d.text, d.normalized) for d in found] == [("2019年13月底前", None), ("2019年2月30日前", None),
                                                      ("每年14月底前", None), ("18月前", None)]


def test_no_deadline_in_plain_years_and_counts():
    assert find_deadlines("2020年及以前纳入整治清单的问题，进一步对73类行业以外的典型行业用地开展调查", 2021) == []


@pytest.mark.parametrize("sentence, expected", [
    ("污染地块安全利用率达到95%以上", ["达到95%以上"]),
    ("组织实施约60个建设用地土壤污染风险管控和修复项目，力争项目开工率达到100%", ["约60个", "达到100%"]),
    ("建立1—2个土壤生态环境长期观测研究试点基地", ["1—2个"]),
    ("到第四季度末资金执行率达到90%以上", ["达到90%以上"]),
    ("国内生产总值增长5.5%左右；城镇新增就业1100万人以上", ["增长5.5%左右", "1100万人以上"]),
    ("全国农机总动力超过10亿千瓦", ["超过10亿千瓦"]),
    ("粮食产量保持在1.3万亿斤以上", ["保持在1.3万亿斤以上"]),
    ("拟安排地方政府专项债券3.65万亿元", ["3.65万亿元"]),
    ("从事职业教育的教师达到60%—70%", ["达到60%—70%"]),
    ("遴选50所高职学校", ["50所"]),
])
def test_targets(sentence, expected):
    assert find_targets(sentence) == expected


def test_years_dates_and_plain_counts_are_not_targets():
    assert find_targets("2021年是开局之年，对73类行业以外的典型行业用地进行调查，第54次常务会议") == []
    assert find_targets("计算方法：出院患者手术台次数/同期出院患者总人次数×100%。") == []


def test_a_bare_month_in_prose_is_an_event_not_a_deadline():
    # gov_guobanfa_2019_03_youeryuan.txt (a 2019 notice) recalls an earlier document: no deadline
    past = "2018年11月，党中央、国务院印发《关于学前教育深化改革规范发展的若干意见》，提出规范小区配套幼儿园建设使用。"
    assert find_deadlines(past, 2019) == []
    # the same form as a time node: alone (a table's time cell), after a stage, or with 完成/于
    assert [d.normalized for d in find_deadlines("2024年9月", 2024)] == ["2024-09-30"]
    assert [d.normalized for d in find_deadlines("动员部署阶段（2024年6月）", 2024)] == ["2024-06-30"]
    assert [d.normalized for d in find_deadlines("于2024年10月完成排查", 2024)] == ["2024-10-31"]
