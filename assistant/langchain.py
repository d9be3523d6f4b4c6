"""Kept for `from assistant.langchain import PolicyRetriever` (the first README); the module is
assistant.surfaces.langchain."""
from .surfaces.langchain import PolicyRetriever, hit_document

__all__ = ["PolicyRetriever", "hit_document"]
