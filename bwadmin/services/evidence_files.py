"""The files behind an assessment's findings: what kind a file is, judged by its content (never its name), and where
its bytes are kept: once per content, named by their SHA-256, under the attachments folder (a setting).

Photos are parsed by Pillow; a PDF, an XLSX workbook and a CSV table are checked here by their structure, a few
lines each, rather than by another library."""
from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import tempfile
import zipfile
from pathlib import Path

from flask_babel import format_decimal, gettext as _, lazy_gettext as _l
from PIL import Image, UnidentifiedImageError

from ..config import settings
from .errors import FieldError

MIME_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "pdf": "application/pdf",
              "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv"}
# Shown where the browser can show them; spreadsheets are downloaded.
INLINE_KINDS = ("jpeg", "png", "webp", "pdf")
KIND_NAMES = {"jpeg": _l("a JPEG photo"), "png": _l("a PNG image"), "webp": _l("a WebP image"), "pdf": _l("a PDF"),
              "xlsx": _l("an Excel workbook"), "csv": _l("a CSV table")}
EXTENSIONS = {".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png", ".webp": "webp", ".pdf": "pdf", ".xlsx": "xlsx",
              ".csv": "csv"}
PILLOW_FORMATS = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp"}
# A workbook is a zip: this much unpacked is far beyond any real one, and stops a zip bomb before it is unpacked.
XLSX_UNPACKED_MAX = 200 * 1024 * 1024
SHA256 = re.compile(r"^[0-9a-f]{64}$")
FIELD = "file"


def kind_of(data: bytes) -> str | None:
    """"jpeg", "png", "webp", "pdf", "xlsx" or "csv" when the content is a well-formed file of that kind, else None."""
    return _image(data) or _pdf(data) or _xlsx(data) or _csv(data)


def _image(data: bytes) -> str | None:
    if not (data[:3] == b"\xff\xd8\xff" or data[:8] == b"\x89PNG\r\n\x1a\n"
            or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")):
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = PILLOW_FORMATS.get(image.format or "")
            image.verify()  # the structure and checksums, without decoding every pixel
        return kind
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None


def _pdf(data: bytes) -> str | None:
    """A header "%PDF-1.x" (or 2.x), objects, and the end-of-file mark near the end, as every writer leaves it."""
    if re.match(rb"%PDF-[12]\.\d", data[:8]) is None:
        return None
    if b"%%EOF" not in data[-2048:] or re.search(rb"\d+\s+\d+\s+obj\b", data) is None:
        return None
    return "pdf"


def _xlsx(data: bytes) -> str | None:
    if data[:4] != b"PK\x03\x04":
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
                return None
            if sum(info.file_size for info in archive.infolist()) > XLSX_UNPACKED_MAX:
                return None
            if archive.testzip() is not None:  # a member whose checksum fails
                return None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return None
    return "xlsx"


def _csv(data: bytes) -> str | None:
    """Text in UTF-8 without control characters but tabs and line ends, read as rows by the csv module."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if not text.strip() or re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text):
        return None
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error:
        return None
    return "csv" if rows else None


def read_upload(upload) -> bytes:
    """The uploaded file's bytes, up to the size limit; FieldError beside the file field when there is none, it is
    empty or it is larger than the limit (read no further than one byte past it)."""
    if upload is None or not getattr(upload, "filename", ""):
        raise FieldError(FIELD, _("Choose a file to attach."))
    limit = settings().attachment_max_bytes
    data = upload.stream.read(limit + 1)
    if not data:
        raise FieldError(FIELD, _("This file is empty."))
    if len(data) > limit:
        raise FieldError(FIELD, _("This file is larger than %(limit)s MB, the most a file may be. Make it smaller "
                                  "(a photo at a lower resolution, a PDF of fewer pages) and attach it again.",
                                  limit=format_decimal(round(limit / (1024 * 1024), 1))))
    return data


def checked_kind(data: bytes, filename: str) -> str:
    """The file's kind by its content; FieldError with a message that says why not when it is none we keep."""
    kind = kind_of(data)
    claimed = EXTENSIONS.get(Path(filename or "").suffix.lower())
    photos = {"jpeg", "png", "webp"}
    # A photo saved under another photo's ending is still a photo. Plain text has no mark of its own: it is a CSV
    # only when named so (a text named .pdf is a fake PDF, whatever it parses as).
    if kind is not None and (kind == claimed or (kind in photos and claimed in photos)
                             or (kind != "csv" and claimed is None)):
        return kind
    if claimed is not None:
        raise FieldError(FIELD, _("This file is named as %(kind)s, but its content is not. It may be damaged or of "
                                  "another type: open it on your computer, save it again and attach it.",
                                  kind=KIND_NAMES[claimed]))
    raise FieldError(FIELD, _("Attach a photo (JPEG, PNG or WebP), a PDF or a spreadsheet (XLSX or CSV). The "
                              "content of this file is none of these."))


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def path_of(sha256: str) -> Path:
    """Where the bytes of this content live; only a full SHA-256 in hexadecimal names a file."""
    if not SHA256.match(sha256 or ""):
        raise ValueError("not a SHA-256")
    return settings().attachments_dir / sha256[:2] / sha256


def store(data: bytes) -> tuple[str, bool]:
    """Keep the bytes under their SHA-256: (digest, True when written now, False when kept already). Written to a
    temporary file beside the final one and renamed into place, so a file under its name is always whole."""
    sha = digest(data)
    path = path_of(sha)
    if path.is_file():
        return sha, False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return sha, True


def discard(sha256: str) -> None:
    """Remove the bytes of this content (the caller knows no attachment names them any longer)."""
    path_of(sha256).unlink(missing_ok=True)
