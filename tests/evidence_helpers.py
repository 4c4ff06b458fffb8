"""Files of each kind an assessor attaches, and one-line ways to attach them."""
from __future__ import annotations

import io
import zipfile

from PIL import Image
from werkzeug.datastructures import FileStorage

from bwadmin.services import evidence, responses

from .portal_helpers import PDF


def image(kind: str, colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, format=kind)
    return out.getvalue()


def xlsx() -> bytes:
    """The smallest workbook the format asks for: the content types, the workbook and one sheet."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                      'package/2006/content-types"/>')
        book.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        book.writestr("xl/worksheets/sheet1.xml", '<?xml version="1.0"?><worksheet/>')
    return out.getvalue()


CSV = "worker,hours,overtime paid\nW-001,62,no\nW-002,58,no\n".encode()
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56 + b"\x90" * 200  # a Linux executable's start

GOOD = {"photo.jpg": lambda: image("JPEG"), "exit.png": lambda: image("PNG"), "site.webp": lambda: image("WEBP"),
        "payroll.pdf": lambda: PDF, "hours.xlsx": xlsx, "hours.csv": lambda: CSV}


def upload(data: bytes, name: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


def attach(cycle, data: bytes, name: str, code: str = "CL.01", user=None):
    """Attach a file to the answer of `code` in the cycle's assessment (a draft made on the published bank)."""
    response = responses.response_for(cycle, "assessment")
    question = next(q for q in response.questionnaire.questions if q.code == code)
    return evidence.attach(response, question, upload(data, name), user)
