"""Who leads, who takes part, who is responsible: from attribution parentheses and from prose.

Attributions close a task: "（自治区生态环境厅牵头，自治区农业农村厅、自然资源厅等参与）",
"（海关总署、商务部负责）", "（负责部门：商务部；适用范围：上海自贸试验区）". Some also set rules for the
rest of the document ("以下均需地方各级人民政府落实，不再列出", "排在第一位的部门为牵头部门，下同"),
which `assistant.tasks.fields` carries forward.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..documents.attribution import KEYED, VERB, is_bare_agencies, segments, strip_rule_words
from ..documents.tables import looks_like_agencies
from ..lexicon import KEYED_ROLES, VERB_ROLES
from ..models import Agency
from .agencies import split_agencies

LATER_RESPONSIBLE = re.compile(r"以下均需(.+?)落实")
FIRST_LEADS = re.compile(r"(排在|列)第一位(的部门|的单位|者)为牵头(部门|单位)")


@dataclass
class Roles:
    lead: list[Agency] = field(default_factory=list)
    participants: list[Agency] = field(default_factory=list)
    responsible: list[Agency] = field(default_factory=list)
    implementers: list[Agency] = field(default_factory=list)        # 实施部门 / 实施主体
    guiding: list[Agency] = field(default_factory=list)             # 指导部门
    later_responsible: list[Agency] = field(default_factory=list)   # "以下均需…落实": applies from here on
    first_listed_leads: bool = False                                  # "列第一位者为牵头单位，下同"

    def add(self, role: str, agencies: list[Agency]) -> None:
        target = getattr(self, role)
        for agency in agencies:
            if agency.name not in (a.name for a in target):
                target.append(agency)

    def empty(self) -> bool:
        return not (self.lead or self.participants or self.responsible or self.implementers or self.guiding)


def roles_from_attribution(inner: str) -> Roles:
    """Roles in the text inside one attribution group."""
    roles = Roles()
    prefix: str | None = None
    last_role: str | None = None         # "（责任单位：A、B，C、D）": a list may go on after a comma
    for segment in segments(inner):
        if not segment or segment in ("下同", "不再列出"):
            continue
        if last_role and not KEYED.match(segment) and looks_like_agencies(segment):
            agencies, prefix = split_agencies(segment, prefix)
            roles.add(last_role, agencies)
            continue
        last_role = None
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
            role = KEYED_ROLES.get(keyed.group(1))      # None: a scope (适用范围) or a time (完成时限)
            last_role = role
            if role is not None:
                agencies, prefix = split_agencies(keyed.group(2), prefix)
                roles.add(role, agencies)
            continue
        m = VERB.match(strip_rule_words(segment))
        if not m:
            continue
        names, role = m.group("names"), VERB_ROLES[m.group("verb")]
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
    if roles.empty() and not roles.later_responsible and is_bare_agencies(inner):
        roles.add("responsible", split_agencies(inner)[0])     # "（县水利局、县财政局）"
    return roles


# Prose: "由农业农村、林业部门会同生态环境、自然资源等部门组织开展", "市场监管总局要发挥牵头作用",
# "生态环境部会同有关部门组织开展…", "建立由农业农村部、工业和信息化部牵头的…机制".
_AGENCY_TAIL = r"[\u4e00-\u9fff、]{2,40}?(?:部|委|厅|局|署|办公厅|办公室|总局|政府|部门|小组|专班|中心|分局)"
_NAME = r"[\u4e00-\u9fff]{1,14}?(?:部|委|厅|局|署|办|政府|部门|单位|专班|中心|分局|街镇|管委会)"
# the partners end where the verb begins: "会同市农业农村局、市水利局做好…" stops before 做好
_PARTNERS = (rf"(?:[\u4e00-\u9fff、]{{2,60}}?(?:等?(?:有关|相关)?(?:主管部门|行政部门|部门|单位|方面)|等)"
             rf"|{_NAME}(?:[、和及]{_NAME})*)")
PROSE_PATTERNS = (
    re.compile(rf"由(?P<lead>{_AGENCY_TAIL})牵头[，,]?(?P<part>{_NAME}(?:[、和及]{_NAME})*)等?(?:配合|参与|协助)"),
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
