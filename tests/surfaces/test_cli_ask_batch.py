"""`ask --batch`: a question that fails gets its own error object and the run goes on (a small index with
the hashing embedder; the real model's answers are tested in tests/answer/)."""
import json

import pytest

from assistant.answer import compose
from assistant.serialize import first_sentence
from assistant.index import Index
from assistant.settings import Settings
from assistant.surfaces import cli

from conftest import GUANGXI
from fakes import HashEmbedder


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    index = Index(Settings.from_env(index_dir=tmp_path_factory.mktemp("batch")), embedder=HashEmbedder())
    assert not index.ingest([GUANGXI]).failed
    return index


def test_a_failing_question_is_an_error_object_and_the_run_goes_on(small, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "_index", lambda args, **kw: (small, None))
    real_ask = compose.Assistant.ask

    def ask(self, question, *args, **kwargs):
        if "炸" in question:
            raise IndexError("list index out of range")
        return real_ask(self, question, *args, **kwargs)

    monkeypatch.setattr(compose.Assistant, "ask", ask)
    questions = tmp_path / "q.txt"
    questions.write_text("农业农村厅牵头哪些任务？\n炸\n\n广西土壤计划主要讲了什么？\n", encoding="utf-8")
    status = cli.main(["ask", "--batch", str(questions)])
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines()]
    assert [d["question"] for d in lines] == ["农业农村厅牵头哪些任务？", "炸", "广西土壤计划主要讲了什么？"]
    assert lines[0]["found"] and lines[0]["count"] == 6 and "error" not in lines[0]
    assert lines[1]["error"] == "IndexError: list index out of range" and lines[1]["found"] is False
    assert lines[2]["found"] and lines[2]["operation"] == "overview"
    assert status == 1 and "1 of 3 questions failed" in err


@pytest.mark.parametrize("text", ["", "。", "（）", "\n\n", "1．"])
def test_first_sentence_of_a_clause_without_sentences_never_raises(text):
    # the refusal path quoted the first sentence of the nearest clauses and crashed on such clauses
    assert isinstance(first_sentence(text), str)


def test_every_odd_question_gets_an_answer_or_a_refusal(small):
    from assistant.answer import Assistant
    from assistant.query.retrieve import Retriever

    assistant = Assistant(Retriever(small))
    for question in ["1", "12345", "abc", "ABC def", "？", "生态环境厅", "生态环境厅厅长是谁？", "还有呢？", "那期限呢？",
                     "这个计划主要讲什么？", "谁" * 600, "國土廳牽頭哪些任務？", "\u200b\u200b", "😀生态环境厅😀"]:
        answer = assistant.ask(question)
        assert isinstance(answer.answer, str) and answer.answer
        if question in ("1", "12345", "abc", "ABC def", "？", "\u200b\u200b", "生态环境厅", "生态环境厅厅长是谁？", "还有呢？"):
            assert not answer.found and not answer.citations, question
