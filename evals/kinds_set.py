"""Questions by kind (evals/gold/kinds_questions.jsonl): what officers ask besides "who leads X", with
the right answer read from the text, and how an answer is judged.

Each row: id, kind, question, docs (the files the question points to: every citation must come from
them), expect (what the answer must show), split (tune | holdout), and for a follow-up conversation
conv + turn (turns are asked in order, each with the previous answer, and scored one by one).

`expect` keys, all of which must hold:
    found (bool)                 the answer says it answers (false: 文件中未找到 / asked back)
    lead [names]                 the answer's lead agencies, exactly (full names)
    participants_include [names] these are among the answer's participants
    deadline / target (str)      a deadline / target of the answer contains it
    count (int)                  the answer's task count
    tasks [fragments]            each is in the text (or heading) of a cited clause (lists: completeness)
    clause (fragment)            in the first cited clause
    yes (bool)                   the first line starts 是的 / 不是
    contains [str]               each is in the answer text
    no_citations (bool)          nothing is cited (a refusal or a question asked back)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from evals.gold_set import read_jsonl

KINDS = Path(__file__).resolve().parent / "gold" / "kinds_questions.jsonl"
# the documents besides corpus/ that the kinds questions are asked of (district and city plans from
# shared/corpus-forms), searched for beside the repository and at the workplace's shared folder
FORMS = ("sh_fengxian_2021_18_gongyuanchengshi.txt", "sh_hufuban_2021_39_gengdi.txt")
FORMS_DIRS = (Path(__file__).resolve().parent.parent.parent / "shared" / "corpus-forms",
              Path("/work/shared/corpus-forms"))


ONE_CLAUSE = ("lookup", "fact", "explain")


@dataclass(frozen=True)
class KindQuestion:
    id: str
    kind: str
    question: str
    docs: tuple[str, ...]
    expect: dict = field(default_factory=dict)
    split: str = "tune"
    conv: str | None = None
    turn: int | None = None


def load_kinds(path: Path = KINDS) -> list[KindQuestion]:
    return [KindQuestion(id=row["id"], kind=row["kind"], question=row["question"], docs=tuple(row["docs"]),
                         expect=row["expect"], split=row.get("split", "tune"), conv=row.get("conv"), turn=row.get("turn"))
            for row in read_jsonl(path)]


def forms_files() -> list[Path]:
    """The shared/corpus-forms documents the kinds questions need; empty when the folder is absent."""
    for folder in FORMS_DIRS:
        if all((folder / name).exists() for name in FORMS):
            return [folder / name for name in FORMS]
    return []


def judge(q: KindQuestion, answer: dict) -> list[str]:
    """What is wrong with an answer (an `ask --json` object); empty when it is right."""
    e = q.expect
    wrong = []
    found = answer.get("found", False)
    citations = answer.get("citations", [])
    # the answer's clauses must come from the documents the question points to: all of a list's (and of
    # a refusal's related clauses); for one task's answer the first (later ones are only related clauses)
    judged = citations if (answer.get("operation") not in ONE_CLAUSE or not found) else citations[:1]
    if q.docs and any(c["source"] not in q.docs for c in judged):
        wrong.append("cites a document the question does not point to: " +
                     ", ".join(sorted({c["source"] for c in judged if c["source"] not in q.docs})))
    if e.get("no_citations") and citations:
        wrong.append("cites clauses where it should refuse or ask back")
    if "found" in e and bool(found) != e["found"]:
        wrong.append(f"found={found}, expected {e['found']}")
        return wrong
    if not e.get("found", True):
        return wrong
    text = answer.get("answer", "")
    if "lead" in e and set(answer.get("lead_agencies", [])) != set(e["lead"]):
        wrong.append(f"lead {answer.get('lead_agencies')} != {e['lead']}")
    if "participants_include" in e and not set(e["participants_include"]) <= set(answer.get("participants", [])):
        wrong.append(f"participants {answer.get('participants')} lack {e['participants_include']}")
    if "deadline" in e and not any(e["deadline"] in d for d in answer.get("deadlines", [])):
        wrong.append(f"deadlines {answer.get('deadlines')} lack {e['deadline']}")
    if "target" in e and not any(e["target"] in t for t in answer.get("targets", [])):
        wrong.append(f"targets {answer.get('targets')} lack {e['target']}")
    if "count" in e and answer.get("count") != e["count"]:
        wrong.append(f"count {answer.get('count')} != {e['count']}")
    for fragment in e.get("tasks", []):      # in a cited clause, or in the heading it stands under
        if not any(fragment in c["text"] or fragment in " ".join(c["section_path"]) for c in citations):
            wrong.append(f"no cited clause holds {fragment!r}")
    if "clause" in e and not (citations and e["clause"] in citations[0]["text"]):
        wrong.append(f"first citation lacks {e['clause']!r}")
    if "yes" in e and not text.startswith("是的" if e["yes"] else "不是"):
        wrong.append(f"does not start with {'是的' if e['yes'] else '不是'}")
    for piece in e.get("contains", []):
        if piece not in text:
            wrong.append(f"answer lacks {piece!r}")
    return wrong


def judge_passages(q: KindQuestion, ranked: list[tuple[str, str]]) -> list[str]:
    """A baseline that returns passages (source, text), best first, never refuses: right when the
    question is answerable, its best passage comes from a document the question points to, and the
    five best hold every expected fragment (clause, tasks)."""
    if not q.expect.get("found", True):
        return ["answers what the documents do not answer"]
    top = ranked[:5]
    if not top:
        return ["no passage"]
    wrong = []
    if q.docs and top[0][0] not in q.docs:
        wrong.append(f"best passage from {top[0][0]}")
    fragments = list(q.expect.get("tasks", [])) + ([q.expect["clause"]] if "clause" in q.expect else [])
    for fragment in fragments:
        if not any(fragment in text for _, text in top):
            wrong.append(f"top 5 lack {fragment!r}")
    return wrong
