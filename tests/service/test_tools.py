"""The MCP tools listed and called with the `mcp` package's client over streamable HTTP."""
from __future__ import annotations

import asyncio
import json

from mcp import Client


def call(url: str, name: str | None = None, arguments: dict | None = None):
    async def run():
        async with Client(url + "/mcp/") as client:
            if name is None:
                return (await client.list_tools()).tools
            return await client.call_tool(name, arguments or {})
    return asyncio.run(run())


def payload(result) -> dict:
    assert not result.is_error, result
    return json.loads(result.content[0].text)


def test_the_four_tools_are_listed_with_their_arguments(service):
    tools = {t.name: t for t in call(service.url)}
    assert set(tools) == {"search", "ask", "compare", "verify"}
    assert tools["ask"].input_schema["required"] == ["question"]
    assert set(tools["verify"].input_schema["properties"]) == {"quote", "speaker", "date"}
    assert "citations" in tools["ask"].description


def test_the_tools_answer_as_the_api_does(service):
    found = payload(call(service.url, "search", {"query": "Kelvar Strait", "k": 2}))
    assert len(found["passages"]) == 2 and "Kelvar" in found["passages"][0]["text"]
    answer = payload(call(service.url, "ask", {
        "question": "What did Xu Weiran say about the Kelvar Strait?"}))
    assert answer["citations"] and not answer["refused"]
    sides = payload(call(service.url, "compare", {"topic": "Kelvar Strait",
                                                  "speakers": ["Xu Weiran", "Marisa Quell"]}))
    assert set(sides["sides"]) == {"Xu Weiran", "Marisa Quell"}
    check = payload(call(service.url, "verify", {
        "quote": "The Kelvar Strait is open to lawful navigation by all countries.",
        "speaker": "Marisa Quell"}))
    assert check["checks"][0]["verdict"] == "misattributed"


def test_a_bad_argument_is_a_tool_error_naming_it(service):
    result = call(service.url, "verify", {"quote": "open to lawful navigation", "date": "May 6"})
    assert result.is_error
    assert "date: expected a date like 2024-07-05, got 'May 6'" in result.content[0].text
    empty = call(service.url, "ask", {"question": " "})
    assert empty.is_error and "question: string should match pattern" in empty.content[0].text
