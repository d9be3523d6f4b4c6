"""policyqa: answers questions about Chinese policy plans and shows the clause each answer comes from.

The package reads as the pipeline: documents (load, structure) -> tasks (fields) -> index (chunk,
embed, store, BM25) -> query (analyse, retrieve, select) -> answer -> surfaces (cli, web, langchain),
over models, settings, errors, lexicon and serialize at the bottom. Importing it loads no model.
"""
from .documents.load import load_file
from .errors import LoadError, PolicyQAError
from .models import Agency, Clause, Deadline, Document, ParsedDocument
from .tasks.parse import parse_file, parse_text

__all__ = ["Agency", "Clause", "Deadline", "Document", "LoadError", "ParsedDocument", "PolicyQAError",
           "load_file", "parse_file", "parse_text"]
__version__ = "0.1.0"
