"""Email notices: one Notification row per event and recipient, written before sending, marked after.

The row's unique `key` is the guard against telling anyone twice. A worker claims rows (status "sending") in
one committed UPDATE before it talks to the SMTP server, sends them in id order and marks each "sent" as soon as
the server has accepted it. So when a worker dies mid-batch, only the first of its rows still "sending" may have
gone out: that one is marked failed as "may have been sent" and is never sent again unless staff say so; the
rest of the batch had not been handed to the server and is pending again.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from email.utils import make_msgid, parseaddr
from importlib import import_module

from flask import current_app
from flask_babel import force_locale
from flask_mail import Connection, Message
from sqlalchemy import func, insert, select, update

from ..batches import chunked
from ..queueing import claimer_gone, this_process
from ..config import settings
from ..extensions import db, mail
from ..models import RTL_LANGUAGES, Notification, utcnow
from . import messages

log = logging.getLogger("bwadmin.clock")

# A row claimed for sending this long ago, and not marked sent, belongs to a worker that died.
STALE_SENDING = timedelta(minutes=15)


class DeliveryError(RuntimeError):
    """Some notices of a batch could not be sent; they are pending again (or failed, after the last try)."""


def record(key: str, email: str, kind: str, subject: str, text: str, html: str | None = None, user=None,
           milestone=None, language: str = "en") -> Notification | None:
    """Add a pending notice; None when a notice with this key exists already."""
    ids = record_many([row(key, email, kind, subject, text, html, user=user, milestone=milestone,
                           language=language)])
    return db.session.get(Notification, ids[key[:200]]) if ids else None


def row(key: str, email: str, kind: str, subject: str, text: str | None, html: str | None = None, user=None,
        milestone=None, language: str = "en", parts: dict | None = None) -> dict:
    """The Notification row of a notice, for record_many: its body, or the `parts` to compose it from when it
    is sent (`template` and that template's values)."""
    return {"key": key[:200], "email": email, "kind": kind, "subject": subject[:300], "body_text": text,
            "body_html": html, "parts": parts, "user_id": getattr(user, "id", None),
            "milestone_id": getattr(milestone, "id", milestone if isinstance(milestone, int) else None),
            "language": language, "status": "pending"}


def record_many(rows: list[dict]) -> dict[str, int]:
    """Insert pending notices (rows from `row`) in one statement per 500; a key that exists already (or twice
    in `rows`) adds nothing. Returns key → id of the notices added, in the current transaction."""
    unique: dict[str, dict] = {}
    for item in rows:
        unique.setdefault(item["key"], item)
    if not unique:
        return {}
    table = Notification.__table__  # Core: thousands of rows a release, none of which the session needs
    dialect = db.session.get_bind().dialect.name
    added: dict[str, int] = {}
    items = list(unique.values())
    now = utcnow()
    for chunk in chunked(items):
        if dialect in ("sqlite", "postgresql"):
            # ON CONFLICT DO NOTHING: the unique key is the guard, even against another worker at the same moment.
            dialect_insert = import_module(f"sqlalchemy.dialects.{dialect}").insert
            statement = dialect_insert(table).on_conflict_do_nothing(index_elements=["key"])
        else:
            taken = set(db.session.scalars(select(Notification.key).where(
                Notification.key.in_([item["key"] for item in chunk]))))
            chunk = [item for item in chunk if item["key"] not in taken]
            if not chunk:
                continue
            statement = insert(table)
        for item in chunk:
            item.setdefault("created_at", now)
            item.setdefault("attempts", 0)
        result = db.session.execute(statement.returning(table.c.id, table.c.key), chunk)
        added.update({key: id_ for id_, key in result})
    return added


def compose(template: str, language: str, **context) -> tuple[str, str]:
    """Plain text and HTML of an email from templates/emails/<template>.txt and .html."""
    context.setdefault("base_url", settings().base_url)
    # The compiled templates straight from the app's Jinja environment: an email needs nothing of a request.
    env = current_app.jinja_env
    # A worker composes outside any request: the recipient's language, not the sender's nor the browser's.
    with force_locale(language or "en"):
        shared = {"lang": language, "text_direction": "rtl" if language in RTL_LANGUAGES else "ltr"}
        text = env.get_template(f"emails/{template}.txt").render(**shared, **context)
        html = env.get_template(f"emails/{template}.html").render(**shared, **context)
    return text, html


def _mail_state():
    """Flask-Mail settings read from the app's config now (not only at start-up); never suppressed silently."""
    config = current_app.config
    return mail.init_mail(config, current_app.debug, testing=False)


def _domain(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "bwadmin.local"


def _message(row, sender: str, text: str | None, html: str | None) -> Message:
    message = Message(subject=row.subject, recipients=[row.email], body=text, html=html, sender=sender)
    message.msgId = make_msgid(domain=_domain(sender))  # the sender's domain, not this host's name
    message.extra_headers = {"X-Bwadmin-Notice": row.key}
    return message


def body_of(row, for_log: bool = False) -> tuple[str | None, str | None]:
    """A notice's text and HTML: as recorded, or composed now from its parts in its language. `for_log`: the
    copy the log keeps, which leaves out a password link (account_mail)."""
    if row.body_text is not None or not row.parts:
        return row.body_text, row.body_html
    values = dict(row.parts)
    language = row.language or "en"
    if values["template"] == "account":
        from . import account_mail  # here, not at the top: account_mail imports this module (a cycle)

        values.update(account_mail.email_context(values, for_log))
    # What every notice in a language says alike is added here, not stored with each notice.
    values.setdefault("link_label", messages.in_language(language, messages.OPEN_LINK))
    values.setdefault("footer", messages.in_language(language, messages.FOOTER))
    return compose(values.pop("template"), language, **values)


def log_copy(row, text: str | None, html: str | None) -> tuple[str | None, str | None]:
    """What the log keeps of an email just sent: all of it, except a password link."""
    return body_of(row, for_log=True) if row.parts and row.parts.get("template") == "account" else (text, html)


def claim(ids: list[int]) -> list[int]:
    """Mark the pending ones among `ids` as being sent, in one committed statement; returns those claimed."""
    if not ids:
        return []
    now = utcnow()
    claimed = db.session.scalars(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.status == "pending")
        .values(status="sending", attempted_at=now, attempts=Notification.attempts + 1, claimed_by=this_process())
        .returning(Notification.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return sorted(claimed)


# What staff read beside a notice that a dead worker may or may not have handed to the mail server.
IN_DOUBT = ("May have been sent: the worker stopped while the mail server was taking it, so it may have gone out. "
            "Check with the recipient before sending it again.")


def _mark_sent(notice_id: int, composed: tuple[str | None, str | None] | None = None) -> None:
    """Mark one notice sent, in its own commit, as soon as the server has accepted it: a worker killed later in the
    batch leaves it sent, not in doubt. Keeps the body composed at sending (the log shows what went out; an account
    email's log copy has no link: log_copy)."""
    values = {"status": "sent", "sent_at": utcnow(), "last_error": None}
    if composed:
        values.update(body_text=composed[0], body_html=composed[1])
    db.session.execute(
        update(Notification).where(Notification.id == notice_id, Notification.status == "sending")
        .values(**values).execution_options(synchronize_session=False)
    )
    db.session.commit()


def _release(ids: list[int], error: str, final: bool) -> None:
    """Sending failed before these reached the server: pending again for the next try, or failed for good."""
    if ids:
        db.session.execute(
            update(Notification).where(Notification.id.in_(ids), Notification.status == "sending")
            .values(status="failed" if final else "pending", last_error=error[:2000])
            .execution_options(synchronize_session=False)
        )
        db.session.commit()


def deliver_many(ids: list[int], final: bool = True) -> list[int]:
    """Send the pending notices among `ids` over one SMTP connection, in id order. Returns the ids sent.

    On an SMTP error the notices not yet sent go back to pending (failed when `final`), and DeliveryError is
    raised so the job is retried.
    """
    db.session.rollback()
    claimed = claim(list(ids))
    if not claimed:
        return []
    rows = db.session.execute(
        select(Notification.id, Notification.key, Notification.email, Notification.subject, Notification.language,
               Notification.body_text, Notification.body_html, Notification.parts)
        .where(Notification.id.in_(claimed)).order_by(Notification.id)
    ).all()
    sender = current_app.config.get("MAIL_DEFAULT_SENDER") or "bwadmin <noreply@bwadmin.local>"
    sent: list[int] = []
    try:
        with Connection(_mail_state()) as connection:
            for row in rows:
                text, html = body_of(row)
                connection.send(_message(row, sender, text, html))
                # Counted before it is marked: should marking fail, the row stays "sending" (in doubt), never
                # pending, so it is not sent again by itself.
                sent.append(row.id)
                _mark_sent(row.id, log_copy(row, text, html) if row.body_text is None else None)
                log.info("email to %s: %s", row.email, row.subject)
    except Exception as exc:  # noqa: BLE001 - any SMTP, socket or database error
        error = f"{type(exc).__name__}: {exc}"
        db.session.rollback()
        unsent = [i for i in claimed if i not in set(sent)]
        _release(unsent, error, final)
        log.warning("notices %s not sent: %s", unsent, error)
        raise DeliveryError(error) from exc
    return sent


def deliver(notification_id: int, final: bool = True) -> bool:
    """Send one notice and mark it sent. False when it was not pending (sent already, or being sent)."""
    return bool(deliver_many([notification_id], final=final))


def in_doubt(notification: Notification) -> bool:
    """A failed notice that a dead worker may have handed to the mail server: it may have reached its recipient."""
    return notification.status == "failed" and notification.last_error == IN_DOUBT


def retry(notification: Notification, even_if_maybe_sent: bool = False) -> bool:
    """Staff's Retry: a failed notice becomes pending again (its key still guards against duplicates). One that may
    have been sent only when staff said to send it even so."""
    if notification.status != "failed" or (in_doubt(notification) and not even_if_maybe_sent):
        return False
    notification.status = "pending"
    notification.last_error = None
    return True


def pending_ids(older_than: timedelta = STALE_SENDING) -> list[int]:
    """Notices waiting for a worker for a while: their job was lost (Redis flushed) or never enqueued."""
    cutoff = utcnow() - older_than
    return list(db.session.scalars(
        select(Notification.id).where(
            Notification.status == "pending",
            db.func.coalesce(Notification.attempted_at, Notification.created_at) <= cutoff,
        ).order_by(Notification.id)
    ))


def pending_among(ids: list[int]) -> list[int]:
    return list(db.session.scalars(select(Notification.id).where(
        Notification.id.in_(list(ids)), Notification.status == "pending").order_by(Notification.id)))


def settle_interrupted(ids: list[int]) -> tuple[list[int], list[int]]:
    """The notices of a batch whose worker died. It sent in id order and marked each as the server took it, so of
    those still "sending" the first may have gone out (failed, "may have been sent": staff decide) and the others
    were never handed over (pending again, for the sweep to queue). Returns the ids (in doubt, pending again)."""
    sending = sorted(db.session.scalars(select(Notification.id).where(
        Notification.id.in_(list(ids)), Notification.status == "sending")))
    if not sending:
        return [], []
    first, rest = sending[0], sending[1:]
    db.session.execute(
        update(Notification).where(Notification.id == first, Notification.status == "sending")
        .values(status="failed", last_error=IN_DOUBT).execution_options(synchronize_session=False))
    if rest:
        db.session.execute(
            update(Notification).where(Notification.id.in_(rest), Notification.status == "sending")
            .values(status="pending", attempts=Notification.attempts - 1)
            .execution_options(synchronize_session=False))
    db.session.commit()
    return [first], rest


def fail_stale_sending(older_than: timedelta = STALE_SENDING) -> int:
    """Rows claimed and never marked sent whose job Redis no longer knows (a dead worker's job that the sweep saw is
    settled at once, by settle_interrupted): those whose claiming process is gone from this machine at once, the
    others once claimed long ago (a live process on another machine may still be sending them; a notice job ends
    within its timeout). A batch is claimed in one statement, so its rows share their claim time and process: each
    such batch is settled as settle_interrupted does. Returns how many batches were settled."""
    cutoff = utcnow() - older_than
    batches = db.session.execute(
        select(Notification.attempted_at, Notification.claimed_by).where(Notification.status == "sending")
        .group_by(Notification.attempted_at, Notification.claimed_by)
    ).all()
    settled = 0
    for attempted_at, claimed_by in batches:
        if not (claimer_gone(claimed_by) or (attempted_at is not None and attempted_at <= cutoff)):
            continue
        settle_interrupted(db.session.scalars(select(Notification.id).where(
            Notification.status == "sending", Notification.attempted_at == attempted_at,
            Notification.claimed_by.is_(None) if claimed_by is None else Notification.claimed_by == claimed_by)).all())
        settled += 1
    return settled
