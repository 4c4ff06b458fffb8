"""Read a panel form as staff see it: the choices a picker offers, and what is written beside a field."""
from __future__ import annotations

import html as html_lib
import re


def field_block(html: str, name: str) -> str:
    """The form group holding the field `name`: its label, its input and the messages beside it."""
    at = html.index(f'name="{name}"')
    start = html.rfind('<div class="form-group', 0, at)
    end = html.find('<div class="form-group', at)
    return html[start:end if end != -1 else len(html)]


def message_beside(html: str, name: str) -> str:
    """The error text written under the field `name` (empty when none)."""
    block = field_block(html, name)
    found = re.search(r'<div class="invalid-feedback">(.*?)</div>', block, re.S)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split()) if found else ""


def options(html: str, name: str) -> list[dict]:
    """The options of the <select name=...>: value, label, selected, and their data- attributes."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select named {name}"
    found = []
    for attrs, label in re.findall(r"<option([^>]*)>(.*?)</option>", select.group(1), re.S):
        values = dict(re.findall(r'([\w-]+)="([^"]*)"', attrs))
        found.append({"value": values.get("value"), "label": html_lib.unescape(label.strip()),
                      "selected": " selected" in f" {attrs}",
                      "data": {k: v for k, v in values.items() if k.startswith("data-")}})
    return found


def labels(html: str, name: str) -> list[str]:
    """The labels of the options a picker offers, blank choice left out."""
    return [o["label"] for o in options(html, name) if o["value"] != "__None"]


def text_of(html: str, element_id: str) -> str:
    """The words of the element with this id, its tags left out (the element's own tag may not nest in itself)."""
    at = html.index(f'id="{element_id}"')
    tag = re.search(r"<(\w+)[^<]*$", html[:at]).group(1)
    start = html.index(">", at) + 1
    end = html.index(f"</{tag}>", start)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html[start:end])).split())
