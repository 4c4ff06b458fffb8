"""Read a page as its reader does: the tables' rows as text, the links, the list items, and the chart's words."""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Chart:
    """An SVG chart: its accessible name (<title>), its description (<desc>), the tooltips of its bars and the words
    drawn on it."""
    title: str = ""
    desc: str = ""
    role: str | None = None
    bar_titles: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


class Page(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []  # table → body rows → cells' text
        self.table_ids: list[str | None] = []
        self.links: list[tuple[str, str]] = []  # (text, href)
        self.items: list[str] = []  # <li> text
        self.charts: list[Chart] = []
        self._stack: list[str] = []
        self._cell = self._link = self._item = None
        self._in_thead = False
        self._chart_text: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self._stack.append(tag)
        if tag == "table":
            self.tables.append([])
            self.table_ids.append(a.get("id"))
        elif tag == "thead":
            self._in_thead = True
        elif tag == "tr" and self.tables and not self._in_thead:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables and not self._in_thead:
            self._cell = []
        elif tag == "a":
            self._link = ([], a.get("href"))
        elif tag == "li":
            self._item = []
        elif tag == "svg":
            self.charts.append(Chart(role=a.get("role")))
        elif tag in ("title", "desc", "text") and self.charts and "svg" in self._stack[:-1]:
            self._chart_text = ""

    def handle_endtag(self, tag):
        while self._stack and self._stack.pop() != tag:
            pass
        if tag == "thead":
            self._in_thead = False
        elif tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "a" and self._link:
            self.links.append((" ".join("".join(self._link[0]).split()), self._link[1]))
            self._link = None
        elif tag == "li" and self._item is not None:
            self.items.append(" ".join("".join(self._item).split()))
            self._item = None
        elif tag in ("title", "desc", "text") and self._chart_text is not None:
            chart, text = self.charts[-1], " ".join(self._chart_text.split())
            if tag == "desc":
                chart.desc = text
            elif tag == "text":
                chart.texts.append(text)
            elif self._stack and self._stack[-1] == "svg":
                chart.title = text
            else:
                chart.bar_titles.append(text)
            self._chart_text = None

    def handle_data(self, data):
        for part in (self._cell, self._link and self._link[0], self._item):
            if part is not None and part is not False:
                part.append(data)
        if self._chart_text is not None:
            self._chart_text += data

    def table(self, id_: str) -> list[list[str]] | None:
        """The body rows of the table with this id, if the page has it."""
        return self.tables[self.table_ids.index(id_)] if id_ in self.table_ids else None

    def link(self, text: str) -> str | None:
        """The href of the link reading `text`, if the page has one."""
        return next((href for label, href in self.links if label == text), None)
