"""WTForms: login, portal forms, and questionnaire forms built from Question rows."""
