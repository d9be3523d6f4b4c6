"""Agency name lists: "自治区生态环境厅、农业农村厅、南宁海关及广西海事局等" -> full names.

A list shares its jurisdiction prefix ("自治区" in the example applies to 农业农村厅, not to 南宁海关 or
广西海事局, which carry their own place) and sometimes its generic suffix ("农业农村、林业部门").
"等", "有关部门", "各有关部门和单位" are not agencies.
"""
from __future__ import annotations

import re

from ..documents.attribution import split_top_level
from ..lexicon import PROVINCES
from ..models import Agency

AGENCY_SUFFIX = re.compile(
    r"(部|委|厅|局|署|办|院|行|会|室|处|所|站|中心|政府|海关|集团|总社|公司|部门|单位|小组|机构|机关|法院|"
    r"检察院|银行|企业|学校|医院)$"
)
GENERIC_SUFFIX = re.compile(r"(人民政府|政府|主管部门|行政部门|管理部门|部门|单位|机构)$")
JURISDICTION_PREFIX = re.compile(
    r"^(自治区|设区的市级以上地方人民政府|省级以上人民政府|省级人民政府|县级以上地方人民政府|县级以上人民政府|"
    r"地方各级人民政府|地方人民政府|国务院|省|自治州|市(?!场)|县)(?=[\u4e00-\u9fff]{2,})"
)
OWN_PLACE = re.compile(r"^(国家|中国|中华人民共和国|中央|全国|各|有关|相关|地方|[\u4e00-\u9fff]{2,4}?(?:省|市|县|州|盟))")
NOT_INHERITING = re.compile(r"(海关|集团|公司|银行|协会|学会|大学|学院|研究院|总社)$")
VAGUE = re.compile(   # 有关部门, 各有关部门和单位, 自治区相关部门, 国务院有关部门: a role without a name
    r"(?:自治区|国务院|省|市|县|各级|各地)?各?(?:有关|相关)?(?:部门|单位|方面|机构)(?:和|及)?(?:有关|相关)?(?:部门|单位|方面|机构)?"
    r"|(?:自治区|国务院|省|市|县)?各?(?:有关|相关)(?:部门|单位|方面|机构).{0,4}"
)
_TRAILING = re.compile(
    r"(?:等各?(?:有关|相关)?(?:部门和单位|部门|单位|方面|机构)?|(?:按职责分工|按照职责分工|按职责|按照职责|分别|共同|依职责))+$"
)
_CONJUNCTION = re.compile(r"以及|及|和|与|同")


def split_agencies(names: str, prefix: str | None = None) -> tuple[list[Agency], str | None]:
    """Agencies named in `names`; returns them and the jurisdiction prefix in force after the list."""
    items: list[str] = []
    # a generic suffix is shared within its run only: "嘉定区、青浦区、松江区、奉贤区政府，临港新片区管委会"
    # is four 区政府 and the 管委会, whether the comma is followed by a line break (a table cell) or not
    for run in split_top_level(names.strip(), "，,；;\n"):
        run_items: list[str] = []
        for part in split_top_level(run, "、"):
            part = _clean(part)
            if part:
                run_items.extend(_split_conjunctions(part))
        run_items = _join_jurisdictions([_clean(i) for i in run_items if _clean(i)])
        tail = re.search(r"等?(主管部门|行政部门|部门|机构)$", run.strip())
        items.extend(_share_suffix(run_items, tail.group(1) if tail else None))
    agencies: list[Agency] = []
    for item in items:
        if VAGUE.fullmatch(item):
            continue
        # "市北园区、生态环境局…" (a Jing'an park, then district bodies): only an agency's 市/县/省 is a prefix
        # the later names in the list share
        m = JURISDICTION_PREFIX.match(item)
        if m:
            if looks_like_agency(item):
                prefix = m.group(1)
            name = item
        elif prefix and not OWN_PLACE.match(item) and not NOT_INHERITING.search(item) \
                and not item.startswith(PROVINCES):
            name = prefix + item
        else:
            name = item
        if name not in (a.name for a in agencies):
            agencies.append(Agency(name=name, as_written=item))
    return agencies, prefix


def looks_like_agency(text: str) -> bool:
    return bool(AGENCY_SUFFIX.search(text)) and len(text) >= 2


def _clean(part: str) -> str:
    part = part.strip(" \u3000，、,；;。")
    part = re.sub(r"^(由|请|并|其中|以及|经(?!信|济)|按|对|向)", "", part)
    part = re.sub(r"等(?=(?:主管部门|行政部门)$)", "", part)   # 林业草原等主管部门
    previous = None
    while previous != part:
        previous = part
        part = _TRAILING.sub("", part).strip()
    return part


def _split_conjunctions(item: str) -> list[str]:
    """"南宁海关及广西海事局" -> two; "工业和信息化部", "粮食和储备局" stay whole (left side is no agency)."""
    for m in _CONJUNCTION.finditer(item):
        left, right = item[: m.start()], item[m.end():]
        if looks_like_agency(left) and looks_like_agency(right) and len(right) >= 3:
            return [left] + _split_conjunctions(right)
    return [item]


_BARE_JURISDICTION = re.compile(r"^(?:有关)?(?:省|自治区|直辖市|市|县|区|自治州|乡|镇|设区的市)$")


def _join_jurisdictions(items: list[str]) -> list[str]:
    """"省、自治区、直辖市人民政府环境保护主管部门" is one body at three kinds of place, not three agencies."""
    out: list[str] = []
    run: list[str] = []
    for item in items:
        if _BARE_JURISDICTION.match(item):
            run.append(item)
            continue
        out.append("、".join(run + [item]) if run else item)
        run = []
    return out + run


def _share_suffix(items: list[str], listed_suffix: str | None = None) -> list[str]:
    """"农业农村、林业部门" / "生态环境、自然资源等部门": the list's generic suffix is shared."""
    m = GENERIC_SUFFIX.search(items[-1]) if items else None
    suffix = m.group(1) if m else listed_suffix
    if not suffix or (len(items) < 2 and not listed_suffix):
        return items
    return [i if looks_like_agency(i) else i + suffix for i in items]
