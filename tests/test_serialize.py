"""One serializer: the JSON shapes of clauses, hits, tasks and answers, and the stored clause record."""
from assistant.models import Answer, Citation
from assistant.serialize import (answer_json, clause_from_record, clause_json, clause_record, hit_json,
                                 parse_json, task_from_record, task_json, task_record)

from conftest import clause_with


def test_the_stored_record_gives_the_clause_back_with_names_as_written(parsed_corpus):
    parsed = parsed_corpus["gx_2021_turang_wuran_fangzhi_jihua.txt"]
    clause = clause_with(parsed, "持续开展涉镉污染源排查整治工作")
    again = clause_from_record(clause.doc_id, clause_record(clause))
    assert again == clause
    assert [a.as_written for a in again.participants][:2] == ["自治区农业农村厅", "粮食和储备局"]


def test_every_shape_shares_the_clause_fields(parsed_corpus):
    parsed = parsed_corpus["gx_2021_turang_wuran_fangzhi_jihua.txt"]
    clause = clause_with(parsed, "持续开展涉镉污染源排查整治工作")
    fields = {"lead_agencies", "participants", "responsible", "deadlines", "targets"}
    assert fields <= set(clause_json(clause))
    assert fields <= set(hit_json(parsed.document, clause, 0.5))
    task = next(t for t in parsed.tasks if t.clause_id == clause.clause_id)
    assert fields <= set(task_json(parsed.document, task))
    assert task_from_record(task.doc_id, task_record(task)) == task
    assert hit_json(parsed.document, clause, 0.1234567)["score"] == 0.123457
    assert clause_json(clause)["deadlines"][0] == {"text": "2021年底前", "normalized": "2021-12-31"}
    document = parse_json(parsed.document, parsed.clauses)["document"]
    assert set(document) == {"doc_id", "title", "doc_number", "issuer", "date", "source"}


def test_answer_json_is_the_ask_contract_with_fields_added():
    citation = Citation("d", "标题", "a.txt", ("一、总体要求",), "（一）", "d:c1/p1", "全文", "引文", 0.9)
    answer = Answer(question="问", intent="target", found=True, answer="目标：95%以上", targets=("95%以上",),
                    citations=(citation,))
    data = answer_json(answer)
    # the contract's fields first and unchanged; fields are added after them (targets, operation, count)
    assert list(data) == ["question", "intent", "found", "answer", "lead_agencies", "participants", "deadlines",
                          "targets", "citations", "operation", "count"]
    assert data["targets"] == ["95%以上"] and data["operation"] == "lookup" and data["count"] is None
    assert data["citations"][0] == {"doc_id": "d", "doc_title": "标题", "source": "a.txt",
                                    "section_path": ["一、总体要求"], "clause_label": "（一）", "clause_id": "d:c1/p1",
                                    "text": "全文", "quote": "引文", "score": 0.9}


def test_a_table_rows_title_is_its_task_cell_not_its_number(parsed_corpus):
    """Jing'an's task table in text form puts the 序号 on its own line ("1\\n全力推进节能降碳目标进度…"): lists,
    the 任务 column and quotes name the task, not "1"; a sentence starting with a decimal keeps it."""
    from assistant.serialize import first_sentence, task_title

    jingan = parsed_corpus["sh_jingan_2025_11_tandafeng.txt"]
    row = next(t for t in jingan.tasks if t.row == 1)
    assert task_title(row) == "全力推进节能降碳目标进度，明确年度重点工作任务"
    assert first_sentence(row.text, row.label) == "全力推进节能降碳目标进度，明确年度重点工作任务"
    assert first_sentence("1．持续开展调查。") == "持续开展调查"
    assert first_sentence("3.5万亩高标准农田。") == "3.5万亩高标准农田"
