"""Chunking never crosses a clause, long clauses split at sentence ends; one explicit jieba tokenizer."""
import jieba

from assistant.index.chunk import chunk_clause, split_text
from assistant.index.tokenize import PolicyTokenizer, vocabulary

from conftest import GUANGXI, clause_with


def test_user_words_are_single_tokens_and_jieba_global_is_untouched(parsed_corpus):
    words = vocabulary(parsed_corpus[GUANGXI.name].clauses)
    assert "自治区生态环境厅" in words and "净土收储" in words          # agencies and quoted terms
    tok = PolicyTokenizer(words)
    assert "土壤污染重点监管单位" in tok.cut("依法严管土壤污染重点监管单位")
    assert "自治区生态环境厅" in tok.cut("自治区生态环境厅牵头")
    assert "土壤污染重点监管单位" in tok.terms("土壤污染重点监管单位名录")
    assert "的" not in tok.terms("土壤污染的调查") and "，" not in tok.terms("调查，评估")
    assert "".join(tok.cut("每季度结束后3日内报送。")) == "每季度结束后3日内报送。"
    assert jieba.dt.FREQ.get("土壤污染重点监管单位") is None        # jieba's global dictionary is not ours


def test_long_clause_splits_at_sentence_ends_and_short_one_stays_whole(parsed_corpus):
    gx = parsed_corpus[GUANGXI.name]
    tok = PolicyTokenizer(vocabulary(gx.clauses))
    clause = clause_with(gx, "认真做好中央土壤专项资金问题整改")
    chunks = chunk_clause(gx.document, clause, tok, max_tokens=40)
    assert len(chunks) > 2
    assert "".join(c.text for c in chunks) == clause.text             # nothing lost, nothing from elsewhere
    assert all(c.text.endswith(("。", "；", "）")) for c in chunks[:-1])
    assert all(c.clause_id == clause.clause_id for c in chunks)
    assert chunks[0].context == "2021年度广西土壤污染防治重点工作实施计划 > 重点任务 > 实施土壤污染风险管控与治理修复工程"
    assert chunks[1].context.endswith("> 3．认真做好中央土壤专项资金问题整改。")   # later chunks know their task
    assert chunks[0].embed_text.startswith(chunks[0].context)
    whole = chunk_clause(gx.document, clause, tok, max_tokens=1000)
    assert len(whole) == 1 and whole[0].text == clause.text


def test_a_sentence_longer_than_the_limit_is_cut_between_words():
    tok = PolicyTokenizer()
    text = "组织开展尾矿库、矿坑窿口、采矿废石堆场、冶炼废渣堆场等环境风险隐患排查，基本摸清污染分布、污染程度和风险水平。"
    pieces = split_text(tok, text, max_tokens=8)
    assert "".join(pieces) == text and len(pieces) > 2


def test_a_task_table_row_names_its_role_columns_again(parsed_corpus):
    """A row cut from the Qingpu task-division table ("落实消纳场所备案 | 区绿化市容局 | 区规划资源局、…")
    keeps what its cells were, so "谁牵头，哪些单位配合" finds it by its words too; a paragraph does not."""
    qingpu = parsed_corpus["sh_qingpu_2025_20_jianzhulaji.txt"]
    tok = PolicyTokenizer(vocabulary(qingpu.clauses))
    row = clause_with(qingpu, "落实消纳场所备案\n区绿化市容局")
    (chunk,) = chunk_clause(qingpu.document, row, tok, max_tokens=160)
    assert chunk.context.endswith("> 牵头单位 配合单位")
    assert {"牵头", "配合"} <= set(tok.terms(chunk.embed_text))
    paragraph = clause_with(qingpu, "区绿化市容局开展建筑垃圾消纳场所备案工作")
    assert "牵头单位" not in chunk_clause(qingpu.document, paragraph, tok, max_tokens=160)[0].context
