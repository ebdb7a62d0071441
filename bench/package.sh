#!/usr/bin/env bash
# Proves that `pip install .` (not editable) gives a working `briefings`, away from the checkout:
# a new virtual environment in a temporary folder, torch==2.13.0 first (as the Makefile does:
# unpinned, torch pulls a CUDA build), then the checkout; then, from another temporary folder,
# `briefings --version`, an ingest of tests/fixtures/pipeline into the default index location
# (the user data folder), `briefings ask --no-llm`, whose answer must cite an excerpt, and
# `briefings serve --extractive`, whose /api/ask (asked with the installed httpx) must cite too.
# The user config and data folders are temporary (XDG_CONFIG_HOME, XDG_DATA_HOME), so the real
# ones are untouched; pip's cache and the model cache (~/.cache) are reused.
# Prints each step's time and a verdict; exits 1 when a step fails.
#
#     bash bench/package.sh            # PYTHON=python3.12 to test another interpreter
set -uo pipefail

CHECKOUT=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-python3}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/briefings-package.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export XDG_CONFIG_HOME="$WORK/config" XDG_DATA_HOME="$WORK/data"
VENV="$WORK/venv"
RUN="$WORK/elsewhere"   # the folder the commands run from: no config.yaml, no checkout
mkdir -p "$RUN"
QUESTION="How much did the Harbor Light seawall cost?"

# step NAME COMMAND...: runs COMMAND (output in $WORK/NAME.log), prints its time; stops on failure.
step() {
    local name=$1 started ended
    shift
    started=$(date +%s.%N)
    if "$@" >"$WORK/$name.log" 2>&1; then
        ended=$(date +%s.%N)
        printf '%-10s %7.1f s  ok\n' "$name" "$(awk "BEGIN {print $ended - $started}")"
    else
        ended=$(date +%s.%N)
        printf '%-10s %7.1f s  FAILED\n' "$name" "$(awk "BEGIN {print $ended - $started}")"
        tail -n 20 "$WORK/$name.log"
        echo "verdict: FAIL ($name)"
        exit 1
    fi
}

# check_version: the installed command answers with the package's version.
check_version() {
    local shown
    shown=$(cd "$RUN" && "$VENV/bin/briefings" --version) && echo "$shown" &&
        [ "$shown" = "briefings 0.1.0" ]
}

# check_ingest: the fixture indexed into the user data folder, not beside the package.
check_ingest() {
    (cd "$RUN" && "$VENV/bin/briefings" ingest "$CHECKOUT/tests/fixtures/pipeline" -q) &&
        [ -f "$XDG_DATA_HOME/briefings/index/manifest.json" ] &&
        ! [ -e "$(cd "$RUN" && "$VENV/bin/python" -c 'import rag, pathlib
print(pathlib.Path(rag.__file__).parents[1])')/index" ]   # from $RUN: not the checkout's rag
}

# check_ask: an extractive answer that gives the cost and cites an excerpt of the fixture.
check_ask() {
    (cd "$RUN" && "$VENV/bin/briefings" ask "$QUESTION" --no-llm --json) >"$WORK/answer.json" &&
        "$VENV/bin/python" - "$WORK/answer.json" <<'EOF'
import json, sys
answer = json.load(open(sys.argv[1], encoding="utf-8"))
print(answer["answer"])
for c in answer["citations"]:
    print(c)
assert not answer["refused"] and answer["citations"], "no citation"
assert "3.2 billion" in answer["answer"], "the cost is not in the answer"
EOF
}

# check_serve: the installed `briefings serve` answers the page and /api/ask on a free port.
check_serve() {
    local port pid ok=1
    port=$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
    (cd "$RUN" && exec "$VENV/bin/briefings" serve --extractive --port "$port") &
    pid=$!
    "$VENV/bin/python" - "$port" "$QUESTION" <<'EOF' && ok=0
import sys, time, httpx
url = f"http://127.0.0.1:{sys.argv[1]}"
for _ in range(600):
    try:
        if httpx.get(url + "/healthz").status_code == 200:
            break
    except httpx.TransportError:
        time.sleep(0.2)
answer = httpx.post(url + "/api/ask", json={"question": sys.argv[2]}, timeout=60).json()
print(answer["answer"])
assert answer["citations"] and answer["mode"] == "extractive", answer
assert httpx.get(url + "/").status_code == 200, "no page at /"
EOF
    kill "$pid"
    wait "$pid" 2>/dev/null
    return $ok
}

echo "checkout: $CHECKOUT; temporary folder: $WORK"
step venv "$PYTHON" -m venv "$VENV"
step pip "$VENV/bin/python" -m pip install --quiet --upgrade pip
step torch "$VENV/bin/python" -m pip install --quiet torch==2.13.0
step install "$VENV/bin/python" -m pip install --quiet "$CHECKOUT"
step version check_version
step ingest check_ingest
step ask check_ask
step serve check_serve
cat "$WORK/version.log" "$WORK/ingest.log" "$WORK/ask.log" "$WORK/serve.log"
echo "verdict: PASS (installed from $CHECKOUT, index in \$XDG_DATA_HOME/briefings/index)"
