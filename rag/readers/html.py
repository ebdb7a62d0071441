"""HTML -> visible text, paragraph by paragraph, the way a browser lays it out.

Inline elements (<span>, <b>, <font>, ...) are joined without adding anything, so a word split
by tags ("Chi<span>na</span>", "<b>Q</b>: ...") comes out whole; block elements and <br> end a
paragraph; scripts, styles and comments are not text. Whitespace runs collapse to one space.
"""
from __future__ import annotations

import re

import lxml.etree
import lxml.html

from rag.readers.base import ReadError
from rag.text.normalize import clean_space

# Elements that start a new line in a browser.
_BLOCK = {
    "p", "div", "br", "hr", "li", "ul", "ol", "dl", "dt", "dd", "table", "tbody", "thead",
    "tfoot", "tr", "td", "th", "caption", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
    "pre", "section", "article", "header", "footer", "nav", "aside", "main", "figure",
    "figcaption", "form", "fieldset", "address", "center",
}
_INVISIBLE = {"script", "style", "noscript", "template", "head", "title", "select", "option"}
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def parse(text: str) -> lxml.html.HtmlElement:
    """The document tree of an HTML page; ReadError when there is no markup to parse."""
    # lxml refuses str input that still carries an XML encoding declaration.
    text = _XML_DECLARATION.sub("", text)
    try:
        return lxml.html.document_fromstring(text)
    except (ValueError, lxml.etree.ParserError) as err:
        raise ReadError(f"not parseable as HTML ({err})") from err


def paragraphs(element: lxml.html.HtmlElement) -> list[str]:
    """The visible text inside `element`, one string per non-empty paragraph."""
    found: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        text = clean_space("".join(pending))
        if text:
            found.append(text)
        pending.clear()

    def walk(node: lxml.etree._Element) -> None:
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if tag and tag not in _INVISIBLE:
            block = tag in _BLOCK
            if block:
                flush()
            pending.append(node.text or "")
            for child in node:
                walk(child)
                pending.append(child.tail or "")
            if block:
                flush()

    walk(element)
    flush()
    return found
