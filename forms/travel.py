"""The panel's form to import an assessment exported by another bwadmin instance."""
from flask_babel import lazy_gettext as _l
from wtforms import FileField, SubmitField

from .base import PageForm


class AssessmentImportForm(PageForm):
    file = FileField(_l("Assessment export (.json)"),
                     description=_l("A file in the format bwadmin.assessment/1, exported by another bwadmin "
                                    "instance. An import never overwrites an assessment held here."))
    submit = SubmitField(_l("Import"))
