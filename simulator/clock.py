"""The world clock: epoch milliseconds, real time by default, frozen or shifted for tests."""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["Clock"]


class Clock:
    """Injectable world clock in epoch milliseconds.

    Real time by default. :meth:`freeze` pins it; :meth:`advance` moves it (while running it
    adds to the offset); :meth:`set_skew` shifts the server clock against real time, so a
    client sending its real ``date`` sees errcode 80000 when the skew exceeds 5 minutes.
    :meth:`on_change` listeners hear every such jump (the world sends notices that fell due).
    """

    def __init__(self, frozen_at_ms: int | None = None) -> None:
        self._frozen_ms = frozen_at_ms
        self.offset_ms = 0
        self._listeners: list[Callable[[], object]] = []

    def on_change(self, listener: Callable[[], object]) -> Callable[[], None]:
        """Call ``listener`` after :meth:`freeze`, :meth:`advance` and :meth:`set_skew`;
        returns an unsubscribe."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener()

    def now_ms(self) -> int:
        base = self._frozen_ms if self._frozen_ms is not None else time.time_ns() // 1_000_000
        return base + self.offset_ms

    @property
    def frozen(self) -> bool:
        return self._frozen_ms is not None

    def freeze(self, at_ms: int | None = None) -> None:
        """Stop the clock at ``at_ms`` (default: now, offset included)."""
        now = self.now_ms() if at_ms is None else at_ms
        self.offset_ms = 0
        self._frozen_ms = now
        self._changed()

    def unfreeze(self) -> None:
        """Run again from the current reading."""
        if self._frozen_ms is None:
            return
        current = self.now_ms()
        self._frozen_ms = None
        self.offset_ms = current - time.time_ns() // 1_000_000

    def advance(self, seconds: float) -> None:
        delta = round(seconds * 1000)
        if self._frozen_ms is not None:
            self._frozen_ms += delta
        else:
            self.offset_ms += delta
        self._changed()

    def set_skew(self, seconds: float) -> None:
        """Server clock = real time + ``seconds`` (unfreezes)."""
        self._frozen_ms = None
        self.offset_ms = round(seconds * 1000)
        self._changed()
