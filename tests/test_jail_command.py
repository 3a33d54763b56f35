"""check-sandbox and sandbox.require, measured on a real probe bot."""
from __future__ import annotations

import json

import pytest

from phoenix_judge.cli import main
from phoenix_judge.errors import ConfigError, SandboxUnavailable
from phoenix_judge.jail import LAYERS, SandboxSettings, available_layers, require_layers
from phoenix_judge.jail.command import REPORT_ORDER
from phoenix_judge.jail.layers import machine_layers


def test_check_sandbox_prints_one_row_per_layer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-sandbox"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0].split() == ["layer", "status"]
    assert [row.split()[0] for row in rows[1:8]] == list(REPORT_ORDER)
    for row in rows[1:8]:
        layer, status = row.split(maxsplit=1)
        assert status == "active" or status.startswith("missing ("), row


def test_check_sandbox_json_matches_the_machine(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-sandbox", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert list(report) == list(REPORT_ORDER) and set(report) == set(LAYERS)
    for layer, status in report.items():      # what the launcher plans is what the probe measured
        assert status == machine_layers()[layer], layer


def test_a_disabled_layer_is_measured_missing_not_hidden() -> None:
    layers = available_layers(fresh=True, sandbox=SandboxSettings(disable=frozenset({"rlimits"})))
    assert layers["rlimits"] == "missing (disabled by settings)"


def test_require_refuses_a_missing_layer_with_the_reason() -> None:
    with pytest.raises(SandboxUnavailable, match="seccomp: missing \\(disabled by settings\\)"):
        require_layers(["seccomp"], sandbox=SandboxSettings(disable=frozenset({"seccomp", "uid"})))


def test_require_passes_what_the_machine_has() -> None:
    require_layers([layer for layer, status in machine_layers().items() if status == "active"])


def test_require_names_unknown_layers() -> None:
    with pytest.raises(ConfigError, match="unknown sandbox layer"):
        require_layers(["selinux"])
