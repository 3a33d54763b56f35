"""Records: replay, move log, debug logs, error log and result summary, committed to out/."""
from .recorder import Recorder

__all__ = ["Recorder"]
