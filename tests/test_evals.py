"""The eval runner's quick subset: policyqa on the Guangxi tuning questions must stay above its floors."""
import json

from evals import run as eval_run
from evals.gold_set import SINGLE_ANSWER, load_questions


def test_gold_questions_point_at_real_clauses(parsed_corpus):
    questions = load_questions()
    assert len(questions) >= 120
    assert sum(bool(q.doc and q.doc.startswith("gx_")) for q in questions) >= 70
    assert sum(q.refuse for q in questions) >= 15
    assert {q.split for q in questions} == {"tune", "holdout"}
    texts = [(name, c.text) for name, doc in parsed_corpus.items() for c in doc.clauses]
    for q in questions:
        for fragment in (q.clauses or ((q.clause,) if q.clause else ())):
            owners = [name for name, text in texts if fragment in text]
            assert owners == [q.doc], f"{q.id}: {fragment!r} is in {owners}"


def test_quick_eval_stays_above_its_floors(real_index, tmp_path, capsys):
    code = eval_run.main(["--quick", "--index", str(real_index.index_dir), "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    report = json.loads((tmp_path / "quick.json").read_text())
    assert code == 0, printed
    gx = report["guangxi"]
    assert gx["questions"] >= 60 and gx["recall@1"] >= 0.90 and gx["refusal_recall"] >= 0.85
    assert "| policyqa |" in printed


def test_scoring_counts_what_it_claims():
    q = next(q for q in load_questions() if q.intent in SINGLE_ANSWER and not q.refuse and q.lead)
    right = eval_run.Result(ranked=[("other.txt", "无关"), (q.doc, "……" + q.clause + "……")], lead=q.lead)
    row = eval_run.score_one(q, right, "policyqa")
    assert row["rank"] == 1 and row["lead_exact"] is True
    wrong = eval_run.score_one(q, eval_run.Result(ranked=[("x.txt", q.clause)], lead=()), "policyqa")
    assert wrong["rank"] is None and wrong["lead_exact"] is False
    summary = eval_run.summarize([row, wrong])
    assert summary["recall@5"] == 0.5 and summary["recall@1"] == 0.0 and summary["mrr"] == 0.25


def test_kinds_questions_cover_every_kind_on_both_splits():
    from evals.kinds_set import load_kinds

    questions = load_kinds()
    kinds = {q.kind for q in questions}
    assert kinds >= {"lookup", "scope", "agency", "list", "count", "yes_no", "which_role", "time", "earliest_latest",
                     "overview", "outline", "compare", "explain", "fact", "normalize", "refusal", "follow_up"}
    for kind in kinds:
        mine = [q for q in questions if q.kind == kind]
        assert len(mine) >= 10 and sum(q.split == "holdout" for q in mine) >= 8, kind
    turns = {}
    for q in questions:
        if q.conv:
            turns.setdefault(q.conv, []).append(q.turn)
    assert all(t == list(range(1, len(t) + 1)) for t in turns.values())      # turns asked in order


def test_kinds_judge_catches_each_kind_of_wrong_answer():
    from evals.kinds_set import KindQuestion, judge, judge_passages

    q = KindQuestion("x", "list", "生态环境厅牵头、财政厅参与的任务有哪些？", ("gx.txt",),
                     {"found": True, "count": 1, "tasks": ["专项资金"], "contains": ["共1项"]})
    cite = {"source": "gx.txt", "text": "3．认真做好中央土壤专项资金问题整改。", "section_path": ["重点任务"]}
    right = {"found": True, "answer": "…任务共1项：…", "count": 1, "citations": [cite], "operation": "list"}
    assert judge(q, right) == []
    assert judge(q, {**right, "count": 2}) and judge(q, {**right, "found": False})
    assert judge(q, {**right, "citations": [cite, {**cite, "source": "law.txt"}]})     # another document cited
    assert judge(q, {**right, "citations": [{**cite, "text": "无关"}]})
    refusal = KindQuestion("r", "refusal", "文旅厅牵头哪些任务？", (), {"found": False, "no_citations": True})
    assert judge(refusal, {"found": False, "answer": "文件中未找到", "citations": []}) == []
    assert judge(refusal, {"found": False, "answer": "文件中未找到", "citations": [cite]})
    assert judge_passages(refusal, [("gx.txt", "任何文字")])           # a baseline never refuses
    assert judge_passages(q, [("gx.txt", "中央土壤专项资金")]) == []
