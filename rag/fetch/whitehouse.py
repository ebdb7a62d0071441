"""White House pages -> the Markdown of the White House corpus.

A fetched White House briefing is saved the way the corpus holds them (front matter with date,
title and source_url, then the article's paragraphs), so ingest reads fetched and hand-collected
pages with the same reader. The page's HTML is not kept.
"""
from __future__ import annotations

import re

import lxml.html
import yaml

from rag.fetch.sites import url_date
from rag.readers import NotATranscript
from rag.readers.html import paragraphs

_WH_BODY = ("//section[contains(concat(' ', normalize-space(@class), ' '), ' body-content ')]",
            "//div[contains(concat(' ', normalize-space(@class), ' '), ' entry-content ')]",
            "//article", "//main")


def whitehouse_markdown(doc: lxml.html.HtmlElement, url: str) -> bytes:
    """A White House briefing page as Markdown with front matter (date, title, source_url)."""
    meta = {m.get("property") or m.get("name"): m.get("content") or "" for m in doc.iter("meta")}
    title = meta.get("og:title") or next(
        (h.text_content() for h in doc.iter("h1") if h.text_content().strip()), "") or (
        doc.findtext(".//title") or "").split("|")[0]
    title = " ".join(title.split())
    published = meta.get("article:published_time") or next(
        iter(doc.xpath("//time/@datetime")), "")
    when = published[:10] if re.match(r"\d{4}-\d{2}-\d{2}", published) else url_date(url)
    body = next((found[0] for xpath in _WH_BODY if (found := doc.xpath(xpath))), None)
    text = paragraphs(body) if body is not None else []
    if not (title and when and text):
        missing = [name for name, value in (("title", title), ("date", when),
                                            ("article text", text)) if not value]
        raise NotATranscript(f"no {', '.join(missing)} found on the White House page")
    front = {"date": when, "title": title, "source_url": url}
    if published:
        front["published_time"] = published
    head = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=10_000)
    return (f"---\n{head}---\n\n" + "\n\n".join(text) + "\n").encode("utf-8")
