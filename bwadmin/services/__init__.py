"""The rules of the programme. Views, admin views, API routes and jobs call these; none re-implement them."""

# Registered on import: every flush that writes an assessment report's data keeps its figures beside it.
from . import report_figures  # noqa: E402,F401
