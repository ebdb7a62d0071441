"""Quote checks: did this official say these exact words, and when (rag.verify.checker); the
quotations of a pasted article with their attribution (rag.verify.quoted)."""
