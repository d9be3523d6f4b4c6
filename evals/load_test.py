"""A bounded load test: N concurrent clients asking for S seconds against `policyqa serve` on loopback,
optionally while a writer ingests and removes documents in a loop.

    python -m evals.load_test [--clients 20] [--seconds 60] [--index index] [--writer]

Starts the server on a free loopback port (the index must exist: `policyqa ingest corpus/`), has each
client ask gold questions in turn through the Gradio API (`/gradio_api/call/ask`, the same call the
web page and gradio_client make), and reports errors, latency p50/p95, throughput and the server's
memory (RSS) over the run. Traffic goes to 127.0.0.1 only; every loop is bounded in time.

With `--writer`, another process (`policyqa ingest` then `policyqa remove`, as a user at a terminal
would) adds and removes small plans about a topic no gold question asks about, in a loop, on the same
index. Every answer must then be exactly the answer the question got before the load (same text, same
first cited clause): an answer mixing two states of the index, or failing because a collection went
away under it, is counted.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evals.gold_set import load_questions  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def ask(url: str, question: str, timeout: float = 60.0) -> dict:
    body = json.dumps({"data": [question]}).encode()
    request = urllib.request.Request(url + "gradio_api/call/ask", data=body,
                                     headers={"Content-Type": "application/json"})
    event = json.loads(urllib.request.urlopen(request, timeout=timeout).read())["event_id"]
    with urllib.request.urlopen(f"{url}gradio_api/call/ask/{event}", timeout=timeout) as stream:
        kind = None
        for raw in stream:
            line = raw.decode("utf-8").strip()
            if line.startswith("event:"):
                kind = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and kind in ("complete", "error"):
                if kind == "error":
                    raise RuntimeError(line)
                return json.loads(line[5:])[0]
    raise RuntimeError("stream ended without a result")


def start_server(index: Path | None, env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """`policyqa serve` on a free loopback port (on `index`, else POLICYQA_INDEX of `env`), once it answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    where = ["--index", str(index)] if index else []
    server = subprocess.Popen([sys.executable, "-m", "assistant", "serve", *where, "--port", str(port)], cwd=ROOT,
                              env=dict(env or os.environ, GRADIO_ANALYTICS_ENABLED="False"),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return server, url
        except OSError:
            if time.time() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError(f"the web app did not start: {server.stderr.read()[-1000:]}") from None
            time.sleep(0.5)


WRITER_PLAN = ("2031年度{place}饮用水水源保护工作方案\n重点任务\n"
               "1．开展饮用水水源地规范化建设评估，形成评估报告。（{place}水利局牵头，{place}生态环境局参与）\n"
               "2．完成水源地保护区标志设置和隔离防护工程建设，6月底前完成。（{place}生态环境局牵头）\n")


def write_loop(index: Path, stop: float, folder: Path, log: list) -> None:
    """Ingest then remove a small plan, again and again, through the command line, until `stop`."""
    folder.mkdir(parents=True, exist_ok=True)
    number = 0
    while time.time() < stop:
        number += 1
        path = folder / f"水源保护方案-{number}.txt"
        path.write_text(WRITER_PLAN.format(place=f"第{number}县"), encoding="utf-8")
        for command in (["ingest", str(path)], ["remove", path.name]):
            t = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "assistant", *command, "--index", str(index)], cwd=ROOT,
                                  capture_output=True, text=True)
            log.append((command[0], done.returncode, round(time.perf_counter() - t, 2), done.stderr[-300:]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--index", type=Path, default=ROOT / "index")
    parser.add_argument("--writer", action="store_true", help="ingest and remove documents in a loop meanwhile")
    args = parser.parse_args(argv)
    try:
        server, url = start_server(args.index)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    try:
        questions = [q.question for q in load_questions()]
        expected = {}
        for q in questions:                            # each question's answer before the load
            result = ask(url, q)
            expected[q] = (result["answer"], [c["clause_id"] for c in result["citations"][:1]])
        memory = [rss_mb(server.pid)]
        latencies: list[float] = []
        errors: list[str] = []
        inconsistent: list[str] = []
        writes: list[tuple] = []
        lock = threading.Lock()
        stop = time.time() + args.seconds
        writer = threading.Thread(target=write_loop, args=(args.index, stop, Path(tempfile.mkdtemp()), writes)) \
            if args.writer else None

        def client(number: int) -> None:
            i = number
            while time.time() < stop:
                q = questions[i % len(questions)]
                i += args.clients
                t = time.perf_counter()
                try:
                    result = ask(url, q)
                    ok = isinstance(result, dict) and "found" in result
                except Exception as exc:       # counted and reported, the run goes on
                    ok, result = False, repr(exc)
                with lock:
                    (latencies if ok else errors).append((time.perf_counter() - t) * 1000 if ok else str(result))
                    if ok and (result["answer"], [c["clause_id"] for c in result["citations"][:1]]) != expected[q]:
                        inconsistent.append(q)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        started = time.perf_counter()
        if writer:
            writer.start()
        for thread in threads:
            thread.start()
        while any(t.is_alive() for t in threads):
            time.sleep(5)
            memory.append(rss_mb(server.pid))
        if writer:
            writer.join()
        elapsed = time.perf_counter() - started
        latencies.sort()
        report = {"clients": args.clients, "seconds": round(elapsed, 1), "requests": len(latencies) + len(errors),
                  "errors": len(errors), "throughput_per_s": round(len(latencies) / elapsed, 2),
                  "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
                  "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1) if latencies else None,
                  "server_rss_mb_start": round(memory[0]), "server_rss_mb_end": round(memory[-1]),
                  "server_rss_mb_max": round(max(memory)), "server_rss_mb_every_5s": [round(m) for m in memory],
                  "inconsistent_answers": len(inconsistent)}
        if writer:
            report.update(writes=len(writes), failed_writes=sum(1 for w in writes if w[1] != 0),
                          ingest_s_median=statistics.median([w[2] for w in writes if w[0] == "ingest"] or [0]),
                          remove_s_median=statistics.median([w[2] for w in writes if w[0] == "remove"] or [0]))
        print(json.dumps(report, ensure_ascii=False))
        if errors:
            print("first errors:", errors[:3], file=sys.stderr)
        if inconsistent:
            print("inconsistent answers:", inconsistent[:3], file=sys.stderr)
        failed_writes = [w for w in writes if w[1] != 0]
        if failed_writes:
            print("failed writes:", failed_writes[:3], file=sys.stderr)
        return 1 if errors or inconsistent or failed_writes else 0
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    sys.exit(main())
