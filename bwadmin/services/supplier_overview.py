"""The buyer's supplier overview: every factory the buyer may see (sourced and consenting: access.visible_factories,
through factory_pages) in one table, a page at a time, and the whole table, with the same filters and sort, as CSV
and as an Excel workbook.

The exports read the list page by page (EXPORT_PAGE factories at a time, by cursor), so the memory they take does not
grow with the number of factories: the CSV is streamed as it is read, the workbook written row by row (openpyxl's
write-only mode) into a temporary file that spills to disk past a few megabytes.

A cell a person wrote (a factory's name, its country) that starts with = + - @ (or a tab or carriage return) is written
with an apostrophe before it: a spreadsheet would otherwise run it as a formula."""
from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass, field
from datetime import date
from typing import Iterator

from flask_babel import format_decimal, format_percent, gettext as _

from ..models import CLUSTER_LABELS, utcnow
from . import factory_pages, other_audits, portal

PER_PAGE = 50
EXPORT_PAGE = 500
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Overview:
    rows: list[factory_pages.Row]
    total: int
    next_cursor: str | None
    previous_cursor: str | None
    listing: factory_pages.Listing = field(default_factory=factory_pages.Listing)
    countries: list[str] = field(default_factory=list)
    any_shared: bool = False
    refused: list[factory_pages.BadListing] = field(default_factory=list)
    audits: other_audits.Totals | None = None  # audits avoided at the factories listed, and days saved


def parse(args) -> tuple[factory_pages.Listing, list[factory_pages.BadListing]]:
    """The listing a request's arguments ask for (sort, country, stage, flagged)."""
    return factory_pages.Listing.parse(args.get("sort"), args.get("country"), args.get("stage"), args.get("flagged"))


def overview(user, args) -> Overview:
    """A page of the overview as the request's arguments ask (after / before a cursor, sorted and filtered). A cursor
    this list did not make gives the first page, one past the end the last (as the buyer home does)."""
    listing, refused = parse(args)
    after, before = args.get("after"), args.get("before")
    try:
        shown = factory_pages.page(user, PER_PAGE, after=after, before=before, listing=listing)
    except factory_pages.BadCursor:
        shown = factory_pages.page(user, PER_PAGE, listing=listing)
    if not shown.rows and after is not None:
        shown = factory_pages.page(user, PER_PAGE, last=True, listing=listing)
    counted = factory_pages.counts(user, listing.flagged)
    return Overview(shown.rows, factory_pages.listed_total(counted, listing), shown.next_cursor,
                    shown.previous_cursor, listing, factory_pages.countries(counted), bool(counted), refused,
                    other_audits.totals_for(user))


def all_rows(user, listing: factory_pages.Listing) -> Iterator[factory_pages.Row]:
    """Every row of the listing, in its order, read EXPORT_PAGE at a time."""
    after = None
    while True:
        shown = factory_pages.page(user, EXPORT_PAGE, after=after, listing=listing)
        yield from shown.rows
        if shown.next_cursor is None:
            return
        after = shown.next_cursor


# --- the table's columns, for the page and the exports -------------------------------------------------------------
def clusters() -> list[tuple[str, str]]:
    """(key, label) of the eight clusters, in the reader's language, in the programme's order."""
    return [(key, str(label)) for key, label in CLUSTER_LABELS.items()]


def headings() -> list[str]:
    """The columns' headings, in the reader's language: the page's and the exports'."""
    return [_("Factory"), _("Country"), _("Stage"), _("Last assessment"), _("Non-compliance"),
            *(label for _key, label in clusters()), _("Change since the cycle before (points)"),
            _("Open plan actions"), _("Overdue plan actions"), _("Flags"), _("Audits avoided"), _("Days saved")]


def flag_labels(row: factory_pages.Row) -> list[str]:
    out = []
    if row.zero_tolerance:
        out.append(_("Zero tolerance"))
    if row.public_issue:
        out.append(_("Published issue"))
    return out


def values(row: factory_pages.Row, stages: dict[str, str]) -> list:
    """One row's cells as values (text, numbers 0–1 for rates, a date), None where the released reports give none."""
    rates = row.cluster_rates or {}
    return [row.name, row.country, stages.get(row.stage, row.stage) if row.stage else None, row.assessed_day,
            row.rate, *(rates.get(key) for key, _label in clusters()), row.change_points, row.open_actions,
            row.overdue_actions, "; ".join(flag_labels(row)) or None, row.audits_avoided, row.days_saved]


# The positions of the rates among values(): written as percentages.
def _rate_columns() -> range:
    return range(4, 5 + len(CLUSTER_LABELS))


def safe_text(value: str) -> str:
    """Text a spreadsheet shows as text: an apostrophe before one that would start a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _csv_cell(index: int, value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if index in _rate_columns():
        return format_percent(value, "#,##0.#%")
    return format_decimal(value)


def csv_lines(user, listing: factory_pages.Listing) -> Iterator[str]:
    """The CSV, a line at a time (a byte-order mark first, so that spreadsheets read it as UTF-8)."""
    out = io.StringIO()
    writer = csv.writer(out)
    stages = portal.stage_names()

    def line(cells) -> str:
        out.seek(0)
        out.truncate()
        writer.writerow(cells)
        return out.getvalue()

    yield "\ufeff" + line(headings())
    for row in all_rows(user, listing):
        yield line([_csv_cell(i, v) for i, v in enumerate(values(row, stages))])


def csv_file(user, listing: factory_pages.Listing):
    """The CSV in a temporary file positioned at its start (the caller sends and closes it): written whole within
    the request, while its database session is open (a body streamed after the request would need its contexts
    pushed again after their teardown), in memory up to 8 MB, on disk beyond."""
    spooled = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    for line in csv_lines(user, listing):
        spooled.write(line.encode("utf-8"))
    spooled.seek(0)
    return spooled


def xlsx_file(user, listing: factory_pages.Listing):
    """The workbook, in a temporary file positioned at its start (the caller sends and closes it)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Supplier overview")[:31])
    sheet.append(headings())
    stages = portal.stage_names()
    rates = _rate_columns()
    for row in all_rows(user, listing):
        cells = []
        for index, value in enumerate(values(row, stages)):
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=safe_text(value))
                cell.data_type = "s"  # never a formula, whatever the text
            else:
                cell = WriteOnlyCell(sheet, value=value)
                if index in rates and value is not None:
                    cell.number_format = "0.0%"
                elif isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
    spooled = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    book.save(spooled)
    spooled.seek(0)
    return spooled


def file_name(extension: str) -> str:
    return f"supplier-overview-{utcnow().date().isoformat()}.{extension}"
