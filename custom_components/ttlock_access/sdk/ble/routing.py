"""Reply-versus-push routing of decrypted lock frames (docs/ble.md §3.4, §5.11; docs/errata.md E10).

Every lock→app frame carries command byte ``0x54``; the decrypted payload is
``[echo][status][data…]``. A frame answers the outstanding request only if its *echo* equals
the request's command; anything else is an unsolicited push to hand to an event listener
while the request keeps its original deadline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .const import Command
from .encoding import Reader
from .errors import PayloadError
from .frame import Frame, ProtocolHeader, open_payload

STATUS_SUCCESS = 0x01
STATUS_FAILURE = 0x00
STATUS_RECORD_PUSH_LENGTH = 15
"""Data bytes of the ``0x14`` log push: battery, uid(4), recordId(4), d6 (docs/errata.md E10)."""


@dataclass(frozen=True, slots=True)
class Reply:
    """A decrypted lock payload split as ``[command][status][data]``.

    ``header`` is the header of the frame it came in (the lock's own lockVersion, §3.4).
    """

    command: int
    status: int
    data: bytes = field(repr=False)
    header: ProtocolHeader | None = None

    @property
    def ok(self) -> bool:
        """Status byte says success."""
        return self.status == STATUS_SUCCESS

    @property
    def error_code(self) -> int | None:
        """Error code of a failure reply (``data[0]``), if present."""
        return self.data[0] if self.data else None


def parse_reply(plaintext: bytes, header: ProtocolHeader | None = None) -> Reply:
    """Split a decrypted payload; raises :class:`PayloadError` if it has < 2 bytes."""
    if len(plaintext) < 2:
        raise PayloadError(f"a reply has at least 2 bytes, got {len(plaintext)}")
    return Reply(plaintext[0], plaintext[1], bytes(plaintext[2:]), header)


def is_reply_to(awaited: int, reply: Reply) -> bool:
    """Whether ``reply`` answers a request for ``awaited`` (else it is a push).

    Echo matching (docs/ble.md §3.4) plus docs/errata.md E10: while ``0x14`` is outstanding, a
    ``0x14``
    frame with exactly 15 data bytes is the operation-log push, not the status reply.
    """
    if reply.command != awaited:
        return False
    return not (
        awaited == Command.SEARCH_BICYCLE_STATUS
        and reply.ok
        and len(reply.data) == STATUS_RECORD_PUSH_LENGTH
    )


@dataclass(frozen=True, slots=True)
class LockPush:
    """An unsolicited frame from the lock (docs/ble.md §5.11).

    For echo ``0x14`` two shapes are decoded (RQB, docs/errata.md E10): 3+ data bytes
    ``[battery][state][flag]`` (``locked`` set) and 15 bytes ``[battery][uid][recordId][d6]``
    (``uid``/``record_id``/``time`` set). Other pushes keep only their raw bytes.
    """

    command: int
    status: int
    data: bytes = field(repr=False)
    battery: int | None = None
    locked: bool | None = None
    uid: int | None = None
    record_id: int | None = None
    time: datetime | None = None


def push_from_reply(reply: Reply) -> LockPush:
    """Decode the known push shapes; never raises for unknown ones."""
    if reply.command == Command.SEARCH_BICYCLE_STATUS and reply.ok:
        if len(reply.data) == STATUS_RECORD_PUSH_LENGTH:
            reader = Reader(reply.data, "0x14 record push")
            return LockPush(
                reply.command,
                reply.status,
                reply.data,
                battery=reader.u8(),
                uid=reader.u32(),
                record_id=reader.u32(),
                time=reader.d6(),
            )
        if len(reply.data) >= 2 and reply.data[1] in (0, 1):
            return LockPush(
                reply.command,
                reply.status,
                reply.data,
                battery=reply.data[0],
                locked=reply.data[1] == 0,
            )
    return LockPush(reply.command, reply.status, reply.data)


def decode_push(frame: Frame, key: bytes) -> LockPush:
    """Decrypt and decode a frame received while no request is outstanding.

    Raises :class:`~.errors.ProtocolError` subclasses only.
    """
    return push_from_reply(parse_reply(open_payload(frame, key), frame.header))
