"""Per document: clauses, clauses with roles, with deadlines, with targets; tasks, tasks from tables, tasks
with a lead, with participants, with a deadline.

    python -m evals.parse_report corpus [--markdown]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from assistant.errors import PolicyQAError
from assistant.documents.load import SUPPORTED_SUFFIXES
from assistant.tasks.parse import parse_file


def report(folder: Path) -> list[dict]:
    rows = []
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in SUPPORTED_SUFFIXES):
        started = time.perf_counter()
        try:
            parsed = parse_file(path)
        except PolicyQAError as exc:
            rows.append({"file": path.name, "error": str(exc)})
            continue
        clauses, tasks = parsed.clauses, parsed.tasks
        rows.append({
            "file": path.name,
            "clauses": len(clauses),
            "labelled": sum(1 for c in clauses if c.label),
            "roles": sum(1 for c in clauses if c.has_roles),
            "leads": sum(1 for c in clauses if c.lead_agencies),
            "deadlines": sum(1 for c in clauses if c.deadlines),
            "targets": sum(1 for c in clauses if c.targets),
            "tasks": len(tasks),
            "from tables": sum(1 for t in tasks if t.row is not None),
            "with lead": sum(1 for t in tasks if t.lead_agencies),
            "with participants": sum(1 for t in tasks if t.participants),
            "with deadline": sum(1 for t in tasks if t.deadlines),
            "ms": round((time.perf_counter() - started) * 1000, 1),
        })
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, nargs="?", default=Path("corpus"))
    args = parser.parse_args(argv)
    rows = report(args.folder)
    cols = ["clauses", "labelled", "roles", "leads", "deadlines", "targets", "tasks", "from tables", "with lead",
            "with participants", "with deadline", "ms"]
    print("| document | " + " | ".join(cols) + " |")
    print("|---|" + "---:|" * len(cols))
    for row in rows:
        if "error" in row:
            print(f"| {row['file']} | error: {row['error']} |")
        else:
            print(f"| {row['file']} | " + " | ".join(str(row[c]) for c in cols) + " |")
    ok = [r for r in rows if "error" not in r]
    print(f"| **all {len(ok)} documents** | " + " | ".join(
        str(round(sum(r[c] for r in ok), 1)) for c in cols) + " |")
    return 1 if len(ok) < len(rows) else 0


if __name__ == "__main__":
    sys.exit(main())
