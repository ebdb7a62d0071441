"""Search: a question -> the k best passages, hybrid and filtered.

hints.py (speakers and periods a question names) -> keyword and dense rankings per facet
(rag.store) -> fusion.py (score or rank fusion, near-duplicates) -> rerank.py (the top k by their
best two sentences) -> retriever.py, which runs them in that order.
"""
