"""Evidence after a hostile match: the bot's own reports, leaked secrets, stray files and processes."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
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


def walk(folder: Path, skip: Iterable[str] = ()) -> Iterator[os.DirEntry[str]]:
    """Every entry under `folder`, without recursion (a bot may leave a tree thousands deep),
    without following links; `skip` names are left out at the top, SKIPPED ones anywhere."""
    stack = [str(folder)]
    top_skip = SKIPPED | set(skip)
    while stack:
        current = stack.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue                     # unreadable or a path over PATH_MAX: nothing to compare
        for entry in entries:
            if entry.name in (top_skip if current == str(folder) else SKIPPED):
                continue
            yield entry
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)


def tree_state(folder: Path, skip: Iterable[str] = ()) -> dict[str, tuple[Any, ...]]:
    """Every entry under `folder` (see `walk`): kind, size, mtime."""
    state = {}
    for entry in walk(folder, skip):
        info = entry.stat(follow_symlinks=False)
        state[os.path.relpath(entry.path, folder)] = (info.st_mode, info.st_size, info.st_mtime_ns)
    return state


def files_named(token: str, folders: Iterable[Path]) -> list[str]:
    """Files whose name holds the token: at the top of the host folders, anywhere under the others."""
    found = [str(path) for folder in OUTSIDE_DIRS for path in _top_level(folder) if token in path.name]
    return found + [entry.path for folder in folders for entry in walk(folder) if token in entry.name]


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


def remove_tree(path: Path) -> None:
    """Remove what a bot left however deep or locked it is (rm copes where shutil.rmtree recurses)."""
    if path.exists():
        subprocess.run(["chmod", "-R", "u+rwx", str(path)], check=False, capture_output=True)
        subprocess.run(["rm", "-rf", str(path)], check=False, capture_output=True)


def leftover_processes(token: str, arena: Path) -> list[str]:
    """Processes marked by the token or running in the arena, and any child of the judge:
    bots and their namespace inits are re-parented to the judge (a subreaper), so after a
    match it has no child left, not even a zombie."""
    found = {}
    for process in psutil.process_iter(["pid", "cmdline", "cwd", "status"]):
        info = process.info
        cmdline = " ".join(info["cmdline"] or ())
        if token in cmdline or str(arena) in (info["cwd"] or ""):
            found[info["pid"]] = f"pid {info['pid']} ({info['status']}): {cmdline[:120]}"
    for child in psutil.Process().children(recursive=True):
        found.setdefault(child.pid, f"child of the judge {child.pid} ({_status(child)}, started "
                                    f"{time.time() - child.create_time():.1f} s ago)")
    return list(found.values())


def _status(process: psutil.Process) -> str:
    try:
        return process.status()
    except psutil.NoSuchProcess:
        return "gone"


def settle(check: Callable[[], list[str]], timeout_s: float = SETTLE_S) -> list[str]:
    """`check()` until it finds nothing or the time is up; returns the last finding."""
    deadline = time.monotonic() + timeout_s
    while (found := check()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def kill_leftovers(token: str) -> None:
    """Clean up after a jail (or a judge) that left processes, so one failure does not spoil
    the next test: the token's processes and every child of the judge are killed and reaped,
    until none is left (killing a namespace init re-parents what it held to the judge)."""
    settle(lambda: _kill_round(token))


def _kill_round(token: str) -> list[str]:
    marked = [p for p in psutil.process_iter(["cmdline"]) if token in " ".join(p.info["cmdline"] or ())]
    victims = marked + psutil.Process().children(recursive=True)
    for process in victims:
        try:
            process.send_signal(signal.SIGKILL)
        except psutil.NoSuchProcess:
            pass
    # Reaps the judge's children; a dying namespace init only exits once its namespace's
    # other tasks are reaped, so it may take another round.
    psutil.wait_procs(victims, timeout=0.1)
    return [str(process.pid) for process in victims]
