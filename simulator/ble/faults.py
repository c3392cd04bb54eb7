"""Fault-injection knobs of a simulated lock (:attr:`SimulatedLock.faults
<simulator.ble.lock.SimulatedLock.faults>`): dropped links, bad CRCs, wrong keys, swallowed
requests, slow replies and forced error codes. The lock's link layer (:mod:`.lock`) consults
them for every request and reply."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from .protocol import Err

__all__ = ["LockFaults"]


@dataclass
class LockFaults:
    """Fault-injection knobs (counts apply to the next replies and then run out)."""

    drop_mid_frame: int = 0
    """Send only the first chunk of the next reply(s), then drop the link."""
    bad_crc: int = 0
    """Corrupt the CRC of the next reply(s) (a correct re-send follows a retransmission)."""
    wrong_key: int = 0
    """Encrypt the next reply(s) with a key the client does not hold."""
    swallow: int = 0
    """Ignore the next request(s) completely (no reply)."""
    reply_delay: float = 0.0
    """Seconds before every reply goes out (a slow lock)."""
    _fail: dict[int, deque[int]] = field(default_factory=dict, repr=False)
    _corrupt: dict[int, int] = field(default_factory=dict, repr=False)
    _drop: dict[int, int] = field(default_factory=dict, repr=False)

    def drop_reply_to(self, command: int, times: int = 1) -> None:
        """Carry out the next ``times`` requests of ``command``, then drop the link in the
        middle of the reply (the lock applied the change; the client cannot know it)."""
        self._drop[command] = self._drop.get(command, 0) + times

    def take_drop(self, command: int) -> bool:
        """Consume one planned reply drop: a general one, else one planned for ``command``."""
        if self.drop_mid_frame > 0:
            self.drop_mid_frame -= 1
            return True
        left = self._drop.get(command, 0)
        if not left:
            return False
        if left == 1:
            del self._drop[command]
        else:
            self._drop[command] = left - 1
        return True

    def corrupt_reply_to(self, command: int, times: int = 1) -> None:
        """Corrupt the CRC of the next ``times`` replies to ``command`` only."""
        self._corrupt[command] = self._corrupt.get(command, 0) + times

    def take_corruption(self, command: int) -> bool:
        """Consume one CRC corruption: a general one, else one planned for ``command``."""
        if self.bad_crc > 0:
            self.bad_crc -= 1
            return True
        left = self._corrupt.get(command, 0)
        if not left:
            return False
        if left == 1:
            del self._corrupt[command]
        else:
            self._corrupt[command] = left - 1
        return True

    def fail_next(self, command: int, code: int = Err.FAILED, times: int = 1) -> None:
        """Answer the next ``times`` requests of ``command`` with ``[cmd][00][code]``."""
        self._fail.setdefault(command, deque()).extend([code] * times)

    def take_failure(self, command: int) -> int | None:
        """Consume one planned failure for ``command``."""
        queue = self._fail.get(command)
        if not queue:
            return None
        code = queue.popleft()
        if not queue:
            del self._fail[command]
        return code

    def clear(self) -> None:
        """Remove every planned fault."""
        self.drop_mid_frame = self.bad_crc = self.wrong_key = self.swallow = 0
        self.reply_delay = 0.0
        self._fail.clear()
        self._corrupt.clear()
        self._drop.clear()
