"""A question -> `Query`, once: what is asked (intents, a list), which agencies and documents it names,
its own words, and whether it follows up the previous answer.

Agency names are resolved against the agencies the index knows (full names, names without their
jurisdiction prefix, officers' short forms such as 发改委 from `lexicon.AGENCY_ALIASES`); documents by
title pieces no other indexed title contains, or their 文号.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from ..lexicon import AGENCY_ALIASES, GENERIC_TITLE_WORDS, PROVINCES, QUESTION_WORDS
from ..models import Document, Due, Query, Role
from ..tasks.deadlines import find_deadlines

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
AGENCY_TASKS = re.compile(r"(牵头|参与|配合|负责|主管|主抓)(了|的)?(哪些|什么|哪几项|几项|哪几个|哪些事|的事|的工作|的任务|"
                          r"的有|哪一些|干什么|做什么|干啥|啥)|(牵头|参与|负责)的?(任务|工作|事项)(都)?(有哪些|是什么|有什么)|"
                          r"在.{0,12}(负责|牵头|参与)(什么|哪些|干什么|做什么)")
DEADLINE_LIST = re.compile(r"(底前|月前|季度末|上半年|下半年|年底|年末|时间节点|按季度|每季度|每年|每半年|月底)"
                           r".{0,12}(哪些|哪几项|几项|有啥|什么(任务|工作|事))|"
                           r"(哪些|什么)(事情|任务|工作).{0,8}(按季度|每季度|每年|每半年)")
FOLLOW_UP = re.compile(r"^(那|那么|这个|这项|该|它|它的|这件事|这块|此项|上述|那这|那它)|呢[？?]?$|^(期限|参与单位|牵头单位|目标)")
_DOCUMENT_PHRASE = re.compile(r"([\u4e00-\u9fff]{2,12}?)(文件|意见|计划|方案|通知|报告|条例|规则|办法)(里|中|上)?")
_DOC_WORD = re.compile(r"计划|方案|意见|通知|文件|报告|规则|条例|(?<!执)法(?!规)|办法|措施|里|中")
_GENERIC_TITLE = re.compile("|".join(GENERIC_TITLE_WORDS))
_JURISDICTION = re.compile(r"^(自治区|国家|国务院|省|市|县)")
_RECURRING = re.compile(r"按季度|每季度|每半年|每年|每月")
_RECURRING_PERIOD = {"按季度": "R/P3M", "每季度": "R/P3M", "每半年": "R/P6M", "每年": "R/P1Y", "每月": "R/P1M"}


def detect_intents(question: str) -> list[str]:
    """lead | participants | deadline | target in the order the question asks them; else general."""
    intents = [name for name, pattern in INTENT_PATTERNS if pattern.search(question)]
    order = sorted(intents, key=lambda name: min(m.start() for m in
                                                  dict(INTENT_PATTERNS)[name].finditer(question)))
    return order or ["general"]


def expand_aliases(text: str) -> str:
    """"发改委" -> "发展改革委", "文旅部" -> "文化和旅游部": officers' short names to the documents' ones."""
    for alias, full in AGENCY_ALIASES.items():
        text = text.replace(alias, full)
    return text


def normalize_question(text: str, max_chars: int) -> str:
    """Whitespace folded to single spaces, cut at `max_chars`."""
    return " ".join((text or "").split())[:max_chars]


def _short_forms(name: str) -> set[str]:
    forms = {name}
    bare = _JURISDICTION.sub("", name)
    if len(bare) >= 3:
        forms.add(bare)
    if name.endswith("人民政府") and len(name) >= 7:          # 梧州市人民政府: 梧州市, 梧州市政府
        forms.update({name[:-4], name[:-4] + "政府"})
    return forms


class QueryAnalyser:
    """Analyses questions against one index: its agencies, its documents' titles, its tokenizer.

    `phrase_document` resolves a phrase such as "综保区意见" to the one document a search for it
    lands in (the retriever provides it), for list questions that name a document loosely.
    """

    def __init__(self, index, phrase_document: Callable[[str], str | None] | None = None):
        self.index = index
        self._phrase_document = phrase_document
        self._agency_forms: list[tuple[str, list[str]]] | None = None
        self._doc_terms: dict[str, list[str]] | None = None
        self._loaded_key: str | None = None

    def analyse(self, question: str, doc: str | Iterable[str] | None = None, max_chars: int | None = None) -> Query:
        """`doc`: a doc_id or several the user limited the question to (None: all documents)."""
        restrict = (doc,) if isinstance(doc, str) else tuple(doc or ())
        text = normalize_question(question, max_chars or self.index.settings.max_question_chars)
        intents = detect_intents(text)
        agencies = self.named_agencies(text)
        documents = () if restrict else tuple(self.named_documents(text))
        listing = None
        if AGENCY_TASKS.search(text) and agencies:
            listing = "agency_tasks"
        elif DEADLINE_LIST.search(text):
            listing = "deadline_list"
        role = Role.PARTICIPANTS if re.search(r"参与|配合|协助", text) else \
            Role.LEAD if re.search(r"牵头|主抓|主管", text) else Role.ANY
        scope = restrict or tuple(d for d, _ in documents)
        if listing and not scope:
            scope = self._loose_document(text)
        due = self._due(text, scope) if listing == "deadline_list" else None
        words = self.content_words(text)
        return Query(text=text, intents=tuple(intents), agencies=tuple(agencies), documents=documents, restrict=restrict,
                     scope=scope, listing=listing, role=role, due=due, content_words=tuple(words),
                     follow_up=bool(FOLLOW_UP.search(text)) and len(words) <= 1)

    # ---- what a question names
    def _refresh(self) -> None:
        manifest = self.index.manifest()
        key = manifest["collection"] if manifest else None
        if key == self._loaded_key and self._agency_forms is not None:
            return
        forms: dict[str, set[str]] = {}
        for clause in self.index.clauses().values():
            for agency in (*clause.lead_agencies, *clause.participants, *clause.responsible):
                for form in _short_forms(agency.name) | _short_forms(agency.as_written):
                    forms.setdefault(form, set()).add(agency.name)
        self._agency_forms = sorted(((f, sorted(n)) for f, n in forms.items()), key=lambda kv: -len(kv[0]))
        self._doc_terms = _distinctive_title_terms(self.index.documents())
        self._loaded_key = key

    def named_agencies(self, question: str) -> list[str]:
        """Full names of the agencies a question mentions ("农业农村厅" -> 自治区农业农村厅 …)."""
        self._refresh()
        text = expand_aliases(question)
        found: list[str] = []
        for form, full_names in self._agency_forms:
            if form in text:
                found.extend(n for n in full_names if n not in found)
                text = text.replace(form, "　")
        return found

    def named_documents(self, question: str) -> list[tuple[str, float]]:
        """(doc_id, strength): a province the question is about scopes it more than a title phrase."""
        self._refresh()
        named = []
        province = self.index.settings.province_strength
        for doc_id, terms in self._doc_terms.items():
            for term in terms:
                at = question.find(term)
                if at < 0:
                    continue
                if term in PROVINCES:
                    named.append((doc_id, province))
                    break
                if term.startswith(("国发", "国办")) or _DOC_WORD.search(term[-2:]) or \
                        _DOC_WORD.search(question[at + len(term): at + len(term) + 8]):
                    named.append((doc_id, 1.0))
                    break
        return named

    def _loose_document(self, question: str) -> tuple[str, ...]:
        """"在综保区意见里…": the phrase before 意见/计划/… searched; its document when the search agrees."""
        ref = _DOCUMENT_PHRASE.search(question)
        if not ref or ref.group(1) in ("这个", "该", "本") or self._phrase_document is None:
            return ()
        doc_id = self._phrase_document(ref.group(1) + ref.group(2))
        return (doc_id,) if doc_id else ()

    def _due(self, question: str, scope: tuple[str, ...]) -> Due | None:
        """The time condition of a list question; a date without a year takes the plan year of the
        document in scope (else the commonest plan year among dated tasks)."""
        documents = self.index.documents()
        if scope:
            year = documents[scope[0]].year
        else:
            years = [documents[c.doc_id].year for c in self.index.clauses().values()
                     if c.deadlines and documents[c.doc_id].year]
            year = max(set(years), key=years.count) if years else None
        asked = [d for d in find_deadlines(question, year) if d.normalized]
        if asked:
            wanted = asked[0].normalized
            if wanted.startswith("R/"):
                return Due(label=asked[0].text, recurrence=wanted)
            return Due(label=asked[0].text, by=wanted.split("/")[-1])
        recurring = _RECURRING.search(question)
        if recurring:
            return Due(label=recurring.group(0), period=_RECURRING_PERIOD[recurring.group(0)])
        if re.search(r"时间节点|期限|时限", question):
            return Due(label="有明确时间节点")
        return None

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


def _distinctive_title_terms(documents: dict[str, Document]) -> dict[str, list[str]]:
    """Per document, title pieces (and its 文号) no other title contains: "综合保税区", "土壤污染防治法"."""
    pieces: dict[str, set[str]] = {}
    for doc_id, doc in documents.items():
        parts = [p for p in _GENERIC_TITLE.split(doc.title.replace("《", "").replace("》", "")) if p]
        grams = set()
        for part in parts:
            for size in range(4, min(len(part), 10) + 1):
                for start in range(0, len(part) - size + 1):
                    grams.add(part[start:start + size])
            grams.update(p for p in PROVINCES if p in part)          # "广西" names the Guangxi plan
        if doc.doc_number:
            grams.add(doc.doc_number)
        pieces[doc_id] = grams
    out = {}
    for doc_id, grams in pieces.items():
        others = set().union(*(g for d, g in pieces.items() if d != doc_id)) if len(pieces) > 1 else set()
        titles = [documents[d].title for d in documents if d != doc_id]
        out[doc_id] = sorted((g for g in grams if g not in others and not any(g in t for t in titles)
                              and not re.fullmatch(r"[\d年度]+", g)), key=len, reverse=True)
    return out
