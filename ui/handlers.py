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
from typing import Callable, Iterator

import gradio as gr

from rag.answer.compare import Comparison
from rag.answer.records import Answer, Event
from rag.filters import Filters
from rag.models.generators import GenerationError
from ui import views
from ui.export import write_exports
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


def _iso(value: str | None, label: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(f"{label} date '{value}' is not a date like 2031-05-06.") from None


def read_filters(speakers: list[str] | None, date_from: str | None, date_to: str | None,
                 families: list[str] | None) -> Filters:
    """The filter controls as hard filters (dates checked)."""
    first, last = _iso(date_from, "From"), _iso(date_to, "To")
    if first and last and first > last:
        raise ValueError(f"The From date {first} is after the To date {last}.")
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
    first = t.get("first_token_s")
    line = (f"{done}: the best excerpts, quoted (no model)." if answer.mode == "extractive"
            else done + (f" (first words after {first:.1f} s)." if first is not None else "."))
    active = views.filters_text(answer.filters)
    return f"{line} Filters: {active}." if active else line


class Handlers:
    """The handlers over `service`. The parameter names are the API's: gradio_client callers
    pass them by name (e.g. use_hints=), so they stay as they are."""

    def __init__(self, service: Service):
        self.service = service

    # -- Ask: `ask` searches and shows the sources, then `finish` streams the model's answer --
    @user_errors
    def ask(self, question: str, speaker_filter, date_from, date_to, family_filter,
            use_hints: bool, history: list[Answer]):
        filters = read_filters(speaker_filter, date_from, date_to, family_filter)
        started = self.service.ask(question, filters, history, use_hints)
        answer = started.answer
        found = f"Found {len(answer.retrieved)} excerpts in {answer.timings['retrieve_ms']:.0f} ms"
        active = views.filters_text(filters)
        waiting = _waiting(answer, "quoting the best ones")
        status = f"{found}{f' (filters: {active})' if active else ''}; {waiting}…"
        return (views.chat_messages(history, answer, status=status),
                views.sources_panel(history, answer), views.hints_html(answer, use_hints),
                status, started, "")

    @staticmethod
    def finish(started: Started | None, history: list[Answer]) -> Iterator[tuple]:
        if started is None:  # nothing asked (e.g. the chat was cleared meanwhile)
            yield gr.skip(), gr.skip(), gr.skip(), history, None, gr.skip()
            return
        writing = "The model is writing…"
        yield (views.chat_messages(history, started.answer, status=writing), gr.skip(), writing,
               history, started, gr.skip())
        for final, partial in drafts(started):
            if partial is not None:
                yield (views.chat_messages(history, final, partial), gr.skip(), writing,
                       history, started, gr.skip())
        history = history + [final]
        yield (views.chat_messages(history), views.sources_panel(history), _timing(final),
               history, None, gr.File([str(p) for p in write_exports(final)], visible=True))

    @staticmethod
    def new_chat():
        return [], views.sources_panel([]), "", "", [], None, gr.File(None, visible=False)

    # -- Compare: `compare` finds each side's excerpts, then `finish_compare` streams the text --
    @user_errors
    def compare(self, topic: str, chosen: list[str]):
        started = self.service.compare(topic, chosen or [], Filters())
        comparison = Comparison(topic, started.answer)
        waiting = _waiting(started.answer, "quoting each side")
        return views.comparison_html(comparison, status=f"Excerpts found; {waiting}…"), started

    @staticmethod
    def finish_compare(started: Started | None) -> Iterator[tuple]:
        if started is None:
            yield gr.skip(), None
            return
        for final, partial in drafts(started):
            if partial is not None:
                yield views.comparison_html(Comparison("", final), partial), started
        yield views.comparison_html(Comparison("", final)), None

    # -- Timeline --------------------------------------------------------------------------------
    @user_errors
    def timeline(self, topic: str, chosen: list[str]):
        plotted, statements = self.service.timeline(topic, chosen or [], Filters())
        frame = views.timeline_frame(statements)
        if statements:
            note = (f"{len(statements)} statements by {', '.join(sorted(set(frame['speaker'])))} "
                    f"(searched: {', '.join(plotted)}). Hover a point to read it.")
        else:
            note = f"No statement by {', '.join(plotted)} matches this topic."
        table = frame[["date", "speaker", "excerpt", "briefing"]].assign(
            date=frame["date"].dt.strftime("%Y-%m-%d"))
        return gr.ScatterPlot(frame, x_lim=views.timeline_span(frame)), table, note

    # -- Check a quote ----------------------------------------------------------------------------
    @user_errors
    def verify(self, text: str, speaker: str | None, day: str | None, article: bool):
        checks = self.service.verify(text, speaker, _iso(day, "The"), article)
        return views.quote_checks_html(checks)

    # -- Index: the statistics and the four speaker menus, refreshed on load and after an add ---
    def refresh(self):
        names = self.service.speakers()
        return (views.stats_html(self.service.stats()),
                *(gr.Dropdown(choices=names) for _ in range(4)))

    def add(self, files: list[str] | None, progress=gr.Progress(track_tqdm=True)):
        if not files:
            raise gr.Error("Choose one or more transcript files first.")
        outcomes = self.service.add_files([Path(f) for f in files])
        return (views.upload_html(outcomes), None, *self.refresh())
