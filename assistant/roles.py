"""Who leads, who takes part, who is responsible: from attribution parentheses and from prose.

Attributions close a task: "（自治区生态环境厅牵头，自治区农业农村厅、自然资源厅等参与）",
"（海关总署、商务部负责）", "（负责部门：商务部；适用范围：上海自贸试验区）". Some also set rules for the
rest of the document ("以下均需地方各级人民政府落实，不再列出", "排在第一位的部门为牵头部门，下同"),
which `assistant.fields` carries forward.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .agencies import split_agencies
from .models import Agency

ROLE_WORD = re.compile(r"牵头|参与|配合|负责|落实|指导|责任单位|责任部门|协办|主办")
KEYED = re.compile(r"^(牵头单位|牵头部门|主办单位|责任单位|责任部门|负责部门|负责单位|落实单位|参与单位|参与部门|"
                   r"配合单位|配合部门|协办单位|适用范围)[：:](.+)$")
_KEY_ROLE = {"牵头单位": "lead", "牵头部门": "lead", "主办单位": "lead", "责任单位": "responsible",
             "责任部门": "responsible", "负责部门": "responsible", "负责单位": "responsible",
             "落实单位": "responsible", "参与单位": "participants", "参与部门": "participants",
             "配合单位": "participants", "配合部门": "participants", "协办单位": "participants"}
VERB = re.compile(r"^(?P<names>.+?)(?P<verb>牵头负责|牵头|参与配合|配合参与|参与|配合|协办|负责落实|负责|落实|指导)$")
_VERB_ROLE = {"牵头负责": "lead", "牵头": "lead", "指导": "lead", "参与配合": "participants",
              "配合参与": "participants", "参与": "participants", "配合": "participants", "协办": "participants",
              "负责落实": "responsible", "负责": "responsible", "落实": "responsible"}
LATER_RESPONSIBLE = re.compile(r"以下均需(.+?)落实")
FIRST_LEADS = re.compile(r"(排在|列)第一位(的部门|的单位|者)为牵头(部门|单位)")


@dataclass
class Roles:
    lead: list[Agency] = field(default_factory=list)
    participants: list[Agency] = field(default_factory=list)
    responsible: list[Agency] = field(default_factory=list)
    later_responsible: list[Agency] = field(default_factory=list)   # "以下均需…落实": applies from here on
    first_listed_leads: bool = False                                  # "列第一位者为牵头单位，下同"

    def add(self, role: str, agencies: list[Agency]) -> None:
        target = getattr(self, role)
        for agency in agencies:
            if agency.name not in (a.name for a in target):
                target.append(agency)

    def empty(self) -> bool:
        return not (self.lead or self.participants or self.responsible)


def paren_groups(text: str) -> list[tuple[int, int]]:
    """Top-level balanced （…） groups as (start, end) offsets, end exclusive."""
    groups, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "（(":
            if depth == 0:
                start = i
            depth += 1
        elif ch in "）)" and depth:
            depth -= 1
            if depth == 0:
                groups.append((start, i + 1))
    return groups


def attribution_groups(text: str) -> list[tuple[int, int]]:
    """Parenthesized groups that assign roles and close a sentence or the clause."""
    out = []
    for start, end in paren_groups(text):
        inner = text[start + 1:end - 1]
        if not ROLE_WORD.search(inner) or len(inner) > 300:
            continue
        before = text[:start].rstrip()
        after = text[end:].lstrip()
        closes = not after or after[0] in "。；;\n" or (before and before[-1] in "。；;")
        if closes and _is_attribution(inner):
            out.append((start, end))
    return out


def _is_attribution(inner: str) -> bool:
    """Every segment is a role assignment, a scope or a document rule, not prose."""
    segments = [s for s in _segments(inner) if s]
    return bool(segments) and any(KEYED.match(s) or VERB.match(_strip_rule_words(s)) for s in segments)


def _segments(inner: str) -> list[str]:
    """Split at ，；。 outside nested parentheses."""
    parts, depth, current = [], 0, []
    for ch in inner:
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth = max(0, depth - 1)
        if ch in "，；。,;" and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    parts.append("".join(current).strip())
    return parts


def _strip_rule_words(segment: str) -> str:
    return re.sub(r"(按职责分工|按照职责分工|按职责|按照职责|分别|共同|依职责)+(?=(牵头|参与|配合|负责|落实))", "", segment)


def roles_from_attribution(inner: str) -> Roles:
    """Roles in the text inside one attribution group."""
    roles = Roles()
    prefix: str | None = None
    for segment in _segments(inner):
        if not segment or segment in ("下同", "不再列出"):
            continue
        later = LATER_RESPONSIBLE.search(segment)
        if later:
            agencies, prefix = split_agencies(later.group(1), prefix)
            roles.later_responsible.extend(agencies)
            roles.add("responsible", agencies)
            continue
        if FIRST_LEADS.search(segment):
            roles.first_listed_leads = True
            continue
        keyed = KEYED.match(segment)
        if keyed:
            if keyed.group(1) != "适用范围":
                agencies, prefix = split_agencies(keyed.group(2), prefix)
                roles.add(_KEY_ROLE[keyed.group(1)], agencies)
            continue
        m = VERB.match(_strip_rule_words(segment))
        if not m:
            continue
        names, role = m.group("names"), _VERB_ROLE[m.group("verb")]
        if "由" in names:
            names = names[names.index("由") + 1:]
        if "会同" in names:                      # "A会同有关部门负责": A leads, the others take part
            head, _, rest = names.partition("会同")
            agencies, prefix = split_agencies(head, prefix)
            roles.add("lead", agencies)
            others, prefix = split_agencies(rest, prefix)
            roles.add("participants", others)
            continue
        agencies, prefix = split_agencies(names, prefix)
        roles.add(role, agencies)
    return roles


# Prose: "由农业农村、林业部门会同生态环境、自然资源等部门组织开展", "市场监管总局要发挥牵头作用",
# "生态环境部会同有关部门组织开展…", "建立由农业农村部、工业和信息化部牵头的…机制".
_AGENCY_TAIL = r"[\u4e00-\u9fff、]{2,40}?(?:部|委|厅|局|署|办公厅|办公室|总局|政府|部门|小组)"
_PARTNERS = r"[\u4e00-\u9fff、]{2,60}?(?:等?(?:有关|相关)?(?:主管部门|行政部门|部门|单位|方面)|等)"
PROSE_PATTERNS = (
    re.compile(rf"由(?P<lead>{_AGENCY_TAIL})会同(?P<part>{_PARTNERS})"),
    re.compile(rf"(?:^|[。；，\s\u3000])(?!经|报)(?P<lead>{_AGENCY_TAIL})(?:要|应当|应|将)?(?:继续)?会同(?P<part>{_PARTNERS})"),
    re.compile(rf"由(?P<lead>{_AGENCY_TAIL})牵头"),
    re.compile(rf"(?:^|[。；，\s\u3000])(?P<lead>{_AGENCY_TAIL})要?(?:继续)?(?:发挥|做好|负责)牵头(?:作用|工作)"),
)


def roles_from_prose(text: str) -> Roles:
    roles = Roles()
    for pattern in PROSE_PATTERNS:
        for m in pattern.finditer(text):
            lead_text = re.sub(r"^.*?(?:由|要|并)", "", m.group("lead")) if "由" in m.group("lead") else m.group("lead")
            agencies, prefix = split_agencies(lead_text)
            roles.add("lead", agencies)
            if "part" in m.groupdict() and m.group("part"):
                others, _ = split_agencies(m.group("part"), prefix)
                roles.add("participants", others)
    return roles
