"""The gameloop: Seats, the turn loop, and the events it emits."""
from .events import Event, MatchEnded, MatchStarted, Observer, SeatFaulted, TurnPlayed, broadcaster
from .loop import TurnLoop
from .seat import Seat

__all__ = ["Event", "MatchEnded", "MatchStarted", "Observer", "Seat", "SeatFaulted", "TurnLoop", "TurnPlayed", "broadcaster"]
