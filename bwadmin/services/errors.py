"""An error that belongs beside one field of a form."""
from __future__ import annotations


class FieldError(ValueError):
    """A refused value: `field` names the form field the message belongs beside."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message

    def put_on(self, form) -> bool:
        """Append the message to form.<field>.errors; False when the form has no such field."""
        target = getattr(form, self.field, None)
        if target is None:
            return False
        target.errors = list(target.errors) + [self.message]
        return True
