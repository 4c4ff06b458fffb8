"""Every entity of the programme, importable from one place."""
from ._base import utcnow
from .advisory import (
    AdvisoryVisit,
    Candidate,
    Committee,
    CommitteeMeeting,
    CommitteeMember,
    Election,
    Need,
    Seminar,
    SeminarAttendance,
    TrainingSession,
)
from .audits import OtherAudit
from .cycle import (CYCLE_STATUSES, MILESTONE_KINDS, MILESTONE_LABELS, SERVICE_PACKAGE_LABELS, SERVICE_PACKAGES, Cycle,
                    Milestone, ScheduleOffset, ServicePackage)
from .evidence import ATTACHMENT_KINDS, Attachment
from .notices import ApiToken, AuditEvent, Notification
from .people import (LANGUAGE_NAMES, LANGUAGES, ROLES, ROLES_BY_NAME, RTL_LANGUAGES, STAFF_ROLES, Buyer, Factory,
                     Sourcing, User)
from .questionnaire import (CLUSTER_LABELS, EVIDENCE_METHODS, METHOD_LABELS, Answer, Assessment, AssessmentReview,
                            Question, Questionnaire, Response)
from .reports import (
    REPORT_LABELS,
    DifferentiationCriterion,
    DifferentiationResult,
    ImprovementAction,
    Report,
    ReportContent,
    ReportFlag,
    ShareRequest,
)
from .transparency import TransparencyIssue, TransparencyResponse
from .travel import AssessmentImport, ShareLink

__all__ = [
    "AdvisoryVisit", "Answer", "AssessmentImport", "ShareLink", "ApiToken", "Assessment", "AssessmentReview", "Attachment", "AuditEvent", "Buyer", "Candidate", "Committee",
    "CommitteeMeeting", "CommitteeMember", "Cycle", "DifferentiationCriterion", "DifferentiationResult",
    "Election", "Factory", "ImprovementAction", "MILESTONE_KINDS", "MILESTONE_LABELS", "Milestone", "Need",
    "Notification", "OtherAudit", "Question", "Questionnaire", "Report", "ReportContent", "ReportFlag", "Response",
    "ScheduleOffset", "ServicePackage", "SERVICE_PACKAGES", "SERVICE_PACKAGE_LABELS",
    "Seminar", "SeminarAttendance", "ShareRequest", "Sourcing", "TrainingSession", "TransparencyIssue",
    "TransparencyResponse", "User", "utcnow",
    "LANGUAGE_NAMES", "LANGUAGES", "RTL_LANGUAGES", "ROLES", "ROLES_BY_NAME", "STAFF_ROLES", "CLUSTER_LABELS",
    "REPORT_LABELS", "CYCLE_STATUSES", "ATTACHMENT_KINDS", "EVIDENCE_METHODS", "METHOD_LABELS",
]
