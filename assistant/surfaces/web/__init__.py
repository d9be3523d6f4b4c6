"""The web app (Gradio): 问答, 责任分工, 时间节点, 阅读, 文档.

- app.py      WebApp: what each control does, without Gradio (tested directly)
- layout.py   the Gradio page and `serve`
- render.py   escaped HTML pieces (chat turns, citation cards, result tables) and the page's CSS
- reader.py   a document's clause tree with its tasks, opened at a clause
- exports.py  .xlsx, CSV and .ics files named after the filter
- chart.py    tasks due per month on a time axis
- messages.py the index's reports and errors in Chinese
"""
from .app import DEADLINE_HEADERS, DOC_HEADERS, MATRIX_HEADERS, WebApp
from .layout import build_app, serve

__all__ = ["DEADLINE_HEADERS", "DOC_HEADERS", "MATRIX_HEADERS", "WebApp", "build_app", "serve"]
