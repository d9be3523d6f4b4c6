"""The `policyqa` command: a thin layer over the library. Errors go to stderr with a non-zero exit."""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from .errors import PolicyQAError
from .parse import parse_file
from .render import clause_lines, parse_json


def _cmd_parse(args: argparse.Namespace) -> int:
    parsed = parse_file(args.file)
    if args.json:
        print(json.dumps(parse_json(parsed), ensure_ascii=False, indent=2))
        return 0
    doc = parsed.document
    print(doc.title)
    print(f"  文号: {doc.doc_number or '—'}  发文机关: {doc.issuer or '—'}  日期: {doc.date or '—'}  "
          f"条款: {len(parsed.clauses)}  doc_id: {doc.doc_id}")
    for clause in parsed.clauses:
        print()
        for line in clause_lines(clause, width=args.width):
            print(line)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="policyqa", description="Questions and answers over Chinese policy plans, "
                                                                  "with the clause each answer comes from.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("parse", help="the clause tree and fields of one file (nothing is indexed)")
    p.add_argument("file", help="a .txt, .docx, .pdf or .html document")
    p.add_argument("--json", action="store_true", help="print the JSON described in README")
    p.add_argument("--width", type=int, default=80, help="characters of clause text to show (0: all)")
    p.set_defaults(func=_cmd_parse)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except PolicyQAError as exc:
        print(f"policyqa: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
