"""A bot's stderr, capped: the first bytes are kept for its debug log, the rest counted and dropped."""
from __future__ import annotations


class DebugLog:
    """Keeps the first `limit` bytes fed to it (Limits.debug_bytes); counts everything."""

    __slots__ = ("limit", "total", "_kept")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.total = 0
        self._kept = bytearray()

    def feed(self, data: bytes) -> None:
        """Add what the bot wrote next; only the part that fits under the cap is stored."""
        self.total += len(data)
        room = self.limit - len(self._kept)
        if room > 0:
            self._kept += data[:room]

    @property
    def dropped(self) -> int:
        """Bytes counted but not kept."""
        return self.total - len(self._kept)

    def data(self) -> bytes:
        """The kept bytes, exactly as the bot wrote them."""
        return bytes(self._kept)

    def text(self) -> str:
        """The kept bytes as text (undecodable bytes replaced), with a note when some were dropped."""
        text = self._kept.decode("utf-8", "replace")
        if self.dropped:
            text += f"\n[phoenix: {self.dropped} more bytes of stderr dropped ({self.total} in all)]\n"
        return text
