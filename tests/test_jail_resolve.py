"""Unit tests for command resolution and the rlimit/environment policy (nothing is launched)."""
from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from phoenix_judge.errors import ConfigError
from phoenix_judge.jail.policy import environment, rlimits
from phoenix_judge.jail.resolve import PYTHON_FLAGS, detect_runtime, judge_interpreter, resolve
from phoenix_judge.limits import MIB, Limits


def test_python_resolves_to_the_judges_real_interpreter(tmp_path: Path) -> None:
    command = resolve(["python3", "bot.py", "--fast"], tmp_path)
    assert command.runtime == "python3"
    assert command.path == Path(os.path.realpath(sys._base_executable))
    assert command.argv == (str(command.path), *PYTHON_FLAGS, "bot.py", "--fast")
    assert resolve(["python", "bot.py"], tmp_path).path == command.path


def test_interpreter_is_a_binary_not_a_shell_shim() -> None:
    with open(judge_interpreter(), "rb") as binary:
        assert binary.read(4) == b"\x7fELF"


def test_isolated_mode_would_break_import_next_to_the_bot(tmp_path: Path) -> None:
    """Why the jail uses -E -s and not -I: in 3.11 -I implies -P (no script folder on sys.path)."""
    (tmp_path / "sky.py").write_text("NAME = 'sky'\n")
    (tmp_path / "bot.py").write_text("import sky\nprint(sky.NAME)\n")
    python = str(judge_interpreter())
    chosen = subprocess.run([python, *PYTHON_FLAGS, "bot.py"], cwd=tmp_path, capture_output=True, text=True)
    isolated = subprocess.run([python, "-I", "bot.py"], cwd=tmp_path, capture_output=True, text=True)
    assert chosen.stdout == "sky\n"
    assert "No module named 'sky'" in isolated.stderr


def test_relative_program_is_found_in_the_bot_folder(tmp_path: Path) -> None:
    program = tmp_path / "bot"
    program.write_bytes(b"\x7fELF")
    program.chmod(0o755)
    for argv0 in ("./bot", "bot"):
        command = resolve([argv0, "x"], tmp_path)
        assert (command.path, command.argv, command.runtime) == (program, (str(program), "x"), "native")


def test_bare_name_falls_back_to_the_jail_path(tmp_path: Path) -> None:
    assert resolve(["true"], tmp_path).path in (Path("/usr/bin/true"), Path("/bin/true"))


def test_node_is_detected(tmp_path: Path) -> None:
    assert detect_runtime("node") == detect_runtime("/usr/bin/nodejs") == "node"
    assert detect_runtime("python3.11") == "python3"
    assert detect_runtime("./mybot") == "native"


@pytest.mark.parametrize("argv", [["./missing"], ["no-such-program-anywhere"], []])
def test_missing_program_is_a_config_error(tmp_path: Path, argv: list[str]) -> None:
    with pytest.raises(ConfigError) as caught:
        resolve(argv, tmp_path)
    assert "fix:" in str(caught.value)


def test_non_executable_program_says_how_to_fix(tmp_path: Path) -> None:
    (tmp_path / "bot").write_text("data")
    with pytest.raises(ConfigError, match="chmod \\+x"):
        resolve(["./bot"], tmp_path)


def test_unknown_runtime_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown runtime"):
        resolve(["python3", "bot.py"], tmp_path, runtime="ruby")


def test_rlimit_table_follows_the_limits() -> None:
    limits = Limits(total_cpu_s=2.5, memory_bytes=256 * MIB, open_files=32, file_bytes=MIB, processes=8)
    table = rlimits(limits, "python3", memory_cgroup=False, own_uid=False)
    assert table[resource.RLIMIT_CPU] == (3, 3)
    assert table[resource.RLIMIT_AS] == (256 * MIB, 256 * MIB)
    assert table[resource.RLIMIT_NOFILE] == (32, 32)
    assert table[resource.RLIMIT_FSIZE] == (MIB, MIB)
    assert table[resource.RLIMIT_CORE] == table[resource.RLIMIT_MEMLOCK] == (0, 0)
    assert resource.RLIMIT_NPROC not in table      # would count the judge's own processes


def test_nproc_only_with_an_own_uid_and_node_has_no_address_space_limit() -> None:
    limits = Limits(processes=8)
    assert rlimits(limits, "native", memory_cgroup=True, own_uid=True)[resource.RLIMIT_NPROC] == (8, 8)
    assert resource.RLIMIT_AS not in rlimits(limits, "node", memory_cgroup=True, own_uid=True)


def test_environment_is_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_TOKEN", "leak")
    env = environment(tmp_path)
    assert env == {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
