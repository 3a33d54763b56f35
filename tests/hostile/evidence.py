"""Evidence after a hostile match: the bot's own reports, leaked secrets, stray files and processes."""
from __future__ import annotations

import json
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[2]
# Host folders a bot might write into, searched (top level) for files named by its token.
OUTSIDE_DIRS = (Path("/"), Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"), Path("/root"), Path("/etc"), Path("/usr"))
SKIPPED = {".git", ".venv", "__pycache__", ".pytest_cache"}
SETTLE_S = 3.0        # killed processes take a moment to disappear; not a performance bound


def reports(debug_log: str) -> list[dict[str, Any]]:
    """The bot's HOSTILE lines (see tests/hostile/bots/hostile_lib.py); cut or garbled lines are skipped."""
    found = []
    for line in debug_log.splitlines():
        if line.startswith("HOSTILE "):
            try:
                found.append(json.loads(line[len("HOSTILE "):]))
            except json.JSONDecodeError:
                continue
    return found


def judge_secrets(env_canary: str, file_canary: str, shm_canary: str) -> dict[str, str]:
    """Text that exists only on the judge's side; none of it may reach a record."""
    found = {"environment canary": env_canary, "canary file": file_canary, "SysV canary": shm_canary,
             "judge source": first_line(ROOT / "src" / "phoenix_judge" / "match.py", '"""'),
             "other bot's code": first_line(ROOT / "sample_bots" / "connect4_random" / "bot.py", '"""')}
    try:
        found["/etc/shadow"] = Path("/etc/shadow").read_text().splitlines()[0]
    except (OSError, IndexError):
        pass           # not readable by this user: then no bot of this user can read it either
    return found


def first_line(path: Path, prefix: str) -> str:
    return next(line for line in path.read_text().splitlines() if line.startswith(prefix))


def leaks(records: dict[str, str], secret_texts: dict[str, str]) -> list[str]:
    """Which secrets appear in which committed record."""
    found = []
    for kind, path in records.items():
        data = Path(path).read_bytes()
        found += [f"{name} in the {kind} record" for name, text in secret_texts.items() if text.encode() in data]
    return found


def tree_state(folder: Path, skip: Iterable[str] = ()) -> dict[str, tuple[Any, ...]]:
    """Every entry under `folder` (minus `skip` at the top and SKIPPED anywhere): kind, size, mtime."""
    state = {}
    skipped = SKIPPED | set(skip)
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED and not (root == str(folder) and d in skipped))
        for name in files + dirs:
            path = os.path.join(root, name)
            info = os.lstat(path)
            state[os.path.relpath(path, folder)] = (info.st_mode, info.st_size, info.st_mtime_ns)
    return state


def files_named(token: str, folders: Iterable[Path]) -> list[str]:
    """Files whose name holds the token: at the top of the host folders, anywhere under the others."""
    found = [str(path) for folder in OUTSIDE_DIRS for path in _top_level(folder) if token in path.name]
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            found += [os.path.join(root, name) for name in files + dirs if token in name]
    return found


def _top_level(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError:
        return []


def remove_files(paths: Iterable[str]) -> None:
    """Clean up after a jail that let a bot write: the host must not keep a bot's files."""
    for path in paths:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            Path(path).unlink(missing_ok=True)


def leftover_processes(token: str, arena: Path) -> list[str]:
    """Processes marked by the token or running in the arena; zombies the judge left unreaped."""
    found = []
    for process in psutil.process_iter(["pid", "cmdline", "cwd", "status"]):
        info = process.info
        cmdline = " ".join(info["cmdline"] or ())
        if token in cmdline or str(arena) in (info["cwd"] or ""):
            found.append(f"pid {info['pid']} ({info['status']}): {cmdline[:120]}")
    me = psutil.Process()
    found += [f"zombie child {child.pid}" for child in me.children() if child.status() == psutil.STATUS_ZOMBIE]
    return found


def settle(check: Callable[[], list[str]], timeout_s: float = SETTLE_S) -> list[str]:
    """`check()` until it finds nothing or the time is up; returns the last finding."""
    deadline = time.monotonic() + timeout_s
    while (found := check()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def kill_leftovers(token: str) -> None:
    """Clean up after a jail that let processes escape, so one failure does not spoil the next test."""
    for process in psutil.process_iter(["cmdline"]):
        if token in " ".join(process.info["cmdline"] or ()):
            try:
                process.send_signal(signal.SIGKILL)
                process.wait(SETTLE_S)          # reaps it when the judge (a subreaper) inherited it
            except (psutil.NoSuchProcess, psutil.TimeoutExpired):
                pass
    for child in psutil.Process().children():
        if child.status() == psutil.STATUS_ZOMBIE:
            os.waitpid(child.pid, os.WNOHANG)
