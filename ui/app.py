"""The page: Ask (chat with sources), Compare, Timeline, Check a quote and Index tabs, and
their events.

The tabs' components are built by ui.layout, the handlers live in ui.handlers; this module
puts the page together and connects each event to its handler and its concurrency group.

Asking is two events: `ask` retrieves and shows the sources (many at a time, concurrency id
"retrieval"), then `answer` streams the model's text (as many at a time as the model writes at once:
one for a local model, a server's parallel slots; concurrency id "generation", shared with the
comparison's text), so a question waiting for the model already
shows its excerpts and the queue position, and searches, timelines and source views stay
responsive while a generation runs. Uploads are ingested one at a time ("ingest").
"""
from __future__ import annotations

from pathlib import Path

import gradio as gr

from rag.config import QueueSettings
from ui import layout, views
from ui.handlers import Handlers, read_filters
from ui.service import Service

# read_filters is part of this module's interface (the tests import it from here).
__all__ = ["LAUNCH_STYLE", "build_app", "read_filters"]

ASSETS = Path(__file__).resolve().parent / "assets"
# Passed to launch(): Gradio 6 takes theme, css and head there. System fonts only: the app runs
# offline, and the default theme would ask Google Fonts for its typeface.
LAUNCH_STYLE = {
    "theme": gr.themes.Soft(font=["ui-sans-serif", "system-ui", "sans-serif"],
                            font_mono=["ui-monospace", "monospace"]),
    "css_paths": [ASSETS / "app.css"],
    "head_paths": [ASSETS / "head.html"],
}


def lanes(queue: QueueSettings, generations: int) -> dict[str, dict]:
    """The concurrency groups, as event keywords: an event's group caps how many of its
    group's events run at once (searches several, the model as many replies as it writes at
    once, ingestion one)."""
    return {
        "retrieval": {"concurrency_id": "retrieval",
                      "concurrency_limit": queue.retrieval_concurrency},
        "generation": {"concurrency_id": "generation",
                       "concurrency_limit": generations},
        "ingest": {"concurrency_id": "ingest", "concurrency_limit": 1},
    }


def build_app(service: Service, queue: QueueSettings) -> gr.Blocks:
    """The Blocks app over `service`; `queue` holds the ui.queue settings of config.yaml."""
    on = Handlers(service)
    speakers = views.speaker_choices(service.speaker_menu())
    with gr.Blocks(title="Briefings", delete_cache=(3600, 24 * 3600)) as app:
        gr.Markdown("## Briefings\nQuestions answered from government press-briefing "
                    "transcripts, every claim cited to the words an official said.")
        # Per session: the conversation and each answer's permalink, and the search whose
        # model text is still to come.
        history = gr.State([])
        links = gr.State([])
        pending = gr.State(None)
        compare_pending = gr.State(None)
        with gr.Tabs() as tabs:
            ask = layout.ask_tab(speakers)
            compare = layout.compare_tab(speakers)
            timeline = layout.timeline_tab(speakers)
            quote = layout.quote_tab(speakers)
            briefing = layout.briefing_tab()
            index = layout.index_tab(service.uploads)
        controls = layout.page_controls()
        lane = lanes(queue, service.generations)
        wire_ask(ask, controls, history, links, pending, on, lane)
        wire_compare(compare, compare_pending, on, lane)
        wire_briefing(app, tabs, briefing, controls, ask, history, links, on, lane)
        wire_timeline(timeline, on, lane)
        wire_quote(quote, on, lane)
        wire_index(app, index, [ask.speakers, compare.speakers, timeline.speakers,
                                quote.speaker], on, lane)
    app.queue(max_size=queue.max_size, default_concurrency_limit=queue.retrieval_concurrency)
    return app


# Run in the page after an answer is saved: its permalink becomes the page's address, so a
# reload or a copied address opens the same conversation.
SHOW_LINK = "(link) => { if (link) history.replaceState(null, '', link); return link; }"
FORGET_LINK = "() => { history.replaceState(null, '', location.pathname); }"


def wire_ask(tab: layout.AskTab, controls: layout.PageControls, history: gr.State,
             links: gr.State, pending: gr.State, on: Handlers, lane: dict[str, dict]) -> None:
    """Ask, then answer once the search succeeded; a new chat cancels an answer underway."""
    asked = gr.on([tab.question.submit, tab.ask.click], on.ask,
                  [tab.question, *tab.filters, history],
                  [tab.chat, tab.sources, tab.hints, tab.status, pending, tab.question,
                   tab.filter_error, tab.filter_box],
                  api_name="ask", **lane["retrieval"])
    answered = asked.success(on.finish, [pending, history, links],
                             [tab.chat, tab.sources, tab.status, history, pending, tab.exports,
                              links, controls.link],
                             api_name="answer", show_progress_on=[tab.status],
                             **lane["generation"])
    answered.then(None, [controls.link], None, js=SHOW_LINK, queue=False)
    gr.on([tab.new_chat.click, tab.chat.clear], on.new_chat, None,
          [tab.chat, tab.sources, tab.hints, tab.status, history, pending, tab.exports, links,
           controls.link],
          api_name="new_chat", cancels=[answered], queue=False, js=FORGET_LINK)


def wire_compare(tab: layout.CompareTab, pending: gr.State, on: Handlers,
                 lane: dict[str, dict]) -> None:
    """Compare (the excerpts of each side), then the model's text once that succeeded."""
    compared = gr.on([tab.run.click, tab.topic.submit], on.compare, [tab.topic, tab.speakers],
                     [tab.comparison, pending, tab.status, tab.exports], api_name="compare",
                     **lane["retrieval"])
    compared.success(on.finish_compare, [pending],
                     [tab.comparison, pending, tab.status, tab.exports],
                     api_name="compare_answer", show_progress_on=[tab.status],
                     **lane["generation"])


def wire_briefing(app: gr.Blocks, tabs: gr.Tabs, tab: layout.BriefingTab,
                  controls: layout.PageControls, ask: layout.AskTab, history: gr.State,
                  links: gr.State, on: Handlers, lane: dict[str, dict]) -> None:
    """An excerpt link clicked in the page opens the briefing view (assets/head.html sets the
    link's query and presses the hidden button); on load, the address's permalink opens an
    excerpt or a saved conversation."""
    controls.open.click(on.open_briefing, [controls.target], [tab.view, tabs],
                        api_name="briefing", **lane["retrieval"])
    app.load(on.restore, None,
             [tabs, tab.view, ask.chat, ask.sources, ask.status, history, links],
             api_name="restore", queue=False)


def wire_timeline(tab: layout.TimelineTab, on: Handlers, lane: dict[str, dict]) -> None:
    """The timeline of the topic (a search: it runs alongside others), then zoomed by date
    from the marks it found (no search, so it skips the queue)."""
    gr.on([tab.run.click, tab.topic.submit], on.timeline, [tab.topic, tab.speakers],
          [tab.plot, tab.table, tab.note, tab.found, tab.date_from, tab.date_to],
          api_name="timeline", **lane["retrieval"])
    gr.on([tab.zoom.click, tab.date_from.submit, tab.date_to.submit], on.zoom_timeline,
          [tab.found, tab.date_from, tab.date_to], [tab.plot, tab.table, tab.note],
          api_name="timeline_zoom", queue=False)


def wire_quote(tab: layout.QuoteTab, on: Handlers, lane: dict[str, dict]) -> None:
    """The quote check (keyword searches and alignments: it runs alongside other searches)."""
    gr.on([tab.check.click], on.verify, [tab.quote, tab.speaker, tab.date, tab.article],
          [tab.result], api_name="verify", **lane["retrieval"])


def wire_index(app: gr.Blocks, tab: layout.IndexTab, speaker_menus: list[gr.Dropdown],
               on: Handlers, lane: dict[str, dict]) -> None:
    """Uploads, and the statistics and speaker menus on load (an upload refreshes them too)."""
    tab.add.click(on.add, [tab.uploads], [tab.report, tab.uploads, tab.stats, *speaker_menus],
                  api_name="add_transcripts", **lane["ingest"])
    app.load(on.refresh, None, [tab.stats, *speaker_menus], api_name="stats", queue=False)
