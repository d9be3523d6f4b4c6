"""The LangChain retriever surface: policyqa's search as a LangChain BaseRetriever."""
from langchain_core.retrievers import BaseRetriever

from assistant.langchain import PolicyRetriever
from assistant.query.retrieve import Retriever

from conftest import GUANGXI


def test_retriever_drops_into_langchain(real_index):
    retriever = PolicyRetriever(retriever=Retriever(real_index), k=3)
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke("涉镉污染源排查谁牵头")
    assert len(docs) == 3
    top = docs[0]
    assert "持续开展涉镉污染源排查整治工作" in top.page_content
    assert top.metadata["source"] == GUANGXI.name
    assert top.metadata["lead_agencies"] == ["自治区生态环境厅"]
    assert top.metadata["section_path"] == ["重点任务", "持续狠抓土壤污染源头风险管控"]
    assert top.metadata["deadlines"] == [{"text": "2021年底前", "normalized": "2021-12-31"},
                                         {"text": "整治完成后1个月内", "normalized": "+P1M"}]
    assert "text" not in top.metadata
