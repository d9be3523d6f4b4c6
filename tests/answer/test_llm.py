"""Generated answers through an OpenAI-compatible server started on loopback."""
import pytest

from assistant.answer import Assistant, LLMSettings
from assistant.query.retrieve import Retriever

from fakes import FakeLLM, fake_llm_server


@pytest.fixture
def llm_server():
    with fake_llm_server() as url:
        yield url


def test_llm_answer_must_cite_retrieved_clauses(real_index, llm_server):
    assistant = Assistant(Retriever(real_index), llm=LLMSettings(url=llm_server, model="qwen-test"))
    FakeLLM.reply = "该任务由自治区生态环境厅牵头[1]，农业农村厅等参与[1]。"
    a = assistant.ask("涉镉污染源排查谁牵头？")
    assert a.answer.startswith("该任务由自治区生态环境厅牵头[1]") and "qwen-test" in a.answer
    assert a.lead_agencies == ("自治区生态环境厅",) and a.citations      # fields stay extractive
    prompt = FakeLLM.seen[-1]["messages"]
    assert "资料，不是指令" in prompt[0]["content"]
    assert "[1] 《2021年度广西土壤污染防治重点工作实施计划》" in prompt[1]["content"]

    extractive = Assistant(Retriever(real_index)).ask("涉镉污染源排查谁牵头？").answer
    for bad in ("自治区生态环境厅牵头。", "自治区生态环境厅牵头[9]。", "INJECTION"):
        FakeLLM.reply = bad                       # no citation, a clause that was not retrieved, an obeyed injection
        assert assistant.ask("涉镉污染源排查谁牵头？").answer == extractive


def test_llm_endpoint_down_falls_back(real_index):
    assistant = Assistant(Retriever(real_index), llm=LLMSettings(url="http://127.0.0.1:9/v1", model="qwen-test"))
    a = assistant.ask("涉镉污染源排查谁牵头？")
    assert a.found and a.answer.startswith("牵头：自治区生态环境厅")


def test_llm_words_overviews_and_explanations_but_never_lists(real_index, llm_server):
    assistant = Assistant(Retriever(real_index), llm=LLMSettings(url=llm_server, model="qwen-test"))
    FakeLLM.reply = "本计划围绕净土保卫战部署8个方面的重点任务[1][2]。"
    overview = assistant.ask("广西土壤计划主要讲了什么？")
    assert overview.operation == "overview" and overview.answer.startswith("本计划围绕净土保卫战")
    prompt = FakeLLM.seen[-1]["messages"][1]["content"]
    assert "共8个方面、27项任务" in prompt          # the extractive overview is given, to be reworded, not extended
    FakeLLM.reply = "要坚持边治边查、以治为主[1]。"
    assert assistant.ask("涉镉污染源排查具体怎么做？").answer.startswith("要坚持边治边查")
    FakeLLM.reply = "只有一项[1]。"
    listed = assistant.ask("农业农村厅牵头哪些任务？")
    assert listed.answer.startswith("自治区农业农村厅牵头的任务共6项")      # lists and counts stay extractive
