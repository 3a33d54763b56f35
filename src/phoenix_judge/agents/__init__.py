"""agents: the client side of the coordinator, with NetSecGame's agent API.

`BaseAgent` plays one game server; `ParallelBaseAgent` steps many at once.
"""
from ..coordinator.protocol import ActionType, GameStatus
from .base_agent import BaseAgent
from .connection import Action, AgentInfo, Connection, Observation
from .parallel_agent import ParallelBaseAgent

__all__ = ["Action", "ActionType", "AgentInfo", "BaseAgent", "Connection", "GameStatus", "Observation",
           "ParallelBaseAgent"]
