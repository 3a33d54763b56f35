"""terra: the game interface, the registry of games and the conformance check."""
from .base import Game, Move, Observation, State

__all__ = ["Game", "Move", "Observation", "State"]
