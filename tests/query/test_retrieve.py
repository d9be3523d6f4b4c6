"""Hybrid retrieval over all of corpus/ with the real default model."""
import pytest

from assistant.query.retrieve import Retriever

from conftest import GUANGXI


@pytest.fixture(scope="module")
def retriever(real_index):
    return Retriever(real_index)


def top(retriever, question, **kw):
    return retriever.search(question, top_k=5, **kw).hits


@pytest.mark.parametrize("question, expected", [
    ("谁牵头土壤生态环境调查试点", "加大土壤污染状况详查成果应用"),          # the words sit in the body, not the heading
    ("涉镉污染源排查这件事谁牵头？", "持续开展涉镉污染源排查整治工作"),
    ("重点监管单位名录最晚什么时候要公布？", "依法严管土壤污染重点监管单位"),
    ("洋垃圾的事谁管", "不断强化固体废物环境管理"),
    ("地下水污染防治十四五规划谁来牵头", "科学制定广西地下水污染防治"),
])
def test_guangxi_questions_find_the_guangxi_clause_first_among_all_documents(retriever, question, expected):
    hits = top(retriever, question)
    assert hits[0].document.source == GUANGXI.name, [h.document.source for h in hits]
    assert expected in hits[0].clause.text


def test_national_questions(retriever):
    hits = top(retriever, "综合保税区汽车保税存储谁负责")
    assert "试行汽车保税存储" in hits[0].clause.text
    hits = top(retriever, "土壤污染状况普查多久搞一次")
    assert hits[0].clause.label == "第十四条"


def test_named_agency_ranks_its_clauses_first(retriever):
    result = retriever.search("林业局牵头的耕地任务", top_k=3)
    assert "自治区林业局" in result.agencies
    assert "自治区林业局" in [a.name for a in result.hits[0].clause.lead_agencies]


def test_named_document_ranks_first_and_doc_filter_restricts(retriever, real_index):
    docs = {d.source: d.doc_id for d in real_index.documents().values()}
    result = retriever.search("综合保税区文件里发改委牵头什么", top_k=5)
    assert result.documents == [docs["gov_guofa_2019_03_zongbaoqu.txt"]]
    assert result.hits[0].document.source == "gov_guofa_2019_03_zongbaoqu.txt"
    law = docs["law_turang_fangzhi_2018.txt"]
    hits = top(retriever, "谁牵头", doc=law)
    assert hits and all(h.clause.doc_id == law for h in hits)


def test_a_search_limited_to_several_documents_stays_in_them(retriever, real_index):
    docs = {d.source: d.doc_id for d in real_index.documents().values()}
    both = [docs["law_turang_fangzhi_2018.txt"], docs["gx_2021_turang_wuran_fangzhi_jihua.txt"]]
    hits = retriever.search("土壤污染状况调查报告谁负责", top_k=8, doc=both).hits
    assert hits and {h.clause.doc_id for h in hits} <= set(both)
    assert len({h.clause.doc_id for h in hits}) == 2
