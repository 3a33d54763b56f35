"""`python src check-sandbox [--json]`: one row per layer, measured on a probe bot."""
from __future__ import annotations

import argparse
import functools
import json
from collections.abc import Iterable

from ..errors import ConfigError, SandboxUnavailable
from .probe import available_layers as measure
from .settings import ACTIVE, LAYERS, SandboxSettings

# The order check-sandbox prints (the issue's), not the order the recipe applies them.
REPORT_ORDER = ("seccomp", "rlimits", "no_new_privs", "namespaces", "pivot_root", "uid", "cgroups")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print a JSON object {layer: status} instead of a table")


def run(args: argparse.Namespace) -> int:
    layers = available_layers(fresh=True)
    if args.json:
        print(json.dumps({layer: layers[layer] for layer in REPORT_ORDER}, indent=2))
        return 0
    width = max(map(len, REPORT_ORDER))
    print(f"{'layer':<{width}}  status")
    for layer in REPORT_ORDER:
        print(f"{layer:<{width}}  {layers[layer]}")
    missing = [layer for layer in REPORT_ORDER if layers[layer] != ACTIVE]
    print(f"\n{len(REPORT_ORDER) - len(missing)} of {len(REPORT_ORDER)} layers active"
          + (f"; bots run without: {', '.join(missing)}" if missing else ""))
    return 0


@functools.cache
def _cached() -> dict[str, str]:
    return measure()


def available_layers(fresh: bool = False, sandbox: SandboxSettings | None = None) -> dict[str, str]:
    """{layer: "active" | "missing (reason)"}, measured on a probe bot: once per judge
    process for the default settings, anew when `fresh` or for other `sandbox` settings."""
    return measure(sandbox) if fresh or sandbox is not None else dict(_cached())


def require_layers(names: Iterable[str], where: str = "sandbox.require", sandbox: SandboxSettings | None = None) -> None:
    """Refuse to go on unless every named layer is active (the config key `sandbox.require`)."""
    names = list(names)
    unknown = [name for name in names if name not in LAYERS]
    if unknown:
        raise ConfigError(where, f"unknown sandbox layer(s) {', '.join(unknown)}", f"use some of: {', '.join(LAYERS)}")
    layers = available_layers(sandbox=sandbox)
    absent = [f"{name}: {layers[name]}" for name in names if layers[name] != ACTIVE]
    if absent:
        raise SandboxUnavailable(f"{where} needs layers this machine cannot give bots — " + "; ".join(absent)
                                 + " (run `python src check-sandbox` for every layer)")
