"""Indexing: chunks (jieba), embeddings, document versions in Chroma, BM25 segments, snapshots for readers."""
from .index import Index, IndexMismatch, IngestReport, expand_paths
from .lease import IndexBusy
from .snapshot import Snapshot

__all__ = ["Index", "IndexBusy", "IndexMismatch", "IngestReport", "Snapshot", "expand_paths"]
