"""The 时间节点 chart: tasks due per month on a real time axis (plotly, drawn by Gradio's bundled plotly.js).

A bar stands on every month that has a dated deadline, placed at that month on a date axis (months
without deadlines are gaps, not missing categories); the count axis starts at zero, so a month with one
task shows a bar one unit high. Recurring and relative deadlines have no single month and are counted
apart (the caller shows the number).
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

_DATED = re.compile(r"(?:\d{4}-\d{2}-\d{2}/)?(\d{4})-(\d{2})-\d{2}$")


def month_counts(rows: Iterable[dict]) -> dict[str, int]:
    """"YYYY-MM" -> number of distinct tasks due that month, from `deadline_rows` (an interval counts at
    its end); in time order."""
    tasks: dict[str, set[str]] = {}
    for r in rows:
        m = _DATED.match(r.get("normalized") or "")
        if m:
            tasks.setdefault(f"{m.group(1)}-{m.group(2)}", set()).add(r["task_id"])
    return {month: len(tasks[month]) for month in sorted(tasks)}


def undated_count(rows: Iterable[dict]) -> int:
    """Tasks whose deadlines are all recurring or relative (not on the chart)."""
    dated, other = set(), Counter()
    for r in rows:
        if _DATED.match(r.get("normalized") or ""):
            dated.add(r["task_id"])
        else:
            other[r["task_id"]] += 1
    return len(set(other) - dated)


def month_figure(counts: dict[str, int], title: str = "每月到期的任务数"):
    """A plotly bar figure: x = the 15th of each month on a date axis, y from 0."""
    import plotly.graph_objects as go

    months = list(counts)
    figure = go.Figure(go.Bar(
        x=[f"{m}-15" for m in months], y=[counts[m] for m in months],
        text=[str(counts[m]) for m in months], textposition="outside", marker_color="#3b6fb6",
        customdata=months, hovertemplate="%{customdata}：%{y} 项<extra></extra>", width=20 * 24 * 3600 * 1000))
    span = {}
    if months:
        first, last = months[0], months[-1]
        span = {"range": [f"{first}-01", _month_after(last)]}
    figure.update_layout(
        title={"text": title, "font": {"size": 14}}, height=300, margin={"l": 40, "r": 20, "t": 40, "b": 40},
        bargap=0.1, showlegend=False, plot_bgcolor="#ffffff",
        xaxis={"type": "date", "tickformat": "%Y年%m月", "dtick": "M1" if len(months) <= 14 else "M3",
               "showgrid": False, **span},
        yaxis={"rangemode": "tozero", "range": [0, max(counts.values(), default=1) * 1.2 + 0.5],
               "dtick": 1 if max(counts.values(), default=1) <= 10 else None, "title": {"text": "任务数"},
               "gridcolor": "#e5e5e5"},
        font={"family": "WenQuanYi Micro Hei, Noto Sans CJK SC, Microsoft YaHei, sans-serif"})
    return figure


def _month_after(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}-01"
