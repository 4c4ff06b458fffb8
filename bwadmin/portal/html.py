"""Table rows the portals repeat many times, written as HTML in one pass (every value escaped), so a page of
rows costs a string join rather than a template loop with a lookup and an escape call per cell."""
from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup, escape


def buyer_home_rows(rows: Iterable, factories_url: str) -> Markup:
    """`<tr>` rows of the buyer home: the factory's name linking to its page, its country and its count of
    released reports. `rows` have id, name, country and released; `factories_url` ends with a slash."""
    base = escape(factories_url)
    return Markup("".join([
        f'<tr><td><a href="{base}{int(id_)}">{escape(name)}</a></td><td>{escape(country)}</td>'
        f'<td>{int(released or 0)}</td></tr>\n'
        for id_, name, country, released, *_ in rows
    ]))
