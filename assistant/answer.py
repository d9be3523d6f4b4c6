"""Stage 6: question + retrieved clauses -> Answer: intent, fields, the quoted sentence, citations, refusal.

Answers are extractive: every field comes from a clause's parsed fields and every answer quotes the
clause it rests on. List questions ("农业农村厅牵头哪些任务", "年底前要完成哪些") are answered from the
fields of all clauses, completely, not from the top-k. When the best clause does not cover the
question's own words, or the asked field is not in it, the answer is 文件中未找到 with the nearest
clauses offered as 相关条款.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .agencies import PROVINCES
from .deadlines import find_deadlines
from .models import Answer, Citation, Clause, Document
from .retrieve import Hit, Retriever, expand_aliases

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
QUESTION_WORDS = set("谁 哪些 哪个 什么 多少 怎么 如何 是否 吗 呢 要 的 了 是 有 还 里 中 这 那 么 几 项 件 事 个 块".split()) | {
    "牵头", "负责", "参与", "配合", "部门", "单位", "时候", "期限", "目标", "任务", "工作", "哪些单位", "什么时候", "最晚", "完成",
    "要求", "规定", "达到", "多少", "比例", "哪个部门", "来抓", "主管", "归谁管", "还有", "协助", "什么", "文件", "计划", "方案",
    "意见", "广西", "今年", "明年", "是否", "需要", "一下", "说了", "提出", "关于", "有关", "相关", "具体", "主要", "进行",
    "开始", "哪天", "哪年", "时候", "可以", "应该", "应当", "必须", "一共", "总共", "怎么样", "情况", "内容", "角色", "哪几项",
    "哪几个", "几个", "哪一级", "一级", "放在", "干什么", "做什么", "多久", "之前", "以前", "以后", "前要", "要求", "规定"}

SENTENCE = re.compile(r"[^。；！？\n]*(?:[。；！？]+|\n|$)")


@dataclass(frozen=True)
class LLMSettings:
    url: str            # an OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1
    model: str
    api_key: str = "not-needed"


@dataclass
class Settings:
    min_coverage: float = 0.5       # share of the question's own words the best clause must contain
    min_similarity: float = 0.0     # reserved: dense similarity floor (off: coverage decides, see evals)


def detect_intents(question: str) -> list[str]:
    intents = [name for name, pattern in INTENT_PATTERNS if pattern.search(question)]
    order = sorted(intents, key=lambda name: min(m.start() for m in
                                                  dict(INTENT_PATTERNS)[name].finditer(question)))
    return order or ["general"]


def _has_roles(clause: Clause) -> bool:
    return bool(clause.lead_agencies or clause.participants or clause.responsible)


def _covered(word: str, haystack: str) -> float:
    """1 when the word is in the text; else the share of its character pairs that are (科技攻关 ~ 科学技术攻关)."""
    if word in haystack:
        return 1.0
    pairs = [word[i:i + 2] for i in range(len(word) - 1)]
    return sum(p in haystack for p in pairs) / len(pairs) if pairs else 0.0


def _sentences(text: str) -> list[str]:
    return [s for s in (m.group(0) for m in SENTENCE.finditer(text)) if s.strip()]


class Assistant:
    """One object per index: the model and index load once, then every question is cheap."""

    def __init__(self, retriever: Retriever, settings: Settings | None = None, llm: LLMSettings | None = None):
        self.retriever = retriever
        self.index = retriever.index
        self.settings = settings or Settings()
        self.llm = llm

    # ---------------------------------------------------------------- public
    def ask(self, question: str, top_k: int = 5, doc: str | None = None, previous: Answer | None = None) -> Answer:
        """The extractive answer, or with an LLM configured, its wording when it cites retrieved clauses."""
        answer = self._extractive(question, top_k, doc, previous)
        if self.llm is None:
            return answer
        from .langchain import generate_answer

        return generate_answer(answer, self.llm.url, self.llm.model, api_key=self.llm.api_key)

    def _extractive(self, question: str, top_k: int, doc: str | None, previous: Answer | None) -> Answer:
        question = " ".join(question.split())
        if not question:
            return self._empty(question, "问题为空，请输入要查询的内容。")
        if len(question) > 500:
            question = question[:500]
        if not re.search(r"[\u4e00-\u9fffA-Za-z0-9]", question):
            return self._empty(question, "问题中没有可查询的文字，请用中文描述要查询的任务、部门或期限。")
        intents = detect_intents(question)
        if AGENCY_TASKS.search(question) and self.retriever.named_agencies(question):
            return self._agency_tasks(question, doc)
        if DEADLINE_LIST.search(question):
            listed = self._deadline_list(question, doc)
            if listed is not None:
                return listed
        if previous is not None and previous.clause_ids and self._is_follow_up(question):
            clauses = self.index.clauses()
            hits = [self._hit(clauses[c], 1.0) for c in previous.clause_ids[:1] if c in clauses]
            if hits:
                return self._single(question, intents, hits, found=True)
        result = self.retriever.search(question, top_k=max(top_k, 3), doc=doc)
        if not result.hits:
            return self._not_found(question, intents, [])
        # the first of the three best clauses that answers (covers the question, has the asked field);
        # a "who" question prefers a clause that names roles over one that names none
        candidates = result.hits[:3]
        if intents[0] in ("lead", "participants") and not _has_roles(candidates[0].clause):
            candidates = sorted(candidates, key=lambda h: not _has_roles(h.clause))
        for rank, hit in enumerate(candidates):
            # a lower-ranked clause must cover the question better than the best one had to
            needed = self.settings.min_coverage if rank == 0 else max(self.settings.min_coverage, 0.8)
            if self._answers(question, intents, hit.clause, hit.document, needed):
                hits = [hit] + [h for h in result.hits if h is not hit]
                return self._single(question, intents, hits[:top_k], found=True)
        return self._not_found(question, intents, result.hits[:top_k])

    # ---------------------------------------------------------------- single clause
    def _single(self, question: str, intents: list[str], hits: list[Hit], found: bool) -> Answer:
        if not found:
            return self._not_found(question, intents, hits)
        best = hits[0]
        clause = best.clause
        lead, participants = self._roles(clause)
        deadlines = [d.text for d in clause.deadlines]
        targets = list(clause.targets)
        quote = self._quote(question, intents[0], clause)
        if intents[0] == "deadline" and clause.deadlines:
            deadlines = [d.text for d in clause.deadlines if d.text in quote] or deadlines
        if intents[0] == "target" and targets:
            targets = [t for t in targets if t in quote] or targets
        citations = [self._citation(h, quote if h is best else self._quote(question, intents[0], h.clause))
                     for h in hits]
        text = self._compose(intents, best, lead, participants, deadlines, targets, quote)
        return Answer(question=question, intent=intents[0], intents=tuple(intents), found=True, answer=text,
                      lead_agencies=tuple(lead), participants=tuple(participants), deadlines=tuple(deadlines),
                      targets=tuple(targets), citations=tuple(citations), clause_ids=(clause.clause_id,))

    def _roles(self, clause: Clause) -> tuple[list[str], list[str]]:
        lead = [a.name for a in clause.lead_agencies]
        if not lead:   # "（A、B负责）" with no lead rule: the bodies that answer for it
            lead = [a.name for a in clause.responsible if a.name != "地方各级人民政府" or len(clause.responsible) == 1]
        return lead, [a.name for a in clause.participants]

    def _answers(self, question: str, intents: list[str], clause: Clause, document: Document,
                 min_coverage: float | None = None) -> bool:
        """Whether the best clause answers: it covers the question's own words and has the asked field."""
        haystack = " ".join((*clause.section_path, clause.text))
        whole = document.title + haystack
        for year in re.findall(r"(?:19|20)\d{2}", question):        # a year the text never mentions
            if year not in whole:
                return False
        for place in re.findall(r"[\u4e00-\u9fff]{2,3}(?:省|市|县)(?![\u4e00-\u9fff]{0,2}(?:场|级|长))", question):
            if re.search(r"[哪什各本该全每个些这那]", place):
                continue
            if place not in whole and place[:-1] not in whole:    # another province or city
                return False
        for province in PROVINCES:
            if province in question and province not in whole:
                return False
        words = [w for w in self._content_words(question) if w not in document.title]
        if words:
            covered = sum(_covered(w, haystack) for w in words) / len(words)
            if covered < (self.settings.min_coverage if min_coverage is None else min_coverage):
                return False
        # a "how much" or "by when" question needs a number or a date in the clause it rests on
        if intents[0] == "target" and not clause.targets:
            return False
        if intents[0] == "deadline" and not clause.deadlines:
            return False
        return True

    def _content_words(self, question: str) -> list[str]:
        tokenizer = self.index.tokenizer
        question = expand_aliases(question)
        words = []
        for term in tokenizer.terms(question):
            if term in QUESTION_WORDS or len(term) < 2 and not re.match(r"[a-z0-9]", term):
                continue
            if term not in words:
                words.append(term)
        # words inside a longer word also found ("土壤污染" in "土壤污染重点监管单位") count once
        return [w for w in words if not any(w != o and w in o for o in words)]

    def _quote(self, question: str, intent: str, clause: Clause) -> str:
        """The sentence that answers: for a deadline the one with the deadline, for roles the attribution."""
        sentences = _sentences(clause.text)
        if not sentences:
            return clause.text
        if intent in ("lead", "participants"):
            from .roles import attribution_groups
            groups = attribution_groups(clause.text)
            if groups:
                start, end = groups[-1]
                return clause.text[start:end]
        words = self._content_words(question)

        numbers = re.findall(r"\d+(?:\.\d+)?", question)

        def near(sentence: str, phrase: str) -> int:
            """Question words within a few characters of the deadline or number: what it is the deadline of."""
            at = sentence.find(phrase)
            window = sentence[max(0, at - 12): at + len(phrase) + 12]
            return sum(1 for w in words if w in window)

        def score(sentence: str) -> float:
            s = sum(len(w) for w in words if w in sentence)
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

        best = max(sentences, key=score)
        return best.strip()

    def _compose(self, intents, hit: Hit, lead, participants, deadlines, targets, quote) -> str:
        parts = []
        for intent in intents:
            if intent == "lead" and lead:
                label = "牵头" if hit.clause.lead_agencies else "负责"
                parts.append(f"{label}：{'、'.join(lead)}")
            elif intent == "participants":
                parts.append(f"参与：{'、'.join(participants) if participants else '条款未列出参与单位'}")
            elif intent == "deadline" and deadlines:
                parts.append(f"期限：{'、'.join(deadlines)}")
            elif intent == "target" and targets:
                parts.append(f"目标：{'、'.join(targets)}")
        if not parts:
            if lead:
                parts.append(f"牵头：{'、'.join(lead)}" if hit.clause.lead_agencies else f"负责：{'、'.join(lead)}")
            if participants:
                parts.append(f"参与：{'、'.join(participants)}")
            if deadlines:
                parts.append(f"期限：{'、'.join(deadlines)}")
        if "lead" in intents and hit.clause.lead_agencies:
            others = [a.name for a in hit.clause.responsible if a.name not in lead]
            if others:                      # e.g. 地方各级人民政府, by the plan's "以下均需…落实" rule
                parts.append(f"负责落实：{'、'.join(others)}")
        head = "；".join(parts)
        where = self._where(hit.document, hit.clause)
        task = _sentences(hit.clause.text)[0].strip()
        if hit.clause.label and task.startswith(hit.clause.label):
            task = task[len(hit.clause.label):]
        topic = f"（{task.rstrip('。')}）" if 0 < len(task) <= 40 and task not in quote else ""
        body = f"{head}。\n" if head else ""
        return f"{body}依据：{where}{topic}：“{quote}”"

    def _where(self, document: Document, clause: Clause) -> str:
        path = " > ".join(clause.section_path)
        label = f" {clause.label.rstrip('．.、')}" if clause.label else ""
        return f"《{document.title}》{(' ' + path) if path else ''}{label}"

    # ---------------------------------------------------------------- lists
    def _agency_tasks(self, question: str, doc: str | None) -> Answer:
        agencies = set(self.retriever.named_agencies(question))
        role = "participants" if re.search(r"参与|配合|协助", question) else \
            "lead" if re.search(r"牵头|主抓|主管", question) else "any"
        docs = [doc] if doc else self._documents_referred(question)
        matches = []
        for clause in self.index.clauses().values():
            if docs and clause.doc_id not in docs:
                continue
            lead = {a.name for a in clause.lead_agencies}
            part = {a.name for a in clause.participants}
            anyrole = lead | part | {a.name for a in clause.responsible}
            pool = {"lead": lead, "participants": part, "any": anyrole}[role]
            if pool & agencies:
                matches.append(clause)
        verb = {"lead": "牵头", "participants": "参与", "any": "承担"}[role]
        named = "、".join(sorted(agencies))
        return self._list_answer(question, "agency_tasks", matches,
                                 f"{named}{verb}的任务共{len(matches)}项", f"文件中未找到{named}{verb}的任务。")

    def _documents_referred(self, question: str) -> list[str]:
        """Documents a question points at: by title words, else by a phrase like "综保区意见里" searched."""
        named = self.retriever.named_documents(question)
        if named:
            return named
        ref = re.search(r"([\u4e00-\u9fff]{2,12}?)(文件|意见|计划|方案|通知|报告|条例|规则|办法)(里|中|上)?", question)
        if ref and ref.group(1) not in ("这个", "该", "本"):
            hits = self.retriever.search(ref.group(1) + ref.group(2), top_k=3, boost=False).hits
            if hits and len({h.clause.doc_id for h in hits}) == 1:
                return [hits[0].clause.doc_id]
        return []

    def _deadline_list(self, question: str, doc: str | None) -> Answer | None:
        docs = [doc] if doc else self._documents_referred(question)
        clauses = [c for c in self.index.clauses().values() if not docs or c.doc_id in docs]
        documents = self.index.documents()
        year = None
        if docs:
            year = documents[docs[0]].year
        elif clauses:
            years = [documents[c.doc_id].year for c in clauses if c.deadlines and documents[c.doc_id].year]
            year = max(set(years), key=years.count) if years else None
        asked = [d for d in find_deadlines(question, year) if d.normalized]
        recurring = re.search(r"按季度|每季度|每半年|每年|每月", question)
        if asked:
            wanted = asked[0].normalized
            if wanted.startswith("R/"):
                matches = [c for c in clauses if any(d.normalized == wanted for d in c.deadlines)]
            else:
                date = wanted.split("/")[-1]
                matches = [c for c in clauses if any(
                    d.normalized and re.fullmatch(r"\d{4}-\d{2}-\d{2}", d.normalized) and
                    d.normalized <= date and d.normalized[:4] == date[:4] for d in c.deadlines)]
            label = asked[0].text
        elif recurring:
            period = {"按季度": "R/P3M", "每季度": "R/P3M", "每半年": "R/P6M", "每年": "R/P1Y", "每月": "R/P1M"}[
                recurring.group(0)]
            matches = [c for c in clauses if any((d.normalized or "").startswith(period) for d in c.deadlines)]
            label = recurring.group(0)
        elif re.search(r"时间节点|期限|时限", question):
            matches = [c for c in clauses if c.deadlines]
            label = "有明确时间节点"
        else:
            return None
        return self._list_answer(question, "deadline_list", matches, f"{label}的任务共{len(matches)}项",
                                 f"文件中未找到{label}要完成的任务。")

    def _list_answer(self, question: str, intent: str, clauses: list[Clause], title: str, none: str) -> Answer:
        documents = self.index.documents()
        if not clauses:
            return Answer(question=question, intent=intent, intents=(intent,), found=False, answer=none)
        clauses = sorted(clauses, key=lambda c: (documents[c.doc_id].source, c.span[0]))
        lines, citations = [f"{title}："], []
        for number, clause in enumerate(clauses, start=1):
            document = documents[clause.doc_id]
            first = _sentences(clause.text)[0].strip()
            lead, participants = self._roles(clause)
            fields = []
            if lead:
                fields.append(("牵头" if clause.lead_agencies else "负责") + "：" + "、".join(lead))
            if clause.deadlines:
                fields.append("期限：" + "、".join(d.text for d in clause.deadlines))
            lines.append(f"{number}. {first}（{'；'.join(fields)}）——{self._where(document, clause)}")
            citations.append(self._citation(self._hit(clause, 1.0), first))
        every = [a for c in clauses for a in self._roles(c)[0]]
        return Answer(question=question, intent=intent, intents=(intent,), found=True, answer="\n".join(lines),
                      lead_agencies=tuple(dict.fromkeys(every)),
                      deadlines=tuple(dict.fromkeys(d.text for c in clauses for d in c.deadlines)),
                      citations=tuple(citations), clause_ids=tuple(c.clause_id for c in clauses))

    # ---------------------------------------------------------------- helpers
    def _is_follow_up(self, question: str) -> bool:
        return bool(FOLLOW_UP.search(question)) and len(self._content_words(question)) <= 1

    def _hit(self, clause: Clause, score: float) -> Hit:
        return Hit(clause=clause, document=self.index.documents()[clause.doc_id], score=score, chunk_id="")

    def _citation(self, hit: Hit, quote: str) -> Citation:
        return Citation(doc_id=hit.document.doc_id, doc_title=hit.document.title, source=hit.document.source,
                        section_path=hit.clause.section_path, clause_label=hit.clause.label,
                        clause_id=hit.clause.clause_id, text=hit.clause.text, quote=quote,
                        score=round(float(hit.score), 6))

    def _not_found(self, question: str, intents: list[str], hits: list[Hit]) -> Answer:
        related = [self._citation(h, _sentences(h.clause.text)[0].strip() if h.clause.text else "") for h in hits[:3]]
        text = "文件中未找到该问题的答案。"
        if related:
            text += "\n相关条款：" + "；".join(f"{self._where(h.document, h.clause)}" for h in hits[:3])
        return Answer(question=question, intent=intents[0], intents=tuple(intents), found=False, answer=text,
                      citations=tuple(related))

    def _empty(self, question: str, message: str) -> Answer:
        return Answer(question=question, intent="general", intents=("general",), found=False, answer=message)


def answer_json(answer: Answer) -> dict:
    """The `ask --json` contract (README)."""
    return {
        "question": answer.question, "intent": answer.intent, "found": answer.found, "answer": answer.answer,
        "lead_agencies": list(answer.lead_agencies), "participants": list(answer.participants),
        "deadlines": list(answer.deadlines),
        "citations": [{"doc_id": c.doc_id, "doc_title": c.doc_title, "source": c.source,
                       "section_path": list(c.section_path), "clause_label": c.clause_label,
                       "clause_id": c.clause_id, "text": c.text, "quote": c.quote, "score": c.score}
                      for c in answer.citations],
    }
