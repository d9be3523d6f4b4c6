"""Question text normalised before analysis: width, traditional characters, invisible characters."""
import pytest

from assistant.query.normalize import normalize_text


@pytest.mark.parametrize("raw, expected", [
    ("國土廳牽頭哪些任務？", "国土厅牵头哪些任务？"),                       # traditional -> simplified (OpenCC t2s)
    ("重點監管單位名錄最晚什麼時候要公布？", "重点监管单位名录最晚什么时候要公布？"),
    ("２０２１年广西土壤计划", "2021年广西土壤计划"),                      # full-width digits
    ("ＧＤＰ增长目标", "GDP增长目标"),                                     # full-width Latin letters
    ("涉镉污染源排查谁\u200b牵头？", "涉镉污染源排查谁牵头？"),             # zero-width space
    ("生态环境厅\u200d牵头\ufeff", "生态环境厅牵头"),                      # joiner, BOM
    ("农业农村厅\t牵头\n哪些任务？\u0007", "农业农村厅 牵头 哪些任务？"),     # control characters, whitespace folded
    ("污染地块安全利用率达到多少％？", "污染地块安全利用率达到多少%？"),
    ("（自治区生态环境厅牵头，农业农村厅参与）", "（自治区生态环境厅牵头，农业农村厅参与）"),   # Chinese punctuation kept
])
def test_normalize(raw, expected):
    assert normalize_text(raw) == expected


def test_simplified_text_is_unchanged_and_cut():
    text = "2021年度广西土壤污染防治重点工作实施计划中，涉镉污染源排查整治工作由自治区生态环境厅牵头"
    assert normalize_text(text) == text
    assert normalize_text(text, max_chars=10) == text[:10]


@pytest.mark.parametrize("raw", [None, "", "\x00\x01", "\ud800", "😀" * 3, "a" * 100000])
def test_never_raises(raw):
    assert isinstance(normalize_text(raw), str)
