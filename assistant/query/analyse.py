"""A question -> `Query`, once: its scope (documents), agencies with roles and polarity, time condition,
operation (lookup, list, count, yes/no, which role, earliest/latest, overview, outline, compare, explain,
fact), its own words, and whether it follows up the previous answer.

Agency names are resolved against the agencies the index knows (full names, names without their
jurisdiction prefix, officers' short forms such as 发改委 from `lexicon.AGENCY_ALIASES`); documents by
title pieces no other indexed title contains, or their 文号.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable

from ..lexicon import AGENCY_ALIASES, GENERIC_TITLE_WORDS, PROVINCES, QUESTION_WORDS
from ..models import AgencyRole, Document, Due, Operation, Query, Role
from ..tasks.deadlines import find_deadlines
from .normalize import normalize_text

_ORG = r"(?:部门|单位|机构|机关|厅局|厅|局|部委|部|委|处|科室|政府|一级部门|级部门)"
INTENT_PATTERNS = (
    ("participants", re.compile(r"(哪些|什么|哪几个|几个|哪几家|哪个)[\u4e00-\u9fff]{0,4}(参与|配合|协助|参加|协同|协办)|"
                                r"(参与|配合|协办)(单位|部门|的有|的是|方|的单位|的部门)|谁(参与|配合|协助|来配合)|还有(谁|哪些|哪个)|"
                                r"(要|需要|得|也|有没有)[\u4e00-\u9fff]{0,4}(参与|配合)|参与吗|配合吗|什么角色|牵头还是(配合|参与)")),
    ("lead", re.compile(rf"谁(牵头|负责|来|管|主抓|主管|抓|组织|牵|指导|制定|定|签发|推动|开展|审批|批准|统筹|发布|编制)|"
                        rf"(哪个|哪家|哪一个|什么|哪些|哪几个|哪一级|哪级){_ORG}|归谁|由谁|归哪|归口|"
                        rf"牵头(部门|单位)|责任(部门|单位)|主管部门是|是哪个|谁是牵头|谁家")),
    ("deadline", re.compile(r"什么时候|何时|最晚|期限|多久|截止|时限|几月|哪天|什么时间|时间节点|啥时候|多长时间|几号|"
                            r"多少个?工作日|多少天内|多少日内|几个工作日|几天内|"
                            r"哪年|哪一年|频次|多久一次|隔多久|几年一次|什么日期")),
    ("target", re.compile(r"多少|比例是|几个|多大|百分之几|几所|几项|几家|多高|达到什么|目标值")),
)
AGENCY_TASKS = re.compile(r"(牵头|参与|配合|负责|主管|主抓)(了|的)?[\u4e00-\u9fff]{0,8}?(哪些|哪几项|几项|哪几个|什么)"
                          r"[\u4e00-\u9fff]{0,4}?(任务|工作|事项|事)|"
                          r"(牵头|参与|配合|负责|主管|主抓)(了|的)?(哪些|什么|哪几项|几项|哪几个|哪些事|的事|的工作|的任务|"
                          r"的有|哪一些|干什么|做什么|干啥|啥)|(牵头|参与|负责)的?(任务|工作|事项)(都)?(有哪些|是什么|有什么)|"
                          r"在.{0,12}(负责|牵头|参与)(什么|哪些|干什么|做什么)")
DEADLINE_LIST = re.compile(r"(底前|月前|季度末|上半年|下半年|年底|年末|时间节点|按季度|每季度|每年|每半年|月底)"
                           r".{0,12}(哪些|哪几项|几项|有啥|什么(任务|工作|事))|"
                           r"(哪些|什么)(事情|任务|工作).{0,8}(按季度|每季度|每年|每半年)")
FOLLOW_UP = re.compile(r"^(那|那么|这个|这项|该|它|它的|这件事|这块|此项|上述|那这|那它|这些|其中)|呢[？?]?$|"
                       r"在(里面|其中|这项任务|这个任务|该任务|这里)|这项任务|这个任务|该任务|它们|"
                       r"^(期限|参与单位|牵头单位|目标|谁牵头|谁参与|谁配合|什么时候|具体)")
MORE = re.compile(r"^(还有|还有呢|还有吗|还有别的|还有其他|其他的?|其余的?|别的|更多|继续|接着|下一页|再多|剩下的?)"
                  r"[^\u4e00-\u9fff]*(呢|吗|的|任务|部门|单位|几项|哪些)?[^\u4e00-\u9fff]*$|^还有(哪些|什么|没有)(呢|吗)?[？?]?$|"
                  r"^(那)?(其他|其余|剩下)(的)?(呢|任务|几项)")
_DOCUMENT_PHRASE = re.compile(r"([\u4e00-\u9fff]{2,12}?)(文件|意见|计划|方案|通知|报告|条例|规则|办法)(里|中|上)?")
_DOC_WORD = re.compile(r"计划|方案|意见|通知|文件|报告|规则|条例|(?<!执)法(?!规)|办法|措施|里|中")
# "土壤法", "奉贤那个方案", "综保区意见", "个税条例": a loose name of a document, matched against titles
_LOOSE_DOC = re.compile(r"([\u4e00-\u9fff“”\"]{2,16}?)(?:那个|这个|那份|这份|的)?"
                        r"(实施方案|工作方案|行动方案|实施意见|指导意见|实施计划|工作规则|实施条例|文件|意见|计划|方案|通知|"
                        r"报告|条例|规则|办法|规划|(?<!执)(?<!方)(?<!办)法(?![规律定人]))"
                        # "公园城市规划编制谁牵头": a 规划 being drawn up is the task, not a document's name
                        r"(?!编制|修编|编写|制定|修订|审批|批复|编报)")
_DEICTIC = re.compile(r"(这个|这份|本|该|此|这一|上述|这部|这)(计划|方案|意见|文件|通知|报告|条例|规则|办法|法律|法|规划|规定)|"
                      r"文件(里|中)|今年|本年度")
_DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,6}?)\s*[〔\[（(【]?\s*((?:19|20)\d{2})\s*[〕\]）)】年]?\s*第?\s*(\d{1,4})\s*号")
_GENERIC_TITLE = re.compile("|".join(GENERIC_TITLE_WORDS))
_ISSUED = re.compile(r"(?:印发|发布|出台|下发|发)的")
# a place a title is issued by or about: "上海市青浦区人民政府办公室…", "《青浦区关于…》", "《静安区2025年…》"
# (not 公园城市, 无废城市, 保税区)
_TITLE_PLACE = r"(?:^|[省市《]){}(?:区|市|县)(?=人民政府|政府|关于|委员会|办公室|\d{{4}}年)"
# words officers use for any plan-like document, whatever its title calls it
_PLAN_WORDS = ("方案", "计划", "意见", "通知", "文件", "规划")
# a place prefix an officer may leave out; not when it binds to the next character as an adjective
# (区属企业 "district-owned enterprises", 市级部门, 县内): those names have no shorter form
_JURISDICTION = re.compile(r"^(自治区|国家|国务院|省|市|县|区|上海市|广西壮族自治区|广西)(?![属级内域辖直])")
_RECURRING = {"季度": "R/P3M", "季报": "R/P3M", "半年": "R/P6M", "每年": "R/P1Y", "年度报告": "R/P1Y", "每月": "R/P1M",
              "月报": "R/P1M", "每周": "R/P1W"}
_RECURRING_ASK = re.compile(r"(按|每个?|定期|逐)(季度|半年|年|月|周)|季报|月报|(季度|半年)(报送|报告|推送|上报|汇报|通报|公开)")

# ---- role words in a question, and what they ask
_ROLE_TOKEN = re.compile(r"((?<![有是要参牵负配])(?:不是|不再|没有|并非|不|未|没|非))?(牵头|主抓|主管|抓总|参与|配合|协助|协办|参加|负责|落实)")
_ROLE_OF = {"牵头": Role.LEAD, "主抓": Role.LEAD, "主管": Role.LEAD, "抓总": Role.LEAD, "参与": Role.PARTICIPANTS,
            "配合": Role.PARTICIPANTS, "协助": Role.PARTICIPANTS, "协办": Role.PARTICIPANTS, "参加": Role.PARTICIPANTS,
            "负责": Role.ANY, "落实": Role.ANY}
_JOINER = re.compile(r"^[、和与及,，\s]*(以及|还有|或者|或|和|与|及|、)?[、和与及,，\s]*$")
# an agency-like name: 2-10 characters ending in an agency suffix, after a boundary
_AGENCY_LIKE = re.compile(r"(?:^|(?<=[，。？！、\s“”\"'（）()由是的和与及在对给跟向把被那让请问]))"
                          r"([\u4e00-\u9fff]{1,10}?(?:委员会|办公室|总局|分局|厅|局|委|署|处|办|中心|集团|公司|(?<![门分署内全局])部))"
                          r"(?=[^\u4e00-\u9fff]|$|牵头|参与|配合|负责|是|有|在|的|要|和|与|及|、|主|管|什么|哪|承担|还|都|也|吗|呢|"
                          r"能|会|可|作为|今年|在|呢|干|做|跟|同|对|一共|共|总共|有没有|是否|究竟|到底|分别|又|既|但)")
_NOT_AGENCY = re.compile(r"哪|什么|各|有关|相关|主管|责任|部门|单位|牵头|参与|配合|负责|这|那|本|该|其|谁|几|多少|"
                         r"中心城|工作|任务|方案|计划|文件|我|你|他|领导")
_OFFICE_HOLDER = re.compile(r"(厅长|局长|处长|主任|书记|部长|省长|市长|区长|县长|主席|总理|负责人|领导|联系人)(是谁|叫什么|是哪位|姓什么)|"
                            r"谁(是|当|任)[\u4e00-\u9fff]{0,10}(厅长|局长|处长|主任|书记|部长|省长|市长|区长|县长|主席|总理)")

# ---- what is to be done
_COUNT = re.compile(r"(几|多少)(项|条|件|个方面|个部分|大类|方面|类|个任务|个重点任务|个工作|个事项|项任务)|"
                    r"(任务|工作|事项|条款)(数|数量|总数)|一共有?几|总共有?几|共有?几")
_YES_NO = re.compile(r"是不是|是否|有没有|要不要|需不需要|需要不需要|用不用|参不参与|参没参与|牵不牵头|对吗|对不对|"
                     r"吗[？?！!。]*$|^(请问)?(是|有)[\u4e00-\u9fff]{2,}(吗|么)")
_WHICH_ROLE = re.compile(r"什么角色|哪种角色|啥角色|什么身份|什么作用|承担什么|扮演|是牵头还是|牵头还是(参与|配合)|"
                         r"(参与|配合)还是牵头|什么职责|是牵头单位还是|是(牵头|参与|配合)(单位|部门)?吗|角色是")
_EXTREME = re.compile(r"(最早|最先|最近|下一个|下个|接下来|即将|马上)(的|一个|一项|要)?(到期|截止|期限|时间节点|节点|完成|要完成|"
                      r"的任务|任务|deadline)|(哪项|哪个|哪一项|哪些|什么)(任务|工作|事)?[\u4e00-\u9fff]{0,6}(最早|最先|最晚|最后|最迟)"
                      r"(到期|截止|完成|要完成)|(最晚|最迟|最后)(一个|一项)?(到期|截止|的期限|的时间节点|时间节点)")
_LATEST = re.compile(r"最晚|最迟|最后")
NEXT = re.compile(r"下一个|下个|接下来|即将|马上|最近")     # "the next deadline": after the plan's date or today
_OVERVIEW = re.compile(r"主要内容|(讲|说|写|规定)(了|的)?(些)?(什么|啥|哪些)|是关于什么|关于什么的|主要(讲|说|是|有|包括)|概要|概况|"
                       r"总体(情况|要求)|核心内容|整体|(有|分|包括|包含)(哪|几)(个|些)?(方面|部分|板块|大块)|主要目的|目的是什么|"
                       r"为什么(要)?(制定|出台|印发)|(制定|出台|印发)(的)?(目的|背景)|大概|简介|介绍一下|总结一下|概括|重点(任务|工作)有哪些|"
                       r"(哪些|什么)(重点)?(任务|工作)$|目标(是什么|有哪些|指标)|主要目标")
_OUTLINE = re.compile(r"(方面|部分|板块|这块|这一块|章节|这一节|这一章|一节|一章|领域|那块|那一块|这部分)(的|里|中|下|有|包括|包含|都)?"
                      r"(有)?(哪些|什么|几项|多少|任务|工作|内容|要求)|(有|包括|包含)(哪些|什么)(任务|工作|内容|措施)|"
                      r"(讲|说)(了|的)?(什么|啥|哪些)|(哪些|什么)(任务|工作|措施|内容)$|(任务|工作|措施)(有哪些|是什么|包括什么)")
_COMPARE = re.compile(r"比较|对比|区别|不同|异同|差别|差异|相比|和[\u4e00-\u9fff]{2,20}(各自|分别)|各自|分别(怎么|如何|是|有|要求|规定)|"
                      r"两个文件|两份文件|两部|两者|一样吗|有何不同")
_EXPLAIN = re.compile(r"(怎么|怎样|如何)(才能)?[\u4e00-\u9fff]{0,2}(做|干|开展|落实|推进|实施|搞|弄|办|执行|完成|操作|提升|"
                      r"加强|巩固|保障|管理|保护|治理|防治|监管|抓|建设|推动|改善|提高|强化|规范|整治|排查)[？?。]?$|"
                      r"怎么(做|干|开展|落实|推进|实施|搞|弄|办|执行|完成|操作)|如何(做|开展|落实|推进|实施|执行|完成|操作|抓)|"
                      r"具体(怎么|要做|做什么|有哪些措施|措施|内容|要求|是什么|包括)|采取(哪些|什么)(措施|办法|方式)|"
                      r"(有|要)?(哪些|什么)(具体)?(措施|做法|举措|办法|步骤)|要做(哪些|什么)(事|工作)?|要干(啥|什么)|"
                      r"做些什么|展开(说|讲)|详细(说|讲|介绍)|解释一下|是什么意思|怎么理解")
_FACT = re.compile(r"可以|能否|能不能|可不可以|允许|准许|禁止|不得|不准|不能|必须|应当|用于|用来|用在|作什么用|干什么用|"
                   r"谁(出钱|付钱|承担|出资|买单)|由谁(承担|出资|支付|负担)|费用|经费|资金(来源|从哪)|(报告|报送|上报|公开|公布)(什么|哪些|啥)|"
                   r"向谁(报告|报送|提交|推送)|(报送|报告|提交|推送|上报|交)给谁|(什么|哪些)(情况|内容|材料)|依据是什么|什么标准|怎么(处罚|处理|认定|计算)|"
                   r"(罚款|处罚)(多少|是什么)|条件是什么|什么条件|是指什么|指的是|包括哪些|(是|有)(什么|哪些)(要求|规定)")
_QUARTER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def normalize_question(text: str, max_chars: int) -> str:
    """The question normalized (assistant.query.normalize) and cut at `max_chars`."""
    return normalize_text(text, max_chars)


def _short_forms(name: str) -> set[str]:
    """The names officers use for an agency: without its jurisdiction prefix, a 人民政府 as 政府, a unit
    inside a parent (公安局奉贤分局 -> 奉贤分局, 生态环境厅土壤处 -> 土壤处)."""
    forms = {name}
    bare = _JURISDICTION.sub("", name)
    if len(bare) >= 3:
        forms.add(bare)
        again = _JURISDICTION.sub("", bare)
        if len(again) >= 3:
            forms.add(again)
    if name.endswith("人民政府") and len(name) >= 7:          # 梧州市人民政府: 梧州市, 梧州市政府
        forms.update({name[:-4], name[:-4] + "政府"})
    inner = re.search(r"(?:厅|局|委|部)([\u4e00-\u9fff]{2,8}(?:处|科|站|中心|分局|支队|大队|所))$", name)
    if inner and len(inner.group(1)) >= 3:
        forms.add(inner.group(1))
    return forms


def _edit1(a: str, b: str) -> bool:
    """One substitution, insertion or deletion apart."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _bigram_share(stem: str, title: str) -> float:
    pairs = [stem[i:i + 2] for i in range(len(stem) - 1)]
    return sum(p in title for p in pairs) / len(pairs) if pairs else 0.0


def _subsequence_span(stem: str, title: str) -> int | None:
    """The length of the shortest stretch of `title` holding the characters of `stem` in order (an
    abbreviation: 综保区 in 综合保税区, 土壤法 in 土壤污染防治法), or None."""
    best = None
    for start in (i for i, ch in enumerate(title) if ch == stem[0]):
        at = start
        for ch in stem[1:]:
            at = title.find(ch, at + 1)
            if at < 0:
                break
        else:
            span = at - start + 1
            best = span if best is None else min(best, span)
    return best


class QueryAnalyser:
    """Analyses questions against one index: its agencies, its documents' titles, its tokenizer.

    `phrase_document` resolves a phrase such as "综保区意见" to the one document a search for it
    lands in (the retriever provides it), for list questions that name a document loosely.
    Everything read from the index (agency names, title pieces) is computed once per index snapshot.
    """

    def __init__(self, index, phrase_document: Callable[[str], str | None] | None = None):
        self.index = index
        self._phrase_document = phrase_document
        self._agency_forms: list[tuple[str, list[str]]] | None = None
        self._doc_terms: dict[str, list[str]] | None = None
        self._places: dict[str, str] = {}
        self._sections: dict[str, list[tuple[str, ...]]] | None = None
        self._loaded_key: str | None = None

    # ---------------------------------------------------------------- the whole analysis
    def analyse(self, question: str, doc: str | Iterable[str] | None = None, max_chars: int | None = None,
                previous=None) -> Query:
        """`doc`: a doc_id or several the user limited the question to (None: all documents);
        `previous`: the conversation's last Answer (its query and scope carry over)."""
        restrict = (doc,) if isinstance(doc, str) else tuple(doc or ())
        text = normalize_question(question, max_chars or self.index.settings.max_question_chars)
        self._refresh()
        expanded = expand_aliases(text)
        intents = detect_intents(text)
        mentions, unknown = self.agency_mentions(expanded)
        # "绿化市容局印发的公园城市指导意见": the issuer names the document, it is no role asked about
        issued = [_ISSUED.match(expanded, m[1]) for m in mentions]
        issuers = [expanded[m[0]:i.end()] for m, i in zip(mentions, issued) if i]
        mentions = [m for m, i in zip(mentions, issued) if not i]
        agencies = list(dict.fromkeys(n for _, _, _, names in mentions for n in names))
        conditions = self._conditions(expanded, mentions)
        named = {} if restrict else self._named(text)
        documents = [(d, strength) for d, (strength, _) in named.items()]
        deictic = bool(_DEICTIC.search(text))
        prev_scope = tuple(getattr(previous, "scope", ()) or ())
        scope, scope_from = (), ""
        if restrict:
            scope, scope_from = restrict, "restrict"
        elif documents:
            scope, scope_from = tuple(d for d, _ in documents), "named"
        elif prev_scope and len(prev_scope) <= 2:
            scope, scope_from = prev_scope, "conversation"
        words = self.content_words(text)
        unnamed = text
        documents_ = self.index.documents()
        for doc_id, (_, term) in named.items():
            m = re.search(re.escape(term) + r"[^\s，。？！、]{0,2}?(文件|方案|计划|意见|通知|法|条例)(里|中|上|内|的)?",
                          unnamed) or re.search(re.escape(term) + r"(里|中|上|内|的)?", unnamed)
            if not m:
                continue
            start, title = m.start(), documents_[doc_id].title if doc_id in documents_ else ""
            # the name reaches back over title characters: "奉贤" before "公园城市实施意见"
            while start > 0 and unnamed[start - 1] in title and unnamed[start - 1] not in "和与及对在的里中，、 ":
                start -= 1
            unnamed = unnamed[:start] + " " + unnamed[m.end():]
        for issuer in issuers:
            unnamed = unnamed.replace(issuer, " ")
        # with the document's name taken out of the question, its title words that remain are the topic
        # ("上海耕地方案对耕地保护…": the second 耕地 is what is asked about)
        task_words = self._task_words(self.content_words(unnamed), mentions, () if unnamed != text else scope)
        more = bool(MORE.search(text)) and previous is not None
        follow_up = previous is not None and (more or (bool(FOLLOW_UP.search(text)) and len(task_words) <= 1) or
                                              (not task_words and not named and len(text) <= 12))
        listing = None
        if AGENCY_TASKS.search(text) and agencies:
            listing = "agency_tasks"
        elif DEADLINE_LIST.search(text):
            listing = "deadline_list"
        role = conditions[0].role if conditions else (
            Role.PARTICIPANTS if re.search(r"参与|配合|协助", text) else
            Role.LEAD if re.search(r"牵头|主抓|主管", text) else Role.ANY)
        if listing and not scope:
            scope = self._loose_document(text)
            scope_from = "phrase" if scope else ""
        year = self._year(text, scope)
        due = self._due(text, scope or self._agency_documents(conditions), year)
        operation = self._operation(text, intents, conditions, due, listing, scope, task_words, documents)
        section = None
        named_heading = self.heading_in(text, scope)
        if named_heading and operation in (Operation.OVERVIEW, Operation.LOOKUP, Operation.FACT) and \
                intents == ["general"] and (_OUTLINE.search(text) or _OVERVIEW.search(text)):
            operation, section = Operation.OUTLINE, named_heading     # "工作要求部分讲了什么"
        elif operation in (Operation.OUTLINE, Operation.OVERVIEW, Operation.LOOKUP, Operation.FACT) and task_words:
            section = self.best_section(task_words, scope)
            if section and operation in (Operation.OVERVIEW, Operation.LOOKUP) and _OUTLINE.search(text) and \
                    intents == ["general"]:
                operation = Operation.OUTLINE
            elif operation == Operation.OUTLINE and not section:
                operation = Operation.LOOKUP
        if operation == Operation.LIST and not listing:
            listing = "agency_tasks" if conditions else "deadline_list"
        return Query(text=text, intents=tuple(intents), agencies=tuple(agencies), documents=tuple(documents),
                     restrict=restrict, scope=tuple(scope), listing=listing, role=role, due=due,
                     content_words=tuple(words), follow_up=follow_up, operation=operation,
                     conditions=tuple(conditions), unknown_agencies=tuple(unknown), scope_from=scope_from,
                     deictic=deictic, year=year, section=section[1][-1] if section else None, more=more,
                     section_path=section[1] if section else (),
                     task_words=tuple(task_words), doc_terms=tuple(dict.fromkeys(t for _, t in named.values())),
                     own_text=unnamed)

    # ---------------------------------------------------------------- the index's vocabulary
    def _refresh(self) -> None:
        manifest = self.index.manifest()
        key = manifest["collection"] if manifest else None
        if key == self._loaded_key and self._agency_forms is not None:
            return
        forms: dict[str, set[str]] = {}
        for item in (*self.index.clauses().values(), *self.index.tasks().values()):
            for agency in (*item.lead_agencies, *item.participants, *item.responsible):
                for form in _short_forms(agency.name) | _short_forms(agency.as_written):
                    forms.setdefault(form, set()).add(agency.name)
        self._agency_forms = sorted(((f, sorted(n)) for f, n in forms.items()), key=lambda kv: -len(kv[0]))
        self._doc_terms = _distinctive_title_terms(self.index.documents())
        self._places = _title_places(self.index.documents())
        sections: dict[str, set[tuple[str, ...]]] = {}
        for clause in self.index.clauses().values():
            for depth in range(1, len(clause.section_path) + 1):
                sections.setdefault(clause.doc_id, set()).add(clause.section_path[:depth])
        self._sections = {d: sorted(paths) for d, paths in sections.items()}
        self._loaded_key = key

    # ---------------------------------------------------------------- agencies
    def named_agencies(self, question: str) -> list[str]:
        """Full names of the agencies a question mentions ("农业农村厅" -> 自治区农业农村厅 …)."""
        self._refresh()
        mentions, _ = self.agency_mentions(expand_aliases(normalize_text(question)))
        return list(dict.fromkeys(n for _, _, _, names in mentions for n in names))

    def agency_mentions(self, text: str) -> tuple[list[tuple[int, int, str, list[str]]], list[str]]:
        """(start, end, as named, full names) of each agency the (alias-expanded) text names, longest
        forms first; a name one character away from a single known one counts as it; other
        agency-like names are returned as unknown."""
        self._refresh()
        mentions = []
        masked = text
        for form, full_names in self._agency_forms:
            start = masked.find(form)
            while start >= 0:
                mentions.append((start, start + len(form), form, list(full_names)))
                masked = masked[:start] + "　" * len(form) + masked[start + len(form):]
                start = masked.find(form, start + len(form))
        unknown = []
        for m in _AGENCY_LIKE.finditer(masked):
            name = m.group(1)
            # trim words in front that are not part of a name: "请问公安部" -> 公安部
            name = re.sub(r"^(请问|那么|那|由|是|让|和|与|及|在|对|给|跟|向|把|被|但|而|也|还)", "", name)
            if len(name) < 3 or _NOT_AGENCY.search(name) or "　" in name:
                continue
            fixed = self._typo(name)
            if fixed:
                at = m.start(1) + m.group(1).find(name)
                mentions.append((at, at + len(name), name, fixed))
            else:
                unknown.append(name)
        mentions.sort()
        return mentions, list(dict.fromkeys(unknown))

    def _typo(self, name: str) -> list[str] | None:
        """The full names of the one known agency `name` misspells by one character, if only one."""
        if len(name) < 4:
            return None
        # the kind of body (厅, 局, 部, 委…) is never the typo: 文化和旅游厅 is not 文化和旅游部
        matches = {tuple(full) for form, full in self._agency_forms
                   if len(form) >= 4 and form[-1] == name[-1] and _edit1(name, form)}
        bare = _JURISDICTION.sub("", name)
        if bare != name and len(bare) >= 4:
            matches |= {tuple(full) for form, full in self._agency_forms
                        if len(form) >= 4 and form[-1] == bare[-1] and _edit1(bare, form)}
        return list(next(iter(matches))) if len(matches) == 1 else None

    def _conditions(self, text: str, mentions) -> list[AgencyRole]:
        """Each mention with the role words that follow it (up to the next mention that is not joined to
        it by 、/和/与/及), negated by 不/没有/未 just before; without a role word: any role."""
        tokens = [(m.start(2), _ROLE_OF[m.group(2)], bool(m.group(1))) for m in _ROLE_TOKEN.finditer(text)
                  if not any(s <= m.start(2) < e for s, e, _, _ in mentions)]
        out: list[AgencyRole] = []
        for i, (start, end, named, names) in enumerate(mentions):
            # mentions joined by 、/和 share the role words after the last of them
            j = i
            while j + 1 < len(mentions) and _JOINER.match(text[mentions[j][1]:mentions[j + 1][0]]):
                j += 1
            limit = mentions[j + 1][0] if j + 1 < len(mentions) else len(text)
            after = [t for t in tokens if mentions[j][1] <= t[0] < limit]
            if not after:            # "牵头单位是不是X": the role word before the name
                before = [t for t in tokens if t[0] < start and (i == 0 or t[0] >= mentions[i - 1][1])]
                after = before[-1:]
            if not after:
                out.append(AgencyRole(named, tuple(names), Role.ANY))
            for _, role, negated in after:
                out.append(AgencyRole(named, tuple(names), role, negated))
        # the same mention twice with the same role (牵头…牵头) is one condition
        return list(dict.fromkeys(out))

    # ---------------------------------------------------------------- documents
    def named_documents(self, question: str) -> list[tuple[str, float]]:
        """(doc_id, strength) of the documents a question names: its 文号 ("国发〔2019〕3号", "国发2019年3号"),
        a distinctive title piece followed by a document word, a loose name ("土壤法", "奉贤那个方案",
        "综保区意见") whose characters run through one title, or a province a plan is about."""
        return [(d, strength) for d, (strength, _) in self._named(question).items()]

    def _named(self, question: str) -> dict[str, tuple[float, str]]:
        """doc_id -> (strength, the words of the question that name it)."""
        self._refresh()
        documents = self.index.documents()
        named: dict[str, tuple[float, str]] = {}
        for m in _DOC_NUMBER.finditer(question):
            prefix, year, number = m.group(1)[-3:], m.group(2), str(int(m.group(3)))
            for doc_id, doc in documents.items():
                wanted = doc.doc_number or ""
                nm = _DOC_NUMBER.search(wanted)
                if nm and nm.group(2) == year and str(int(nm.group(3))) == number and \
                        (nm.group(1)[-2:] in prefix or prefix[-2:] in nm.group(1)):
                    named[doc_id] = (1.0, m.group(0))
        province = self.index.settings.province_strength
        for doc_id, terms in self._doc_terms.items():
            for term in terms:
                at = question.find(term)
                if at < 0:
                    continue
                if term in PROVINCES:
                    named.setdefault(doc_id, (province, term))
                    break
                if term.startswith(("国发", "国办")) or _DOC_WORD.search(term[-2:]) or len(term) >= 6 or \
                        _DOC_WORD.search(question[at + len(term): at + len(term) + 8]):
                    named[doc_id] = (1.0, term)
                    break
        loose: dict[str, list[str]] = {}
        for doc_id, piece in self._loose_titles(question):
            loose.setdefault(piece, []).append(doc_id)
        for piece, doc_ids in loose.items():
            # a name that fits several titles is settled by what else names a document ("《广西…条例》":
            # 广西 names the Guangxi plan, not the national law); unsettled, all stay in scope
            settled = [d for d in doc_ids if d in named] if len(doc_ids) > 1 else []
            if len(doc_ids) > 1 and not settled:
                # "奉贤公园城市规划" with a 上海市 and a 奉贤区 公园城市 plan: the place settles it
                words = [w for w in self.index.tokenizer.terms(question) if not _government(question, w)]
                placed = [d for d in doc_ids if any(_title_has_place(documents[d].title, w) for w in words)]
                settled = placed if len(placed) == 1 else []
            for doc_id in settled or doc_ids:
                if doc_id in settled or doc_id not in named:
                    named[doc_id] = (1.0, piece)
        if not named:
            place_topic = self._place_and_topic(question)
            if place_topic:
                named[place_topic[0]] = (1.0, place_topic[1])
            else:
                for doc_id, place in self._places_alone(question):
                    named.setdefault(doc_id, (province, place))
        if any(strength != province for strength, _ in named.values()):
            # "土壤法里广西…": the document named by its title is the scope, 广西 only a place in it
            explicit = {d: v for d, v in named.items() if v[0] != province}
            kept = {d: v for d, v in named.items() if v[0] == province and any(
                d2 == d for d2 in explicit)}
            named = {**kept, **explicit}
        return named

    def _place_and_topic(self, question: str) -> tuple[str, str] | None:
        """(doc_id, place word) when a place and a topic word of the question together fit one title only:
        "奉贤公园城市" with two 奉贤 plans and two 公园城市 plans indexed. The place is a word the title
        writes before 区/市/县 (奉贤 in 上海市奉贤区…); each word alone fits several titles."""
        documents = self.index.documents()
        words = [w for w in self.index.tokenizer.terms(question) if len(w) >= 2 and not _GENERIC_TITLE.fullmatch(w)]
        fits = {w: {d for d, doc in documents.items() if w in doc.title} for w in dict.fromkeys(words)}
        fits = {w: ds for w, ds in fits.items() if 0 < len(ds) < len(documents)}
        places = [w for w, ds in fits.items() if all(_title_has_place(documents[d].title, w) for d in ds)]
        for place in places:
            if _government(question, place):
                continue
            for topic, ds in fits.items():
                both = fits[place] & ds
                if topic != place and topic not in place and place not in topic and len(both) == 1:
                    return next(iter(both)), place
        return None

    def _places_alone(self, question: str) -> list[tuple[str, str]]:
        """(doc_id, place) for a district or city the question names that one title only is about, as a
        province names a plan: "青浦消纳场所备案这块谁牵头" with one 上海市青浦区… plan indexed. A place inside
        an agency name of the question ("青浦区政府负责…") names the agency, not a plan."""
        found = [(self._places[p], p) for p in dict.fromkeys(map(_place_stem, self.index.tokenizer.terms(question)))
                 if p in self._places and not _government(question, p)]
        if not found:
            return []
        mentions, _ = self.agency_mentions(question)     # only when a place was found: most questions name none
        return [(doc_id, place) for doc_id, place in found
                if not any(start <= question.find(place) < end for start, end, _, _ in mentions)]

    def _loose_titles(self, question: str) -> list[tuple[str, str]]:
        """(doc_id, name) for each loose name of a document in the question: the one document whose title
        the name's characters run through in order, in a short stretch, better than any other title."""
        documents = self.index.documents()
        found = []
        for m in _LOOSE_DOC.finditer(question):
            stem = m.group(1).strip("“”\"")
            for start in range(0, max(1, len(stem) - 1)):
                piece = stem[start:]
                core = _GENERIC_TITLE.sub("", piece)
                if len(core) < 2 or re.fullmatch(r"(这个|那个|这份|那份|本|该|此|上述|[的在和与]).*", piece):
                    continue
                scored = []
                for doc_id, doc in documents.items():
                    title = doc.title
                    span = _subsequence_span(piece, title)
                    if span is not None and span <= 4 * len(piece):
                        scored.append((_bigram_share(piece, title) - span / 100, m.group(2) in title, doc_id))
                if scored:
                    scored.sort(reverse=True)
                    best = [s for s in scored if s[0] > scored[0][0] - 1e-9]
                    kind = m.group(2)
                    if kind not in _PLAN_WORDS:
                        # 法, 条例, 办法 name a kind of document: "土壤法" is the law, not the soil plan, and
                        # "《广西…土壤污染防治条例》" names no indexed document (the plan only mentions it)
                        best = [s for s in best if s[1]]
                    # the whole name as the question writes it: "奉贤公园城市实施意见", "上海耕地方案"
                    name = question[m.start(1) + start:m.end()]
                    # a name that fits several titles alike ("奉贤那个方案" with two 奉贤 plans indexed)
                    # puts all of them in scope: officers call any plan a 方案 or 计划
                    found.extend((doc_id, name) for _, _, doc_id in best)
                    break
        return found

    def _loose_document(self, question: str) -> tuple[str, ...]:
        """"在综保区意见里…": the phrase before 意见/计划/… searched; its document when the search agrees."""
        ref = _DOCUMENT_PHRASE.search(question)
        if not ref or ref.group(1) in ("这个", "该", "本") or self._phrase_document is None:
            return ()
        doc_id = self._phrase_document(ref.group(1) + ref.group(2))
        return (doc_id,) if doc_id else ()

    def heading_in(self, text: str, scope: Iterable[str]) -> tuple[str, tuple[str, ...]] | None:
        """(doc_id, section path) of a heading the question quotes (at least 4 characters, without its
        numbering), in the documents of `scope`; the deepest when several; None when none or ambiguous."""
        self._refresh()
        scope = set(scope)
        found = []
        for doc_id, paths in self._sections.items():
            if scope and doc_id not in scope:
                continue
            for path in paths:
                core = re.sub(r"^[（(]?[一二三四五六七八九十\d]+[）)、．.]?|[。：:]$", "", path[-1]).strip()
                if len(core) >= 4 and core in text:
                    found.append((len(core), len(path), doc_id, path))
        if not found:
            return None
        found.sort(reverse=True)
        if len({f[2] for f in found if f[0] == found[0][0]}) > 1:
            return None
        return found[0][2], found[0][3]

    def best_section(self, words: Iterable[str], scope: Iterable[str]) -> tuple[str, tuple[str, ...]] | None:
        """(doc_id, section path) of the heading that holds all the given words best (at least 0.75 of
        them, by character pairs), in the documents of `scope` (all when empty); None when no heading
        or two documents' headings do equally well."""
        self._refresh()
        words = [w for w in words if len(w) >= 2]
        if not words:
            return None
        scope = set(scope)
        scored = []
        for doc_id, paths in self._sections.items():
            if scope and doc_id not in scope:
                continue
            for path in paths:
                heading = path[-1]
                share = sum(_covered(w, heading) for w in words) / len(words)
                if share >= 0.75:
                    scored.append((share, -len(path), doc_id, path))
        if not scored:
            return None
        scored.sort(reverse=True)
        top = scored[0]
        rivals = [s for s in scored[1:] if s[0] == top[0] and s[2] != top[2]]
        return None if rivals else (top[2], top[3])

    def _agency_documents(self, conditions) -> tuple[str, ...]:
        """The one document where all the named agencies have tasks (its plan year completes "年底前")."""
        if not conditions:
            return ()
        docs = None
        for c in conditions:
            if c.negated:
                continue
            wanted = set(c.agencies)
            mine = {t.doc_id for t in self.index.tasks().values()
                    if wanted & {a.name for a in (*t.lead_agencies, *t.participants, *t.responsible)}}
            docs = mine if docs is None else docs & mine
        return tuple(docs) if docs and len(docs) == 1 else ()

    # ---------------------------------------------------------------- time
    def _year(self, question: str, scope: tuple[str, ...]) -> int | None:
        """The year asked: written, or 今年/本年度/明年/去年 counted from the plan year of the document in scope."""
        written = re.search(r"((?:19|20)\d{2})年", question)
        if written:
            return int(written.group(1))
        relative = re.search(r"今年|本年度|当年|明年|次年|去年|上一年", question)
        if not relative:
            return None
        documents = self.index.documents()
        base = next((_plan_year(documents[d]) for d in scope if d in documents), None)
        if base is None:
            return None
        return base + {"明年": 1, "次年": 1, "去年": -1, "上一年": -1}.get(relative.group(0), 0)

    def _due(self, question: str, scope: tuple[str, ...], year: int | None) -> Due | None:
        """The time condition of a question; a date without a year takes the plan year of the document
        in scope (else the commonest plan year among dated tasks)."""
        documents = self.index.documents()
        if year is None and scope and scope[0] in documents:
            year = _plan_year(documents[scope[0]])
        if year is None:
            years = [documents[t.doc_id].year for t in self.index.tasks().values()
                     if t.deadlines and t.doc_id in documents and documents[t.doc_id].year]
            year = max(set(years), key=years.count) if years else None
        if re.search(r"长期|持续(推进|开展|性)|常态化|没有(明确)?(期限|截止)|无(明确)?(期限|时限)", question):
            return Due(label="长期/持续", ongoing=True)
        recurring = _RECURRING_ASK.search(question)
        if recurring:
            word = recurring.group(2) or recurring.group(0)
            period = next((v for k, v in _RECURRING.items() if k in recurring.group(0)), None) or \
                {"季度": "R/P3M", "半年": "R/P6M", "年": "R/P1Y", "月": "R/P1M", "周": "R/P1W"}.get(word)
            exact = [d for d in find_deadlines(question, year) if d.normalized and d.normalized.startswith("R/")
                     and "/" in d.normalized[2:]]
            if exact:
                return Due(label=exact[0].text, recurrence=exact[0].normalized)
            if period:
                return Due(label=recurring.group(0), period=period)
        if year:
            half = re.search(r"(上|下)半年", question)
            if half:
                if half.group(1) == "上":
                    return Due(label=half.group(0), by=f"{year}-06-30", after=f"{year}-01-01")
                return Due(label=half.group(0), by=f"{year}-12-31", after=f"{year}-07-01")
            quarter = re.search(r"第?([一二三四1-4])季度(末|底|结束|前|之前)?", question)
            if quarter:
                q = _QUARTER[quarter.group(1)]
                end = f"{year}-{q * 3:02d}-{[31, 30, 30, 31][q - 1]:02d}"
                start = f"{year}-{q * 3 - 2:02d}-01"
                return Due(label=quarter.group(0), by=end, after=None if quarter.group(2) else start) \
                    if quarter.group(2) else Due(label=quarter.group(0), by=end, after=start)
            month = re.search(r"(?<!\d)(\d{1,2})月份?(?!底|末|前|之前|以前|\d|日)", question)
            if month and 1 <= int(month.group(1)) <= 12 and re.search(r"(到期|完成|截止|要做|任务)", question):
                m = int(month.group(1))
                import calendar
                last = calendar.monthrange(year, m)[1]
                return Due(label=month.group(0), by=f"{year}-{m:02d}-{last:02d}", after=f"{year}-{m:02d}-01")
        asked = [d for d in find_deadlines(question, year) if d.normalized and re.match(r"\d{4}-\d{2}-\d{2}$|R/",
                                                                                          d.normalized)]
        if asked:
            wanted = asked[0].normalized
            if wanted.startswith("R/"):
                return Due(label=asked[0].text, recurrence=wanted)
            return Due(label=asked[0].text, by=wanted)
        if re.search(r"今年|本年度|明年|(19|20)\d{2}年", question) and year and \
                re.search(r"(要|须|需要?|得|应)?(完成|到期|截止|做完|办完)", question):
            return Due(label=f"{year}年", by=f"{year}-12-31", after=f"{year}-01-01")
        if re.search(r"时间节点|期限|时限|截止|有(明确)?(时间|日期)要求", question) and \
                re.search(r"哪些|几项|多少|列出|有什么", question):
            return Due(label="有明确时间节点")
        return None

    def due_for(self, question: str, scope: tuple[str, ...]) -> Due | None:
        """The question's time condition read with the plan year of the documents in `scope`."""
        return self._due(normalize_text(question), scope, self._year(normalize_text(question), scope))

    # ---------------------------------------------------------------- operation
    def _operation(self, text: str, intents: list[str], conditions, due, listing, scope, task_words,
                   documents) -> Operation:
        if len({d for d, _ in documents}) >= 2 and (_COMPARE.search(text) or re.search(r"各有|各是|分别|各[^\s]{0,4}(要求|规定)",
                                                                                          text)):
            return Operation.COMPARE
        if _EXTREME.search(text):
            return Operation.LATEST if _LATEST.search(_EXTREME.search(text).group(0)) else Operation.EARLIEST
        if _WHICH_ROLE.search(text) and conditions and not _COUNT.search(text):
            return Operation.WHICH_ROLE
        if _YES_NO.search(text) and (conditions or (due is not None and not listing)) and not _COUNT.search(text) \
                and not re.search(r"哪些|哪几|什么", text):
            return Operation.YES_NO
        if _COUNT.search(text) and not conditions and due is None and not task_words and \
                re.search(r"方面|部分|板块|(多少|几)项(重点)?任务|任务(总数|数量)|(一共|总共|共)有?(多少|几)", text):
            return Operation.OVERVIEW               # "分几个方面", "一共多少项任务": the document's structure
        if _COUNT.search(text) and (conditions or due is not None or listing or
                                    re.search(r"任务|工作|事项|方面|部分", text)):
            return Operation.COUNT
        if listing:
            return Operation.LIST
        if _EXPLAIN.search(text):
            return Operation.EXPLAIN
        if due is not None and (re.search(r"哪些|哪几|什么(任务|工作|事)|有啥|列出|清单", text) or
                                (not task_words and re.search(r"(完成|做|办|到期|截止)(什么|哪些|啥)", text))):
            return Operation.LIST
        if conditions and re.search(r"(哪些|哪几项|什么)(任务|工作|事)|(任务|工作)有(哪些|什么)|列出|清单", text):
            return Operation.LIST
        generic = len(task_words) == 0
        if _OVERVIEW.search(text) and (generic or re.search(r"主要内容|概要|概况|主要目标|目的", text)):
            return Operation.OVERVIEW
        if _OUTLINE.search(text) and intents == ["general"]:
            return Operation.OUTLINE
        if _FACT.search(text) and not (intents[0] in ("lead", "participants") and not re.search(r"可以|能否|禁止|不得",
                                                                                                  text)):
            return Operation.FACT
        if _YES_NO.search(text) and intents == ["general"]:
            return Operation.FACT
        return Operation.LOOKUP

    # ---------------------------------------------------------------- words
    def _task_words(self, words: list[str], mentions, scope) -> list[str]:
        """Content words that name neither an agency, nor a document in scope, nor a time: what the task is."""
        documents = self.index.documents()
        titles = " ".join(documents[d].title for d in scope if d in documents)
        agency_text = " ".join(f"{named} {' '.join(names)}" for _, _, named, names in mentions)
        out = []
        for w in words:
            if w in agency_text or (titles and w in titles) or re.fullmatch(
                    r"[\d年月日底前季度上下半今明去本度末内]+|年底|年底前|年末|上半年|下半年|季度|长期|持续|期限|时间|节点|时间节点|"
                    r"到期|截止|哪项|最早|最晚|最近|下一个|角色|方面|部分|内容|主要|多少项|几项|情况|有没有|是不是|"
                    r"意思|讲|说|一共|总共|这个|本|该|那个|清单|列出|数量|职责|安排|工作|任务|事项|措施|要求|具体|"
                    r"怎么|做|开展|落实|推进|如何|介绍|概括|总结|概要|目的|目标|重点|这件|这项|这个|那个|该项|这些|那些|其中|"
                    r"单位|部门|牵头单位|参与单位|角色|身份|分别|各自|各有|规定|区别|不同|比较|对比|两个|两份|异同|差别|"
                    r"相比|有何|什么样|这块|那块|一块|板块|领域|章节|这部分|那部分|天起|哪天|几号|承担|扮演|作用|职责|身份", w) or w in PROVINCES:
                continue
            out.append(w)
        return out

    def content_words(self, question: str) -> list[str]:
        """The question's own words: BM25 terms after aliases, without question words; a word found inside
        a longer one ("土壤污染" in "土壤污染重点监管单位") counts once."""
        words = []
        for term in self.index.tokenizer.terms(expand_aliases(question)):
            if term in QUESTION_WORDS or len(term) < 2 and not re.match(r"[a-z0-9]", term):
                continue
            if term not in words:
                words.append(term)
        return [w for w in words if not any(w != o and w in o for o in words)]


def _plan_year(document: Document) -> int | None:
    """The year a plan is for: its plan year, else a year in its title ("2021年度…计划"), else its date's."""
    if document.year:
        return document.year
    titled = re.search(r"((?:19|20)\d{2})年", document.title)
    if titled:
        return int(titled.group(1))
    return int(document.date[:4]) if document.date else None


def _covered(word: str, haystack: str) -> float:
    """1 when the word is in the text; else the share of its character pairs that are (科技攻关 ~ 科学技术攻关)."""
    if word in haystack:
        return 1.0
    pairs = [word[i:i + 2] for i in range(len(word) - 1)]
    return sum(p in haystack for p in pairs) / len(pairs) if pairs else 0.0


def is_office_holder_question(text: str) -> bool:
    """"生态环境厅厅长是谁": documents name offices, never the people in them."""
    return bool(_OFFICE_HOLDER.search(text))


def detect_intents(question: str) -> list[str]:
    """lead | participants | deadline | target in the order the question asks them; else general."""
    intents = [name for name, pattern in INTENT_PATTERNS if pattern.search(question)]
    order = sorted(intents, key=lambda name: min(m.start() for m in
                                                  dict(INTENT_PATTERNS)[name].finditer(question)))
    return order or ["general"]


def expand_aliases(text: str) -> str:
    """"发改委" -> "发展改革委", "国土厅" -> "自然资源厅": officers' short and older names to the documents' ones."""
    for alias, full in _ALIASES_LONGEST_FIRST:
        if alias in text:
            text = text.replace(alias, full)
    return text


_ALIASES_LONGEST_FIRST = sorted(AGENCY_ALIASES.items(), key=lambda kv: -len(kv[0]))


def _government(question: str, place: str) -> bool:
    """"青浦区政府在公园城市建设中…": the place is an agency of some plan, not the name of its own plan."""
    at = question.find(place)
    return at >= 0 and bool(re.match(r"[区市县]?(人民政府|政府)", question[at + len(place):]))


def _place_stem(word: str) -> str:
    """"奉贤区" -> "奉贤"; a word that is no place name comes back as it is."""
    return word[:-1] if word.endswith(("区", "市", "县")) and len(word) >= 3 else word


def _title_has_place(title: str, word: str) -> bool:
    """Whether `word` ("奉贤", "奉贤区") is a place `title` is issued by or about."""
    return bool(re.search(_TITLE_PLACE.format(re.escape(_place_stem(word))), title))


def _title_places(documents: dict[str, Document]) -> dict[str, str]:
    """place -> doc_id for the places (2-3 characters written before 区/市/县) that one title only names, and
    no other title contains at all: 青浦 of 上海市青浦区人民政府办公室…, not 奉贤 with two 奉贤 plans."""
    titles = {d: doc.title for d, doc in documents.items()}
    places: dict[str, set[str]] = {}
    for doc_id, title in titles.items():
        # the issuer or the subject: "上海市青浦区人民政府办公室…", "《青浦区关于…》" (not 无废城市, 保税区)
        for m in re.finditer(_TITLE_PLACE.format(r"([\u4e00-\u9fff]{2,3}?)"), title):
            if m.group(1) not in PROVINCES and not _GENERIC_TITLE.fullmatch(m.group(1)):
                places.setdefault(m.group(1), set()).add(doc_id)
    # how many titles hold each 2-3 character run at all, counted in one pass (linear in the titles)
    held = Counter(run for title in titles.values()
                   for run in {title[i:i + n] for n in (2, 3) for i in range(len(title) - n + 1)})
    return {place: next(iter(ds)) for place, ds in places.items() if len(ds) == 1 and held[place] == 1}


def _distinctive_title_terms(documents: dict[str, Document]) -> dict[str, list[str]]:
    """Per document, title pieces (and its 文号) no other title contains: "综合保税区", "土壤污染防治法".

    Pieces are the 4-10 character runs of the title between generic title words, and the provinces it
    names. Linear in the number of titles (one run length at a time: a 10,000-document index counts a
    few hundred thousand runs at once, instead of comparing every pair of titles).
    """
    titles = {d: doc.title.replace("《", "").replace("》", "") for d, doc in documents.items()}
    grams: dict[str, set[str]] = {}
    for doc_id, title in titles.items():
        parts = [p for p in _GENERIC_TITLE.split(title) if p]
        grams[doc_id] = {part[start:start + size] for part in parts for size in range(4, min(len(part), 10) + 1)
                         for start in range(0, len(part) - size + 1)}
    out: dict[str, list[str]] = {d: [] for d in documents}
    for size in range(4, 11):
        held = Counter(run for title in titles.values()
                       for run in {title[i:i + size] for i in range(len(title) - size + 1)})
        for doc_id, runs in grams.items():
            out[doc_id].extend(g for g in runs if len(g) == size and held[g] == 1)
    provinces = Counter(p for title in titles.values() for p in PROVINCES if p in title)
    numbers = Counter(doc.doc_number for doc in documents.values() if doc.doc_number)
    for doc_id, doc in documents.items():
        out[doc_id].extend(p for p in PROVINCES if p in titles[doc_id] and provinces[p] == 1)   # "广西" names a plan
        if doc.doc_number and numbers[doc.doc_number] == 1:
            out[doc_id].append(doc.doc_number)
        out[doc_id] = sorted((g for g in out[doc_id] if not re.fullmatch(r"[\d年度]+", g)), key=len, reverse=True)
    return out
