"""Every task with a role in the ten Shanghai forms documents against the hand-checked table in
evals/gold/forms_parse.json: task-table rows (one cell per line in text, a real grid in .docx and .pdf),
labelled tails, agency-headed duties and prose."""
import json
import pytest

from assistant.tasks.parse import parse_file

from conftest import CORPUS, ROOT, names

GOLD = json.loads((ROOT / "evals" / "gold" / "forms_parse.json").read_text(encoding="utf-8"))["documents"]
DATA = ROOT / "tests" / "data"
ROWS = [(doc, row) for doc, rows in GOLD.items() for row in rows]


@pytest.fixture(scope="module")
def parsed():
    return {name: parse_file(CORPUS / name) for name in GOLD}


def _task(parsed_doc, prefix):
    found = [t for t in parsed_doc.tasks if t.has_roles and t.text.startswith(prefix)]
    assert len(found) == 1, f"{len(found)} tasks start with {prefix!r}"
    return found[0]


@pytest.mark.parametrize("doc", sorted(GOLD))
def test_gold_table_covers_every_task_with_a_role(parsed, doc):
    assert sum(1 for t in parsed[doc].tasks if t.has_roles) == len(GOLD[doc])


@pytest.mark.parametrize("doc, row", ROWS, ids=[f"{d[3:12]}-{r['task'][:10]}" for d, r in ROWS])
def test_task_fields(parsed, doc, row):
    task = _task(parsed[doc], row["task"])
    assert task.label == row["label"]
    assert list(task.section_path[-2:]) == row["section"]
    assert (task.origin.value, task.row) == (row["origin"], row["row"])
    assert names(task.lead_agencies) == row["lead"]
    assert names(task.participants) == row["participants"]
    assert names(task.responsible) == row["responsible"]
    assert [[d.text, d.normalized] for d in task.deadlines] == row["deadlines"]


def _table_fields(parsed_doc):
    return [(t.label, names(t.lead_agencies), names(t.participants), names(t.responsible),
             [d.text for d in t.deadlines]) for t in parsed_doc.tasks if t.origin.value == "table"]


@pytest.mark.parametrize("txt, other, rows", [
    ("sh_qingpu_2025_20_jianzhulaji.txt", "sh_qingpu_2025_20_jianzhulaji.docx", 26),   # merged 序号/工作任务
    ("sh_jingan_2025_11_tandafeng.txt", "sh_jingan_2025_11_tandafeng.pdf", 70),        # a ruled table over 5 pages
])
def test_the_same_table_from_text_word_and_pdf(parsed, txt, other, rows):
    from_text = _table_fields(parsed[txt])
    assert len(from_text) == rows
    assert _table_fields(parse_file(DATA / other)) == from_text
