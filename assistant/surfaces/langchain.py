"""LangChain surface: a retriever that drops into existing LangChain apps.

`PolicyRetriever` returns one LangChain `Document` per clause (best first): the clause text as
`page_content`, and as metadata the `search --json` shape without the text (document, section path,
label, fields, score).
"""
from __future__ import annotations

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from ..query.retrieve import Hit, Retriever
from ..serialize import hit_json


def hit_document(hit: Hit) -> LCDocument:
    metadata = hit_json(hit.document, hit.clause, hit.score)
    return LCDocument(page_content=metadata.pop("text"), metadata=metadata)


class PolicyRetriever(BaseRetriever):
    """policyqa's hybrid search as a LangChain retriever: `PolicyRetriever(retriever=Retriever(Index()))`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    retriever: Retriever
    k: int = 5
    doc: str | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        return [hit_document(h) for h in self.retriever.search(query, top_k=self.k, doc=self.doc).hits]
