"""Briefings as a service other programs use, over one index:

- app.py       the FastAPI application and its error contract (create_app)
- routes.py    /api: search, ask (JSON or server-sent events), compare, verify, stats,
               briefings/{id}; and /healthz
- chat.py      /v1: OpenAI-compatible chat completions and models
- tools.py     /mcp: search, ask, compare and verify as MCP tools
- actions.py   what each capability does, shared by the three doors above
- requests.py  the request bodies, validated
- access.py    the API key, or loopback only
"""
