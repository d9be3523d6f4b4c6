"""One writer at a time, wherever it runs: a lock file for the processes of one machine, and a lease
kept in the Chroma server itself for writers on different machines that share it.

The lease is a sequence of records `lease:<epoch>` in the manifest collection. To take it, a writer
reads the newest epoch; when that one is released or expired it adds `lease:<epoch+1>` with itself
as owner. Chroma's `add` never overwrites an existing id, so of two writers racing for the same
epoch exactly one is the owner on reading it back; the other waits. The owner renews the expiry
while it works (a heartbeat thread), checks that no newer epoch exists before it switches the
manifest (so a writer that stalled past its expiry cannot overwrite a newer writer's switch), and
marks its own epoch released at the end; nobody else ever writes that record. A crashed writer's
lease simply expires (`Settings.lease_seconds`). Expiry compares wall clocks: the machines sharing
a server need synchronised clocks (NTP), which any server deployment has.
"""
from __future__ import annotations

import fcntl
import os
import secrets
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from ..errors import PolicyQAError
from .store import ChromaStore, chroma_errors


class IndexBusy(PolicyQAError):
    pass


@contextmanager
def local_lock(index_dir: Path, timeout: float):
    """The lock file index_dir/.lock (the processes of one machine that use this folder)."""
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        handle = open(index_dir / ".lock", "a+")
    except OSError as exc:
        raise PolicyQAError(f"cannot write to the index folder {index_dir} ({exc.strerror}); "
                            f"a read-only index can be searched but not changed") from exc
    with handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise IndexBusy(f"another policyqa ingest is writing to {index_dir} "
                                    f"(waited {timeout:.0f} s); try again when it ends") from None
                time.sleep(0.2)
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
        except OSError:
            pass                # the pid is only informative
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class ServerLease:
    """The writer lease on a shared Chroma server (see the module docstring)."""

    def __init__(self, store: ChromaStore, seconds: float, timeout: float):
        self.store = store
        self.seconds = seconds
        self.timeout = timeout
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.epoch: int | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.lost = False

    def _records(self) -> dict[int, dict]:
        with chroma_errors(f"reading the writer lease on {self.store.where}"):
            got = self.store.manifest_collection().get(where={"kind": "lease"}, include=["metadatas"])
        return {int(m["epoch"]): m for m in got["metadatas"]}

    def newest(self) -> tuple[int, dict | None]:
        records = self._records()
        if not records:
            return 0, None
        epoch = max(records)
        return epoch, records[epoch]

    def acquire(self) -> None:
        deadline = time.monotonic() + self.timeout
        while True:
            epoch, current = self.newest()
            if current is None or current.get("released") or float(current["expires"]) < time.time():
                mine = epoch + 1
                record = {"kind": "lease", "epoch": mine, "owner": self.owner, "released": False,
                          "expires": time.time() + self.seconds}
                with chroma_errors(f"taking the writer lease on {self.store.where}"):
                    self.store.manifest_collection().add(ids=[f"lease:{mine:012d}"], embeddings=[[0.0]],
                                                         metadatas=[record])
                    got = self.store.manifest_collection().get(ids=[f"lease:{mine:012d}"], include=["metadatas"])
                if got["metadatas"] and got["metadatas"][0].get("owner") == self.owner:
                    self.epoch = mine
                    self._start_heartbeat()
                    self._forget_old(mine)
                    return
                continue            # another writer took this epoch first: look again
            if time.monotonic() > deadline:
                left = max(0.0, float(current["expires"]) - time.time())
                raise IndexBusy(f"another policyqa writer ({current.get('owner')}) holds the lease on "
                                f"{self.store.where} (waited {self.timeout:.0f} s; it expires in {left:.0f} s "
                                f"unless renewed); try again when it ends")
            time.sleep(0.3)

    def _start_heartbeat(self) -> None:
        def beat():
            while not self._stop.wait(self.seconds / 3):
                try:
                    self.renew()
                except PolicyQAError:
                    pass        # the server is away for a moment; check() at the switch decides
        self._thread = threading.Thread(target=beat, name="policyqa-lease", daemon=True)
        self._thread.start()

    def _update(self, **changes) -> None:
        key = f"lease:{self.epoch:012d}"
        with chroma_errors(f"renewing the writer lease on {self.store.where}"):
            collection = self.store.manifest_collection()
            got = collection.get(ids=[key], include=["metadatas"])
            if not got["metadatas"] or got["metadatas"][0].get("owner") != self.owner:
                self.lost = True
                return
            collection.update(ids=[key], metadatas=[{**got["metadatas"][0], **changes}])

    def renew(self) -> None:
        if self.check(raise_error=False):
            self._update(expires=time.time() + self.seconds)

    def check(self, raise_error: bool = True) -> bool:
        """Whether this writer still holds the lease: its epoch is the newest and has not expired."""
        epoch, current = self.newest()
        ok = not self.lost and epoch == self.epoch and current is not None and \
            current.get("owner") == self.owner and float(current["expires"]) >= time.time()
        if not ok:
            self.lost = True
            if raise_error:
                raise IndexBusy(f"this writer lost its lease on {self.store.where} (it stalled past "
                                f"{self.seconds:.0f} s and another writer took over); nothing was switched, "
                                f"run the command again")
        return ok

    def release(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(5)
        if self.epoch is not None and not self.lost:
            self._update(released=True, expires=0.0)

    def _forget_old(self, mine: int) -> None:
        """Lease records more than one epoch old are history: delete them so the list stays short."""
        old = [f"lease:{e:012d}" for e in self._records() if e < mine - 1]
        if old:
            with chroma_errors(f"cleaning old writer leases on {self.store.where}"):
                self.store.manifest_collection().delete(ids=old)


@contextmanager
def writer(index_dir: Path, store: ChromaStore, shared: bool, timeout: float, lease_seconds: float):
    """Hold the writer's place: the local lock, and with a shared server its lease too. Yields the
    lease (or None) so that the writer can `check()` it right before switching the manifest."""
    with local_lock(index_dir, timeout):
        if not shared:
            yield None
            return
        lease = ServerLease(store, lease_seconds, timeout)
        lease.acquire()
        try:
            yield lease
        finally:
            try:
                lease.release()
            except PolicyQAError:
                pass        # the lease expires by itself
