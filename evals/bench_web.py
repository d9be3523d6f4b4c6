"""What each action of the web app costs on an index, without the browser or Gradio's queue.

    python -m evals.bench_web [--index index] [--repeat 5]

Times WebApp's methods (assistant/surfaces/web/app.py), which are the whole server-side work of a
click: a question over all documents and over one, the 责任分工 table unfiltered and for one agency,
the 时间节点 table with its chart, each export (.xlsx of everything is the largest), the reader for
the longest document, the 文档 table. Prints median and worst of `--repeat` runs in milliseconds and
the size of each export. The index must exist (`policyqa ingest corpus/`).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answer import Assistant  # noqa: E402
from assistant.index import Index  # noqa: E402
from assistant.query.retrieve import Retriever  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.surfaces.web import WebApp  # noqa: E402


def timed(function, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times), result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", default=os.environ.get("POLICYQA_INDEX", "index"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    index = Index(Settings.from_env(index_dir=args.index))
    app = WebApp(index, Assistant(Retriever(index)), index.settings.web)
    app.extractive.ask("预热")
    docs = app.documents()
    clauses = index.clauses()
    longest = max(docs, key=lambda d: sum(1 for c in clauses.values() if c.doc_id == d))
    plan = next((d for d, doc in docs.items() if doc.source.startswith("gx_")), longest)
    agency = (app.agency_choices() or [""])[0]
    cases = [
        ("问答: a question, all documents", lambda: app.ask("涉镉污染源排查这件事谁牵头？", [], [])),
        ("问答: a list question, one document", lambda: app.ask("今年年底前要完成哪些工作？", [], [plan])),
        ("责任分工: every task", lambda: app.matrix(None, "全部", [])),
        (f"责任分工: {agency}", lambda: app.matrix(agency, "全部", [])),
        ("时间节点: every deadline + chart", lambda: app.deadlines(None, [])),
        ("export CSV, every task", lambda: app.matrix_csv(None, "全部", [])),
        ("export .xlsx, every task (all sheets)", lambda: app.matrix_xlsx(None, "全部", [])),
        ("export .ics, every deadline", lambda: app.deadlines_ics(None, [])),
        (f"阅读: {docs[longest].source}", lambda: app.reader(longest)),
        ("文档: the table", lambda: app.docs_table()),
    ]
    print(f"index {args.index}: {len(docs)} documents, {len(clauses)} clauses, {len(index.tasks())} tasks; "
          f"{args.repeat} runs each")
    print("| action | median ms | worst ms | output |")
    print("|---|---:|---:|---|")
    for name, function in cases:
        median, worst, result = timed(function, args.repeat)
        out = ""
        if isinstance(result, str) and result.startswith("<"):
            out = f"{len(result.encode()) / 1024:.0f} KB of HTML"
        elif isinstance(result, str):
            out = f"{Path(result).name}, {Path(result).stat().st_size / 1024:.0f} KB"
        print(f"| {name} | {median:.1f} | {worst:.1f} | {out} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
