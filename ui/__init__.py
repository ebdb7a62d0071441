"""The Briefings web app (Gradio): chat with cited sources, compare, timeline, index upload.

ui.service talks to the library, ui.views renders HTML, ui.export writes downloads,
ui.layout builds each tab's components, ui.handlers holds the event handlers, ui.app puts the
page together and wires its events, ui.server indexes the corpus and serves.
"""
