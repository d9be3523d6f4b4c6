"""Quantitative targets: 95%以上, 约60个, 达到100%, 1—2个, 5.5%左右, 1100万人以上.

A number is a target when it is a percentage, a range, or a count qualified as a goal (约/以上/左右/
达到/不少于…). Years, dates and durations are deadlines, not targets, and plain counts such as
"73类行业" are facts, not goals.
"""
from __future__ import annotations

import re

_NUMBER = r"\d+(?:\.\d+)?"
_MAGNITUDE = r"(?:万亿|亿|万|千)"
_BASE = (r"(?:个百分点|千瓦|平方公里|平方米|公里|千米|人次|元|斤|吨|亩|人|户|套|个|家|项|所|条|座|处|台|辆|次|倍|间|张|名|批|县|"
         r"城市|市|天)")
_UNIT = rf"(?:%|％|{_MAGNITUDE}{_BASE}?|{_BASE})"
_PREFIX = (r"(?:约|近|超过|不得低于|不得少于|不得超过|不低于|不少于|不超过|不高于|低于|高于|达到|提高到|提升到|降低到|下降到|"
           r"控制在|保持在|增长|下降|减少|提高)")
_SUFFIX = r"(?:以上|以下|左右|以内|上下)"
_GOAL_VERB = re.compile(r"(建设|建成|培育|遴选|实施|安排|新增|支持|打造|选择|启动|设立|组织|完成|布局|创建|认定|建立)$")

_GOAL_OBJECT = re.compile(r"(?:建设|建成|新建|新增|完成|改造|整治|治理|创建|打造|培育|实施|设置|安装|配备|修复|种植|开展|推动|"
                          r"提升|消除|关停|淘汰|清理|拆除|回收)[\u4e00-\u9fff“”]{0,12}$")
TARGET = re.compile(
    rf"(?P<prefix>{_PREFIX})?(?P<num>{_NUMBER}(?:%|％)?(?:[—–\-~～至到]{_NUMBER})?)(?P<unit>{_UNIT})(?P<suffix>{_SUFFIX})?"
)


def find_targets(text: str) -> list[str]:
    out: list[str] = []
    for m in TARGET.finditer(text):
        is_percent = m.group("unit") in ("%", "％", "个百分点")
        is_range = bool(re.search(r"[—–\-~～至到]", m.group("num")))
        qualified = bool(m.group("prefix") or m.group("suffix"))
        large = bool(re.match(_MAGNITUDE, m.group("unit")))
        # "建成乡镇污水处理站6座", "完成整治12处", "新增监测点位40个": a goal verb before the count, same phrase
        before_text = re.split(r"[，。；、：,;（()）]", text[max(0, m.start() - 16):m.start()])[-1]
        goal = bool(_GOAL_VERB.search(text[max(0, m.start() - 4):m.start()])) or \
            bool(_GOAL_OBJECT.search(before_text)) and not m.group("prefix")
        if not (is_percent or is_range or qualified or large or goal):
            continue
        before = text[max(0, m.start() - 1):m.start()]
        if text[m.end():m.end() + 1] in ("年", "月", "日") or before in ("第", "×", "*", "/", "／"):
            continue              # a date, an ordinal, or a formula ("…×100%")
        phrase = m.group(0)
        if m.group("prefix") in ("增长", "下降", "减少", "提高") and not (is_percent or m.group("suffix")):
            continue
        if phrase not in out:
            out.append(phrase)
    return out
