"""Unprivileged mode: a judge run by an ordinary user (nobody, here) uses what that user
has and says exactly what is missing. Needs root to become nobody, and a system
Python 3.11 that nobody may run (the judge's own interpreter may live in root's home)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from jail_helpers import PROBE

ROOT = Path(__file__).resolve().parents[1]
SYSTEM_PYTHON = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
NOBODY = 65534
pytestmark = [
    pytest.mark.root,
    pytest.mark.skipif(os.geteuid() != 0, reason="becoming another user needs root (as non-root, every test is unprivileged)"),
    pytest.mark.skipif(not SYSTEM_PYTHON.exists() or shutil.which("setpriv") is None,
                       reason=f"needs {SYSTEM_PYTHON} and setpriv"),
]
JUDGE = """
import json, os, sys
from pathlib import Path
from phoenix_judge.cli import main
from phoenix_judge.jail import launch
from phoenix_judge.limits import Limits
if sys.argv[1] == "check":
    sys.exit(main(["check-sandbox", "--json"]))
bot = launch(["python3", "probe.py", "--report", "--try", "read", "/etc/passwd"], cwd=Path(sys.argv[2]), limits=Limits())
os.close(bot.stdin)
out = b""
while chunk := os.read(bot.stdout, 65536):
    out += chunk
bot.wait(10)
bot.kill()
print(json.dumps({"layers": bot.layers, "lines": [json.loads(l) for l in out.splitlines()],
                  "exit": bot.exit_info.describe()}))
"""


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="phoenix-nobody-"))
    shutil.copy(PROBE, folder / "probe.py")
    for path in (folder, folder / "probe.py"):
        os.chown(path, NOBODY, NOBODY)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def as_nobody(*args: str, cwd: Path) -> str:
    site = next(Path(sys.prefix, "lib").glob("python3*/site-packages"))
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), "PYTHONPATH": f"{ROOT / 'src'}:{site}"}
    result = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                             str(SYSTEM_PYTHON), "-c", JUDGE, *args], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_check_sandbox_says_what_an_ordinary_user_lacks(shared_folder: Path) -> None:
    layers = json.loads(as_nobody("check", cwd=shared_folder))
    for layer in ("seccomp", "rlimits", "no_new_privs"):
        assert layers[layer] == "active", layers
    assert layers["uid"].startswith("missing (the judge is not root")
    assert layers["cgroups"].startswith("missing (the judge is not root")
    for layer in ("namespaces", "pivot_root"):       # through a user namespace, where the kernel allows one
        assert layers[layer] == "active" or "cannot create user namespaces" in layers[layer], layers


def test_an_unprivileged_bot_has_no_capabilities_and_no_host_files(shared_folder: Path) -> None:
    result = json.loads(as_nobody("launch", str(shared_folder), cwd=shared_folder))
    report, attempt = result["lines"]
    assert result["exit"] == "exited with code 0"
    assert report["capabilities"] == 0 and report["no_new_privs"] == 1 and report["seccomp_mode"] == 2
    if result["layers"]["pivot_root"] == "active":
        assert attempt["error"] == "ENOENT" and report["pid"] == 2


def test_a_match_requiring_a_missing_layer_refuses_to_start(shared_folder: Path) -> None:
    """sandbox.require in the game config: as nobody there are no cgroups, so exit 2, no bot runs."""
    config = shared_folder / "game_config.json"
    config.write_text(json.dumps({
        "game": "connect4", "sandbox": {"require": ["seccomp", "cgroups"]},
        "bots": [{"name": "a", "dir": ".", "command": "python3 probe.py", "api": None},
                 {"name": "b", "dir": ".", "command": "python3 probe.py", "api": None}]}))
    site = next(Path(sys.prefix, "lib").glob("python3*/site-packages"))
    env = {"PATH": "/usr/bin:/bin", "HOME": str(shared_folder), "PYTHONPATH": f"{ROOT / 'src'}:{site}"}
    run = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", str(SYSTEM_PYTHON),
                          str(ROOT / "src"), str(config)], cwd=shared_folder, env=env, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 2, run.stderr
    assert "cgroups: missing (the judge is not root" in run.stderr and "seccomp: missing" not in run.stderr
    assert "Traceback" not in run.stderr
    assert not (shared_folder / "arena").exists() or not any((shared_folder / "arena").iterdir())
