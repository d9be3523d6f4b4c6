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
