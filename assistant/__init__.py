"""policyqa: answers questions about Chinese policy plans and shows the clause each answer comes from."""
from .errors import LoadError, PolicyQAError
from .load import load_file
from .models import Agency, Clause, Deadline, Document, ParsedDocument
from .parse import parse_file, parse_text

__all__ = ["Agency", "Clause", "Deadline", "Document", "LoadError", "ParsedDocument", "PolicyQAError",
           "load_file", "parse_file", "parse_text"]
__version__ = "0.1.0"
