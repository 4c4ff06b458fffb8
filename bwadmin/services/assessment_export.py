"""A released assessment as a file that travels: the documented, versioned JSON format "bwadmin.assessment/1"
(its JSON Schema is bwadmin/data/schemas/assessment-1.json, served by the API).

The file carries what another instance needs to hold the same assessment: the factory, the cycle, the bank version
and the thresholds the answers were scored with, every answer with its evidence text, the findings, references to the
evidence files (never their bytes: they may name workers) and who assessed and reviewed it. Its id is derived from the
exporting instance and the release, so every export of one release has the same id and an importer can refuse it
twice."""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from ..config import settings
from ..extensions import db
from ..models import Answer, Assessment, Report, utcnow
from . import thresholds as threshold_rules

FORMAT = "bwadmin.assessment/1"
SCHEMA_NAME = "assessment-1.json"
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "data" / "schemas" / SCHEMA_NAME


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _moment(value) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


def export_id(source: str, report: Report) -> str:
    # The factory and cycle are in it too: two instances left without a base URL still give different ids.
    factory = report.cycle.factory
    parts = (source, report.id, _moment(report.released_at), factory.name, factory.country, report.cycle.number)
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def exportable(report: Report | None) -> bool:
    """Only a released assessment report whose cycle holds its assessment and answers travels."""
    return (report is not None and report.kind == "assessment" and report.released_at is not None
            and report.cycle.assessment is not None and report.cycle.assessment.response is not None)


def released_report_of(cycle_id: int) -> Report | None:
    """The cycle's released assessment report when it can be exported (for staff: the panel's download)."""
    report = db.session.scalar(select(Report).where(Report.cycle_id == cycle_id, Report.kind == "assessment",
                                                    Report.released_at.is_not(None)))
    return report if exportable(report) else None


def _answers(response_id: int) -> list[Answer]:
    return list(db.session.scalars(select(Answer).where(Answer.response_id == response_id)
                                   .options(selectinload(Answer.question), selectinload(Answer.attachments))))


def build(report: Report) -> dict:
    """The export of a released assessment report (the caller has checked who may read it); NotFound for any
    other report."""
    if not exportable(report):
        raise NotFound()
    cycle, factory = report.cycle, report.cycle.factory
    assessment: Assessment = cycle.assessment
    response, bank = assessment.response, assessment.response.questionnaire
    answers = sorted(_answers(response.id), key=lambda a: (a.question.position, a.question.code))
    source = settings().base_url.rstrip("/")
    scores = (report.data or {}).get("scores") or {}
    findings = [{"code": f.get("code"), "cluster": f.get("cluster"), "compliance_point": f.get("compliance_point"),
                 "zero_tolerance": bool(f.get("zero_tolerance"))}
                for f in scores.get("findings") or [] if isinstance(f, dict) and isinstance(f.get("code"), str)]
    return {
        "format": FORMAT,
        "id": export_id(source, report),
        "exported_at": _moment(utcnow()),
        "source": source[:200],
        "factory": {"name": factory.name, "country": factory.country, "city": factory.city},
        "cycle": {"number": cycle.number, "signed_up_on": cycle.signed_up_on.isoformat()},
        "assessment": {"assessed_on": assessment.assessed_on.isoformat(),
                       "completed_at": _moment(assessment.completed_at),
                       "released_at": _moment(report.released_at), "days_on_site": assessment.days_on_site,
                       "worker_sample": assessment.worker_sample},
        "bank": {"kind": bank.kind, "country": bank.country, "version": bank.version, "title": bank.title or {}},
        "thresholds": threshold_rules.of_response(response),
        "answers": [{"code": a.question.code, "type": a.question.type, "cluster": a.question.cluster,
                     "compliance_point": a.question.compliance_point, "value": a.value,
                     "finding_statement": a.finding_statement, "methods": a.methods or None, "notes": a.notes}
                    for a in answers],
        "findings": findings,
        "figures": {"overall_rate": report.overall_rate, "cluster_rates": report.cluster_rates,
                    "zero_tolerance_found": report.zero_tolerance_found},
        "evidence": [{"code": a.question.code, "name": f.filename, "type": f.kind, "size": f.size, "sha256": f.sha256}
                     for a in answers for f in sorted(a.attachments, key=lambda f: f.id)],
        "signatures": {
            "assessors": [name.strip() for name in (assessment.assessors or "").split(",") if name.strip()],
            "submitted_for_review_at": _moment(assessment.submitted_for_review_at),
            "reviews": [{"reviewer": (r.reviewer.name or r.reviewer.email) if r.reviewer else None,
                         "decision": r.decision, "decided_at": _moment(r.created_at)} for r in assessment.reviews],
        },
    }


def file_name(report: Report) -> str:
    return f"assessment-{report.cycle.factory_id}-cycle-{report.cycle.number}.json"


def dumps(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8")
