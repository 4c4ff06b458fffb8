"""The BWADMIN_* settings: parsed once into types, a bad value refused with its name, a changed value seen."""
from __future__ import annotations

from datetime import timedelta

import pytest

from bwadmin.config import Settings, settings
from bwadmin.queue import enqueue_notices, notice_queue


def test_environment_strings_become_numbers_durations_and_retry_intervals(tmp_path):
    parsed = Settings.parse({"BWADMIN_NOTICE_RETRY_INTERVALS": "10, 60,300", "BWADMIN_SWEEP_BATCH": "250",
                             "BWADMIN_NOTICE_REQUEUE_AFTER": "2.5", "BWADMIN_SESSION_IDLE_HOURS": "1",
                             "BWADMIN_REPORT_PDF": "off", "BWADMIN_MILESTONE_RETRY_INTERVALS": ""}, str(tmp_path))
    assert parsed.notice_retry == (10, 60, 300) and parsed.sweep_batch == 250
    assert parsed.notice_requeue_after == timedelta(seconds=2.5) and parsed.session_idle == timedelta(hours=1)
    assert parsed.report_pdf is False and parsed.milestone_retry == ()  # an empty list: no retry
    assert parsed.reports_dir == tmp_path / "reports" and parsed.pdf_retry == (30, 120, 600)  # the defaults


def test_a_bad_value_is_refused_with_its_name(tmp_path):
    with pytest.raises(ValueError, match="BWADMIN_NOTICE_BATCH"):
        Settings.parse({"BWADMIN_NOTICE_BATCH": "many"}, str(tmp_path))


def test_a_setting_changed_in_the_config_is_seen_by_the_next_job_queued(app):
    app.config["BWADMIN_NOTICE_BATCH"] = "2"
    app.config["BWADMIN_NOTICE_RETRY_INTERVALS"] = "5,7"
    assert settings().notice_batch == 2
    assert enqueue_notices([3, 1, 2]) == ["notices-1-2-2", "notice-3"]
    job = notice_queue().fetch_job("notice-3")
    assert job.retries_left == 2 and job.retry_intervals == [5, 7]
