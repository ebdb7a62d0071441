"""The JSON API (/api, /healthz, /docs) called with httpx against the real running service."""
from __future__ import annotations

import json

import httpx
import openai
import pytest

from rag.models.generators import GenerationError
from service.conftest import serve, with_model

QUESTION = "What did Xu Weiran say about the Kelvar Strait?"


@pytest.fixture(scope="module")
def http(service):
    with httpx.Client(base_url=service.url, timeout=120) as client:
        yield client


def test_health_docs_and_schema_list_every_route(http):
    health = http.get("/healthz").json()
    assert health["status"] == "ok" and health["passages"] > 0 and health["model"] == "quoting"
    assert "swagger" in http.get("/docs").text.lower()
    paths = set(http.get("/openapi.json").json()["paths"])
    assert {"/api/search", "/api/ask", "/api/compare", "/api/verify", "/api/stats",
            "/api/briefings/{briefing_id}", "/v1/chat/completions", "/v1/models"} <= paths


def test_search_returns_ranked_passages_within_the_filters(http):
    found = http.post("/api/search", json={"query": "Kelvar Strait", "k": 3,
                                           "filters": {"speakers": ["Marisa Quell"]}}).json()
    assert [p["rank"] for p in found["passages"]] == [1, 2, 3][:len(found["passages"])]
    assert found["passages"] and {p["speaker"] for p in found["passages"]} == {"Marisa Quell"}
    assert all("Kelvar" in p["text"] for p in found["passages"][:1])
    assert found["filters"] == {"speakers": ["Marisa Quell"]}
    unfiltered = http.post("/api/search", json={"query": "Kelvar Strait"}).json()
    assert len({p["speaker"] for p in unfiltered["passages"]}) > 1


def test_ask_returns_the_eval_record_with_exact_cited_words(http):
    record = http.post("/api/ask", json={"question": QUESTION}).json()
    assert {"id", "question", "retrieved", "answer", "citations", "refused", "timings",
            "mode", "sources"} <= set(record)
    assert record["mode"] == "llm" and not record["refused"]
    assert record["citations"] and f"[{record['citations'][0]['marker']}]" in record["answer"]
    passages = {s["marker"]: s for s in record["sources"]}
    for citation in record["citations"]:
        source = passages[citation["marker"]]
        assert citation["speaker"] == "Xu Weiran" and citation["date"].startswith("2031-")
        assert citation["text"] in source["passage_text"]
        for start, end in citation["highlights"]:   # offsets into the passage's own text
            assert source["passage_text"][start:end].strip()
    assert set(record["timings"]) == {"retrieve_ms", "first_token_s", "total_s"}


def test_ask_streams_sources_then_the_model_words_then_the_checked_answer(http):
    events = []
    with http.stream("POST", "/api/ask", json={"question": QUESTION, "stream": True}) as reply:
        assert reply.headers["content-type"].startswith("text/event-stream")
        name = None
        for line in reply.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                events.append((name, json.loads(line[6:])))
    kinds = [name for name, _ in events]
    assert kinds[0] == "sources" and kinds[-1] == "answer" and "delta" in kinds
    assert set(kinds[1:-1]) == {"delta"}
    assert events[0][1]["sources"] and events[0][1]["retrieved"]
    plain = http.post("/api/ask", json={"question": QUESTION}).json()
    assert events[-1][1]["answer"] == plain["answer"]


def test_a_follow_up_reads_the_history_it_is_given(http):
    follow_up = {"question": "What did he say about port fees?",
                 "history": [{"question": QUESTION, "answer": "..."}]}
    record = http.post("/api/ask", json=follow_up).json()
    assert "Xu Weiran" in record["query"]
    alone = http.post("/api/ask", json={"question": follow_up["question"]}).json()
    assert "Xu Weiran" not in alone["query"]


def test_extractive_answers_are_labelled(http):
    record = http.post("/api/ask", json={"question": QUESTION, "no_llm": True}).json()
    assert record["mode"] == "extractive" and record["citations"]


def test_compare_cites_each_side(http):
    record = http.post("/api/compare", json={"topic": "Kelvar Strait",
                                             "speakers": ["Xu Weiran", "Marisa Quell"]}).json()
    assert set(record["sides"]) == {"Xu Weiran", "Marisa Quell"}
    cited = {c["speaker"] for c in record["citations"]}
    assert cited == {"Xu Weiran", "Marisa Quell"}


def test_verify_tells_verbatim_from_altered_and_checks_an_article(http):
    said = "The Kelvar Strait is open to lawful navigation by all countries."
    check = http.post("/api/verify", json={"quote": said, "speaker": "Xu Weiran"}).json()
    assert check["checks"][0]["verdict"] == "verbatim"
    altered = said.replace("all countries", "some countries")
    assert http.post("/api/verify", json={"quote": altered}).json()["checks"][0]["verdict"] \
        == "altered"
    article = f'Xu Weiran said: "{said}" He added nothing.'
    checks = http.post("/api/verify", json={"text": article}).json()["checks"]
    assert [c["verdict"] for c in checks] == ["verbatim"]


def test_stats_and_a_briefing_with_where_each_passage_sits(http):
    stats = http.get("/api/stats").json()
    assert stats["briefings"] >= 5 and stats["passages"] > 0
    passage = http.post("/api/search", json={"query": "Kelvar Strait", "k": 1}).json()[
        "passages"][0]
    briefing = http.get(f"/api/briefings/{passage['briefing_id']}").json()
    assert briefing["title"] == passage["title"] and briefing["date"] == passage["date"]
    orders = [t["order"] for t in briefing["turns"]]
    assert orders == sorted(orders) and {t["role"] for t in briefing["turns"]} >= {"official"}
    spans = [(t, s) for t in briefing["turns"] for s in t["passages"]]
    assert any(s["passage_id"] == passage["passage_id"] for _, s in spans)
    for turn, span in spans:
        if span["passage_id"] == passage["passage_id"]:
            assert turn["text"][span["start"]:span["end"]] == passage["text"]


@pytest.mark.parametrize("path, body, status, message", [
    ("/api/ask", {}, 422, "question: field required"),
    ("/api/ask", {"question": "  "}, 422, "question: string should match pattern"),
    ("/api/ask", {"question": "x", "filters": {"date_from": "2019-13-40"}}, 422,
     "filters.date_from: input should be a valid date"),
    ("/api/ask", {"question": "x", "k": 0}, 422, "k: input should be greater than or equal"),
    ("/api/search", {"query": "x", "filter": {}}, 422, "filter: extra inputs are not permitted"),
    ("/api/search", {"query": "x", "filters": {"roles": ["minister"]}}, 422,
     "filters.roles.0: input should be"),
    ("/api/compare", {"topic": "x", "speakers": ["Xu Weiran"]}, 422,
     "speakers: list should have at least 2 items"),
    ("/api/verify", {"quote": "a b c d", "text": "e f"}, 400, "give either 'quote'"),
])
def test_a_bad_field_is_a_4xx_whose_one_line_message_names_it(http, path, body, status,
                                                                 message):
    reply = http.post(path, json=body)
    assert reply.status_code == status, reply.text
    error = reply.json()["error"]
    assert error.startswith(message) and "\n" not in error


def test_an_unknown_briefing_is_a_404(http):
    reply = http.get("/api/briefings/no-such-briefing")
    assert reply.status_code == 404
    assert reply.json() == {"error": "no briefing with id 'no-such-briefing' in the index"}


class FailingModel:
    """A model server that breaks after its first words."""

    name = "failing"
    concurrency = 1

    def stream(self, messages, max_tokens, temperature=0.0):
        yield "The"
        raise GenerationError("http://127.0.0.1:9/v1/chat/completions answered HTTP 500: boom")

    def count_tokens(self, text):
        return len(text.split())


def test_a_model_failure_is_a_502_with_its_reason_and_ends_a_stream(sample_index):
    served = serve(with_model(sample_index, FailingModel()))
    try:
        with httpx.Client(base_url=served.url, timeout=60) as http:
            reply = http.post("/api/ask", json={"question": QUESTION})
            assert reply.status_code == 502
            assert reply.json()["error"].startswith("the answer model failed: http://127.0.0.1:9")
            streamed = http.post("/api/ask", json={"question": QUESTION, "stream": True}).text
            assert streamed.rstrip().splitlines()[-2] == "event: error"
            assert "HTTP 500: boom" in streamed
            # without the model the same question is answered, and says so
            extractive = http.post("/api/ask", json={"question": QUESTION, "no_llm": True})
            assert extractive.status_code == 200 and extractive.json()["mode"] == "extractive"
        client = openai.OpenAI(base_url=served.url + "/v1", api_key="-", max_retries=0)
        asked = [{"role": "user", "content": QUESTION}]
        with pytest.raises(openai.InternalServerError, match="the answer model failed"):
            client.chat.completions.create(model="briefings", messages=asked)
        with pytest.raises(openai.APIError, match="HTTP 500: boom"):
            list(client.chat.completions.create(model="briefings", messages=asked, stream=True))
    finally:
        served.stop()
