"""The round-trip benchmark runs end to end (figures are not asserted: they belong to benchmarks/)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_roundtrip.py"


def test_the_benchmark_measures_both_peers_and_prints_a_table() -> None:
    spec = importlib.util.spec_from_file_location("bench_roundtrip", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    result = bench.measure_placement("free", moves=30, warmup=5) | {"launcher": "unjailed -I"}
    assert result["moves"] == 30 and result["stale_replies"] == 0
    assert result["sky"]["median_us"] > 0 and result["bare"]["median_us"] > 0
    assert result["request_bytes"] == len(bench.encode(bench.messages.state(bench.FIRST_TURN, bench.observation())))
    assert "| free |" in bench.table({"free": result})
