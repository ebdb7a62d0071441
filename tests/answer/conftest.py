"""Shared by the answer tests: a retriever over the fictional pipeline index."""
from __future__ import annotations

import pytest

from rag.search.retriever import Retriever


@pytest.fixture(scope="module")
def retriever(pipeline_index) -> Retriever:
    return Retriever(pipeline_index)
