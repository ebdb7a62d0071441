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

    @property
    def filters(self) -> list[gr.components.Component]:
        """The filter controls, in the order the `ask` handler takes them."""
        return [self.speakers, self.date_from, self.date_to, self.families, self.use_hints]


def ask_tab(speakers: list[str]) -> AskTab:
    """The chat and its controls on the left; the filters and the cited sources on the right."""
    with gr.Tab("Ask", id="ask"), gr.Row(equal_height=False):
        with gr.Column(scale=3):
            chat = gr.Chatbot(label="Conversation", height=460, elem_id="chat",
                              buttons=["copy"], feedback_options=None)
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
                              elem_id="filters"):
                speaker_filter = gr.Dropdown(speakers, multiselect=True, label="Speakers",
                                             elem_id="speakers")
                with gr.Row():
                    date_from = gr.Textbox("", label="From", placeholder="YYYY-MM-DD")
                    date_to = gr.Textbox("", label="To", placeholder="YYYY-MM-DD")
                families = gr.CheckboxGroup([(label, value) for value, label in
                                             views.FAMILIES.items()], label="Sources")
                use_hints = gr.Checkbox(True, label="Use hints from the question "
                                        "(speakers and dates it names)")
            sources = _panel("sources", "sources", views.sources_panel([]))
    return AskTab(chat, question, ask, new_chat, status, hints, exports, speaker_filter,
                  date_from, date_to, families, use_hints, sources)


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


def compare_tab(speakers: list[str]) -> CompareTab:
    with gr.Tab("Compare", id="compare"):
        chosen, topic, run = _topic_controls(
            "compare", speakers, "Speakers (two or more, or name them in the question)",
            "Topic or question", "Compare")
        comparison = _panel("comparison", "comparison")
    return CompareTab(chosen, topic, run, comparison)


@dataclass
class TimelineTab(TopicTab):
    note: gr.Markdown
    plot: gr.ScatterPlot
    table: gr.Dataframe


def timeline_tab(speakers: list[str]) -> TimelineTab:
    with gr.Tab("Timeline", id="timeline"):
        chosen, topic, run = _topic_controls(
            "timeline", speakers, "Speakers (default: those named, else the most frequent)",
            "Topic", "Show timeline")
        note = gr.Markdown(elem_id="timeline-note", label="note")
        plot = gr.ScatterPlot(x="date", y="relevance", color="speaker",
                              tooltip=["speaker", "date", "excerpt", "briefing"],
                              y_title="match with the topic", height=420,
                              label="Statements over time", show_label=False,
                              elem_id="timeline-plot")
        table = gr.Dataframe(label="The statements", wrap=True, interactive=False,
                             column_widths=["11%", "14%", "50%", "25%"],
                             elem_id="timeline-table")
    return TimelineTab(chosen, topic, run, note, plot, table)


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
