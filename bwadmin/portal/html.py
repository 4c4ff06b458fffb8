"""Rows the portals repeat many times, written as HTML in one pass (every value escaped), so a page of
rows costs a string join rather than a template loop with a lookup and an escape call per cell."""
from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup, escape

from ..models import MILESTONE_LABELS


def escape_all(values: list) -> list[str]:
    """Each value HTML-escaped, in one escape call for all: they are joined by NUL, which escaping leaves as it is
    (a value holding a NUL itself is escaped alone)."""
    texts = [str(value) for value in values]
    if any("\0" in text for text in texts):
        return [str(escape(text)) for text in texts]
    return str(escape("\0".join(texts))).split("\0") if texts else []


def buyer_home_rows(rows: Iterable, factories_url: str) -> Markup:
    """`<tr>` rows of the buyer home: the factory's name linking to its page, its country and its count of
    released reports. `rows` have id, name, country and released; `factories_url` ends with a slash."""
    rows = list(rows)
    base = escape(factories_url)
    texts = escape_all([value for _, name, country, *_ in rows for value in (name, country)])
    return Markup("".join([
        f'<tr><td><a href="{base}{int(id_)}">{texts[2 * i]}</a></td><td>{texts[2 * i + 1]}</td>'
        f'<td>{int(released or 0)}</td></tr>\n'
        for i, (id_, _, _, released, *_) in enumerate(rows)
    ]))


DONE = ' <span class="badge badge-success">done</span>'


def timeline(milestones: Iterable) -> Markup:
    """`<li>` items of a cycle's timeline: due date, label, and a badge once done. `milestones` have kind, due_at
    and done_at (milestones or rows of their columns), in due order."""
    return Markup("".join([
        f'<li>{m.due_at:%Y-%m-%d} · {escape(MILESTONE_LABELS.get(m.kind, m.kind))}'
        f'{DONE if m.done_at else ""}</li>\n'
        for m in milestones
    ]))


CHART_ROW, CHART_WIDTH, CHART_LEFT = 44, 720, 320
CHART_SCALE = (CHART_WIDTH - CHART_LEFT - 60) / 100


def noncompliance_chart(bars: list[dict]) -> Markup:
    """The SVG bar chart of non-compliance per cluster (rates in percent), each bar beside the country average
    when there is one; a line saying there is no released assessment when there are no bars."""
    if not bars:
        return Markup('<p class="text-muted">No released assessment yet.</p>')
    row, width, left, scale = CHART_ROW, CHART_WIDTH, CHART_LEFT, CHART_SCALE
    height = len(bars) * row + 40
    out = [f'<svg role="img" aria-labelledby="chart-title" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" class="nc-chart">\n'
           '  <title id="chart-title">Non-compliance per cluster, with the country average</title>\n']
    for i, bar in enumerate(bars):
        y, label, rate, average = i * row + 10, escape(bar["label"]), bar["rate"], bar["average"]
        out.append(
            f'  <text x="0" y="{y + 15}" font-size="12">{label}</text>\n'
            f'  <rect x="{left}" y="{y + 2}" width="{rate * scale:.1f}" height="14" fill="#c0392b">'
            f'<title>{label}: {rate:.0f}%</title></rect>\n'
            f'  <text x="{left + rate * scale + 4}" y="{y + 14}" font-size="11">{rate:.0f}%</text>\n')
        if average is not None:
            out.append(
                f'  <rect x="{left}" y="{y + 20}" width="{average * scale:.1f}" height="10" fill="#7f8c8d">'
                f'<title>Country average: {average:.0f}%</title></rect>\n'
                f'  <text x="{left + average * scale + 4}" y="{y + 29}" font-size="10" fill="#555">'
                f'avg {average:.0f}%</text>\n')
    base = len(bars) * row
    out.append(
        f'  <rect x="{left}" y="{base + 20}" width="12" height="10" fill="#c0392b"/><text x="{left + 16}" '
        f'y="{base + 29}" font-size="11">This factory</text>\n'
        f'  <rect x="{left + 110}" y="{base + 20}" width="12" height="10" fill="#7f8c8d"/><text x="{left + 126}" '
        f'y="{base + 29}" font-size="11">Country average</text>\n</svg>')
    return Markup("".join(out))
