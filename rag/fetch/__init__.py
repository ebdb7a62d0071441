"""Fetch: download briefing transcripts from the publishers' sites into a corpus folder.

Given transcript pages or list pages of briefings (SCIO, MFA, White House), the fetcher saves
each briefing the way a person would save it by hand, so ingest reads fetched and hand-saved
files alike; a second run asks only for what changed. Politely: one request at a time, never off
the publisher's host. `briefings fetch` (rag.cli) runs it and prints the report.

    sites       which addresses are transcripts, and of which publisher
    client      the polite HTTP client (delays, retries, conditional requests, redirects)
    listing     list pages: the transcripts they link, their next page; SCIO page navigators
    whitehouse  White House pages -> the Markdown the White House corpus holds
    save        the corpus folder: where pages go, their sidecars, URLS.tsv
    run         the fetch run: fetch() -> FetchReport
"""
