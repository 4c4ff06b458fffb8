"""The OpenAPI 3 description of /api/v1/ (tests/test_api_contract.py holds the API to it)."""
from ..input_bounds import MAX_ID
from ..models import CYCLE_STATUSES, LANGUAGES
from ..services.factory_pages import MAX_COUNTRY, SORTS

_error = {"$ref": "#/components/schemas/Error"}
_json_error = {"application/json": {"schema": _error}}
_not_found = {"description": "Not found, or not yours to see", "content": _json_error}
_unauth = {"description": "Missing, revoked or expired token", "content": _json_error}
DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
_bad = {"description": "A parameter or the body is not as described here", "content": _json_error}
# Ids are INTEGER columns: past that range no record exists, and the answer is 404.
_id = lambda name: {"name": name, "in": "path", "required": True,  # noqa: E731
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}

SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "bwadmin API", "version": "1.0.0",
             "description": "Released reports of the factories that consent to share them with you. "
                            "Anything you may not see is answered 404."},
    "servers": [{"url": "/api/v1"}],
    "components": {
        "securitySchemes": {"bearer": {
            "type": "http", "scheme": "bearer",
            "description": "A token from POST /tokens. It stops working 90 days after it was issued (the server's "
                           "BWADMIN_TOKEN_DAYS), when its user's password changes, or when staff revoke it."}},
        "schemas": {
            "Error": {"type": "object", "required": ["message"], "properties": {"message": {"type": "string"}}},
            "Factory": {"type": "object", "properties": {
                "id": {"type": "integer"}, "name": {"type": "string"}, "country": {"type": "string"},
                "city": {"type": "string", "nullable": True}, "url": {"type": "string"}}},
            "FactoryFigures": {
                "type": "object",
                "description": "A factory of the list with what a compliance officer scans for, all from the reports "
                               "released to you: null where they give none.",
                "required": ["id", "name", "country", "city", "url", "stage", "released_reports",
                             "last_assessment_cycle", "last_assessed_on", "noncompliance_rate",
                             "previous_noncompliance_rate", "noncompliance_change", "cluster_rates", "flags",
                             "audits_avoided", "improvement_plan"],
                "properties": {
                    "id": {"type": "integer"}, "name": {"type": "string"}, "country": {"type": "string"},
                    "city": {"type": "string", "nullable": True}, "url": {"type": "string"},
                    "stage": {"type": "string", "nullable": True, "enum": [*CYCLE_STATUSES, None],
                              "description": "The stage of the factory's latest cycle"},
                    "released_reports": {"type": "integer", "minimum": 0},
                    "last_assessment_cycle": {"type": "integer", "nullable": True,
                                              "description": "The cycle of the latest released assessment"},
                    "last_assessed_on": {"type": "string", "format": "date", "nullable": True,
                                         "description": "The day of the latest released assessment"},
                    "noncompliance_rate": {"type": "number", "nullable": True,
                                           "description": "Its overall non-compliance rate, 0 to 1"},
                    "previous_noncompliance_rate": {
                        "type": "number", "nullable": True,
                        "description": "The rate of the released assessment of the cycle before it"},
                    "noncompliance_change": {
                        "type": "number", "nullable": True,
                        "description": "noncompliance_rate less previous_noncompliance_rate (negative: fewer "
                                       "non-compliances)"},
                    "cluster_rates": {
                        "type": "object", "nullable": True,
                        "additionalProperties": {"type": "number", "minimum": 0, "maximum": 1},
                        "description": "The latest released assessment's non-compliance rate per cluster (child_labour, "
                                       "discrimination, forced_labour, freedom_of_association, compensation, "
                                       "contracts_hr, osh, working_time), 0 to 1; a cluster it did not assess is "
                                       "left out"},
                    "flags": {
                        "type": "object", "nullable": True, "required": ["zero_tolerance", "published_issue"],
                        "description": "What the latest released assessment found; null without one",
                        "properties": {
                            "zero_tolerance": {"type": "boolean", "description": "A zero-tolerance issue"},
                            "published_issue": {
                                "type": "boolean",
                                "description": "A non-compliance on an issue the programme publishes for the "
                                               "factory's country on its transparency page"}}},
                    "audits_avoided": {
                        "type": "object", "required": ["audits", "days_saved"],
                        "description": "Other audits buyers asked of the factory that were replaced by the "
                                       "programme's report, as the factory recorded them",
                        "properties": {"audits": {"type": "integer", "minimum": 0},
                                       "days_saved": {"type": "number", "minimum": 0,
                                                      "description": "Their days on site"}}},
                    "improvement_plan": {
                        "type": "object", "nullable": True,
                        "description": "The released improvement plan of the latest released assessment's cycle, "
                                       "as the factory last submitted it; null until it is released",
                        "required": ["cycle", "released_at", "submitted_at", "actions", "open_actions",
                                     "overdue_actions", "actions_by_status"],
                        "properties": {
                            "cycle": {"type": "integer"},
                            "released_at": {"type": "string", "format": "date-time"},
                            "submitted_at": {"type": "string", "format": "date-time", "nullable": True},
                            "actions": {"type": "integer", "minimum": 0},
                            "open_actions": {"type": "integer", "minimum": 0,
                                             "description": "Actions neither declared done by the factory nor verified"},
                            "overdue_actions": {"type": "integer", "minimum": 0,
                                                "description": "Of the open actions, those due before today"},
                            "actions_by_status": {
                                "type": "object", "additionalProperties": {"type": "integer", "minimum": 0},
                                "description": "How many actions are planned, in_progress, done (declared by the factory) "
                                               "or verified (by the programme), as they stand"}}}}},
            "Report": {"type": "object", "properties": {
                "id": {"type": "integer"}, "kind": {"type": "string", "enum": [
                    "assessment", "self_diagnosis", "improvement_plan", "factory_progress",
                    "programme_progress", "differentiation"]},
                "title": {"type": "string"}, "cycle_id": {"type": "integer"},
                "released_at": {"type": "string", "format": "date-time", "nullable": True},
                "url": {"type": "string"}, "pdf_url": {"type": "string", "nullable": True},
                "pdf_pending": {"type": "boolean", "description": "released, its PDF still being made"},
                "factory_id": {"type": "integer"},
                "scores": {"type": "object", "properties": {"clusters": {
                    "type": "object", "additionalProperties": {"type": "object", "properties": {
                        "label": {"type": "string"},
                        "rate": {"type": "number", "description": "Non-compliance rate, 0 to 1"}}}},
                    "points": {
                        "type": "object", "description": "An assessment's compliance points (assessments only)",
                        "additionalProperties": {"type": "object", "properties": {
                            "label": {"type": "string"}, "cluster": {"type": "string", "nullable": True},
                            "noncompliant": {"type": "integer", "minimum": 0},
                            "questions": {"type": "integer", "minimum": 0},
                            "rate": {"type": "number", "description": "The factory's non-compliance rate, 0 to 1"},
                            "country": {"type": "object", "properties": {
                                "share": {"type": "number", "nullable": True,
                                          "description": "Share of the country's factories non-compliant on the "
                                                         "point, 0 to 1; null when fewer than five were assessed"},
                                "factories": {"type": "integer", "nullable": True},
                                "note": {"type": "string", "description": "Why the share is not shown"}}}}}}}},
                "country_shares": {"type": "object", "description": "What the country shares count (assessments only)",
                                   "properties": {
                                       "country": {"type": "string"},
                                       "as_of": {"type": "string", "format": "date-time", "nullable": True},
                                       "min_factories": {"type": "integer"}}},
                "actions": {"type": "array", "description": "An improvement plan's actions, each with its state as it "
                            "stands: declared done by the factory, co-signed by a worker representative, verified "
                            "or reopened by the programme", "items": {"type": "object", "properties": {
                                "finding": {"type": "string"}, "source": {"type": "string", "nullable": True,
                                                                          "enum": ["assessment", "self_diagnosis", None]},
                                "action": {"type": "string", "nullable": True},
                                "owner": {"type": "string", "nullable": True},
                                "due_on": {"type": "string", "format": "date", "nullable": True},
                                "status": {"type": "string", "enum": ["planned", "in_progress", "done", "verified"]},
                                "recurring": {"type": "boolean", "nullable": True},
                                "awaiting_cosignature": {"type": "boolean", "nullable": True},
                                "declared_at": {"type": "string", "format": "date-time", "nullable": True},
                                "cosigned_at": {"type": "string", "format": "date-time", "nullable": True},
                                "verified_at": {"type": "string", "format": "date-time", "nullable": True},
                                "verified_how": {"type": "string", "nullable": True,
                                                 "enum": ["visit", "evidence", None]},
                                "reopened_at": {"type": "string", "format": "date-time", "nullable": True}}}}}},
        },
    },
    "security": [{"bearer": []}],
    "paths": {
        "/tokens": {"post": {
            "summary": "Exchange email and password for a bearer token", "security": [],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["email", "password"],
                "properties": {"email": {"type": "string", "minLength": 1, "maxLength": 254},
                               "password": {"type": "string", "minLength": 1}}}}}},
            "responses": {
                "201": {"description": "A new token", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"token": {"type": "string"}, "token_type": {"type": "string"}}}}}},
                "400": {"description": "Email or password missing, or not text", "content": _json_error},
                "401": {"description": "Wrong email or password", "content": _json_error},
                "429": {"description": "Too many attempts", "content": _json_error}}}},
        "/factories": {"get": {
            "summary": "Factories you may see, with their figures, by name or by a figure",
            "description": "A page at a time: send the next_cursor of one page as the cursor of the next (with the "
                           "same sort), until next_cursor is null. offset also pages, more slowly on deep pages.",
            "parameters": [{"name": "limit", "in": "query", "schema": {
                               "type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}},
                           {"name": "cursor", "in": "query", "schema": {"type": "string"},
                            "description": "The next_cursor of the page before: this page starts after it"},
                           {"name": "offset", "in": "query", "schema": {
                               "type": "integer", "minimum": 0, "maximum": MAX_ID, "default": 0},
                            "description": "Factories to skip (not with cursor); slower the deeper the page"},
                           {"name": "sort", "in": "query", "schema": {"type": "string", "enum": list(SORTS),
                                                                      "default": "name"},
                            "description": "name (then id), assessed (the latest released assessment's day), rate "
                                           "(its non-compliance rate) or change (from the cycle before); ascending, "
                                           "or descending with a '-' before it. Factories without the figure come "
                                           "last either way."},
                           {"name": "country", "in": "query", "schema": {"type": "string", "maxLength": MAX_COUNTRY},
                            "description": "Only the factories of this country (as the list writes it); empty: all"},
                           {"name": "stage", "in": "query", "schema": {"type": "string", "enum": list(CYCLE_STATUSES)},
                            "description": "Only the factories whose latest cycle is at this stage"},
                           {"name": "flagged", "in": "query", "schema": {"type": "string", "enum": ["0", "1"]},
                            "description": "1: only the factories whose latest released assessment is flagged (a "
                                           "zero-tolerance issue, or a non-compliance on a published issue)"}],
            "responses": {"200": {"description": "Factories", "content": {"application/json": {"schema": {
                "type": "object", "properties": {
                    "factories": {"type": "array", "items": {"$ref": "#/components/schemas/FactoryFigures"}},
                    "limit": {"type": "integer"},
                    "offset": {"type": "integer", "nullable": True, "description": "null when a cursor was sent"},
                    "next_cursor": {"type": "string", "nullable": True,
                                    "description": "The cursor of the next page; null on the last page"},
                    "total": {"type": "integer",
                              "description": "How many factories you may see in all, within country, stage and "
                                             "flagged"}}}}}},
                "400": {"description": "limit or offset not a whole number in its range, a cursor this list did "
                                       "not give for this sort, both cursor and offset, a sort or stage not named "
                                       "here, a flagged other than 0 or 1, or a country too long", "content": _json_error},
                "401": _unauth}}},
        "/factories/{factory_id}": {"get": {
            "summary": "One factory and its current cycle's milestones", "parameters": [_id("factory_id")],
            "responses": {"200": {"description": "The factory", "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/Factory"}}}}, "401": _unauth, "404": _not_found}}},
        "/factories/{factory_id}/reports": {"get": {
            "summary": "The factory's reports you may see", "parameters": [_id("factory_id")],
            "responses": {"200": {"description": "Reports", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"reports": {"type": "array", "items": {
                    "$ref": "#/components/schemas/Report"}}}}}}}, "401": _unauth, "404": _not_found}}},
        "/reports/{report_id}": {"get": {
            "summary": "A report with its non-compliance per cluster", "parameters": [_id("report_id")],
            "responses": {"200": {"description": "The report", "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/Report"}}}}, "401": _unauth, "404": _not_found}}},
        "/reports/{report_id}.pdf": {"get": {
            "summary": "The report's PDF, in your language",
            "description": "In the language `language` names, else the best of your Accept-Language, else the one "
                           "the report was written in (the factory's). A PDF is made for each language asked, and "
                           "again when the report changes: while it is being made the answer is 202 with a JSON "
                           "message and a Retry-After header (seconds); ask again then.",
            "parameters": [_id("report_id"), {"name": "language", "in": "query", "required": False,
                                              "schema": {"type": "string", "enum": list(LANGUAGES)}}],
            "responses": {"200": {"description": "PDF", "content": {"application/pdf": {
                "schema": {"type": "string", "format": "binary"}}}},
                "202": {"description": "Being prepared: ask again after Retry-After seconds", "headers": {
                    "Retry-After": {"schema": {"type": "integer"}}}, "content": {"application/json": {"schema": {
                        "type": "object", "properties": {"message": {"type": "string"}, "language": {
                            "type": "string"}, "retry_after": {"type": "integer"}}}}}},
                "400": {"description": "A language not offered", "content": _json_error},
                "401": _unauth, "404": _not_found}}},
        "/reports/{report_id}/assessment.json": {"get": {
            "summary": "A released assessment in the format bwadmin.assessment/1",
            "description": "The factory, cycle, question bank version and thresholds, every answer with its finding "
                           "statement, methods and notes, the findings, references to the evidence files (name, "
                           "type, size, SHA-256; never their bytes) and the assessors' and reviewers' signatures. "
                           "Described by GET /schemas/assessment-1.json. Only for an assessment report you may see.",
            "parameters": [_id("report_id")],
            "responses": {"200": {"description": "The export", "content": {"application/json": {"schema": {
                "type": "object", "required": ["format", "id"],
                "properties": {"format": {"type": "string", "enum": ["bwadmin.assessment/1"]},
                               "id": {"type": "string"}}}}}},
                "401": _unauth, "404": _not_found}}},
        "/schemas/assessment-1.json": {"get": {
            "summary": "The JSON Schema (draft 2020-12) of the format bwadmin.assessment/1",
            "security": [],
            "responses": {"200": {"description": "The schema", "content": {"application/schema+json": {
                "schema": {"type": "object"}}}}}}},
    },
}
