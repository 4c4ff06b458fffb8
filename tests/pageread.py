"""Read a page as its reader does: the tables' rows as text, the links, the list items, and the chart."""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Chart:
    """The non-compliance chart (templates/_chart.html), a table: its caption (the chart's name), a row per cluster
    (its name and its rate as written) and the SVG bars drawn, with their direction."""
    title: str = ""
    rows: list[tuple[str, str]] = field(default_factory=list)
    bars: int = 0
    dir: str | None = None


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
        self._chart_table: int | None = None  # index in self.tables of the chart being read
        self._caption: list[str] | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self._stack.append(tag)
        if tag == "table":
            self.tables.append([])
            self.table_ids.append(a.get("id"))
            if "nc-chart" in (a.get("class") or "").split():
                self.charts.append(Chart(dir=a.get("dir")))
                self._chart_table = len(self.tables) - 1
        elif tag == "caption" and self._chart_table is not None:
            self._caption = []
        elif tag == "svg" and self._chart_table is not None:
            self.charts[-1].bars += 1
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

    def handle_endtag(self, tag):
        while self._stack and self._stack.pop() != tag:
            pass
        if tag == "thead":
            self._in_thead = False
        elif tag == "caption" and self._caption is not None:
            self.charts[-1].title = " ".join("".join(self._caption).split())
            self._caption = None
        elif tag == "table" and self._chart_table is not None:
            self.charts[-1].rows = [(row[0], row[-1]) for row in self.tables[self._chart_table] if row]
            self._chart_table = None
        elif tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "a" and self._link:
            self.links.append((" ".join("".join(self._link[0]).split()), self._link[1]))
            self._link = None
        elif tag == "li" and self._item is not None:
            self.items.append(" ".join("".join(self._item).split()))
            self._item = None

    def handle_data(self, data):
        for part in (self._cell, self._link and self._link[0], self._item):
            if part is not None and part is not False:
                part.append(data)
        if self._caption is not None:
            self._caption.append(data)

    def table(self, id_: str) -> list[list[str]] | None:
        """The body rows of the table with this id, if the page has it."""
        return self.tables[self.table_ids.index(id_)] if id_ in self.table_ids else None

    def link(self, text: str) -> str | None:
        """The href of the link reading `text`, if the page has one."""
        return next((href for label, href in self.links if label == text), None)
