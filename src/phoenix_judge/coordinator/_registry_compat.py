"""Temporary stand-in for phoenix_judge.terra's registry until it lands on main.

`get_game` uses the registry when it exists; otherwise it only resolves
"package.module:ClassName". Delete this module once terra exports get_game.
"""
from __future__ import annotations

import importlib
import inspect

from ..errors import ConfigError
from ..terra import Game


def get_game(name: str, *, where: str) -> Game:
    """The terra registry's get_game when it exists, else "package.module:ClassName" only."""
    try:
        registry = importlib.import_module("phoenix_judge.terra.registry")
    except ImportError:
        return _game_class(name, where)()
    return registry.get_game(name, where=where)


def _game_class(name: str, where: str) -> type[Game]:
    module_name, _, class_name = name.partition(":")
    try:
        cls = getattr(importlib.import_module(module_name), class_name, None) if class_name else None
    except ImportError as exc:
        raise ConfigError(where, f"cannot import the module of game {name!r}: {exc}",
                          "give a game as \"package.module:ClassName\"") from exc
    if not (inspect.isclass(cls) and issubclass(cls, Game)) or inspect.isabstract(cls):
        raise ConfigError(where, f"{name!r} is not a terra game class", "point at a subclass of phoenix_judge.terra.Game")
    return cls
