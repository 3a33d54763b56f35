"""The jail: every bot process is started through `launch`.

    bot = launch(["python3", "bot.py"], cwd=arena / "seat0", limits=Limits(), slot=0)
    try:
        ... write bot.stdin, read bot.stdout / bot.stderr ...
    finally:
        bot.kill()
    fault = bot.exit_fault()      # CRASH, CPU_TIMEOUT, MEMORY_LIMIT, OUTPUT_LIMIT, SECURITY_VIOLATION or None

`bot.layers` says, for that very process, which layers are active and why any is
missing; `available_layers()` measures them on a probe bot and `require_layers()`
enforces a contest's `sandbox.require`. docs/sandbox.md describes every layer and
the seccomp policy.
"""
from __future__ import annotations

from .command import available_layers, require_layers
from .launcher import launch
from .process import BotProcess, ExitInfo, classify_exit
from .resolve import Command, judge_interpreter, resolve
from .settings import LAYERS, SandboxSettings

__all__ = ["LAYERS", "BotProcess", "Command", "ExitInfo", "SandboxSettings", "available_layers", "classify_exit",
           "judge_interpreter", "launch", "require_layers", "resolve"]
