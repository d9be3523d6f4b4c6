"""Query + retrieved clauses -> Answer: fields, the quoted sentence, citations, or a refusal.

Answers are extractive: every field comes from a clause's parsed fields and every answer quotes the
clause it rests on. List questions ("农业农村厅牵头哪些任务", "年底前要完成哪些") are answered from the
fields of all clauses through `select_tasks`, completely, not from the top-k. When the best clause
does not cover the question's own words, or the asked field is not in it, the answer is
文件中未找到 with the nearest clauses offered as 相关条款.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from ..documents.attribution import attribution_groups
from ..lexicon import PROVINCES
from ..models import Answer, Citation, Clause, Document, Query
from ..query.retrieve import Hit, Retriever
from ..query.select import TaskRow, select_tasks
from ..settings import LLMSettings, Settings

SENTENCE = re.compile(r"[^。；！？\n]*(?:[。；！？]+|\n|$)")


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
        """`settings` default to the index's; `llm` replaces `settings.llm` (None keeps it)."""
        self.retriever = retriever
        self.index = retriever.index
        settings = settings or self.index.settings
        self.settings = settings.with_(llm=llm) if llm is not None else settings

    # ---------------------------------------------------------------- public
    def ask(self, question: str, top_k: int = 5, doc: str | Sequence[str] | None = None,
            previous: Answer | None = None) -> Answer:
        """The extractive answer, or with an LLM configured (`Settings.llm`), its wording when it cites
        retrieved clauses only. `doc` limits the question to one document or several (doc_ids). The whole
        answer is read from one snapshot of the index."""
        with self.index.pinned():
            answer = self._extractive(question, top_k, doc, previous)
        if self.settings.llm is None:
            return answer
        from .llm import generate_answer

        return generate_answer(answer, self.settings.llm)

    def _extractive(self, question: str, top_k: int, doc, previous: Answer | None) -> Answer:
        text = " ".join((question or "").split())
        if not text:
            return self._empty(text, "问题为空，请输入要查询的内容。")
        if not re.search(r"[\u4e00-\u9fffA-Za-z0-9]", text[:self.settings.max_question_chars]):
            return self._empty(text[:self.settings.max_question_chars],
                               "问题中没有可查询的文字，请用中文描述要查询的任务、部门或期限。")
        query = self.retriever.analyse(text, doc=doc)
        if query.listing == "agency_tasks":
            return self._agency_tasks(query)
        if query.listing == "deadline_list" and query.due is not None:
            return self._deadline_list(query)
        if previous is not None and previous.clause_ids and query.follow_up:
            clauses = self.index.clauses()
            hits = [self._hit(clauses[c], 1.0) for c in previous.clause_ids[:1] if c in clauses]
            if hits:
                return self._single(query, hits)
        result = self.retriever.search(query, top_k=max(top_k, 3))
        if not result.hits:
            return self._not_found(query, [])
        # the first of the three best clauses that answers (covers the question, has the asked field);
        # a "who" question prefers a clause that names roles over one that names none
        candidates = result.hits[:3]
        if query.intents[0] in ("lead", "participants") and not _has_roles(candidates[0].clause):
            candidates = sorted(candidates, key=lambda h: not _has_roles(h.clause))
        for rank, hit in enumerate(candidates):
            # a lower-ranked clause must cover the question better than the best one had to
            needed = self.settings.min_coverage if rank == 0 else \
                max(self.settings.min_coverage, self.settings.lower_rank_coverage)
            if self._answers(query, hit.clause, hit.document, needed):
                hits = [hit] + [h for h in result.hits if h is not hit]
                return self._single(query, hits[:top_k])
        return self._not_found(query, result.hits[:top_k])

    # ---------------------------------------------------------------- single clause
    def _single(self, query: Query, hits: list[Hit]) -> Answer:
        intents = query.intents
        best = hits[0]
        clause = best.clause
        lead, participants = self._roles(clause)
        deadlines = [d.text for d in clause.deadlines]
        targets = list(clause.targets)
        quote = self._quote(query, clause)
        if intents[0] == "deadline" and clause.deadlines:
            deadlines = [d.text for d in clause.deadlines if d.text in quote] or deadlines
        if intents[0] == "target" and targets:
            targets = [t for t in targets if t in quote] or targets
        citations = [self._citation(h, quote if h is best else self._quote(query, h.clause)) for h in hits]
        text = self._compose(intents, best, lead, participants, deadlines, targets, quote)
        return Answer(question=query.text, intent=intents[0], intents=intents, found=True, answer=text,
                      lead_agencies=tuple(lead), participants=tuple(participants), deadlines=tuple(deadlines),
                      targets=tuple(targets), citations=tuple(citations), clause_ids=(clause.clause_id,))

    def _roles(self, clause: Clause) -> tuple[list[str], list[str]]:
        lead = [a.name for a in clause.lead_agencies]
        if not lead:   # "（A、B负责）" with no lead rule: the bodies that answer for it
            lead = [a.name for a in clause.responsible if a.name != "地方各级人民政府" or len(clause.responsible) == 1]
        return lead, [a.name for a in clause.participants]

    def _answers(self, query: Query, clause: Clause, document: Document, min_coverage: float) -> bool:
        """Whether the best clause answers: it covers the question's own words and has the asked field."""
        haystack = " ".join((*clause.section_path, clause.text))
        whole = document.title + haystack
        question = query.text
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
        words = [w for w in query.content_words if w not in document.title]
        if words:
            covered = sum(_covered(w, haystack) for w in words) / len(words)
            if covered < min_coverage:
                return False
        # a "how much" or "by when" question needs a number or a date in the clause it rests on
        if query.intents[0] == "target" and not clause.targets:
            return False
        if query.intents[0] == "deadline" and not clause.deadlines:
            return False
        return True

    def _quote(self, query: Query, clause: Clause) -> str:
        """The sentence that answers: for a deadline the one with the deadline, for roles the attribution."""
        sentences = _sentences(clause.text)
        if not sentences:
            return clause.text
        intent = query.intents[0]
        if intent in ("lead", "participants"):
            groups = attribution_groups(clause.text)
            if groups:
                start, end = groups[-1]
                return clause.text[start:end]
        words = query.content_words
        numbers = re.findall(r"\d+(?:\.\d+)?", query.text)

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
    def _agency_tasks(self, query: Query) -> Answer:
        rows = select_tasks(self.index.tasks(), self.index.documents(), scope=query.scope,
                            agencies=query.agencies, role=query.role)
        verb = {"lead": "牵头", "participants": "参与", "any": "承担"}[query.role.value]
        named = "、".join(sorted(query.agencies))
        return self._list_answer(query, "agency_tasks", rows, f"{named}{verb}的任务共{len(rows)}项",
                                 f"文件中未找到{named}{verb}的任务。")

    def _deadline_list(self, query: Query) -> Answer:
        rows = select_tasks(self.index.tasks(), self.index.documents(), scope=query.scope, due=query.due)
        label = query.due.label
        return self._list_answer(query, "deadline_list", rows, f"{label}的任务共{len(rows)}项",
                                 f"文件中未找到{label}要完成的任务。")

    def _list_answer(self, query: Query, intent: str, rows: list[TaskRow], title: str, none: str) -> Answer:
        if not rows:
            return Answer(question=query.text, intent=intent, intents=(intent,), found=False, answer=none)
        index_clauses = self.index.clauses()
        clauses = [index_clauses[r.task.clause_id] for r in rows]
        lines, citations = [f"{title}："], []
        for number, (row, clause) in enumerate(zip(rows, clauses), start=1):
            document = row.document
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
        return Answer(question=query.text, intent=intent, intents=(intent,), found=True, answer="\n".join(lines),
                      lead_agencies=tuple(dict.fromkeys(every)),
                      deadlines=tuple(dict.fromkeys(d.text for c in clauses for d in c.deadlines)),
                      citations=tuple(citations), clause_ids=tuple(c.clause_id for c in clauses))

    # ---------------------------------------------------------------- helpers
    def _hit(self, clause: Clause, score: float) -> Hit:
        return Hit(clause=clause, document=self.index.documents()[clause.doc_id], score=score, chunk_id="")

    def _citation(self, hit: Hit, quote: str) -> Citation:
        return Citation(doc_id=hit.document.doc_id, doc_title=hit.document.title, source=hit.document.source,
                        section_path=hit.clause.section_path, clause_label=hit.clause.label,
                        clause_id=hit.clause.clause_id, text=hit.clause.text, quote=quote,
                        score=round(float(hit.score), 6))

    def _not_found(self, query: Query, hits: list[Hit]) -> Answer:
        related = [self._citation(h, _sentences(h.clause.text)[0].strip() if h.clause.text else "") for h in hits[:3]]
        text = "文件中未找到该问题的答案。"
        if related:
            text += "\n相关条款：" + "；".join(f"{self._where(h.document, h.clause)}" for h in hits[:3])
        return Answer(question=query.text, intent=query.intents[0], intents=query.intents, found=False, answer=text,
                      citations=tuple(related))

    def _empty(self, question: str, message: str) -> Answer:
        return Answer(question=question, intent="general", intents=("general",), found=False, answer=message)
