"""Every task clause of the Guangxi plan against the hand-checked table in evals/gold/guangxi_parse.json."""
import json

import pytest

from conftest import GUANGXI, ROOT, clause_with, names

GOLD = json.loads((ROOT / "evals" / "gold" / "guangxi_parse.json").read_text(encoding="utf-8"))


def test_gold_table_covers_every_clause_with_fields(parsed_corpus):
    gx = parsed_corpus[GUANGXI.name]
    with_fields = [c for c in gx.clauses if c.has_roles or c.deadlines or c.targets]
    assert len(with_fields) == len(GOLD["tasks"]) == 28


@pytest.mark.parametrize("row", GOLD["tasks"], ids=lambda r: r["clause"][:14])
def test_task_fields(parsed_corpus, row):
    clause = clause_with(parsed_corpus[GUANGXI.name], row["clause"])
    assert clause.label == row["label"]
    assert clause.section_path[-1] == row["section"]
    assert names(clause.lead_agencies) == row["lead"]
    assert names(clause.participants) == row["participants"]
    assert names(clause.responsible) == row["responsible"]
    assert [[d.text, d.normalized] for d in clause.deadlines] == row["deadlines"]
    assert list(clause.targets) == row["targets"]
