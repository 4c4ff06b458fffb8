"""The factory's review of its draft assessment report: during the month before the release it may flag factual
errors, which staff resolve before the report is published."""
from __future__ import annotations

from flask_babel import format_decimal, gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import Report, ReportFlag
from . import audit
from .errors import FieldError

MAX_COMMENT = 5000  # characters: a flag names an error, it is not a second report


def reviewable(report: Report) -> bool:
    """The draft assessment report, until the release job has published it: a release the clock has not carried out
    yet (its time passed while the workers were stopped) still takes flags, which staff read before it runs."""
    return report.kind == "assessment" and report.released_at is None


def flags(report: Report) -> list[ReportFlag]:
    return db.session.scalars(select(ReportFlag).where(ReportFlag.report_id == report.id)
                              .order_by(ReportFlag.created_at, ReportFlag.id)).all()


def flag(user, report: Report, comment: str | None) -> ReportFlag:
    """Record the factory's flag on its draft; FieldError("comment") when it is refused."""
    comment = (comment or "").strip()
    if not reviewable(report):
        raise FieldError("comment", _("This report is released; flags are taken only before the release."))
    if not comment:
        raise FieldError("comment", _("Describe the factual error you found."))
    if len(comment) > MAX_COMMENT:
        raise FieldError("comment", _("Keep the comment under %(limit)s characters.",
                                      limit=format_decimal(MAX_COMMENT)))
    row = ReportFlag(report_id=report.id, user_id=user.id, comment=comment)
    db.session.add(row)
    audit.record("flag", report, summary=f"Factual error flagged in {report}")
    return row
