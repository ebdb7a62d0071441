"""The page: Ask (chat with sources), Compare, Timeline and Index tabs, and their events.

Asking is two events: `ask` retrieves and shows the sources (many at a time, concurrency id
"retrieval"), then `answer` streams the model's text (one at a time, concurrency id
"generation", shared with the comparison's text), so a question waiting for the model already
shows its excerpts and the queue position, and searches, timelines and source views stay
responsive while a generation runs. Uploads are ingested one at a time ("ingest").
"""
from __future__ import annotations

import functools
from datetime import date
from pathlib import Path
from typing import Callable, Iterator

import gradio as gr

from rag.answer.compare import Comparison
from rag.answer.records import Answer, Event
from rag.config import QueueSettings
from rag.filters import Filters
from rag.models.generators import GenerationError
from ui import views
from ui.export import write_exports
from ui.service import Service, Started

ASSETS = Path(__file__).resolve().parent / "assets"
# Passed to launch(): Gradio 6 takes theme, css and head there. System fonts only: the app runs
# offline, and the default theme would ask Google Fonts for its typeface.
LAUNCH_STYLE = {
    "theme": gr.themes.Soft(font=["ui-sans-serif", "system-ui", "sans-serif"],
                            font_mono=["ui-monospace", "monospace"]),
    "css_paths": [ASSETS / "app.css"],
    "head_paths": [ASSETS / "head.html"],
}


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


def _timing(answer: Answer) -> str:
    t = answer.timings
    done = f"Answered in {t['total_s']:.1f} s" if t.get("total_s") is not None else "Answered"
    if answer.mode == "extractive":
        return f"{done}: the best excerpts, quoted (no model)."
    first = t.get("first_token_s")
    return done + (f" (first words after {first:.1f} s)." if first is not None else ".")


def build_app(service: Service, queue: QueueSettings) -> gr.Blocks:
    """The Blocks app over `service`; `queue` holds the ui.queue settings of config.yaml."""
    generation_limit = queue.generation_concurrency
    retrieval_limit = queue.retrieval_concurrency
    speakers = service.speakers()
    families = [(label, value) for value, label in views.FAMILIES.items()]

    # -- Ask --------------------------------------------------------------------------------------
    @user_errors
    def ask(question: str, speaker_filter, date_from, date_to, family_filter, use_hints: bool,
            history: list[Answer]):
        filters = read_filters(speaker_filter, date_from, date_to, family_filter)
        started = service.ask(question, filters, history, use_hints)
        answer = started.answer
        found = f"Found {len(answer.retrieved)} excerpts in {answer.timings['retrieve_ms']:.0f} ms"
        active = views.filters_text(filters)
        extractive = answer.mode == "extractive"
        waiting = "quoting the best ones" if extractive else "waiting for the model"
        status = f"{found}{f' (filters: {active})' if active else ''}; {waiting}…"
        return (views.chat_messages(history, answer, status=status),
                views.sources_panel(history, answer), views.hints_html(answer, use_hints),
                status, started, "")

    def finish(started: Started | None, history: list[Answer]) -> Iterator[tuple]:
        if started is None:  # nothing asked (e.g. the chat was cleared meanwhile)
            yield gr.skip(), gr.skip(), gr.skip(), history, None, gr.skip()
            return
        partial = ""
        final = started.answer
        writing = "The model is writing…"
        yield (views.chat_messages(history, final, status=writing), gr.skip(), writing, history,
               started, gr.skip())
        for event in model_events(started):
            final = event.answer
            if event.kind == "delta":
                partial += event.text
                yield (views.chat_messages(history, final, partial), gr.skip(), writing,
                       history, started, gr.skip())
        history = history + [final]
        yield (views.chat_messages(history), views.sources_panel(history), _timing(final),
               history, None, gr.File([str(p) for p in write_exports(final)], visible=True))

    def new_chat():
        return [], views.sources_panel([]), "", "", [], None, gr.File(None, visible=False)

    # -- Compare ----------------------------------------------------------------------------------
    @user_errors
    def compare(topic: str, chosen: list[str]):
        started = service.compare(topic, chosen or [], Filters())
        comparison = Comparison(topic, started.answer)
        extractive = started.answer.mode == "extractive"
        waiting = "quoting each side" if extractive else "waiting for the model"
        return views.comparison_html(comparison, status=f"Excerpts found; {waiting}…"), started

    def finish_compare(started: Started | None) -> Iterator[tuple]:
        if started is None:
            yield gr.skip(), None
            return
        partial = ""
        final = started.answer
        for event in model_events(started):
            final = event.answer
            if event.kind == "delta":
                partial += event.text
                yield (views.comparison_html(Comparison("", final), partial),
                       started)
        yield views.comparison_html(Comparison("", final)), None

    # -- Timeline ---------------------------------------------------------------------------------
    @user_errors
    def timeline(topic: str, chosen: list[str]):
        plotted, statements = service.timeline(topic, chosen or [], Filters())
        frame = views.timeline_frame(statements)
        if statements:
            note = (f"{len(statements)} statements by {', '.join(sorted(set(frame['speaker'])))} "
                    f"(searched: {', '.join(plotted)}). Hover a point to read it.")
        else:
            note = f"No statement by {', '.join(plotted)} matches this topic."
        table = frame[["date", "speaker", "excerpt", "briefing"]].assign(
            date=frame["date"].dt.strftime("%Y-%m-%d"))
        return gr.ScatterPlot(frame, x_lim=views.timeline_span(frame)), table, note

    # -- Index ------------------------------------------------------------------------------------
    def refresh():
        names = service.speakers()
        return (views.stats_html(service.stats()),
                *(gr.Dropdown(choices=names) for _ in range(3)))

    def add(files: list[str] | None, progress=gr.Progress(track_tqdm=True)):
        if not files:
            raise gr.Error("Choose one or more transcript files first.")
        outcomes = service.add_files([Path(f) for f in files])
        return (views.upload_html(outcomes), None, *refresh())

    # -- layout -----------------------------------------------------------------------------------
    with gr.Blocks(title="Briefings", delete_cache=(3600, 24 * 3600)) as app:
        gr.Markdown("## Briefings\nQuestions answered from government press-briefing "
                    "transcripts, every claim cited to the words an official said.")
        history = gr.State([])
        pending = gr.State(None)
        compare_pending = gr.State(None)
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3):
                        chat = gr.Chatbot(label="Conversation", height=460, elem_id="chat",
                                          buttons=["copy"], feedback_options=None)
                        question = gr.Textbox(placeholder="Ask about the briefings…",
                                              show_label=False, elem_id="question", lines=1)
                        with gr.Row():
                            ask_button = gr.Button("Ask", variant="primary", elem_id="ask")
                            new_button = gr.Button("New chat", elem_id="new-chat")
                        status = gr.Markdown(elem_id="status", label="answer status")
                        hints = gr.HTML(elem_id="hints", label="hints", js_on_load=None)
                        exports = gr.File(label="Download the last answer (Markdown) and its "
                                          "excerpts (CSV)", file_count="multiple",
                                          interactive=False, visible=False, elem_id="exports")
                    with gr.Column(scale=2):
                        with gr.Accordion("Filters: speakers, dates, sources", open=False,
                                          elem_id="filters"):
                            speaker_filter = gr.Dropdown(speakers, multiselect=True,
                                                         label="Speakers", elem_id="speakers")
                            with gr.Row():
                                date_from = gr.Textbox("", label="From", placeholder="YYYY-MM-DD")
                                date_to = gr.Textbox("", label="To", placeholder="YYYY-MM-DD")
                            family_filter = gr.CheckboxGroup(families, label="Sources")
                            use_hints = gr.Checkbox(True, label="Use hints from the question "
                                                    "(speakers and dates it names)")
                        sources = gr.HTML(views.sources_panel([]), elem_id="sources",
                                          label="sources", js_on_load=None)
            with gr.Tab("Compare", id="compare"):
                with gr.Row():
                    compare_speakers = gr.Dropdown(speakers, multiselect=True, scale=2,
                                                   label="Speakers (two or more, or name them "
                                                   "in the question)", elem_id="compare-speakers")
                    compare_topic = gr.Textbox(label="Topic or question", scale=3,
                                               elem_id="compare-topic")
                compare_button = gr.Button("Compare", variant="primary", elem_id="compare-run")
                comparison = gr.HTML(elem_id="comparison", label="comparison", js_on_load=None)
            with gr.Tab("Timeline", id="timeline"):
                with gr.Row():
                    timeline_speakers = gr.Dropdown(speakers, multiselect=True, scale=2,
                                                    label="Speakers (default: those named, "
                                                    "else the most frequent)",
                                                    elem_id="timeline-speakers")
                    timeline_topic = gr.Textbox(label="Topic", scale=3, elem_id="timeline-topic")
                timeline_button = gr.Button("Show timeline", variant="primary",
                                            elem_id="timeline-run")
                timeline_note = gr.Markdown(elem_id="timeline-note", label="note")
                plot = gr.ScatterPlot(x="date", y="relevance", color="speaker",
                                      tooltip=["speaker", "date", "excerpt", "briefing"],
                                      y_title="match with the topic", height=420,
                                      label="Statements over time", show_label=False,
                                      elem_id="timeline-plot")
                table = gr.Dataframe(label="The statements", wrap=True, interactive=False,
                                     column_widths=["11%", "14%", "50%", "25%"],
                                     elem_id="timeline-table")
            with gr.Tab("Index", id="index"):
                stats = gr.HTML(elem_id="stats", label="statistics", js_on_load=None)
                gr.Markdown(f"Each file added is checked on its own: a file that is not a "
                            f"transcript is reported with the reason. Transcripts are kept in "
                            f"`{service.uploads}` and indexed while the app goes on answering.")
                uploads = gr.File(label="Add transcripts (SCIO, Foreign Ministry, White House "
                                  "or any 'Speaker: text' transcript)", file_count="multiple",
                                  elem_id="upload")
                add_button = gr.Button("Add to the index", variant="primary", elem_id="add")
                upload_report = gr.HTML(elem_id="upload-report", label="report", js_on_load=None)

        # -- events -------------------------------------------------------------------------------
        asked = gr.on([question.submit, ask_button.click], ask,
                      [question, speaker_filter, date_from, date_to, family_filter, use_hints,
                       history],
                      [chat, sources, hints, status, pending, question], api_name="ask",
                      concurrency_id="retrieval", concurrency_limit=retrieval_limit)
        answered = asked.success(finish, [pending, history],
                                 [chat, sources, status, history, pending, exports],
                                 api_name="answer", concurrency_id="generation",
                                 concurrency_limit=generation_limit, show_progress_on=[status])
        gr.on([new_button.click, chat.clear], new_chat, None,
              [chat, sources, hints, status, history, pending, exports],
              api_name="new_chat", cancels=[answered], queue=False)
        compared = gr.on([compare_button.click, compare_topic.submit], compare,
                         [compare_topic, compare_speakers], [comparison, compare_pending],
                         api_name="compare", concurrency_id="retrieval",
                         concurrency_limit=retrieval_limit)
        compared.success(finish_compare, [compare_pending], [comparison, compare_pending],
                         api_name="compare_answer", concurrency_id="generation",
                         concurrency_limit=generation_limit)
        gr.on([timeline_button.click, timeline_topic.submit], timeline,
              [timeline_topic, timeline_speakers], [plot, table, timeline_note],
              api_name="timeline", concurrency_id="retrieval", concurrency_limit=retrieval_limit)
        add_button.click(add, [uploads], [upload_report, uploads, stats, speaker_filter,
                                          compare_speakers, timeline_speakers],
                         api_name="add_transcripts", concurrency_id="ingest",
                         concurrency_limit=1)
        app.load(refresh, None, [stats, speaker_filter, compare_speakers, timeline_speakers],
                 api_name="stats", queue=False)
    app.queue(max_size=queue.max_size, default_concurrency_limit=retrieval_limit)
    return app
