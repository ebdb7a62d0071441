"""The page's components, one builder per tab (Ask, Compare, Timeline, Check a quote, Index).

Each builder is called inside `gr.Tabs()` and returns a small dataclass of the components its
events read or write; ui.app wires those to ui.handlers. The elem_ids are the page's contract
with assets/app.css, assets/head.html and the browser tests, so they are kept as they are.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from ui import views


def _panel(elem_id: str, label: str, value: str | None = None) -> gr.HTML:
    """An HTML panel rendered by ui.views (no script of its own on load)."""
    return gr.HTML(value, elem_id=elem_id, label=label, js_on_load=None)


def _hidden(elem_id: str) -> gr.Textbox:
    """A value the page's script reads or writes (assets/head.html); hidden by assets/app.css,
    not by visible=False, which would leave it out of the page."""
    return gr.Textbox("", elem_id=elem_id, elem_classes=["page-only"], show_label=False,
                      container=False)


@dataclass
class AskTab:
    chat: gr.Chatbot
    question: gr.Textbox
    ask: gr.Button
    new_chat: gr.Button
    status: gr.Markdown
    hints: gr.HTML
    exports: gr.File
    speakers: gr.Dropdown
    date_from: gr.Textbox
    date_to: gr.Textbox
    families: gr.CheckboxGroup
    use_hints: gr.Checkbox
    sources: gr.HTML
    filter_box: gr.Accordion
    filter_error: gr.Markdown

    @property
    def filters(self) -> list[gr.components.Component]:
        """The filter controls, in the order the `ask` handler takes them."""
        return [self.speakers, self.date_from, self.date_to, self.families, self.use_hints]


def ask_tab(speakers: list[str]) -> AskTab:
    """The chat and its controls on the left; the filters and the cited sources on the right."""
    with gr.Tab("Ask", id="ask"), gr.Row(equal_height=False):
        with gr.Column(scale=3):
            chat = gr.Chatbot(label="Conversation", height=460, elem_id="chat",
                              buttons=[], feedback_options=None)
            question = gr.Textbox(placeholder="Ask about the briefings…", show_label=False,
                                  elem_id="question", lines=1)
            with gr.Row():
                ask = gr.Button("Ask", variant="primary", elem_id="ask")
                new_chat = gr.Button("New chat", elem_id="new-chat")
            status = gr.Markdown(elem_id="status", label="answer status")
            hints = _panel("hints", "hints")
            exports = gr.File(label="Download the last answer (Markdown) and its excerpts (CSV)",
                              file_count="multiple", interactive=False, visible=False,
                              elem_id="exports")
        with gr.Column(scale=2):
            with gr.Accordion("Filters: speakers, dates, sources", open=False,
                              elem_id="filters") as filter_box:
                speaker_filter = gr.Dropdown(speakers, multiselect=True, label="Speakers",
                                             elem_id="speakers")
                with gr.Row():
                    date_from = gr.Textbox("", label="From", placeholder="YYYY-MM-DD",
                                           elem_id="date-from")
                    date_to = gr.Textbox("", label="To", placeholder="YYYY-MM-DD",
                                         elem_id="date-to")
                # a filter that cannot be read is explained here, beside the fields
                filter_error = gr.Markdown(elem_id="filter-error")
                families = gr.CheckboxGroup([(label, value) for value, label in
                                             views.FAMILIES.items()], label="Sources")
                use_hints = gr.Checkbox(True, label="Use hints from the question "
                                        "(speakers and dates it names)")
            sources = _panel("sources", "sources", views.sources_panel([]))
    return AskTab(chat, question, ask, new_chat, status, hints, exports, speaker_filter,
                  date_from, date_to, families, use_hints, sources, filter_box, filter_error)


@dataclass
class TopicTab:
    """What Compare and Timeline share: speakers to pick, a topic, a button to run it."""
    speakers: gr.Dropdown
    topic: gr.Textbox
    run: gr.Button


def _topic_controls(prefix: str, speakers: list[str], speakers_label: str, topic_label: str,
                    run_label: str) -> tuple[gr.Dropdown, gr.Textbox, gr.Button]:
    """The speakers and topic side by side, then the button (elem_ids `prefix`-speakers,
    -topic, -run)."""
    with gr.Row():
        chosen = gr.Dropdown(speakers, multiselect=True, scale=2, label=speakers_label,
                             elem_id=f"{prefix}-speakers")
        topic = gr.Textbox(label=topic_label, scale=3, elem_id=f"{prefix}-topic")
    run = gr.Button(run_label, variant="primary", elem_id=f"{prefix}-run")
    return chosen, topic, run


@dataclass
class CompareTab(TopicTab):
    comparison: gr.HTML
    status: gr.Markdown
    exports: gr.File


def compare_tab(speakers: list[str]) -> CompareTab:
    with gr.Tab("Compare", id="compare"):
        chosen, topic, run = _topic_controls(
            "compare", speakers, "Speakers (two or more, or name them in the question)",
            "Topic or question", "Compare")
        status = gr.Markdown(elem_id="compare-status", label="comparison status")
        comparison = _panel("comparison", "comparison")
        exports = gr.File(label="Download the comparison (Markdown) and its excerpts (CSV)",
                          file_count="multiple", interactive=False, visible=False,
                          elem_id="compare-exports")
    return CompareTab(chosen, topic, run, comparison, status, exports)


@dataclass
class TimelineTab(TopicTab):
    note: gr.Markdown
    date_from: gr.Textbox
    date_to: gr.Textbox
    zoom: gr.Button
    plot: gr.HTML
    table: gr.HTML
    found: gr.State     # (speakers searched, marks): what the zoom redraws, without a search


def timeline_tab(speakers: list[str]) -> TimelineTab:
    with gr.Tab("Timeline", id="timeline"):
        chosen, topic, run = _topic_controls(
            "timeline", speakers, "Speakers (default: those named, else the most frequent)",
            "Topic", "Show timeline")
        note = gr.Markdown(elem_id="timeline-note", label="note")
        with gr.Row(equal_height=True):
            date_from = gr.Textbox(label="From", placeholder="YYYY-MM-DD", min_width=140,
                                   elem_id="timeline-from")
            date_to = gr.Textbox(label="To", placeholder="YYYY-MM-DD", min_width=140,
                                 elem_id="timeline-to")
            zoom = gr.Button("Show these dates", scale=0, min_width=160, elem_id="timeline-zoom")
        plot = _panel("timeline-plot", "Briefings over time")
        table = _panel("timeline-table", "The briefings")
        found = gr.State(([], []))
    return TimelineTab(chosen, topic, run, note, date_from, date_to, zoom, plot, table, found)


@dataclass
class QuoteTab:
    quote: gr.Textbox
    speaker: gr.Dropdown
    date: gr.Textbox
    article: gr.Checkbox
    check: gr.Button
    result: gr.HTML


def quote_tab(speakers: list[str]) -> QuoteTab:
    """A quote (or a pasted article), whom and when it is credited to, and the verdict."""
    with gr.Tab("Check a quote", id="quote"):
        quote = gr.Textbox(label="The words as quoted (or a whole article)", lines=3,
                           elem_id="quote-text")
        with gr.Row():
            speaker = gr.Dropdown(speakers, label="Said by (optional)", value=None,
                                  allow_custom_value=True, elem_id="quote-speaker")
            day = gr.Textbox(label="On (YYYY-MM-DD, optional)", elem_id="quote-date")
        article = gr.Checkbox(label="This is an article: check every quotation in it, each "
                                    "against the official named beside it",
                              elem_id="quote-article")
        check = gr.Button("Check", variant="primary", elem_id="quote-check")
        result = _panel("quote-result", "verdict")
    return QuoteTab(quote, speaker, day, article, check, result)


@dataclass
class IndexTab:
    stats: gr.HTML
    uploads: gr.File
    add: gr.Button
    report: gr.HTML


def index_tab(uploads_dir: Path) -> IndexTab:
    """The index's statistics and the upload of new transcripts (kept in `uploads_dir`)."""
    with gr.Tab("Index", id="index"):
        stats = _panel("stats", "statistics")
        gr.Markdown(f"Each file added is checked on its own: a file that is not a transcript "
                    f"is reported with the reason. Transcripts are kept in `{uploads_dir}` and "
                    f"indexed while the app goes on answering.")
        uploads = gr.File(label="Add transcripts (SCIO, Foreign Ministry, White House or any "
                          "'Speaker: text' transcript)", file_count="multiple",
                          elem_id="upload")
        add = gr.Button("Add to the index", variant="primary", elem_id="add")
        report = _panel("upload-report", "report")
    return IndexTab(stats, uploads, add, report)


@dataclass
class BriefingTab:
    view: gr.HTML


def briefing_tab() -> BriefingTab:
    """The whole briefing around an excerpt; opened from an excerpt's link or a permalink."""
    with gr.Tab("Briefing", id="briefing"):
        view = _panel("briefing-view", "briefing",
                      '<div class="empty">Open an excerpt\'s "In the briefing" link: the whole '
                      "transcript appears here, the excerpt highlighted.</div>")
    return BriefingTab(view)


@dataclass
class PageControls:
    """What the page's script (assets/head.html) sets and reads, outside the tabs: a tab's
    contents are only in the page while it is shown."""

    target: gr.Textbox   # the query of the excerpt link clicked ...
    open: gr.Button      # ... pressed to open it in the briefing view
    link: gr.Textbox     # the last answer's permalink, which becomes the page's address


def page_controls() -> PageControls:
    return PageControls(_hidden("open-target"),
                        gr.Button("Open", elem_id="open-briefing", elem_classes=["page-only"]),
                        _hidden("answer-link"))
