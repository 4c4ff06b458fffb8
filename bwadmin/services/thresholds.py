"""Thresholds: the legal figures a question bank version carries (minimum age, minimum wage, overtime limits, leave
days), read by its questions' texts as {name}.

A version's thresholds are data, one entry per name:
    {"value": 14, "unit": "years", "source": "Bangladesh Labour Act 2006, s.34"}
    {"value": 12500, "currency": "BDT", "period": "month", "sector": "garment", "source": "...", "to_confirm": true}
`source` cites the law the figure comes from; `to_confirm` marks a figure staff have still to check against the
law in force. A text shows the value as the reader writes numbers, with the currency code where there is one; the
words around it (years, hours per week) are the question's own, in each language.

A response keeps a copy of the thresholds it was started with (Response.thresholds): its questions read with those
figures for good, whatever a later version says.
"""
from __future__ import annotations

import re

from babel.numbers import format_decimal

PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


def names_in(text) -> set[str]:
    """The thresholds a text reads ({"en": ..., "es": ...} or one string)."""
    if isinstance(text, dict):
        return {name for value in text.values() if isinstance(value, str) for name in PLACEHOLDER.findall(value)}
    return set(PLACEHOLDER.findall(text)) if isinstance(text, str) else set()


def shown(entry, language: str = "en") -> str | None:
    """A threshold's value as a reader of `language` reads it: "14", "12,500 BDT"; None when it has none."""
    value = entry.get("value") if isinstance(entry, dict) else entry
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            number = format_decimal(value, locale=language or "en")
        except ValueError:  # a language Babel does not know
            number = format_decimal(value, locale="en")
    else:
        number = str(value)
    currency = entry.get("currency") if isinstance(entry, dict) else None
    return f"{number} {currency}" if currency else number


def render(text: str | None, thresholds: dict | None, language: str = "en") -> str:
    """The text with each {name} it reads replaced by the threshold's value; a name the thresholds lack stays as
    written (publishing refuses a version with such a question, so only a draft shows one)."""
    if not text or "{" not in text:
        return text or ""
    thresholds = thresholds or {}

    def value(match: re.Match) -> str:
        said = shown(thresholds.get(match.group(1)), language)
        return said if said is not None else match.group(0)

    return PLACEHOLDER.sub(value, text)


def text_of(texts, language: str, thresholds: dict | None, fallback: str = "") -> str:
    """A bank text ({"en": ..., "es": ...}) in `language` (else English), its thresholds filled in."""
    if isinstance(texts, dict) and texts:
        chosen = texts.get(language) or texts.get("en") or next(iter(texts.values()))
    else:
        chosen = texts if isinstance(texts, str) else None
    return render(chosen or fallback, thresholds, language)


def of_response(response) -> dict:
    """The thresholds a response reads with: its kept copy, else (a response older than the copies) its version's."""
    if response.thresholds is not None:
        return response.thresholds
    return (response.questionnaire.thresholds or {}) if response.questionnaire is not None else {}


def missing(entry) -> bool:
    """A threshold that a question cannot show: no value."""
    return shown(entry) is None


def legal_reference_text(reference) -> str:
    """"Bangladesh Labour Act 2006, s.34": how a page cites a question's legal reference."""
    if not isinstance(reference, dict):
        return str(reference or "")
    return ", ".join(part for part in (reference.get("law"), reference.get("article")) if part)
