"""The page's event handlers: what each button, box and page load does, tab by tab.

`Handlers` binds them to one Service; ui.app connects them to the components. Each handler
returns (or yields, while the model writes) the new values of its event's outputs, in the
order ui.app lists them. Filters are read here (`read_filters`) so that a bad date is one
line to the user rather than a failed search.
"""
from __future__ import annotations

import functools
from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl
from typing import Callable, Iterator

import gradio as gr

from rag.answer.compare import Comparison
from rag.answer.records import Answer, Event
from rag.answer.timeline import TimelineMark
from rag.filters import Filters
from rag.models.generators import GenerationError
from ui import briefing_view, quote_view, timeline_view, views
from ui.export import write_exports
from ui.permalinks import answer_href, excerpt_target
from ui.service import Service, Started


def user_errors(fn: Callable) -> Callable:
    """Bad input (ValueError from the service) shown to the user as one line, not a trace."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ValueError as err:
            raise gr.Error(str(err)) from err
    return wrapper


class FilterProblem(ValueError):
    """A filter control that cannot be read; shown beside the filters, not over the answer."""


def _iso(value: str | None, label: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise FilterProblem(f"{label} date '{value}' is not a date like 2031-05-06.") from None


def read_filters(speakers: list[str] | None, date_from: str | None, date_to: str | None,
                 families: list[str] | None) -> Filters:
    """The filter controls as hard filters (dates checked)."""
    first, last = _iso(date_from, "From"), _iso(date_to, "To")
    if first and last and first > last:
        raise FilterProblem(f"The From date {first} is after the To date {last}.")
    return Filters(speakers=list(speakers or []), date_from=first, date_to=last,
                   sources=list(families or []))


def model_events(started: Started) -> Iterator[Event]:
    """The rest of a started answer's events; a failing model is reported in one line."""
    try:
        yield from started.events
    except GenerationError as err:
        raise gr.Error(f"The answer model failed: {err}") from err


def drafts(started: Started) -> Iterator[tuple[Answer, str | None]]:
    """What the model writes, as it comes (the chat and the comparison both stream it):
    (answer, text so far) at each new piece of text, then (the final answer, None)."""
    partial = ""
    final = started.answer
    for event in model_events(started):
        final = event.answer
        if event.kind == "delta":
            partial += event.text
            yield final, partial
    yield final, None


def _waiting(answer: Answer, quoting: str) -> str:
    """What a search's status says it is waiting for: the model, or (no model) `quoting`."""
    return quoting if answer.mode == "extractive" else "waiting for the model"


def _timing(answer: Answer) -> str:
    """The final status line: how long it took, how it was written, the filters in force."""
    t = answer.timings
    done = f"Answered in {t['total_s']:.1f} s" if t.get("total_s") is not None else "Answered"
    found = (f"excerpts found in {t['retrieve_ms']:.0f} ms"
             if t.get("retrieve_ms") is not None else "")
    first = t.get("first_token_s")
    if answer.mode == "extractive":
        line = f"{done}: the best excerpts, quoted (no model{', ' + found if found else ''})."
    else:
        parts = [x for x in (found, first is not None and f"first words after {first:.1f} s")
                 if x]
        line = done + (f" ({', '.join(parts)})." if parts else ".")
    active = views.filters_text(answer.filters)
    return f"{line} Filters: {active}." if active else line


def _timeline_views(found: tuple[list[str], list[TimelineMark]], first: str | None,
                    last: str | None) -> tuple[str, str, str]:
    """The timeline's plot, table and note, for the marks within `first`..`last` (the marks'
    sizes stay those of the whole timeline)."""
    plotted, marks = found
    dates = Filters(date_from=first, date_to=last)
    shown = [m for m in marks if dates.admits(m.passage)]
    relevance = (min(m.similarity for m in marks), max(m.similarity for m in marks)) \
        if marks else None
    lanes = [s for s in plotted if any(m.speaker == s for m in marks)]
    return (timeline_view.timeline_svg(shown, lanes, first, last, relevance),
            timeline_view.timeline_table(shown), timeline_view.timeline_note(plotted, marks, shown, first, last))


class Handlers:
    """The handlers over `service`. The parameter names are the API's: gradio_client callers
    pass them by name (e.g. use_hints=), so they stay as they are."""

    def __init__(self, service: Service):
        self.service = service

    # -- Ask: `ask` searches and shows the sources, then `finish` streams the model's answer --
    def ask(self, question: str, speaker_filter, date_from, date_to, family_filter,
            use_hints: bool, history: list[Answer]):
        """Outputs: chat, sources, hints, status, pending, question box, filter message, filter
        box. Bad input is told in the status line (a filter beside its field, the filters
        opened) and changes nothing else: the conversation stays as it was."""
        keep = (gr.skip(),) * 3
        try:
            filters = read_filters(speaker_filter, date_from, date_to, family_filter)
        except FilterProblem as err:
            return (*keep, f"Check the filters: {err}", None, gr.skip(), f"⚠ {err}",
                    gr.Accordion(open=True))
        try:
            started = self.service.ask(question, filters, history, use_hints)
        except ValueError as err:
            return (*keep, str(err), None, gr.skip(), "", gr.skip())
        answer = started.answer
        found = f"Found {len(answer.retrieved)} excerpts in {answer.timings['retrieve_ms']:.0f} ms"
        active = views.filters_text(filters)
        waiting = _waiting(answer, "quoting the best ones")
        status = f"{found}{f' (filters: {active})' if active else ''}; {waiting}…"
        return (views.chat_messages(history, answer, status=status),
                views.sources_panel(history, answer), views.hints_html(answer, use_hints),
                status, started, "", "", gr.skip())

    def finish(self, started: Started | None, history: list[Answer], links: list[str]
               ) -> Iterator[tuple]:
        """Outputs: chat, sources, status, history, pending, exports, links, the last link.
        The finished conversation is saved, so the answer's link opens it again."""
        if started is None:  # nothing asked (a bad filter, or the chat was cleared meanwhile)
            yield gr.skip(), gr.skip(), gr.skip(), history, None, gr.skip(), links, gr.skip()
            return
        writing = "The model is writing…"
        yield (views.chat_messages(history, started.answer, status=writing, links=links),
               gr.skip(), writing, history, started, gr.skip(), links, gr.skip())
        for final, partial in drafts(started):
            if partial is not None:
                yield (views.chat_messages(history, final, partial, links=links), gr.skip(),
                       writing, history, started, gr.skip(), links, gr.skip())
        history = history + [final]
        links = links + [answer_href(self.service.saved.save(history))]
        yield (views.chat_messages(history, links=links), views.sources_panel(history),
               _timing(final), history, None,
               gr.File([str(p) for p in write_exports(final)], visible=True), links, links[-1])

    @staticmethod
    def new_chat():
        return ([], views.sources_panel([]), "", "", [], None, gr.File(None, visible=False), [],
                "")

    # -- Compare: `compare` finds each side's excerpts, then `finish_compare` streams the text --
    @user_errors
    def compare(self, topic: str, chosen: list[str]):
        """Outputs: the comparison, pending, status, exports."""
        started = self.service.compare(topic, chosen or [], Filters())
        comparison = Comparison(topic, started.answer)
        waiting = _waiting(started.answer, "quoting each side")
        status = f"Excerpts found for {', '.join(comparison.sides)}; {waiting}…"
        return (views.comparison_html(comparison, status=status), started, status,
                gr.File(None, visible=False))

    @staticmethod
    def finish_compare(started: Started | None) -> Iterator[tuple]:
        if started is None:
            yield gr.skip(), None, gr.skip(), gr.skip()
            return
        sides = list(started.answer.sides)
        for final, partial in drafts(started):
            if partial is not None:
                status = views.side_being_written(partial, sides)
                yield (views.comparison_html(Comparison("", final), partial), started, status,
                       gr.skip())
        yield (views.comparison_html(Comparison("", final)), None, _timing(final),
               gr.File([str(p) for p in write_exports(final)], visible=True))

    # -- Timeline --------------------------------------------------------------------------------
    @user_errors
    def timeline(self, topic: str, chosen: list[str]):
        """Outputs: the plot, the table, the note, the marks found (for the zoom), and the
        From/To boxes set to the whole period."""
        plotted, marks = self.service.timeline(topic, chosen or [], Filters())
        found = (plotted, marks)
        first, last = (marks[0].date, marks[-1].date) if marks else ("", "")
        return (*_timeline_views(found, None, None), found, first, last)

    @user_errors
    def zoom_timeline(self, found: tuple[list[str], list[TimelineMark]], date_from: str,
                      date_to: str):
        """Outputs: the plot, the table and the note of the marks found, within the dates."""
        plotted, marks = found
        if not plotted:
            raise ValueError("Show a timeline first.")
        dates = read_filters(None, date_from, date_to, None)
        return _timeline_views(found, dates.date_from, dates.date_to)

    # -- The briefing view, and what the page's address asks for on load ------------------------
    def open_briefing(self, query: str):
        """Outputs: the briefing view, the tabs. `query` is an excerpt link's ("?briefing=...")."""
        return self._briefing_view(dict(parse_qsl(query.lstrip("?")))), gr.Tabs(selected="briefing")

    def _briefing_view(self, params: dict) -> str:
        target = excerpt_target(params)
        if target is None:
            return briefing_view.briefing_html(None, {})
        briefing, spans = self.service.briefing(target.briefing)
        return briefing_view.briefing_html(briefing, spans, target.turn, target.passage, target.span)

    def restore(self, request: gr.Request):
        """What a permalink opens (outputs: tabs, briefing view, chat, sources, status, history,
        links): an excerpt in the briefing view, or a saved conversation in Ask."""
        params = dict(request.query_params) if request else {}
        keep = (gr.skip(),) * 7
        if params.get("briefing"):
            return (gr.Tabs(selected="briefing"), self._briefing_view(params), *keep[2:])
        key = params.get("answer", "")
        if not key:
            return keep
        conversation = self.service.saved.load(key)
        if conversation is None:
            return (*keep[:4], "This answer's link is not known here: it was saved by "
                    "another installation, or its file was removed.", *keep[5:])
        links = [answer_href(self.service.saved.save(conversation[:n]))
                 for n in range(1, len(conversation) + 1)]
        return (gr.Tabs(selected="ask"), gr.skip(), views.chat_messages(conversation, links=links),
                views.sources_panel(conversation), _timing(conversation[-1]), conversation,
                links)

    # -- Check a quote ----------------------------------------------------------------------------
    @user_errors
    def verify(self, text: str, speaker: str | None, day: str | None, article: bool):
        checks = self.service.verify(text, speaker, _iso(day, "The"), article)
        return quote_view.quote_checks_html(checks)

    # -- Index: the statistics and the four speaker menus, refreshed on load and after an add ---
    def refresh(self):
        choices = views.speaker_choices(self.service.speaker_menu())
        return (views.stats_html(self.service.stats()),
                *(gr.Dropdown(choices=choices) for _ in range(4)))

    def add(self, files: list[str] | None, progress=gr.Progress(track_tqdm=True)):
        if not files:
            raise gr.Error("Choose one or more transcript files first.")
        outcomes = self.service.add_files([Path(f) for f in files])
        return (views.upload_html(outcomes), None, *self.refresh())
