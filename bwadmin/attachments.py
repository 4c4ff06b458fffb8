"""/attachments/<id>: the one address of an evidence file, for staff, the factory and (inside a released report) its
buyers alike. Who may open it is services.evidence's rule; anyone else, and anything missing, is 404."""
from __future__ import annotations

from flask import Blueprint, Flask, send_file
from flask_login import current_user

from .services import evidence, evidence_files

bp = Blueprint("attachments", __name__, url_prefix="/attachments")


@bp.route("/<int:attachment_id>")
def open_attachment(attachment_id: int):
    attachment = evidence.attachment_for(current_user, attachment_id)
    path = evidence.file_of(attachment)
    response = send_file(path, mimetype=evidence_files.MIME_TYPES[attachment.kind],
                         as_attachment=attachment.kind not in evidence_files.INLINE_KINDS,
                         download_name=attachment.filename, max_age=0, etag=attachment.sha256)
    # The browser takes the type we checked, never a guess from the bytes, and runs nothing a file may hold.
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
