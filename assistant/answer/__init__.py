"""Answering: a cited extractive answer for a Query, optionally worded by an LLM."""
from ..serialize import answer_json
from ..settings import LLMSettings
from .compose import Assistant

__all__ = ["Assistant", "LLMSettings", "answer_json"]
