"""Indexing: chunks (jieba), embeddings, the Chroma store and the BM25 index derived from it."""
from .index import Index, IndexBusy, IndexMismatch, IngestReport, expand_paths

__all__ = ["Index", "IndexBusy", "IndexMismatch", "IngestReport", "expand_paths"]
