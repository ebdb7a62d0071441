"""Who may call /api, /v1 and /mcp: the bearer key when one is set, else loopback clients only."""
from __future__ import annotations

import socket

import httpx
import openai
import pytest

from rag.service.access import Access
from service.conftest import serve, with_model
from ui_helpers import QuotingGenerator

KEY = "s3cret-key"
ASK = {"question": "What did Xu Weiran say about the Kelvar Strait?", "no_llm": True}


@pytest.fixture(scope="module")
def keyed(sample_index):
    served = serve(with_model(sample_index, QuotingGenerator(delay_s=0)), Access(key=KEY))
    yield served
    served.stop()


def test_without_the_key_every_programmatic_route_is_a_401(keyed):
    for method, path in (("POST", "/api/ask"), ("GET", "/api/stats"), ("GET", "/v1/models"),
                         ("POST", "/mcp/")):
        reply = httpx.request(method, keyed.url + path, json=ASK)
        assert reply.status_code == 401, path
        assert reply.headers["www-authenticate"] == "Bearer"
        assert reply.json() == {"error": "missing or wrong API key: send "
                                         "'Authorization: Bearer <key>'"}
    wrong = httpx.post(keyed.url + "/api/ask", json=ASK,
                       headers={"Authorization": "Bearer not-the-key"})
    assert wrong.status_code == 401


def test_with_the_key_the_api_and_an_openai_client_answer(keyed):
    reply = httpx.post(keyed.url + "/api/ask", json=ASK, timeout=60,
                       headers={"Authorization": f"Bearer {KEY}"})
    assert reply.status_code == 200 and reply.json()["citations"]
    client = openai.OpenAI(base_url=keyed.url + "/v1", api_key=KEY, max_retries=0)
    assert {m.id for m in client.models.list()} == {"briefings", "briefings-extractive"}
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=keyed.url + "/v1", api_key="nope", max_retries=0).models.list()


def test_health_and_docs_need_no_key(keyed):
    assert httpx.get(keyed.url + "/healthz").status_code == 200
    assert httpx.get(keyed.url + "/docs").status_code == 200


def own_address() -> str | None:
    """A non-loopback address of this machine, or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))   # no packet is sent: this only picks the route
            address = s.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_without_a_key_only_loopback_clients_are_answered(sample_index):
    address = own_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address to call from")
    served = serve(with_model(sample_index, QuotingGenerator(delay_s=0)),
                   Access(loopback_only=True), host="0.0.0.0")
    port = served.url.rsplit(":", 1)[1]
    try:
        assert httpx.get(f"http://127.0.0.1:{port}/api/stats").status_code == 200
        remote = httpx.get(f"http://{address}:{port}/api/stats")
        assert remote.status_code == 403
        assert "only loopback clients" in remote.json()["error"]
        assert httpx.get(f"http://{address}:{port}/healthz").status_code == 200
    finally:
        served.stop()


def test_the_log_line_says_how_the_api_is_protected():
    assert "need 'Authorization: Bearer" in Access(key=KEY).describe()
    assert "loopback clients only" in Access().describe()
    assert "anyone who can reach" in Access(loopback_only=False).describe()
