"""Query + tasks + clauses -> Answer: the first line answers, then the list or the quote, each cited.

Answers are extractive: every field comes from a task's or clause's parsed fields and every answer quotes
the clause it rests on. What is done depends on the Query's operation (assistant/query/analyse.py):

- lookup: a field of one task (who leads, when, how much), from the best clause that covers the
  question and holds the field in a sentence about the thing asked (never a neighbour's field);
- list / count: `select_tasks(query)`, complete; yes/no and which role: the agency's role in the task
  asked about, or in all its tasks; earliest / latest: the nearest or last dated deadline;
- overview: the document's purpose (preamble), targets and sections with their task counts; outline:
  the tasks of one section; compare: the best clause of each named document; explain: the task's own
  sentences; fact: the sentence that answers, quoted;
- follow-ups keep the last query: another agency or document replaces it, "还有呢" gives the next items
  or the other fields, another field is asked of the same task(s).

A question that points to documents (named, `--doc`, the conversation's) is answered from them only; when
nothing in scope answers, the answer is 文件中未找到 with the nearest clauses offered as 相关条款.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from ..documents.attribution import attribution_groups
from ..lexicon import PROVINCES
from ..models import Answer, Citation, Clause, Document, Operation, Origin, Query, Role, Task
from ..query.analyse import FOLLOW_UP, MORE, NEXT, is_office_holder_question
from ..query.normalize import normalize_text
from ..query.retrieve import Hit, Retriever
from ..query.select import TaskRow, role_of, select_tasks
from ..serialize import first_sentence
from ..settings import LLMSettings, Settings

SENTENCE = re.compile(r"[^。；！？\n]*(?:[。；！？]+|\n|$)")
ROLE_NAME = {Role.LEAD: "牵头单位", Role.PARTICIPANTS: "参与单位", Role.RESPONSIBLE: "负责单位"}
ROLE_VERB = {Role.LEAD: "牵头", Role.PARTICIPANTS: "参与", Role.RESPONSIBLE: "负责", Role.ANY: "承担"}
# an amount asked in a unit of money, weight, length or area (not a measure word: 多少个 may be 6座)
_UNIT_ASKED = re.compile(r"(?:多少|几)(万|亿)?(元|吨|平方公里|公里|公顷|亩|立方米|千瓦|米)")
_JURISDICTION = re.compile(r"^(自治区|国家|省|市|区|县)")
_ASKS_LEAD = re.compile(r"牵头|主抓|主管|抓总")
_PROHIBIT = re.compile(r"不得|禁止|严禁|不准|杜绝|不予")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
_BODY = re.compile(r"人民政府|政府|部门|单位|机关|机构|[厅局委署办]|企业|责任人|使用权人|国家|国务院")
# words whose 局/委/办 is no body: "加快布局…产业" names nobody (a who-question must not be answered by it)
_NOT_BODY = re.compile(r"布局|格局|结局|全局|大局|开局|当局|办法|办理|举办|创办|督办|委托")
_CUES = ((re.compile(r"谁|哪个部门|哪个单位|哪级|哪一级"), re.compile(r"由[\u4e00-\u9fff]{2,}|人民政府|部门|单位|厅|局|委")),
         (re.compile(r"哪里|在哪|哪个(城市|地方|市|县)|什么地方"), re.compile(r"[\u4e00-\u9fff]{1,4}(市|县|区)|在[\u4e00-\u9fff]{2,}")),
         (re.compile(r"多少|几个|几项|比例"), re.compile(r"\d")),
         (re.compile(r"什么时候|何时|哪天|哪年|期限"), re.compile(r"\d{4}年|\d{1,2}月|日内|前")))


def _has_roles(item) -> bool:
    return bool(item.lead_agencies or item.participants or item.responsible)


def _covered(word: str, haystack: str) -> float:
    """1 when the word is in the text; else the share of its character pairs that are (科技攻关 ~ 科学技术攻关)."""
    if word in haystack:
        return 1.0
    pairs = [word[i:i + 2] for i in range(len(word) - 1)]
    return sum(p in haystack for p in pairs) / len(pairs) if pairs else 0.0


def _coverage(words: Sequence[str], text: str) -> float:
    return sum(_covered(w, text) for w in words) / len(words) if words else 1.0


def _sentences(text: str) -> list[str]:
    return [s for s in (m.group(0) for m in SENTENCE.finditer(text or "")) if s.strip()]


def _name_run(words: Sequence[str], text: str) -> int:
    """How many of `words`, consecutive as the question has them, a clause's own name holds: its first
    line or phrase without the label ("落实消纳场所备案" of a table row, "（2）涉及耕地的消纳场所")."""
    name = re.split(r"[，。；：,;:]", first_sentence(text))[0]
    best = 0
    for start in range(len(words)):
        for end in range(len(words), start + best, -1):
            if "".join(words[start:end]) in name:
                best = end - start
                break
    return best


def _short_title(title: str) -> str:
    """How other documents cite a title: 中华人民共和国土壤污染防治法 -> 土壤污染防治法; the notice around an
    印发 title -> the title inside 《》."""
    inner = re.search(r"《([^》]+)》", title)
    title = inner.group(1) if inner else title
    return re.sub(r"^中华人民共和国", "", title)


def _names(agencies) -> list[str]:
    return [a.name for a in agencies]


class Assistant:
    """One object per index: the model and index load once, then every question is cheap."""

    def __init__(self, retriever: Retriever, settings: Settings | None = None, llm: LLMSettings | None = None):
        """`settings` default to the index's; `llm` replaces `settings.llm` (None keeps it)."""
        self.retriever = retriever
        self.index = retriever.index
        settings = settings or self.index.settings
        self.settings = settings.with_(llm=llm) if llm is not None else settings
        self._by_clause: dict[str, list[Task]] | None = None
        self._by_clause_key = None

    # ---------------------------------------------------------------- public
    def ask(self, question: str, top_k: int = 5, doc: str | Sequence[str] | None = None,
            previous: Answer | None = None) -> Answer:
        """The extractive answer, or with an LLM configured (`Settings.llm`), its wording when it cites
        retrieved clauses only. `doc` limits the question to one document or several (doc_ids);
        `previous` is the conversation's last answer (follow-ups, the conversation's document). The whole
        answer is read from one snapshot of the index."""
        with self.index.pinned():
            answer = self._extractive(question, top_k, doc, previous)
        if self.settings.llm is None:
            return answer
        from .llm import generate_answer

        return generate_answer(answer, self.settings.llm)

    def _extractive(self, question: str, top_k: int, doc, previous: Answer | None) -> Answer:
        text = normalize_text(question or "", self.settings.max_question_chars)
        if not text:
            return self._empty(text, "问题为空，请输入要查询的内容。")
        if not re.search(r"[\u4e00-\u9fff]", text):
            return self._empty(text, "问题中没有可查询的中文内容，请用中文描述要查询的任务、部门或期限。")
        query = self.retriever.analyse(text, doc=doc, previous=previous)
        if is_office_holder_question(text):
            return self._refuse(query, "文件中未找到：政策文件只写明承担任务的单位，不列出担任职务的人员。")
        if query.unknown_agencies:
            named = "、".join(query.unknown_agencies)
            return self._refuse(query, f"文件中未找到“{named}”：已收录的文件没有提到这个单位，请核对名称"
                                       f"（可用 policyqa agencies 查看文件中出现的单位）。")
        if previous is not None and previous.query is not None and (query.follow_up or query.more):
            answer = self._follow_up(query, previous, top_k)
            if answer is not None:
                return answer
        if previous is None and not query.task_words and not query.conditions and not query.documents and \
                (MORE.search(text) or (FOLLOW_UP.search(text) and query.operation == Operation.LOOKUP)):
            return self._refuse(query, "请先提出一个问题，再追问“还有呢”或“那期限呢”。")
        if query.conditions and not query.task_words and query.operation == Operation.LOOKUP and \
                query.intents == ("general",) and not query.due and len(re.sub(r"[^\u4e00-\u9fff]", "",
                                                                                   text)) <= len(
                    "".join(c.mention for c in query.conditions)) + 3:
            return self._agency_alone(query)
        answer = self._answer(query, top_k)
        if not answer.found and query.scope_from == "conversation" and not query.deictic and not query.follow_up:
            # the conversation's document was a guess: a question about something else searches everything
            answer = self._answer(replace(query, scope=(), scope_from=""), top_k)
        return answer

    def _answer(self, query: Query, top_k: int) -> Answer:
        op = query.operation
        if op == Operation.OVERVIEW:
            return self._overview(query)
        if op == Operation.OUTLINE:
            return self._outline(query)
        if op == Operation.COMPARE:
            return self._compare(query, top_k)
        if op in (Operation.LIST, Operation.COUNT):
            return self._list(query)
        if op in (Operation.YES_NO, Operation.WHICH_ROLE):
            return self._role_question(query, top_k)
        if op in (Operation.EARLIEST, Operation.LATEST):
            return self._extreme(query)
        if op == Operation.EXPLAIN:
            return self._explain(query, top_k)
        return self._lookup(query, top_k)

    # ---------------------------------------------------------------- finding the task asked about
    def _tasks_of(self, clause_id: str) -> list[Task]:
        manifest = self.index.manifest()
        key = manifest["collection"] if manifest else None
        if self._by_clause is None or key != self._by_clause_key:
            by: dict[str, list[Task]] = {}
            for task in self.index.tasks().values():
                by.setdefault(task.clause_id, []).append(task)
            self._by_clause, self._by_clause_key = by, key
        return self._by_clause.get(clause_id, [])

    def _tasks_with_roles(self, clause: Clause) -> list[Task]:
        return [t for t in self._tasks_of(clause.clause_id) if _has_roles(t)]

    def _task_in(self, clause: Clause, words: Sequence[str]) -> Task | None:
        """The task of a clause the words are about (a table clause holds several)."""
        tasks = self._tasks_of(clause.clause_id)
        if not tasks:
            return None
        return max(tasks, key=lambda t: (_coverage(words, t.text + " ".join(t.section_path)), _has_roles(t)))

    def _search(self, query: Query, top_k: int) -> list[Hit]:
        hits = self.retriever.search(query, top_k=max(top_k, 3) + (10 if query.scope else 0)).hits
        hits = [h for h in hits if self._allowed(query, h.clause)]
        return hits[:max(top_k, 3)]

    def _allowed(self, query: Query, clause: Clause) -> bool:
        """A clause may be presented when the question points to its document, or, for a document named by
        title words, when the clause itself names that document (another plan's "加强《…法》宣传")."""
        scope = query.restrict or query.scope
        if not scope or clause.doc_id in scope:
            return True
        if query.scope_from != "named":
            return False
        documents = self.index.documents()
        names = [_short_title(documents[d].title) for d in scope if d in documents] + list(query.doc_terms)
        return any(len(n) >= 4 and n in clause.text for n in names)

    def _find(self, query: Query, top_k: int, need=None, prefer=None) -> tuple[Hit | None, list[Hit]]:
        """The best of the three best clauses that answers the question: it covers the question's own
        words (a lower-ranked one must cover them clearly better) and meets `need` (a field it must
        hold); a "who" question prefers a clause naming roles, and `prefer` (a score, higher first)
        reorders the three."""
        asks_lead = query.intents[0] == "lead" and bool(_ASKS_LEAD.search(query.own_text or query.text))
        deep = self._search(query, max(top_k, self.settings.lead_depth) if asks_lead else top_k)
        hits = deep[:max(top_k, 3)]
        candidates = hits[:3]
        if query.intents[0] in ("lead", "participants") and candidates:
            # a clause naming roles goes first when it is about the question at least as much as the best
            # one; for a 谁牵头 question, one naming a lead goes before one naming only who is responsible
            # ("(十三)区信息委：加强对数字公园…的指导" vs the task "推进公园数字化建设" led by 区绿化市容局);
            # then the one whose own name holds the longest run of the question's words. A clause a little
            # deeper (up to lead_depth) takes part too when it names the task better: a table row ("落实消纳场所备案 |
            # 区绿化市容局 | …") is short and ranks below the paragraphs explaining the same task.
            words = query.task_words or query.content_words
            top = _coverage(words, self._haystack(candidates[0].clause))

            def about(hit: Hit) -> bool:
                return _coverage(words, self._haystack(hit.clause)) >= top

            def order(hit: Hit) -> tuple[bool, bool, int]:
                leads = asks_lead and bool(hit.clause.lead_agencies) and about(hit)
                return (not (_has_roles(hit.clause) and about(hit)), not leads,
                        -_name_run(words, hit.clause.text) if leads else 0)
            if asks_lead:
                named = max(_name_run(words, h.clause.text) for h in candidates)
                candidates += [h for h in deep[3:] if h.clause.lead_agencies and about(h)
                               and _name_run(words, h.clause.text) > max(named, 1)][:1]
            candidates = sorted(candidates, key=order)
        if prefer is not None:
            # `prefer` breaks ties among the clauses that are about the question as much as the best one
            words = query.task_words or query.content_words
            top = _coverage(words, self._haystack(candidates[0].clause)) if candidates else 0.0
            candidates = sorted(candidates, key=lambda h: -prefer(h) if _coverage(words, self._haystack(h.clause))
                                >= top else 1)
        for rank, hit in enumerate(candidates):
            needed = self.settings.min_coverage if rank == 0 else \
                max(self.settings.min_coverage, self.settings.lower_rank_coverage)
            if not self._covers(query, hit.clause, hit.document, needed):
                continue
            if need is None or need(hit):
                return hit, [hit] + [h for h in hits if h is not hit]
            if rank == 0 and query.intents[0] in ("deadline", "target"):
                # the best clause is about the thing asked but has no such field: a neighbour's field
                # would be borrowed (borrowed-deadline case); the answer is that the text gives none --
                # unless another of the three is at least as much about the question and holds it (the
                # 一张图 stated twice: "动态更新" in the plan, "每半年滚动更新" in its 细则)
                words = query.task_words or query.content_words
                best = _coverage(words, self._haystack(hit.clause))
                if not any(_coverage(words, self._haystack(h.clause)) >= best and need(h)
                           for h in candidates[rank + 1:]):
                    return None, hits
        return None, hits

    @staticmethod
    def _haystack(clause: Clause) -> str:
        return " ".join((*clause.section_path, clause.text))

    def _covers(self, query: Query, clause: Clause, document: Document, min_coverage: float) -> bool:
        """Whether a clause is about the question: every year and place the question names is in its
        document, and it contains at least `min_coverage` of the question's own words."""
        haystack = " ".join((*clause.section_path, clause.text))
        whole = " ".join((document.title, document.doc_number or "", document.date or "", haystack))
        # without the documents' names: the year of "国发2019年3号" or the 上海 of "上海耕地方案" name a
        # document, not what is asked of it
        question = query.own_text or query.text
        for year in re.findall(r"(?:19|20)\d{2}", question):        # a year the text never mentions
            if year not in whole:
                return False
        for place in re.findall(r"[\u4e00-\u9fff]{2,3}(?:省|市|县)(?!里)(?![\u4e00-\u9fff]{0,2}(?:场|级|长))", question):
            # (市里 / 县里 is "the city level": "最晚什么时候报市里" names no city)
            place = re.sub(r"^[中里在的和与及对从按]", "", place)
            if len(place) < 3 or re.search(r"[哪什各本该全每个些这那]|设区|地级|县级|市县|省市", place):
                continue                   # 设区市, 各市县: kinds of places, not a place
            if re.search(r"[报给向到由交送至经候]", place):
                continue                   # "报给市住建委", "时候报市": a verb before 市, not a city
            if place not in whole and place[:-1] not in whole:    # another province or city
                return False
        for province in PROVINCES:
            if province in question and province not in whole:
                return False
        words = [w for w in query.content_words if w not in document.title and not any(w in t for t in query.doc_terms)]
        if words and _coverage(words, haystack) < min_coverage:
            return False
        return True

    # ---------------------------------------------------------------- lookup and fact
    def _lookup(self, query: Query, top_k: int) -> Answer:
        intent = query.intents[0]

        unit = _UNIT_ASKED.search(query.own_text or query.text)

        def need(hit: Hit) -> bool:
            clause = hit.clause
            if intent == "deadline":
                return bool(clause.deadlines) or bool(_DATE.search(clause.text))
            if intent == "target":
                # "每吨多少元" is not answered by a 50% of the same clause: the amount asked has its unit
                return any(unit.group(2) in t for t in clause.targets) if unit else bool(clause.targets)
            return True

        best, hits = self._find(query, top_k, need)
        if best is None:
            return self._not_found(query, hits[:top_k])
        scope = set(query.restrict or query.scope)
        if scope:      # related clauses from the documents pointed to only (the answer may cite them)
            hits = [h for h in hits if h is best or h.clause.doc_id in scope]
        who = intent in ("lead", "participants")
        stated = any(t.origin != Origin.PROSE for t in self._tasks_with_roles(best.clause))
        if who and _has_roles(best.clause) and not stated and not attribution_groups(best.clause.text):
            # roles read from prose: they answer only when the sentence about the thing asked names them
            # (roles a table column, a label or an agency heading states need no such sentence)
            quote = self._quote(query, best.clause, intent)
            named = [a.as_written for a in (*best.clause.lead_agencies, *best.clause.responsible,
                                            *best.clause.participants)]
            if not any(n and n in quote for n in named):
                return self._fact(query, [best] + [h for h in hits if h is not best][:top_k - 1], who=True)
        if who and not _has_roles(best.clause) and not self._tasks_with_roles(best.clause):
            # the clause names no roles: the sentence that answers ("由所在地县级人民政府依法承担相关责任")
            return self._fact(query, [best] + [h for h in hits if h is not best][:top_k - 1], who=True)
        if query.operation == Operation.FACT or (intent == "general" and not _has_roles(best.clause)) or \
                (intent == "deadline" and not best.clause.deadlines):
            return self._fact(query, [best] + [h for h in hits if h is not best][:top_k - 1])
        return self._single(query, [best] + [h for h in hits if h is not best][:top_k - 1])

    def _single(self, query: Query, hits: list[Hit], intents: Sequence[str] | None = None) -> Answer:
        intents = tuple(intents or query.intents)
        best = hits[0]
        clause = best.clause
        task = self._task_in(clause, query.task_words or query.content_words)
        source = task if task is not None and _has_roles(task) and not _has_roles(clause) else clause
        lead, participants = self._roles(source)
        deadlines = [d.text for d in source.deadlines]
        targets = list(source.targets)
        quote = self._quote(query, clause, intents[0])
        if intents[0] == "deadline" and source.deadlines and query.task_words:
            deadlines = [d.text for d in source.deadlines if d.text in quote] or deadlines
        if intents[0] == "target" and targets and query.task_words:
            targets = [t for t in targets if t in quote] or targets
        citations = [self._citation(h, quote if h is best else self._quote(query, h.clause, intents[0])) for h in hits]
        text = self._compose(intents, best, source, lead, participants, deadlines, targets, quote)
        return Answer(question=query.text, intent=intents[0], intents=intents, found=True, answer=text,
                      lead_agencies=tuple(lead), participants=tuple(participants), deadlines=tuple(deadlines),
                      targets=tuple(targets), citations=tuple(citations), clause_ids=(clause.clause_id,),
                      operation=Operation.LOOKUP.value, task_ids=(task.task_id,) if task else (),
                      scope=(clause.doc_id,), query=query)

    def _fact(self, query: Query, hits: list[Hit], who: bool = False) -> Answer:
        """The sentence that answers, quoted, as the first line. For a who-question the sentence must name
        a body (a government, department, unit), else the documents do not say who."""
        best = hits[0]
        quote = self._quote(query, best.clause, "general")
        if who and not _BODY.search(_NOT_BODY.sub("", quote)):
            return self._not_found(query, hits)
        lead = ""
        if re.search(r"可以|能否|能不能|可不可以|允许|准许|能", query.text):
            if _PROHIBIT.search(quote) and not _PROHIBIT.search(query.text):
                lead = "不可以。"
            elif re.search(r"可以|允许|鼓励|支持", quote):
                lead = "可以。"
        task = self._task_in(best.clause, query.task_words)
        text = f"{lead}文件规定：“{quote}”\n依据：{self._where(best.document, best.clause)}"
        return Answer(question=query.text, intent=query.intents[0], intents=query.intents, found=True, answer=text,
                      lead_agencies=tuple(self._roles(best.clause)[0]), participants=tuple(_names(best.clause.participants)),
                      deadlines=tuple(d.text for d in best.clause.deadlines), targets=tuple(best.clause.targets),
                      citations=tuple(self._citation(h, quote if h is best else first_sentence(h.clause.text))
                                      for h in hits),
                      clause_ids=(best.clause.clause_id,), operation=Operation.FACT.value,
                      task_ids=(task.task_id,) if task else (), scope=(best.clause.doc_id,), query=query)

    def _roles(self, item) -> tuple[list[str], list[str]]:
        lead = _names(item.lead_agencies)
        if not lead:   # "（A、B负责）" with no lead rule: the bodies that answer for it
            lead = [a.name for a in item.responsible if a.name != "地方各级人民政府" or len(item.responsible) == 1]
        return lead, _names(item.participants)

    def _quote(self, query: Query, clause: Clause, intent: str) -> str:
        """The sentence that answers: for a deadline the one with the deadline, for roles the attribution."""
        sentences = _sentences(clause.text)
        if not sentences:
            return clause.text.strip()
        if intent in ("lead", "participants"):
            groups = attribution_groups(clause.text)
            if groups:
                start, end = groups[-1]
                return clause.text[start:end]
        if len(sentences) > 1 and clause.label and sentences[0].strip().startswith(clause.label) and \
                len(sentences[0]) <= 40:
            sentences = sentences[1:]      # the task's title names it; the sentence that answers comes after
        words = query.content_words
        numbers = re.findall(r"\d+(?:\.\d+)?", query.text)

        def near(sentence: str, phrase: str) -> int:
            """Question words within a few characters of the deadline or number: what it is the deadline of."""
            at = sentence.find(phrase)
            window = sentence[max(0, at - 12): at + len(phrase) + 12]
            return sum(1 for w in words if w in window)

        # a word in every sentence names the task; the sentence that answers holds the rarer words, and
        # the verb asked about ("由谁设立" -> 设立) most
        spread = {w: max(1, sum(w in x for x in sentences)) for w in words}
        asked = re.search(r"谁(来)?([\u4e00-\u9fff]{2})", query.text)
        if asked and asked.group(2) in spread:
            spread[asked.group(2)] /= 3

        # what kind of thing answers: a body for 谁, a place for 哪里, a number for 多少, a date for 何时
        cue = None
        for asks, answers in _CUES:
            if asks.search(query.text):
                cue = answers
                break

        def score(sentence: str) -> float:
            s = sum(len(w) * _covered(w, sentence) / spread[w] for w in words)
            if cue is not None and cue.search(sentence):
                s += 3
            s += 10 * sum(1 for n in numbers if n in sentence)     # "2019年和2020年…的项目" picks its own sentence
            if intent == "deadline":
                found = [d.text for d in clause.deadlines if d.text in sentence]
                if found:
                    s += 100 + 3 * max(near(sentence, f) for f in found)
            if intent == "target":
                found = [t for t in clause.targets if t in sentence]
                if found:
                    s += 100 + 3 * max(near(sentence, f) for f in found)
            return s

        return max(sentences, key=score).strip()

    def _compose(self, intents, hit: Hit, source, lead, participants, deadlines, targets, quote) -> str:
        parts = []
        for intent in intents:
            if intent == "lead" and lead:
                label = "牵头" if source.lead_agencies else "负责"
                parts.append(f"{label}：{'、'.join(lead)}")
            elif intent == "participants":
                parts.append(f"参与：{'、'.join(participants) if participants else '条款未列出参与单位'}")
            elif intent == "deadline" and deadlines:
                parts.append(f"期限：{'、'.join(deadlines)}")
            elif intent == "target" and targets:
                parts.append(f"目标：{'、'.join(targets)}")
        if not parts:
            if lead:
                parts.append(f"牵头：{'、'.join(lead)}" if source.lead_agencies else f"负责：{'、'.join(lead)}")
            if participants:
                parts.append(f"参与：{'、'.join(participants)}")
            if deadlines:
                parts.append(f"期限：{'、'.join(deadlines)}")
        if "lead" in intents and source.lead_agencies:
            others = [a.name for a in source.responsible if a.name not in lead]
            if others:                      # e.g. 地方各级人民政府, by the plan's "以下均需…落实" rule
                parts.append(f"负责落实：{'、'.join(others)}")
        head = "；".join(parts)
        where = self._where(hit.document, hit.clause)
        task = first_sentence(hit.clause.text, hit.clause.label)
        topic = f"（{task}）" if 0 < len(task) <= 40 and task not in quote else ""
        body = f"{head}。\n" if head else ""
        return f"{body}依据：{where}{topic}：“{quote}”"

    def _where(self, document: Document, clause: Clause, title: bool = True) -> str:
        path = " > ".join(clause.section_path)
        label = f" {clause.label.rstrip('．.、')}" if clause.label else ""
        head = f"《{document.title}》" if title else ""
        return f"{head}{(' ' + path) if path and head else path}{label}".strip()

    # ---------------------------------------------------------------- lists and counts
    def _describe(self, query: Query) -> str:
        """What the list is of, in words: "自治区生态环境厅牵头、自治区农业农村厅参与的任务"."""
        parts: list[str] = []
        said: dict[tuple, int] = {}
        for c in query.conditions:
            who = "、".join(c.agencies) if len(c.agencies) <= 2 else c.mention
            verb = f"{'不' if c.negated else ''}{ROLE_VERB[c.role]}"
            if c.agencies in said:     # the same agency twice: "参与但不牵头"
                parts[said[c.agencies]] += ("但" if c.negated else "、") + verb
                continue
            said[c.agencies] = len(parts)
            parts.append(who + verb)
        if not query.conditions and query.agencies:
            parts.append(f"{'、'.join(query.agencies)}{ROLE_VERB[query.role]}")
        subject = "、".join(parts)
        return f"{subject}的任务" if subject else "任务"

    def _rows(self, query: Query, **changes) -> list[TaskRow]:
        query = replace(query, **changes) if changes else query
        return select_tasks(self.index.tasks(), self.index.documents(), query)

    def _in_scope_names(self, query: Query) -> Query:
        """The query with each agency condition also matching the scoped documents' own name for it without
        a jurisdiction prefix: "静安区发改委" asked of the Jing'an plan, whose table writes 发展改革委."""
        scope = set(query.restrict or query.scope)
        names = {a.name for t in self.index.tasks().values() if t.doc_id in scope
                 for a in (*t.lead_agencies, *t.participants, *t.responsible)}
        conditions = []
        for c in query.conditions:
            bare = {_JURISDICTION.sub("", a) for a in c.agencies}
            found = tuple(n for n in sorted(names) if n not in c.agencies and _JURISDICTION.sub("", n) in bare)
            conditions.append(replace(c, agencies=c.agencies + found) if found else c)
        return replace(query, conditions=tuple(conditions))

    def _list(self, query: Query, offset: int = 0) -> Answer:
        rows = self._rows(query)
        if not rows and query.conditions and (query.restrict or query.scope):
            relaxed = self._in_scope_names(query)
            rows = self._rows(relaxed)
            query = relaxed if rows else query
        if not rows and query.conditions and query.due is None and (query.restrict or query.scope) and \
                all(c.role == Role.LEAD and not c.negated for c in query.conditions):
            # the plan names no lead for these agencies (a table with only a 责任部门 column): say so, then
            # the tasks they are responsible for, rather than a bare 文件中未找到
            anyrole = self._in_scope_names(replace(query, conditions=tuple(replace(c, role=Role.ANY)
                                                                           for c in query.conditions)))
            others = self._rows(anyrole)
            if others:
                head = (f"{self._scope_title(query)}没有{self._describe(query)}；"
                        f"{self._describe(anyrole)}共{len(others)}项")
                return self._rows_answer(anyrole, others, head, offset)
        what = self._describe(query)
        scope_title = self._scope_title(query)
        due = query.due
        if due is not None and query.conditions:
            everything = self._rows(query, due=None)
            head = f"{scope_title}{what}共{len(everything)}项，其中{len(rows)}项{self._due_phrase(query)}"
        elif due is not None:
            head = f"{scope_title}{self._due_phrase(query, lead=True)}的任务共{len(rows)}项"
        else:
            head = f"{scope_title}{what}共{len(rows)}项"
        if not rows:
            none = f"文件中未找到{scope_title}{what}" + (f"（{self._due_phrase(query)}）" if due else "") + "。"
            return Answer(question=query.text, intent=query.listing or "agency_tasks", intents=(query.listing or "agency_tasks",),
                          found=False, answer=none, operation=query.operation.value, count=0, scope=query.scope,
                          query=query)
        return self._rows_answer(query, rows, head, offset)

    def _due_phrase(self, query: Query, lead: bool = False) -> str:
        due = query.due
        if due is None:
            return ""
        if due.ongoing:
            return "为长期/持续推进"
        if due.period or due.recurrence:
            return f"须{due.label}定期完成" if not lead else f"{due.label}定期"
        if due.by and not due.after:
            return f"须在{due.label}完成" if not lead else f"{due.label}"
        if due.by and due.after:
            return f"在{due.label}到期" if not lead else f"{due.label}到期"
        return "有明确时间节点" if not lead else "有明确时间节点"

    def _scope_title(self, query: Query) -> str:
        documents = self.index.documents()
        scope = query.scope or query.restrict
        if len(scope) == 1 and scope[0] in documents:
            return f"《{documents[scope[0]].title}》中"
        return ""

    def _rows_answer(self, query: Query, rows: list[TaskRow], head: str, offset: int = 0,
                     operation: str | None = None, found: bool = True) -> Answer:
        """A numbered list of tasks, each once, each with its fields and where it stands; the title of a
        document once per group. At most `Settings.list_page` items from `offset`."""
        page = self.settings.list_page
        shown = rows[offset:offset + page]
        lines = [f"{head}：" if offset == 0 else f"{head}（续，第{offset + 1}–{offset + len(shown)}项）："]
        index_clauses = self.index.clauses()
        citations = []
        current_doc = None
        single_doc = len({r.document.doc_id for r in rows}) == 1
        for number, row in enumerate(shown, start=offset + 1):
            task = row.task
            clause = index_clauses.get(task.clause_id)
            if not single_doc and row.document.doc_id != current_doc:
                lines.append(f"《{row.document.title}》")
                current_doc = row.document.doc_id
            title = first_sentence(task.text, task.label)
            lead, _ = self._roles(task)
            fields = []
            if lead:
                fields.append(("牵头" if task.lead_agencies else "负责") + "：" + "、".join(lead))
            if task.participants and query.role == Role.PARTICIPANTS:
                fields.append("参与：" + "、".join(_names(task.participants)))
            if task.deadlines:
                fields.append("期限：" + "、".join(d.text for d in task.deadlines))
            where = " > ".join(task.section_path[-1:]) + (f" {task.label.rstrip('．.、')}" if task.label else "")
            lines.append(f"{number}. {title}（{where.strip()}{'；' if fields and where.strip() else ''}{'；'.join(fields)}）")
            if clause is not None:
                citations.append(self._citation(self._hit(clause, 1.0), first_sentence(clause.text)))
        if offset + len(shown) < len(rows):
            lines.append(f"……另有{len(rows) - offset - len(shown)}项，可追问“还有呢”。")
        every = [a for r in rows for a in self._roles(r.task)[0]]
        intent = query.listing or ("deadline_list" if query.due else "agency_tasks")
        return Answer(question=query.text, intent=intent, intents=(intent,), found=found, answer="\n".join(lines),
                      lead_agencies=tuple(dict.fromkeys(every)),
                      deadlines=tuple(dict.fromkeys(d.text for r in rows for d in r.task.deadlines)),
                      citations=tuple(citations), clause_ids=tuple(dict.fromkeys(r.task.clause_id for r in rows)),
                      operation=operation or query.operation.value, count=len(rows),
                      task_ids=tuple(r.task.task_id for r in rows), scope=tuple(dict.fromkeys(r.document.doc_id for r in rows)),
                      query=query, shown=offset + len(shown))

    # ---------------------------------------------------------------- roles: yes/no, which role
    def _role_question(self, query: Query, top_k: int) -> Answer:
        if not query.conditions:
            if query.due is not None:
                return self._due_yes_no(query, top_k)
            return self._lookup(query, top_k)
        if query.task_words:
            # the task asked about: among clauses that cover the question, one where the agencies named
            # have a part comes first ("固体废物环境管理这项任务里，发改委和工信厅是什么角色")
            named = [set(c.agencies) for c in query.conditions]

            def involved(hit: Hit) -> int:
                item = self._task_in(hit.clause, query.task_words) or hit.clause
                return sum(bool(role_of(item, n)) for n in named)

            best, hits = self._find(replace(query, intents=("lead",)), top_k, lambda h: _has_roles(h.clause),
                                    prefer=involved)
            if best is None:
                return self._not_found(query, hits[:top_k])
            task = self._task_in(best.clause, query.task_words) or best.clause
            return self._role_in_task(query, task, best)
        return self._role_overall(query)

    def _role_in_task(self, query: Query, task, hit: Hit) -> Answer:
        lead, participants = self._roles(task)
        said = []
        for condition in dict.fromkeys(replace(c, role=Role.ANY, negated=False) for c in query.conditions):
            part = role_of(task, condition.agencies)
            holder = [a for a in condition.agencies if role_of(task, (a,)) is not None]
            name = (holder or list(condition.agencies[:1]) or [condition.mention])[0]
            said.append(f"{name}在这项任务中是{ROLE_NAME[part]}" if part else f"{name}不在这项任务的牵头、参与单位中")
        condition = query.conditions[0]
        role = role_of(task, condition.agencies)
        has = "；".join(said)
        if query.operation == Operation.YES_NO:
            asked = [c for c in query.conditions if c.role != Role.ANY]
            if asked:
                ok = all((role_of(task, c.agencies) == c.role or (c.role == Role.LEAD and c.agencies[0] in lead
                                                                  and role is not None)) != c.negated for c in asked)
            else:
                ok = role is not None
            head = ("是的。" if ok else "不是。") + has
        else:
            head = has
        if role != Role.LEAD and lead and task.lead_agencies:
            head += f"（牵头：{'、'.join(lead)}）"
        quote = self._quote(query, hit.clause, "lead")
        text = f"{head}。\n依据：{self._where(hit.document, hit.clause)}（{first_sentence(hit.clause.text, hit.clause.label)}）：“{quote}”"
        return Answer(question=query.text, intent="lead", intents=("lead", "participants"), found=True, answer=text,
                      lead_agencies=tuple(lead), participants=tuple(participants),
                      deadlines=tuple(d.text for d in task.deadlines), citations=(self._citation(hit, quote),),
                      clause_ids=(hit.clause.clause_id,), operation=query.operation.value,
                      task_ids=(task.task_id,) if isinstance(task, Task) else (), scope=(hit.clause.doc_id,), query=query)

    def _role_overall(self, query: Query) -> Answer:
        """"农业农村厅是牵头单位吗 / 是什么角色": its part in every task in scope, by role."""
        condition = query.conditions[0]
        plain = replace(condition, role=Role.ANY, negated=False)
        rows = self._rows(query, conditions=(plain,), due=query.due)
        name = "、".join(condition.agencies[:1]) or condition.mention
        by_role: dict[Role, list[TaskRow]] = {}
        for row in rows:
            by_role.setdefault(role_of(row.task, condition.agencies) or Role.ANY, []).append(row)
        summary = "、".join(f"{ROLE_VERB[r]}{len(v)}项" for r, v in by_role.items())
        scope_title = self._scope_title(query)
        if not rows:
            return Answer(question=query.text, intent="agency_tasks", intents=("agency_tasks",), found=False,
                          answer=f"文件中未找到{scope_title}{name}承担的任务。", operation=query.operation.value,
                          count=0, scope=query.scope, query=query)
        if query.operation == Operation.YES_NO and condition.role != Role.ANY:
            mine = by_role.get(condition.role, [])
            ok = bool(mine) != condition.negated
            if mine:
                head = f"{'是的' if ok else '不是'}。{scope_title}{name}在{len(mine)}项任务中是{ROLE_NAME[condition.role]}" + \
                       (f"（共{summary}）" if len(by_role) > 1 else "")
                shown = mine
            else:
                other = next(iter(by_role))
                head = f"{'是的' if ok else '不是'}。{scope_title}{name}在{len(by_role[other])}项任务中是" \
                       f"{ROLE_NAME.get(other, '承担单位')}" + (f"（共{summary}）" if len(by_role) > 1 else "")
                shown = by_role[other]
            return self._rows_answer(query, shown, head, operation=query.operation.value)
        head = f"{scope_title}{name}共承担{len(rows)}项任务：{summary}"
        return self._rows_answer(query, rows, head, operation=query.operation.value)

    def _due_yes_no(self, query: Query, top_k: int) -> Answer:
        """"涉镉整治是不是年底前完成": the task's own deadlines against the time asked."""
        best, hits = self._find(query, top_k, lambda h: bool(h.clause.deadlines))
        if best is None:
            return self._not_found(query, hits[:top_k])
        # a date without a year is completed with the plan year of the task's own document
        due = self.retriever.analyser.due_for(query.text, (best.clause.doc_id,)) or query.due
        ok = any(due.matches(d) for d in best.clause.deadlines)
        answer = self._single(query, [best], intents=("deadline",))
        head = f"{'是的' if ok else '不是'}。这项任务的期限是{'、'.join(d.text for d in best.clause.deadlines)}"
        return replace(answer, answer=head + "。\n" + answer.answer.split("\n", 1)[-1], operation=Operation.YES_NO.value)

    # ---------------------------------------------------------------- time: earliest / latest
    def _extreme(self, query: Query) -> Answer:
        rows = self._rows(query, due=None)
        dated = []
        for row in rows:
            for d in row.task.deadlines:
                value = (d.normalized or "").split("/")[-1]
                if _ISO.fullmatch(value):
                    dated.append((value, d, row))
        if query.operation == Operation.EARLIEST and NEXT.search(query.text):
            documents = self.index.documents()
            scope = query.scope or query.restrict
            today = date.today().isoformat()
            issued = min((documents[d].date for d in scope if d in documents and documents[d].date), default=None)
            after = today if any(v >= today for v, _, _ in dated) else (issued or "")
            dated = [x for x in dated if x[0] >= after]
        if not dated:
            return Answer(question=query.text, intent="deadline_list", intents=("deadline_list",), found=False,
                          answer=f"文件中未找到{self._scope_title(query)}有明确日期的期限。", operation=query.operation.value,
                          scope=query.scope, query=query)
        pick = min if query.operation == Operation.EARLIEST else max
        value = pick(v for v, _, _ in dated)
        chosen = [(d, row) for v, d, row in dated if v == value]
        rows = list(dict.fromkeys(row for _, row in chosen))
        phrase = "、".join(dict.fromkeys(d.text for d, _ in chosen))
        word = "最早" if query.operation == Operation.EARLIEST else "最晚"
        head = f"{self._scope_title(query)}{word}到期的是{phrase}（{value}），{len(rows)}项任务"
        return self._rows_answer(query, rows, head)

    # ---------------------------------------------------------------- structure: overview, outline
    def _scope_document(self, query: Query) -> str | None:
        scope = query.scope or query.restrict
        if len(scope) == 1:
            return scope[0]
        documents = self.index.documents()
        return next(iter(documents)) if len(documents) == 1 else None

    def _doc_clauses(self, doc_id: str) -> list[Clause]:
        return sorted((c for c in self.index.clauses().values() if c.doc_id == doc_id), key=lambda c: c.span[0])

    def _overview(self, query: Query) -> Answer:
        doc_id = self._scope_document(query)
        if doc_id is None:
            return self._ask_which_document(query)
        document = self.index.documents()[doc_id]
        clauses = self._doc_clauses(doc_id)
        tasks = [t for t in self.index.tasks().values() if t.doc_id == doc_id and (_has_roles(t) or t.origin.value != "text")]
        tasks.sort(key=lambda t: (t.span[0], t.row or 0))
        lines, cited = [], []
        purpose = next((c for c in clauses if not c.section_path and re.search(r"特制定|制定本|提出(如下|以下)|现就|为(了)?[\u4e00-\u9fff]", c.text)),
                       clauses[0] if clauses else None)
        groups = self._sections_of(tasks)
        if groups:
            head = f"《{document.title}》共{len(groups)}个方面、{len(tasks)}项任务"
        else:
            tops = list(dict.fromkeys(c.section_path[0] for c in clauses if c.section_path))
            head = f"《{document.title}》共{len(tops)}个部分、{len(clauses)}条"
            groups = [(t, [c for c in clauses if c.section_path and c.section_path[0] == t]) for t in tops]
        lines.append(head + "。")
        if purpose is not None:
            sentence = next((s.strip() for s in _sentences(purpose.text) if re.search(r"特制定|制定本|为[\u4e00-\u9fff]|目的", s)),
                            first_sentence(purpose.text) + "。")
            lines.append(f"目的：{sentence}")
            cited.append((purpose, sentence))
        target = next((c for c in clauses if any(re.search(r"目标", p) for p in c.section_path[:1])), None)
        if target is not None:
            sentence = next((s.strip() for s in _sentences(target.text) if target.targets and any(t in s for t in target.targets)),
                            first_sentence(target.text) + "。")
            lines.append(f"目标：{sentence}")
            cited.append((target, sentence))
        for number, (title, items) in enumerate(groups, start=1):
            unit = "项任务" if tasks else "条"
            lines.append(f"{number}. {title}（{len(items)}{unit}）")
            first = items[0]
            clause = first if isinstance(first, Clause) else self.index.clauses().get(first.clause_id)
            if clause is not None:
                cited.append((clause, first_sentence(clause.text)))
        citations = tuple(self._citation(self._hit(c, 1.0), q) for c, q in cited)
        return Answer(question=query.text, intent="general", intents=("general",), found=True, answer="\n".join(lines),
                      citations=citations, clause_ids=tuple(c.clause_id for c, _ in cited),
                      operation=Operation.OVERVIEW.value, count=len(tasks), task_ids=tuple(t.task_id for t in tasks),
                      scope=(doc_id,), query=query)

    @staticmethod
    def _sections_of(tasks: list[Task]) -> list[tuple[str, list[Task]]]:
        """Tasks grouped at the shallowest heading level that splits them into several groups."""
        if not tasks:
            return []
        depth = 1
        while depth <= max(len(t.section_path) for t in tasks):
            keys = list(dict.fromkeys(t.section_path[:depth] for t in tasks))
            if len(keys) > 1:
                break
            depth += 1
        groups: dict[tuple, list[Task]] = {}
        for t in tasks:
            groups.setdefault(t.section_path[:depth], []).append(t)
        return [((key[-1] if key else "其他"), items) for key, items in groups.items()]

    def _outline(self, query: Query) -> Answer:
        found = None
        if query.section_path:
            found = self.retriever.analyser.heading_in(query.text, query.scope or query.restrict)
        found = found or self.retriever.analyser.best_section(query.task_words, query.scope or query.restrict)
        if found is None:
            return self._lookup(replace(query, operation=Operation.LOOKUP), 5)
        doc_id, path = found
        rows = self._rows(query, scope=(doc_id,), conditions=(), agencies=(), due=None, section_path=path)
        rows = [r for r in rows if _has_roles(r.task) or r.task.origin.value != "text"] or rows
        documents = self.index.documents()
        clauses = [c for c in self._doc_clauses(doc_id) if c.section_path[:len(path)] == path]
        if rows and len({r.task.clause_id for r in rows}) >= len(clauses):
            head = f"《{documents[doc_id].title}》“{path[-1]}”部分共{len(rows)}项任务"
            return self._rows_answer(replace(query, scope=(doc_id,)), rows, head, operation=Operation.OUTLINE.value)
        if not clauses:
            return self._lookup(replace(query, operation=Operation.LOOKUP), 5)
        # a section whose paragraphs are not all tasks: every paragraph, with the fields it has
        lines = [f"《{documents[doc_id].title}》“{path[-1]}”部分共{len(clauses)}条："]
        for i, c in enumerate(clauses, start=1):
            lead, _ = self._roles(c)
            fields = ("；牵头：" + "、".join(lead)) if lead else ""
            fields += ("；期限：" + "、".join(d.text for d in c.deadlines)) if c.deadlines else ""
            where = " > ".join(c.section_path[len(path):]) + (f" {c.label.rstrip('．.、')}" if c.label else "")
            lines.append(f"{i}. {first_sentence(c.text, c.label)}（{where.strip() or path[-1]}{fields}）")
        return Answer(question=query.text, intent="general", intents=("general",), found=True, answer="\n".join(lines),
                      citations=tuple(self._citation(self._hit(c, 1.0), first_sentence(c.text)) for c in clauses),
                      clause_ids=tuple(c.clause_id for c in clauses), operation=Operation.OUTLINE.value,
                      count=len(clauses), scope=(doc_id,), query=query)

    # ---------------------------------------------------------------- compare, explain
    def _compare(self, query: Query, top_k: int) -> Answer:
        documents = self.index.documents()
        sides, lines, citations = [], [], []
        topic = "、".join(query.task_words) or "这一事项"
        for doc_id in (query.scope or query.restrict)[:2]:
            one = replace(query, scope=(doc_id,), restrict=(doc_id,), documents=(), operation=Operation.FACT,
                          content_words=query.task_words or query.content_words)
            best, _ = self._find(one, top_k)
            doc = documents[doc_id]
            if best is None:
                lines.append(f"《{doc.title}》：文件中未找到关于{topic}的规定。")
                continue
            quote = self._quote(one, best.clause, "general")
            lines.append(f"《{doc.title}》{self._where(doc, best.clause, title=False)}：“{quote}”")
            citations.append(self._citation(best, quote))
            sides.append(best)
        if not sides:
            return self._not_found(query, [])
        head = f"两份文件关于{topic}的规定：" if len(sides) == 2 else f"只有一份文件写到{topic}："
        return Answer(question=query.text, intent="general", intents=("general",), found=True,
                      answer="\n".join([head] + lines), citations=tuple(citations),
                      clause_ids=tuple(h.clause.clause_id for h in sides), operation=Operation.COMPARE.value,
                      scope=tuple(h.clause.doc_id for h in sides), query=query)

    def _explain(self, query: Query, top_k: int, hit: Hit | None = None) -> Answer:
        if hit is None:
            hit, hits = self._find(query, top_k)
            if hit is None:
                return self._not_found(query, hits[:top_k])
        clause = hit.clause
        body = clause.text
        for start, end in reversed(attribution_groups(body)):
            body = body[:start] + body[end:]
        steps = [s.strip() for s in _sentences(body) if s.strip() and s.strip() not in ("。", "；")]
        title = first_sentence(clause.text, clause.label)
        if steps and first_sentence(steps[0]) == title:
            steps = steps[1:]
        lead, participants = self._roles(clause)
        lines = [f"这项任务（{title}）要这样开展：" if steps else f"文件对这项任务（{title}）只写了任务本身："]
        lines += [f"{i}. {s}" for i, s in enumerate(steps, start=1)]
        fields = []
        if lead:
            fields.append(("牵头" if clause.lead_agencies else "负责") + "：" + "、".join(lead))
        if participants:
            fields.append("参与：" + "、".join(participants))
        if clause.deadlines:
            fields.append("期限：" + "、".join(d.text for d in clause.deadlines))
        if fields:
            lines.append("；".join(fields) + "。")
        lines.append(f"依据：{self._where(hit.document, clause)}")
        task = self._task_in(clause, query.task_words)
        return Answer(question=query.text, intent="general", intents=("general",), found=True, answer="\n".join(lines),
                      lead_agencies=tuple(lead), participants=tuple(participants),
                      deadlines=tuple(d.text for d in clause.deadlines),
                      citations=(self._citation(hit, steps[0] if steps else title),), clause_ids=(clause.clause_id,),
                      operation=Operation.EXPLAIN.value, task_ids=(task.task_id,) if task else (),
                      scope=(clause.doc_id,), query=query)

    # ---------------------------------------------------------------- follow-ups
    def _follow_up(self, query: Query, previous: Answer, top_k: int) -> Answer | None:
        """The previous query, changed by what the follow-up says; None when it is a new question."""
        prev = previous.query
        listed = previous.operation in (Operation.LIST.value, Operation.COUNT.value, Operation.OUTLINE.value,
                                        Operation.YES_NO.value, Operation.WHICH_ROLE.value, Operation.EARLIEST.value,
                                        Operation.LATEST.value, Operation.OVERVIEW.value) and len(previous.task_ids) > 1
        if query.more:
            if listed and previous.shown < len(previous.task_ids):
                rows = self._rows_for(previous.task_ids)
                head = (previous.answer.split("\n", 1)[0]).rstrip("：")
                head = re.sub(r"（续，第.*?）$", "", head)
                return self._rows_answer(prev, rows, head, offset=previous.shown, operation=previous.operation)
            if previous.clause_ids and not listed:
                hit = self._clause_hit(previous.clause_ids[0])
                if hit is not None:
                    return self._single(prev, [hit], intents=("lead", "participants", "deadline", "target"))
            return Answer(question=query.text, intent="general", intents=("general",), found=True,
                          answer="没有更多了：上一个回答已列出全部内容。", operation="more", scope=previous.scope,
                          query=prev, task_ids=previous.task_ids, clause_ids=previous.clause_ids, shown=previous.shown)
        if query.operation == Operation.EXPLAIN and previous.clause_ids:
            hit = self._clause_hit(previous.clause_ids[0])
            return self._explain(query, top_k, hit) if hit is not None else None
        if query.documents and not query.task_words and not query.conditions:
            # "土壤法呢？": the same question of another document
            return self._answer(replace(prev, scope=tuple(d for d, _ in query.documents), scope_from="named",
                                        documents=query.documents, restrict=()), top_k)
        if query.conditions and not query.task_words:
            if listed or previous.operation in (Operation.LIST.value, Operation.COUNT.value):
                old = prev.conditions[0].role if prev.conditions else prev.role
                conditions = tuple(replace(c, role=old) if c.role == Role.ANY else c for c in query.conditions)
                return self._answer(replace(prev, conditions=conditions, agencies=query.agencies,
                                            role=conditions[0].role, text=query.text), top_k)
            if previous.clause_ids:
                hit = self._clause_hit(previous.clause_ids[0])
                if hit is not None:
                    task = self._task_in(hit.clause, prev.task_words) or hit.clause
                    op = query.operation if query.operation in (Operation.YES_NO, Operation.WHICH_ROLE) \
                        else Operation.WHICH_ROLE
                    return self._role_in_task(replace(query, operation=op), task, hit)
        if query.due is not None and not query.task_words and (listed or prev.due is not None):
            return self._answer(replace(prev, due=query.due, text=query.text,
                                        operation=prev.operation if prev.operation in (Operation.LIST, Operation.COUNT)
                                        else Operation.LIST, listing=prev.listing or "deadline_list"), top_k)
        if query.intents != ("general",) and previous.clause_ids:
            if listed:
                return self._field_per_task(query, previous)
            hit = self._clause_hit(previous.clause_ids[0])
            if hit is not None:
                return self._single(replace(prev, text=query.text), [hit], intents=query.intents)
        return None

    def _rows_for(self, task_ids: Sequence[str]) -> list[TaskRow]:
        tasks, documents = self.index.tasks(), self.index.documents()
        return [TaskRow(tasks[t], documents[tasks[t].doc_id]) for t in task_ids if t in tasks]

    def _field_per_task(self, query: Query, previous: Answer) -> Answer:
        """"那它们的期限呢？" after a list: the asked field of each listed task."""
        rows = self._rows_for(previous.task_ids)
        intent = query.intents[0]
        lines, with_field = [], 0
        for number, row in enumerate(rows, start=1):
            task = row.task
            lead, participants = self._roles(task)
            value = {"lead": "、".join(lead), "participants": "、".join(participants),
                     "deadline": "、".join(d.text for d in task.deadlines), "target": "、".join(task.targets)}[intent]
            with_field += bool(value)
            lines.append(f"{number}. {first_sentence(task.text, task.label)}：{value or '文件未写明'}")
        label = {"lead": "牵头单位", "participants": "参与单位", "deadline": "期限", "target": "目标"}[intent]
        head = f"上述{len(rows)}项任务中，{with_field}项写明了{label}："
        clauses = self.index.clauses()
        citations = tuple(self._citation(self._hit(clauses[r.task.clause_id], 1.0), first_sentence(r.task.text))
                          for r in rows if r.task.clause_id in clauses)
        return Answer(question=query.text, intent=intent, intents=(intent,), found=True, answer="\n".join([head] + lines),
                      lead_agencies=tuple(dict.fromkeys(a for r in rows for a in self._roles(r.task)[0])),
                      deadlines=tuple(dict.fromkeys(d.text for r in rows for d in r.task.deadlines)),
                      citations=citations, clause_ids=previous.clause_ids, operation=previous.operation,
                      count=len(rows), task_ids=previous.task_ids, scope=previous.scope, query=previous.query,
                      shown=len(rows))

    # ---------------------------------------------------------------- refusals and asking back
    def _ask_which_document(self, query: Query) -> Answer:
        """Asked back when a question about one document fits several: the candidates the question's words
        point to (e.g. two 奉贤 plans for "奉贤那个方案"), else every indexed document."""
        indexed = self.index.documents()
        scope = [d for d in (query.scope or query.restrict) if d in indexed]
        documents = sorted((indexed[d] for d in scope) if len(scope) > 1 else indexed.values(), key=lambda d: d.source)
        names = "；".join(f"《{d.title}》" for d in documents[:8])
        more = f"等{len(documents)}份" if len(documents) > 8 else ""
        if len(scope) > 1:
            return self._refuse(query, f"问题所指的文件有{len(documents)}份，请指明是哪一份：{names}。")
        return self._refuse(query, f"请指明是哪份文件（例如在问题中写出文件名称或文号）。已收录：{names}{more}。")

    def _agency_alone(self, query: Query) -> Answer:
        condition = query.conditions[0]
        rows = self._rows(query, conditions=(replace(condition, role=Role.ANY),), due=None)
        lead = [r for r in rows if role_of(r.task, condition.agencies) == Role.LEAD]
        name = "、".join(condition.agencies[:1]) or condition.mention
        return self._refuse(query, f"请问想了解{name}的什么？例如：{condition.mention}牵头哪些任务、"
                                   f"{condition.mention}在某项任务中是什么角色。文件中{name}承担{len(rows)}项任务"
                                   f"（牵头{len(lead)}项）。")

    def _refuse(self, query: Query, message: str) -> Answer:
        return Answer(question=query.text, intent=query.intents[0], intents=query.intents, found=False,
                      answer=message, operation=query.operation.value, scope=query.scope, query=query)

    def _not_found(self, query: Query, hits: list[Hit]) -> Answer:
        scope = set(query.restrict or query.scope)
        if scope:                  # related clauses only from the documents the question points to
            hits = [h for h in hits if h.clause.doc_id in scope]
        related = [self._citation(h, first_sentence(h.clause.text)) for h in hits[:3]]
        text = "文件中未找到该问题的答案。"
        if related:
            text += "\n相关条款：" + "；".join(f"{self._where(h.document, h.clause)}" for h in hits[:3])
        return Answer(question=query.text, intent=query.intents[0], intents=query.intents, found=False, answer=text,
                      citations=tuple(related), operation=query.operation.value, scope=query.scope, query=query)

    def _empty(self, question: str, message: str) -> Answer:
        return Answer(question=question, intent="general", intents=("general",), found=False, answer=message)

    # ---------------------------------------------------------------- helpers
    def _clause_hit(self, clause_id: str) -> Hit | None:
        clause = self.index.clauses().get(clause_id)
        return self._hit(clause, 1.0) if clause is not None else None

    def _hit(self, clause: Clause, score: float) -> Hit:
        return Hit(clause=clause, document=self.index.documents()[clause.doc_id], score=score, chunk_id="")

    def _citation(self, hit: Hit, quote: str) -> Citation:
        return Citation(doc_id=hit.document.doc_id, doc_title=hit.document.title, source=hit.document.source,
                        section_path=hit.clause.section_path, clause_label=hit.clause.label,
                        clause_id=hit.clause.clause_id, text=hit.clause.text, quote=quote,
                        score=round(float(hit.score), 6))
