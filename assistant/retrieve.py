"""Kept for `from assistant.retrieve import Retriever` (the first README); the module is assistant.query.retrieve."""
from .query.retrieve import Hit, Retriever, SearchResult

__all__ = ["Hit", "Retriever", "SearchResult"]
