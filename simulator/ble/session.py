"""What one connection knows: the login handshake, pairing progress, add modes, and the
retransmission cache (``docs/ble.md`` §5.0, errata E1 and E17 of ``docs/errata.md``).
A lock keeps one :class:`Session` per link and forgets it when the link ends."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .codec import RequestAssembler
from .protocol import MASK32

__all__ = ["Enrolment", "Session"]


@dataclass
class Enrolment:
    """A fingerprint being enrolled: touches taken of the touches needed."""

    total: int
    done: int = 0


@dataclass
class Session:
    """Per-connection state; forgotten when the link ends."""

    rx: RequestAssembler = field(default_factory=RequestAssembler)
    challenge: int | None = None
    challenge_from: int | None = None
    uid: int = 0
    admin: bool = False
    user_random: bool = False
    pairing_key: bytes | None = None
    pairing: bool = False
    card_add: bool = False
    finger_add: Enrolment | None = None
    last_request: bytes | None = None
    last_reply: tuple[bytes, int, bytes] | None = None
    delayed_replies: int = 0
    held_pushes: list[bytes] = field(default_factory=list)
    after_reply: Callable[[], None] | None = None
    """Run once the reply of the request being handled has gone out (reboot, push)."""

    def sum_ok(self, proof: int, unlock_key: int | None) -> bool:
        """``proof`` = (challenge + unlockKey) mod 2**32 for this session's challenge."""
        if self.challenge is None or unlock_key is None:
            return False
        return proof == (self.challenge + unlock_key) & MASK32
