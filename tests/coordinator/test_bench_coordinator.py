"""The coordinator benchmark runs end to end (tiny sizes; no figures are asserted)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_coordinator.py"


def test_the_benchmark_reports_both_agent_counts_and_its_peer():
    run = subprocess.run([sys.executable, str(SCRIPT), "--steps", "80", "--repeat", "1", "--json"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    rows = json.loads(run.stdout)["rows"]
    assert [row["agents"] for row in rows] == [1, 8]
    assert all(row["coordinator_steps_per_s"] > 0 and row["echo_round_trips_per_s"] > 0 for row in rows)
