"""The Briefings web app (Gradio): chat with cited sources, compare, timeline, index upload.

ui.service talks to the library, ui.views renders HTML, ui.export writes downloads,
ui.app lays out the page and wires its events, ui.server indexes the corpus and serves.
"""
