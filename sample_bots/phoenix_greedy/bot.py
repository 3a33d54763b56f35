#!/usr/bin/env python3
"""Phoenix, greedy: each cell flees a nearby cell that could eat it, else chases
a cell it can eat, else heads for the nearest food."""
from __future__ import annotations

import math
from typing import Any

_EAT_RATIO = 1.25       # the game's default; the map's params may change it (read in setup)
_DANGER = 60.0          # flee when a bigger cell's edge is this close
_HUNT = 120.0           # chase smaller cells this close
_settings = {"eat_ratio": _EAT_RATIO}


def choose(observation: dict[str, Any], eat_ratio: float = _EAT_RATIO) -> list[dict[str, Any]]:
    """One steering action per own cell."""
    actions = []
    for cell in observation["cells"]:
        heading = _target_heading(cell, observation, eat_ratio)
        if heading is not None:
            actions.append({"childno": cell["childno"], "relativeangle": round(_turn(cell["angle"], heading), 2)})
    return actions


def _target_heading(cell: dict[str, Any], observation: dict[str, Any], eat_ratio: float) -> float | None:
    threat = _nearest(cell, [o for o in observation["others"]
                             if o["mass"] >= eat_ratio * cell["mass"] and _gap(cell, o) < _DANGER])
    if threat is not None:
        return _heading(threat["x"], threat["y"], cell["x"], cell["y"])        # straight away from it
    prey = _nearest(cell, [o for o in observation["others"]
                           if cell["mass"] >= eat_ratio * o["mass"] and _gap(cell, o) < _HUNT])
    if prey is not None:
        return _heading(cell["x"], cell["y"], prey["x"], prey["y"])
    food = min(observation["food"], key=lambda f: (f[0] - cell["x"]) ** 2 + (f[1] - cell["y"]) ** 2, default=None)
    return None if food is None else _heading(cell["x"], cell["y"], food[0], food[1])


def _gap(cell: dict[str, Any], other: dict[str, Any]) -> float:
    return math.hypot(other["x"] - cell["x"], other["y"] - cell["y"]) - cell["radius"] - other["radius"]


def _nearest(cell: dict[str, Any], others: list[dict[str, Any]]) -> dict[str, Any] | None:
    return min(others, key=lambda o: _gap(cell, o), default=None)


def _heading(x: float, y: float, to_x: float, to_y: float) -> float:
    return math.degrees(math.atan2(to_y - y, to_x - x)) % 360


def _turn(angle: float, heading: float) -> float:
    """The relative angle, -180..180, that turns `angle` to `heading`."""
    return (heading - angle + 180.0) % 360.0 - 180.0


def setup(hello: dict[str, Any]) -> None:
    _settings["eat_ratio"] = hello.get("map", {}).get("params", {}).get("eat_ratio", _EAT_RATIO)


def main() -> None:
    import sky  # copied next to this file in the arena; imported here so tests can load choose() alone

    sky.run(lambda observation, hello: choose(observation, _settings["eat_ratio"]), name="phoenix_greedy",
            setup=setup)


if __name__ == "__main__":
    main()
