"""The OpenAI-compatible chat (/v1) through the real `openai` client against the running
service: plain and streamed replies carry the checked answer, its markers and its sources."""
from __future__ import annotations

import re

import httpx
import openai
import pytest

QUESTION = "What did Xu Weiran say about the Kelvar Strait?"


@pytest.fixture(scope="module")
def client(service):
    return openai.OpenAI(base_url=service.url + "/v1", api_key="unused", max_retries=0)


def markers_and_sources(content: str) -> tuple[set[str], list[str]]:
    answer, _, sources = content.partition("\n\nSources:\n")
    return set(re.findall(r"\[(\d+)\]", answer)), sources.splitlines()


def test_models_list_the_model_and_its_extractive_variant(client):
    assert {m.id for m in client.models.list()} == {"briefings", "briefings-extractive"}


def test_a_reply_is_the_cited_answer_with_a_sources_list_and_the_citations(client, service):
    reply = client.chat.completions.create(model="briefings",
                                           messages=[{"role": "user", "content": QUESTION}])
    content = reply.choices[0].message.content
    cited, sources = markers_and_sources(content)
    assert cited and len(sources) == len(cited)
    for line in sources:
        assert re.match(r'\[\d+\] Xu Weiran, (?:[^"]+, )?"[^"]+", 2031-\d\d-\d\d(?:, \S+)?: "',
                        line)
    extra = reply.model_extra
    assert {str(c["marker"]) for c in extra["citations"]} == cited
    assert extra["mode"] == "llm" and extra["refused"] is False
    for c in extra["citations"]:
        assert f'"{c["text"]}"' in content  # the exact excerpt, quoted in the sources list
    record = httpx.post(service.url + "/api/ask", json={"question": QUESTION}, timeout=60).json()
    assert content.startswith(record["answer"])


def test_a_streamed_reply_is_the_same_checked_text(client):
    plain = client.chat.completions.create(
        model="briefings", messages=[{"role": "user", "content": QUESTION}])
    chunks = list(client.chat.completions.create(
        model="briefings", messages=[{"role": "user", "content": QUESTION}], stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == plain.choices[0].message.content
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].model_extra["citations"]


def test_earlier_turns_of_the_conversation_resolve_a_follow_up(client):
    first = client.chat.completions.create(
        model="briefings-extractive", messages=[{"role": "user", "content": QUESTION}])
    messages = [{"role": "system", "content": "You are helpful."},
                {"role": "user", "content": QUESTION},
                {"role": "assistant", "content": first.choices[0].message.content},
                {"role": "user", "content": [{"type": "text",
                                              "text": "What did he say about port fees?"}]}]
    reply = client.chat.completions.create(model="briefings-extractive", messages=messages)
    assert reply.model_extra["mode"] == "extractive"
    assert {c["speaker"] for c in reply.model_extra["citations"]} == {"Xu Weiran"}
    assert "port" in reply.choices[0].message.content.lower()


def test_bad_requests_are_4xx_errors_the_client_raises(client):
    with pytest.raises(openai.BadRequestError, match="model: unknown model 'gpt-4'"):
        client.chat.completions.create(model="gpt-4",
                                       messages=[{"role": "user", "content": QUESTION}])
    with pytest.raises(openai.BadRequestError, match="the last message must be the user's"):
        client.chat.completions.create(model="briefings",
                                       messages=[{"role": "assistant", "content": "Hello"}])
    with pytest.raises(openai.UnprocessableEntityError, match="messages"):
        client.chat.completions.create(model="briefings", messages=[])
