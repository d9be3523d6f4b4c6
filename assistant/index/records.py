"""Clause, task and chunk records of every document version, in SQLite beside Chroma, read when needed.

The file (index/records.sqlite) is a cache derived from Chroma's `policyqa-documents` records, keyed
by doc_id. A doc_id is a content hash, so a version's rows never change once written: a reader
never sees a stale row, several processes share the file (WAL), and a version missing here (added
by another machine through the same Chroma server) is fetched once and kept. Nothing of the corpus
is held in Python objects beyond a bounded cache of recently decoded records, so memory does not
grow with the number of documents.

A read-only index folder opens the file read-only; versions missing from it go to an in-memory
database for the life of the process.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import PolicyQAError
from ..models import Clause, Document, Task
from ..serialize import clause_from_record, task_from_record

_SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (doc_id TEXT PRIMARY KEY, entry TEXT NOT NULL, vocabulary TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS clauses (clause_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, seq INTEGER NOT NULL,
                                    record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS clauses_doc ON clauses (doc_id, seq);
CREATE TABLE IF NOT EXISTS tasks (task_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, seq INTEGER NOT NULL,
                                  record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS tasks_doc ON tasks (doc_id, seq);
CREATE TABLE IF NOT EXISTS chunks (chunk_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, seq INTEGER NOT NULL,
                                   clause_id TEXT NOT NULL, text TEXT NOT NULL, context TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks (doc_id, seq);
"""
DECODED_CACHE = 20_000      # decoded clauses/tasks kept per process: the hot ones of a busy server


class RecordsError(PolicyQAError):
    pass


class Records:
    """The per-version rows; `put` stores a version's payload (see Payload in index.py), all in one transaction."""

    def __init__(self, path: Path, read_only: bool = False):
        self.path = path
        self._lock = threading.RLock()
        self._conns: list[sqlite3.Connection] = []
        self._owner: dict[str, sqlite3.Connection] = {}
        self._decoded: OrderedDict[str, object] = OrderedDict()
        self.read_only = read_only
        try:
            if read_only:
                if path.exists():
                    self._open_read_only(path)
                self._conns.append(self._connect(":memory:"))
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._conns.append(self._connect(str(path)))
            self._writable.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            if read_only:
                raise RecordsError(f"{path}: cannot read the record cache ({exc})") from exc
            self._recover(exc)

    def _open_read_only(self, path: Path) -> None:
        """`mode=ro` reads a WAL database when its -shm file can be made; on a read-only mount it
        cannot, and `immutable=1` reads the file as it is (a writer closing cleanly leaves no WAL)."""
        for query in ("mode=ro", "immutable=1"):
            try:
                self._conns.append(self._connect(f"file:{path}?{query}", uri=True))
                self._conns[-1].execute("SELECT count(*) FROM versions").fetchone()
                return
            except sqlite3.DatabaseError:
                if self._conns:
                    self._conns.pop().close()
        # unreadable: every version comes from Chroma into memory instead

    def _connect(self, target: str, uri: bool = False) -> sqlite3.Connection:
        conn = sqlite3.connect(target, uri=uri, check_same_thread=False, timeout=30, isolation_level=None)
        if not uri and target != ":memory:":
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()     # a damaged file fails here
        return conn

    def _recover(self, exc: Exception) -> None:
        """A damaged cache file (truncated, overwritten) is set aside and rebuilt from Chroma."""
        for conn in self._conns:
            conn.close()
        self._conns.clear()
        damaged = self.path.with_name(self.path.name + ".damaged")
        for suffix in ("", "-wal", "-shm"):
            side = Path(str(self.path) + suffix)
            if side.exists():
                side.replace(Path(str(damaged) + suffix))
        self._conns.append(self._connect(str(self.path)))
        self._writable.executescript(_SCHEMA)

    @property
    def _writable(self) -> sqlite3.Connection:
        return self._conns[-1]

    def _conn_of(self, doc_id: str) -> sqlite3.Connection | None:
        conn = self._owner.get(doc_id)
        if conn is not None:
            return conn
        with self._lock:
            for conn in self._conns:
                if conn.execute("SELECT 1 FROM versions WHERE doc_id = ?", (doc_id,)).fetchone():
                    self._owner[doc_id] = conn
                    return conn
        return None

    # ---- writing
    def has(self, doc_id: str) -> bool:
        return self._conn_of(doc_id) is not None

    def missing(self, doc_ids: Iterable[str]) -> list[str]:
        return [d for d in doc_ids if not self.has(d)]

    def current(self, doc_id: str, record_stamp: str) -> bool:
        """Whether this version's rows are here, made by the same parser and chunking."""
        entry = self.entry(doc_id)
        return entry is not None and entry.get("stamp") == record_stamp

    def put(self, doc_id: str, payload: dict) -> None:
        """Store one version's rows (a no-op when they are there with the same stamp: same content,
        same parser and chunking); rows of another stamp are replaced."""
        if self.current(doc_id, payload["entry"].get("stamp")):
            return
        conn = self._writable
        with self._lock:
            try:
                conn.execute("BEGIN IMMEDIATE")
                for table in ("clauses", "tasks", "chunks", "versions"):
                    conn.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))
                for key in [k for k in self._decoded if k.split(":", 1)[1].startswith(doc_id + ":")]:
                    del self._decoded[key]
                conn.executemany("INSERT OR REPLACE INTO clauses VALUES (?, ?, ?, ?)",
                                 [(json.loads(r)["clause_id"], doc_id, i, r) for i, r in enumerate(payload["clauses"])])
                conn.executemany("INSERT OR REPLACE INTO tasks VALUES (?, ?, ?, ?)",
                                 [(t["task_id"], doc_id, i, json.dumps(t, ensure_ascii=False))
                                  for i, t in enumerate(payload["tasks"])])
                conn.executemany("INSERT OR REPLACE INTO chunks VALUES (?, ?, ?, ?, ?, ?)",
                                 [(c[0], doc_id, i, c[1], c[3], c[4]) for i, c in enumerate(payload["chunks"])])
                conn.execute("INSERT OR REPLACE INTO versions VALUES (?, ?, ?)",
                             (doc_id, json.dumps(payload["entry"], ensure_ascii=False),
                              json.dumps(payload["vocabulary"], ensure_ascii=False)))
                conn.execute("COMMIT")
            except BaseException as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise RecordsError(f"cannot write to the record cache {self.path} ({exc})") from exc
                raise
            self._owner[doc_id] = conn

    # ---- reading
    def entry(self, doc_id: str) -> dict | None:
        conn = self._conn_of(doc_id)
        if conn is None:
            return None
        with self._lock:
            row = conn.execute("SELECT entry FROM versions WHERE doc_id = ?", (doc_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def vocabulary(self, doc_id: str) -> list[str]:
        conn = self._conn_of(doc_id)
        if conn is None:
            return []
        with self._lock:
            row = conn.execute("SELECT vocabulary FROM versions WHERE doc_id = ?", (doc_id,)).fetchone()
        return json.loads(row[0]) if row else []

    def _rows(self, table: str, key: str, doc_id: str, columns: str = "record") -> list[tuple]:
        conn = self._conn_of(doc_id)
        if conn is None:
            return []
        with self._lock:
            return conn.execute(f"SELECT {key}, {columns} FROM {table} WHERE doc_id = ? ORDER BY seq",
                                (doc_id,)).fetchall()

    def ids(self, kind: str, doc_id: str) -> list[str]:
        table, key = _TABLES[kind]
        return [row[0] for row in self._rows(table, key, doc_id, "1")]

    def chunks(self, doc_id: str) -> list[tuple[str, str, str, str]]:
        """(chunk_id, clause_id, text, context) of one version, in order."""
        return self._rows("chunks", "chunk_id", doc_id, "clause_id, text, context")

    def get(self, kind: str, item_id: str):
        """A decoded Clause or Task by id, or None."""
        key = f"{kind}:{item_id}"
        with self._lock:
            if key in self._decoded:
                self._decoded.move_to_end(key)
                return self._decoded[key]
        doc_id = item_id.split(":", 1)[0]
        conn = self._conn_of(doc_id)
        if conn is None:
            return None
        table, column = _TABLES[kind]
        with self._lock:
            row = conn.execute(f"SELECT record FROM {table} WHERE {column} = ?", (item_id,)).fetchone()
        return self._decode(kind, key, doc_id, row[0]) if row else None

    def decoded(self, kind: str, doc_id: str) -> Iterator:
        """Every Clause or Task of one version, in reading order."""
        table, column = _TABLES[kind]
        for item_id, record in self._rows(table, column, doc_id):
            key = f"{kind}:{item_id}"
            cached = self._decoded.get(key)
            yield cached if cached is not None else self._decode(kind, key, doc_id, record)

    def _decode(self, kind: str, key: str, doc_id: str, record: str):
        item = clause_from_record(doc_id, record) if kind == "clause" else task_from_record(doc_id, json.loads(record))
        with self._lock:
            self._decoded[key] = item
            if len(self._decoded) > DECODED_CACHE:
                self._decoded.popitem(last=False)
        return item

    def close(self) -> None:
        for conn in self._conns:
            conn.close()


_TABLES = {"clause": ("clauses", "clause_id"), "task": ("tasks", "task_id")}


class LiveRecords(dict):
    """A read-only Mapping id -> Clause (or Task) over the live versions of one snapshot, read from SQLite.

    It subclasses dict only so that callers that test `isinstance(x, dict)` keep working; it holds
    nothing itself. Iteration goes document by document (in the snapshot's order), record by record.
    """

    def __init__(self, records: Records, kind: str, doc_ids: tuple[str, ...], counts: dict[str, int]):
        super().__init__()
        self._records = records
        self._kind = kind
        self._doc_ids = doc_ids
        self._live = frozenset(doc_ids)
        self._len = sum(counts.get(d, 0) for d in doc_ids)

    def _owned(self, key) -> bool:
        return isinstance(key, str) and key.split(":", 1)[0] in self._live

    def __getitem__(self, key):
        item = self._records.get(self._kind, key) if self._owned(key) else None
        if item is None:
            raise KeyError(key)
        return item

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key) -> bool:
        return self.get(key) is not None

    def __iter__(self):
        for doc_id in self._doc_ids:
            yield from self._records.ids(self._kind, doc_id)

    def keys(self):
        return list(iter(self))

    def values(self):
        for doc_id in self._doc_ids:
            yield from self._records.decoded(self._kind, doc_id)

    def items(self):
        for item in self.values():
            yield (item.clause_id if self._kind == "clause" else item.task_id), item

    def __len__(self) -> int:
        return self._len

    def __bool__(self) -> bool:
        return self._len > 0

    def __eq__(self, other) -> bool:
        return self is other

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"<{self._len} live {self._kind}s of {len(self._doc_ids)} documents>"

    def _read_only(self, *args, **kwargs):
        raise TypeError("the index's records are read-only")

    __setitem__ = __delitem__ = update = pop = popitem = clear = setdefault = _read_only


def document_from_entry(entry: dict) -> Document:
    return Document(doc_id=entry["doc_id"], title=entry["title"], doc_number=entry.get("doc_number"),
                    issuer=entry.get("issuer"), date=entry.get("date"), source=entry["source"],
                    year=entry.get("year"))


__all__ = ["Records", "LiveRecords", "RecordsError", "document_from_entry", "Clause", "Task"]
