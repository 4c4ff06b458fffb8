"""A local SMTP server that keeps what it receives: for `simulate`, the benchmark and the tests (aiosmtpd)."""
from __future__ import annotations

import signal
import socket
import sys
import threading
from email import message_from_bytes, policy
from email.message import Message


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MailSink:
    """Start with `with MailSink() as sink:`; `sink.messages` are the parsed emails, `sink.port` its port."""

    def __init__(self, port: int | None = None, keep: bool = True, echo: bool = False):
        self.port = port or free_port()
        self.keep = keep
        self.echo = echo
        self.messages: list[Message] = []
        self.count = 0
        self._lock = threading.Lock()
        self._controller = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's handler API
        if self.echo:  # the whole text, so a developer reads what the person would, links included
            message = message_from_bytes(envelope.content, policy=policy.default)
            body = "\n".join("    " + line for line in self.text_of(message).splitlines())
            print(f"mail to {', '.join(envelope.rcpt_tos)}: {message['Subject']}\n{body}", flush=True)
        with self._lock:
            self.count += 1
            if self.keep:
                message = message_from_bytes(envelope.content, policy=policy.default)
                message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
                self.messages.append(message)
        return "250 OK"

    def start(self) -> MailSink:
        try:
            from aiosmtpd.controller import Controller  # here, not at the top: only simulate and the tests start one
        except ImportError as exc:  # a test extra: `pip install -e '.[test]'`
            raise RuntimeError("aiosmtpd is not installed: pip install -e '.[test]'") from exc
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> MailSink:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def configure(self, app) -> None:
        """Point the app's mail settings at this server."""
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=self.port, MAIL_USE_TLS=False, MAIL_USE_SSL=False,
                          MAIL_USERNAME=None, MAIL_PASSWORD=None, MAIL_SUPPRESS_SEND=False)

    def to(self, address: str) -> list[Message]:
        with self._lock:
            return [m for m in self.messages if address.lower() in (m["X-Envelope-To"] or "").lower()]

    @staticmethod
    def text_of(message: Message) -> str:
        """The text/plain part, decoded."""
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        return ""


def main() -> None:
    """`python -m bwadmin.mailsink PORT`: the development mail server `make run` starts when MAIL_SERVER is unset;
    it prints each email (recipient, subject, text) instead of delivering it."""
    sink = MailSink(port=int(sys.argv[1]) if len(sys.argv) > 1 else 8025, keep=False, echo=True).start()
    print(f"development mail server on 127.0.0.1:{sink.port}: emails are printed here, not delivered", flush=True)
    signal.sigwait({signal.SIGINT, signal.SIGTERM})
    sink.stop()


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    main()
