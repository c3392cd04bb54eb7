"""Lock operations as sans-IO state machines (docs/architecture.md rule 2; docs/ble.md §5.0, §3.4).

An :class:`Operation` never touches a radio or a clock. The adapter drives it::

    step = op.start()
    while True:
        match step:
            case Write(chunks=chunks, timeout=t): write every chunk in order; deadline = now + t
            case Wait(push=push, timeout=t): hand ``push`` to listeners; if t: deadline = now + t
            case Done(result=result): return result
            case Failed(error=error): raise error
        # then, as notifications arrive:
        for frame in assembler.feed(notification):  # CrcError → step = op.crc_error(err)
            step = op.receive(frame)
        # or when the deadline passes: step = op.timeout()

Each operation runs its own handshake (docs/ble.md §5.0; docs/errata.md E1: CHECK_ADMIN →
CHECK_RANDOM
before every admin/settings command), matches replies on the decrypted echo byte and routes
everything else as a push (§3.4, docs/errata.md E10), and re-sends the identical frame after a reply
with a bad CRC, at most twice (docs/errata.md E17).

Internally each operation is a generator ("flow") yielding :class:`Request` / :class:`Listen`
instructions and receiving :class:`~.routing.Reply` objects; failures are thrown into it so
that optional steps can tolerate them. The public surface is the explicit state machine.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Generator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from . import commands as cmd
from .const import (
    AddStatus,
    Command,
    DeviceInfoType,
    HotelDataType,
    PassageModeOp,
    PasscodeType,
    SwitchItem,
)
from .encoding import PERMANENT_END, PERMANENT_START
from .errors import (
    CrcError,
    DecryptError,
    EmptyReplyError,
    EncodeError,
    KeyMaterialError,
    LockError,
    OperationStateError,
    PayloadError,
    ProtocolError,
    ReplyTimeoutError,
    TTLockBleError,
)
from .frame import CHUNK_SIZE, Frame, ProtocolHeader, open_payload, seal
from .keys import LockKeys
from .results import (
    ActuationResult,
    AutoLockInfo,
    Card,
    CardAddMode,
    CommandAck,
    DeviceInfo,
    Features,
    Fingerprint,
    FingerprintProgress,
    LockStatus,
    LogRecord,
    PassageModeEntry,
    Passcode,
    SoundSettings,
)
from .routing import STATUS_SUCCESS, LockPush, Reply, is_reply_to, parse_reply, push_from_reply

REPLY_TIMEOUT = 6.0
"""Seconds to wait for a reply after the last write (RQB's proven value, docs/ble.md §11)."""
ENROLMENT_TIMEOUT = 60.0
"""Seconds to wait for a card to be presented / a finger to be placed (docs/ble.md §5.6–§5.7)."""
CRC_RETRIES = 2
"""Identical re-sends after a reply with a bad CRC (N8 policy, docs/errata.md E17)."""
MAX_PAGES = 256
"""Hard cap on listing requests (docs/errata.md E6: stop on a repeated cursor and cap
iterations)."""
MAX_LOG_PAGES = 4096
"""Cap for operation-log reads: some firmware sends one record per reply (docs/ble.md §5.8)."""

type Progress = CardAddMode | FingerprintProgress


# --- steps returned to the adapter ------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Write:
    """Write ``chunks`` in order (20 bytes each), then wait up to ``timeout`` s for a frame."""

    chunks: tuple[bytes, ...] = field(repr=False)
    command: int
    timeout: float


@dataclass(frozen=True, slots=True)
class Wait:
    """Keep waiting for frames; nothing to write.

    ``push`` — an unsolicited lock frame to hand to event listeners (keep the old deadline);
    ``progress`` — enrolment progress to show the user, with a fresh ``timeout``.
    """

    timeout: float | None = None
    push: LockPush | None = None
    progress: Progress | None = None


@dataclass(frozen=True, slots=True)
class Done[T]:
    """The operation finished with ``result``."""

    result: T


@dataclass(frozen=True, slots=True)
class Failed:
    """The operation failed with a typed SDK error."""

    error: TTLockBleError


type Step[T] = Write | Wait | Done[T] | Failed


# --- instructions yielded by flows ------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Request:
    """Send ``command`` with ``payload``; the flow receives the matching successful reply."""

    command: int
    payload: bytes = field(repr=False)
    timeout: float = REPLY_TIMEOUT
    allow_empty: bool = False
    """An empty payload counts as success (``0x52`` RESET_LOCK, docs/ble.md §5.1)."""


@dataclass(frozen=True, slots=True)
class Listen:
    """Send nothing; wait for another frame echoing ``command`` (enrolment pushes)."""

    command: int
    timeout: float
    progress: Progress | None = None


type Instruction = Request | Listen
type Flow[T] = Generator[Instruction, Reply, T]


type Page[T] = tuple[int | None, list[T]]
"""One page of a list the lock sends: the next page's sequence number (None: the last
page) and the page's items."""


def _paged[T](
    command: Command, query: Callable[[int], bytes], page: Callable[[bytes], Page[T]]
) -> Flow[list[T]]:
    """Every item of a list the lock sends in pages, each reply naming the next page's
    sequence number. Stops at the last page, at a number already read (a lock that loops
    would otherwise keep the connection forever) and after ``MAX_PAGES``."""
    found: list[T] = []
    seq = 0
    seen = {seq}
    for _ in range(MAX_PAGES):
        reply = yield Request(command, query(seq))
        next_seq, items = page(reply.data)
        found.extend(items)
        if next_seq is None or next_seq in seen:
            break
        seen.add(next_seq)
        seq = next_seq
    return found


def _until_empty[T](parse: Callable[[bytes], tuple[int, list[T]]]) -> Callable[[bytes], Page[T]]:
    """Cards and fingerprints: the last page is an empty one, or names the end marker."""

    def page(data: bytes) -> Page[T]:
        next_seq, items = parse(data)
        return (None if not items or next_seq == cmd.SEQ_END else next_seq), items

    return page


def _passcode_page(data: bytes) -> Page[Passcode]:
    """Passcodes: the last page names 0 or the end marker, or the lock has none (E6)."""
    total, next_seq, codes = cmd.parse_passcode_page(data)
    done = total == 0 or next_seq is None or next_seq in (0, cmd.SEQ_END)
    return (None if done else next_seq), codes


def _passage_page(data: bytes) -> Page[PassageModeEntry]:
    next_seq, entries = cmd.parse_passage_page(data)
    return (None if next_seq == cmd.PASSAGE_END else next_seq), entries


class Operation[T](ABC):
    """Base state machine; subclasses implement :meth:`_run` as a flow."""

    def __init__(
        self, header: ProtocolHeader, key: bytes, *, crc_retries: int = CRC_RETRIES
    ) -> None:
        self.header = header
        self._key = key
        self._crc_retries = crc_retries
        self._retries_left = crc_retries
        self._flow: Flow[T] | None = None
        self._pending: Instruction | None = None
        self._last_write: Write | None = None
        self._outcome: Done[T] | Failed | None = None

    # -- public state ----------------------------------------------------------------------
    @property
    def started(self) -> bool:
        """Whether :meth:`start` was called."""
        return self._flow is not None

    @property
    def finished(self) -> bool:
        """Whether the operation reached :class:`Done` or :class:`Failed`."""
        return self._outcome is not None

    @property
    def outcome(self) -> Done[T] | Failed | None:
        """The terminal step, once finished."""
        return self._outcome

    @property
    def awaiting(self) -> int | None:
        """Command whose reply (or push) the operation waits for, if any."""
        if self._outcome is not None or self._pending is None:
            return None
        return self._pending.command

    def __repr__(self) -> str:
        """Class and state only — never key material."""
        awaiting = self.awaiting
        state = "finished" if awaiting is None else f"awaiting={awaiting:#04x}"
        return f"<{type(self).__name__} {state}>"

    # -- driving ---------------------------------------------------------------------------
    def start(self) -> Step[T]:
        """Begin: returns the first writes."""
        if self._flow is not None:
            raise OperationStateError(f"{type(self).__name__} was already started")
        self._flow = self._run()
        return self._advance(None, None)

    def receive(self, frame: Frame) -> Step[T]:
        """Feed one reassembled frame from the lock."""
        pending = self._require_running()
        try:
            plaintext = open_payload(frame, self._key)
        except DecryptError as err:
            return self._advance(None, err)
        if not plaintext:
            if isinstance(pending, Request) and pending.allow_empty:
                empty = Reply(pending.command, STATUS_SUCCESS, b"", frame.header)
                return self._advance(empty, None)
            return self._advance(None, EmptyReplyError(f"empty reply to {pending.command:#04x}"))
        try:
            reply = parse_reply(plaintext, frame.header)
        except PayloadError as err:
            return self._advance(None, err)
        if not is_reply_to(pending.command, reply):
            return Wait(push=push_from_reply(reply))
        if not reply.ok:
            return self._advance(None, LockError(reply.command, reply.error_code))
        return self._advance(reply, None)

    def crc_error(self, error: CrcError) -> Step[T]:
        """A frame failed its CRC: re-send the last request (twice at most), else fail."""
        pending = self._require_running()
        if isinstance(pending, Request) and self._last_write and self._retries_left > 0:
            self._retries_left -= 1
            return self._last_write
        return self._advance(None, error)

    def timeout(self) -> Step[T]:
        """The deadline of the last :class:`Write` / :class:`Wait` passed without an answer."""
        pending = self._require_running()
        return self._advance(None, ReplyTimeoutError(pending.command))

    # -- machinery -------------------------------------------------------------------------
    def _require_running(self) -> Instruction:
        if self._flow is None:
            raise OperationStateError(f"{type(self).__name__} was not started")
        if self._outcome is not None or self._pending is None:
            raise OperationStateError(f"{type(self).__name__} already finished")
        return self._pending

    def _finish(self, outcome: Done[T] | Failed) -> Done[T] | Failed:
        self._outcome = outcome
        self._pending = None
        return outcome

    def _advance(self, reply: Reply | None, error: TTLockBleError | None) -> Step[T]:
        flow = self._flow
        assert flow is not None
        try:
            if error is not None:
                instruction = flow.throw(error)
            elif reply is None:
                instruction = next(flow)
            else:
                instruction = flow.send(reply)
        except StopIteration as stop:
            return self._finish(Done(stop.value))
        except TTLockBleError as err:
            return self._finish(Failed(err))
        except (IndexError, ValueError, UnicodeError) as err:  # defensive: parser bug
            return self._finish(Failed(PayloadError(f"malformed reply: {err}")))
        self._pending = instruction
        if isinstance(instruction, Listen):
            return Wait(timeout=instruction.timeout, progress=instruction.progress)
        try:
            frame = seal(self.header, instruction.command, instruction.payload, self._key)
            chunks = tuple(frame.chunks(CHUNK_SIZE))
        except TTLockBleError as err:  # e.g. a payload too long for one frame
            return self._finish(Failed(err))
        write = Write(chunks, instruction.command, instruction.timeout)
        self._last_write = write
        self._retries_left = self._crc_retries
        return write

    @abstractmethod
    def _run(self) -> Flow[T]:
        """The operation's flow."""


class KeyedOperation[T](Operation[T], ABC):
    """An operation on a paired lock, with its :class:`LockKeys` and handshakes."""

    requires_admin: bool = False

    def __init__(
        self,
        keys: LockKeys,
        *,
        header: ProtocolHeader | None = None,
        crc_retries: int = CRC_RETRIES,
    ) -> None:
        super().__init__(header or keys.header, keys.aes_key, crc_retries=crc_retries)
        self.keys = keys
        if self.requires_admin and not keys.is_admin:
            raise KeyMaterialError(f"{type(self).__name__} needs adminPwd and lockKey")

    def _unlock_key(self) -> int:
        if self.keys.unlock_key is None:
            raise KeyMaterialError(f"{type(self).__name__} needs lockKey")
        return self.keys.unlock_key

    def _admin_ps(self) -> int:
        if self.keys.admin_ps is None:
            raise KeyMaterialError(f"{type(self).__name__} needs adminPwd")
        return self.keys.admin_ps

    def _user_challenge(self) -> Flow[int]:
        """CHECK_USER_TIME → psFromLock (eKey path, docs/ble.md §5.0)."""
        keys = self.keys
        payload = cmd.check_user_time(keys.start, keys.end, keys.lock_flag_pos, keys.uid)
        reply = yield Request(Command.CHECK_USER_TIME, payload)
        return cmd.parse_challenge(reply.data)

    def _admin_challenge(self) -> Flow[int]:
        """CHECK_ADMIN → psFromLock (admin path, docs/ble.md §5.0)."""
        keys = self.keys
        payload = cmd.check_admin(self._admin_ps(), keys.lock_flag_pos, keys.uid)
        reply = yield Request(Command.CHECK_ADMIN, payload)
        return cmd.parse_challenge(reply.data)

    def _login(self) -> Flow[None]:
        """CHECK_ADMIN (or CHECK_USER_TIME without admin key) → CHECK_RANDOM (docs/errata.md E1)."""
        if self.keys.is_admin:
            challenge = yield from self._admin_challenge()
        else:
            challenge = yield from self._user_challenge()
        proof = cmd.dynamic_sum(challenge, self._unlock_key())
        yield Request(Command.CHECK_RANDOM, cmd.check_random(proof))


# --- generic single-command operations --------------------------------------------------------
class SimpleCommand[T](KeyedOperation[T]):
    """One command, optionally preceded by the admin login, with a reply parser."""

    login: bool = True

    def __init__(
        self,
        keys: LockKeys,
        command: int,
        payload: bytes,
        parser: Callable[[bytes], T],
        *,
        header: ProtocolHeader | None = None,
        allow_empty: bool = False,
    ) -> None:
        super().__init__(keys, header=header)
        self._command = command
        self._payload = payload
        self._parser = parser
        self._allow_empty = allow_empty

    def _run(self) -> Flow[T]:
        if self.login:
            yield from self._login()
        request = Request(self._command, self._payload, allow_empty=self._allow_empty)
        reply = yield request
        return self._parser(reply.data)


class AdminCommand[T](SimpleCommand[T]):
    """Admin login (CHECK_ADMIN → CHECK_RANDOM), then one command (docs/errata.md E1)."""

    requires_admin = True


class PlainCommand[T](SimpleCommand[T]):
    """A command the lock answers without a handshake (docs/ble.md §5.0)."""

    login = False


# --- status and information -------------------------------------------------------------------
class Auth(StrEnum):
    """Handshake before an actuation: eKey (CHECK_USER_TIME) or admin (CHECK_ADMIN)."""

    USER = "user"
    ADMIN = "admin"


class GetStatus(PlainCommand[LockStatus]):
    """``0x14`` bolt state and battery, no handshake (docs/ble.md §5.3)."""

    def __init__(self, keys: LockKeys, *, header: ProtocolHeader | None = None) -> None:
        super().__init__(
            keys, Command.SEARCH_BICYCLE_STATUS, cmd.status_query(), cmd.parse_status, header=header
        )


class GetLockTime(PlainCommand[datetime | None]):
    """``0x34`` lock clock, no handshake (docs/ble.md §5.3)."""

    def __init__(self, keys: LockKeys, *, header: ProtocolHeader | None = None) -> None:
        super().__init__(keys, Command.GET_LOCK_TIME, b"", cmd.parse_lock_time, header=header)


class GetFeatures(SimpleCommand[Features]):
    """``0x01`` features + battery; admin login first when the admin key is held (E16)."""

    def __init__(self, keys: LockKeys, *, header: ProtocolHeader | None = None) -> None:
        super().__init__(
            keys, Command.SEARCH_DEVICE_FEATURE, b"", cmd.parse_features, header=header
        )
        self.login = keys.is_admin


class GetBattery(KeyedOperation[int]):
    """Battery level via ``0x01`` (docs/ble.md §5.0; docs/errata.md E16)."""

    def _run(self) -> Flow[int]:
        if self.keys.is_admin:
            yield from self._login()
        reply = yield Request(Command.SEARCH_DEVICE_FEATURE, b"")
        return cmd.parse_features(reply.data).battery


class GetDeviceInfo(KeyedOperation[DeviceInfo]):
    """``0x90`` model / hardware / firmware / manufacture date (admin; docs/errata.md E1, E12)."""

    requires_admin = True

    def _run(self) -> Flow[DeviceInfo]:
        yield from self._login()
        values: dict[DeviceInfoType, str | None] = {}
        for item in (
            DeviceInfoType.MODEL_NUMBER,
            DeviceInfoType.HARDWARE_REVISION,
            DeviceInfoType.FIRMWARE_REVISION,
            DeviceInfoType.MANUFACTURE_DATE,
        ):
            try:
                reply = yield Request(Command.READ_DEVICE_INFO, cmd.read_device_info(item))
            except LockError:
                values[item] = None  # e.g. 90 00 19 "unsupported parameter" (docs/errata.md E12)
                continue
            values[item] = cmd.parse_device_info(reply.data)
        return DeviceInfo(
            model=values[DeviceInfoType.MODEL_NUMBER],
            hardware_revision=values[DeviceInfoType.HARDWARE_REVISION],
            firmware_revision=values[DeviceInfoType.FIRMWARE_REVISION],
            manufacture_date=values[DeviceInfoType.MANUFACTURE_DATE],
        )


class CalibrateTime(KeyedOperation[None]):
    """``0x43`` set the lock clock to ``now`` (lock wall time) after the login (docs/errata.md
    E1)."""

    def __init__(
        self, keys: LockKeys, now: datetime, *, header: ProtocolHeader | None = None
    ) -> None:
        super().__init__(keys, header=header)
        self._payload = cmd.calibrate_time(now)

    def _run(self) -> Flow[None]:
        yield from self._login()
        yield Request(Command.TIME_CALIBRATE, self._payload)


# --- actuation --------------------------------------------------------------------------------
class _Actuate(KeyedOperation[ActuationResult]):
    command: Command = Command.UNLOCK

    def __init__(
        self,
        keys: LockKeys,
        now: datetime,
        *,
        auth: Auth = Auth.USER,
        header: ProtocolHeader | None = None,
    ) -> None:
        super().__init__(keys, header=header)
        self._auth = auth
        self._now = now
        self._unlock_key()
        if auth is Auth.ADMIN:
            self._admin_ps()

    def _body(self, proof: int) -> bytes:
        return cmd.actuation(proof, int(self._now.timestamp()))

    def _run(self) -> Flow[ActuationResult]:
        if self._auth is Auth.ADMIN:
            challenge = yield from self._admin_challenge()
        else:
            challenge = yield from self._user_challenge()
        proof = cmd.dynamic_sum(challenge, self._unlock_key())
        reply = yield Request(self.command, self._body(proof))
        return cmd.parse_actuation(reply.data)


class Unlock(_Actuate):
    """CHECK_USER_TIME (or CHECK_ADMIN) → ``0x47`` UNLOCK (docs/ble.md §5.0, §5.4).

    ``now`` gives the unix-seconds word, which the lock logs as the record id.
    """

    command = Command.UNLOCK


class Lock(_Actuate):
    """CHECK_USER_TIME (or CHECK_ADMIN) → ``0x58`` FUNCTION_LOCK (docs/ble.md §5.4)."""

    command = Command.FUNCTION_LOCK


class ActivateLiftFloors(_Actuate):
    """Lift controller: handshake → ``0x47`` with time and floor list (docs/ble.md §9.3)."""

    command = Command.UNLOCK

    def __init__(
        self,
        keys: LockKeys,
        floors: Sequence[int],
        now: datetime,
        *,
        auth: Auth = Auth.USER,
        header: ProtocolHeader | None = None,
    ) -> None:
        super().__init__(keys, now, auth=auth, header=header)
        self._floors = tuple(floors)
        cmd.lift_activation(0, 0, now, self._floors)  # validate early

    def _body(self, proof: int) -> bytes:
        return cmd.lift_activation(proof, int(self._now.timestamp()), self._now, self._floors)


# --- passcodes --------------------------------------------------------------------------------
class AddPasscode(AdminCommand[CommandAck]):
    """Add a keypad passcode (types 1/2/3; docs/ble.md §5.5, docs/errata.md E7).

    The SDK adds custom codes as type 3 (period) with the permanent window when no dates are
    given; that is the default here too.
    """

    def __init__(
        self,
        keys: LockKeys,
        code: str,
        *,
        kind: PasscodeType = PasscodeType.PERIOD,
        start: datetime | None = None,
        end: datetime | None = None,
        header: ProtocolHeader | None = None,
    ) -> None:
        payload = cmd.passcode_add(kind, code, start, end)
        super().__init__(
            keys, Command.MANAGE_KEYBOARD_PASSWORD, payload, cmd.parse_ack, header=header
        )


class ModifyPasscode(AdminCommand[CommandAck]):
    """Change a passcode's digits and/or validity window (docs/ble.md §5.5)."""

    def __init__(
        self,
        keys: LockKeys,
        old: str,
        new: str | None = None,
        *,
        kind: PasscodeType = PasscodeType.PERIOD,
        start: datetime | None = None,
        end: datetime | None = None,
        header: ProtocolHeader | None = None,
    ) -> None:
        payload = cmd.passcode_modify(kind, old, new, start, end)
        super().__init__(
            keys, Command.MANAGE_KEYBOARD_PASSWORD, payload, cmd.parse_ack, header=header
        )


class DeletePasscode(AdminCommand[CommandAck]):
    """Delete one passcode (docs/ble.md §5.5)."""

    def __init__(
        self,
        keys: LockKeys,
        code: str,
        *,
        kind: PasscodeType = PasscodeType.PERIOD,
        header: ProtocolHeader | None = None,
    ) -> None:
        payload = cmd.passcode_delete(kind, code)
        super().__init__(
            keys, Command.MANAGE_KEYBOARD_PASSWORD, payload, cmd.parse_ack, header=header
        )


class ClearPasscodes(AdminCommand[CommandAck]):
    """Delete every keypad passcode (docs/ble.md §5.5)."""

    def __init__(self, keys: LockKeys, *, header: ProtocolHeader | None = None) -> None:
        super().__init__(
            keys,
            Command.MANAGE_KEYBOARD_PASSWORD,
            cmd.passcode_clear(),
            cmd.parse_ack,
            header=header,
        )


class ListPasscodes(KeyedOperation[list[Passcode]]):
    """All keypad passcodes via ``0x07`` pages (docs/ble.md §5.5, docs/errata.md E6)."""

    requires_admin = True

    def _run(self) -> Flow[list[Passcode]]:
        yield from self._login()
        return (yield from _paged(Command.PWD_LIST, cmd.passcode_list, _passcode_page))


# --- IC cards ---------------------------------------------------------------------------------
def _window_or_permanent(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    return start or PERMANENT_START, end or PERMANENT_END


class _Enrol[T](KeyedOperation[T]):
    """Shared tail of card / fingerprint enrolment: set the window, undo on failure."""

    requires_admin = True
    command: Command = Command.IC_MANAGE

    def __init__(
        self,
        keys: LockKeys,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        timeout: float = ENROLMENT_TIMEOUT,
        header: ProtocolHeader | None = None,
    ) -> None:
        super().__init__(keys, header=header)
        self.start_at, self.end_at = _window_or_permanent(start, end)
        self._timeout = timeout

    def _set_window(self, modify: bytes, delete: bytes) -> Flow[None]:
        """Modify the new credential's window; on failure delete it again (SDK behaviour)."""
        try:
            yield Request(self.command, modify)
        except LockError:
            with suppress(LockError, ProtocolError, ReplyTimeoutError):
                yield Request(self.command, delete)
            raise


class AddCard(_Enrol[Card]):
    """Enrol a card by presenting it (docs/ble.md §5.6): add mode → push → set window.

    Yields ``Wait(progress=CardAddMode(...))`` once the lock waits for the card.
    """

    command = Command.IC_MANAGE

    def _run(self) -> Flow[Card]:
        yield from self._login()
        reply = yield Request(self.command, cmd.card_add_mode())
        while True:
            event = cmd.parse_credential_event(reply.data)
            if event.status == AddStatus.SUCCESS:
                number = cmd.decode_card_number(event.payload)
                break
            if event.status != AddStatus.ENTERED_ADD_MODE:
                raise PayloadError(f"unexpected card enrolment status {event.status}")
            progress = CardAddMode(battery=event.battery)
            reply = yield Listen(self.command, self._timeout, progress)
        yield from self._set_window(
            cmd.card_modify(number, self.start_at, self.end_at), cmd.card_delete(number)
        )
        return Card(number, self.start_at, self.end_at)


class AddFingerprint(_Enrol[Fingerprint]):
    """Enrol a fingerprint (docs/ble.md §5.7): add mode → progress pushes → id → set window.

    Yields ``Wait(progress=FingerprintProgress(...))`` for every step the lock reports.
    Template upload (status 4) is not supported and fails the operation.
    """

    command = Command.FR_MANAGE

    def _run(self) -> Flow[Fingerprint]:
        yield from self._login()
        reply = yield Request(self.command, cmd.fingerprint_add_mode())
        while True:
            event = cmd.parse_credential_event(reply.data)
            payload = event.payload
            if event.status == AddStatus.SUCCESS:
                if len(payload) < cmd.FINGERPRINT_ID_LENGTH:
                    raise PayloadError("fingerprint id shorter than 6 bytes")
                fingerprint_id = int.from_bytes(payload[: cmd.FINGERPRINT_ID_LENGTH], "big")
                break
            if event.status == AddStatus.ENTERED_ADD_MODE:
                progress = FingerprintProgress(0, payload[0] if payload else None)
            elif event.status == AddStatus.PROGRESS:
                current = payload[0] if payload else None
                total = payload[1] if len(payload) > 1 else None
                progress = FingerprintProgress(current, total)
            else:
                raise PayloadError(f"unsupported fingerprint enrolment status {event.status}")
            reply = yield Listen(self.command, self._timeout, progress)
        yield from self._set_window(
            cmd.fingerprint_modify(fingerprint_id, self.start_at, self.end_at),
            cmd.fingerprint_delete(fingerprint_id),
        )
        return Fingerprint(fingerprint_id, self.start_at, self.end_at)


class AddKnownCard(AdminCommand[CommandAck]):
    """Add a card by number without scanning ("recovery", docs/ble.md §5.6)."""

    def __init__(
        self,
        keys: LockKeys,
        number: int,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        header: ProtocolHeader | None = None,
    ) -> None:
        payload = cmd.card_add(number, start, end)
        super().__init__(keys, Command.IC_MANAGE, payload, cmd.parse_ack, header=header)


class ModifyCard(AdminCommand[CommandAck]):
    """Change a card's validity window (docs/ble.md §5.6)."""

    def __init__(
        self,
        keys: LockKeys,
        number: int,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        header: ProtocolHeader | None = None,
    ) -> None:
        payload = cmd.card_modify(number, start, end)
        super().__init__(keys, Command.IC_MANAGE, payload, cmd.parse_ack, header=header)


class DeleteCard(AdminCommand[CommandAck]):
    """Delete one card."""

    def __init__(
        self, keys: LockKeys, number: int, *, header: ProtocolHeader | None = None
    ) -> None:
        payload = cmd.card_delete(number)
        super().__init__(keys, Command.IC_MANAGE, payload, cmd.parse_ack, header=header)


class ClearCards(AdminCommand[CommandAck]):
    """Delete every card."""

    def __init__(self, keys: LockKeys, *, header: ProtocolHeader | None = None) -> None:
        super().__init__(keys, Command.IC_MANAGE, cmd.card_clear(), cmd.parse_ack, header=header)


class ListCards(KeyedOperation[list[Card]]):
    """All cards via ``[1][seq]`` pages (docs/ble.md §5.6)."""

    requires_admin = True

    def _run(self) -> Flow[list[Card]]:
        yield from self._login()
        page = _until_empty(cmd.parse_card_page)
        return (yield from _paged(Command.IC_MANAGE, cmd.card_search, page))


# --- fingerprints -----------------------------------------------------------------------------
class AddKnownFingerprint(AdminCommand[CommandAck]):
    """Add a fingerprint id with a window (docs/ble.md §5.7)."""

    def __init__(
        self,
        keys: LockKeys,
        fingerprint_id: int,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        header: ProtocolHeader | None = None,
    ) -> None:
        payload = cmd.fingerprint_add(fingerprint_id, start, end)
        super().__init__(keys, Command.FR_MANAGE, payload, cmd.parse_ack, header=header)


class ModifyFingerprint(AdminCommand[CommandAck]):
    """Change a fingerprint's validity window."""

    def __init__(
        self,
        keys: LockKeys,
        fingerprint_id: int,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        header: ProtocolHeader | None = None,
    ) -> None:
        payload = cmd.fingerprint_modify(fingerprint_id, start, end)
        super().__init__(keys, Command.FR_MANAGE, payload, cmd.parse_ack, header=header)


class DeleteFingerprint(AdminCommand[CommandAck]):
    """Delete one fingerprint."""

    def __init__(
        self, keys: LockKeys, fingerprint_id: int, *, header: ProtocolHeader | None = None
    ) -> None:
        payload = cmd.fingerprint_delete(fingerprint_id)
        super().__init__(keys, Command.FR_MANAGE, payload, cmd.parse_ack, header=header)


class ClearFingerprints(AdminCommand[CommandAck]):
    """Delete every fingerprint."""

    def __init__(self, keys: LockKeys, *, header: ProtocolHeader | None = None) -> None:
        super().__init__(
            keys, Command.FR_MANAGE, cmd.fingerprint_clear(), cmd.parse_ack, header=header
        )


class ListFingerprints(KeyedOperation[list[Fingerprint]]):
    """All fingerprints via ``[6][seq]`` pages (docs/ble.md §5.7, docs/errata.md E18)."""

    requires_admin = True

    def _run(self) -> Flow[list[Fingerprint]]:
        yield from self._login()
        page = _until_empty(cmd.parse_fingerprint_page)
        return (yield from _paged(Command.FR_MANAGE, cmd.fingerprint_search, page))


# --- operation log ----------------------------------------------------------------------------
class GetOperationLog(KeyedOperation[list[LogRecord]]):
    """Operation-log records via ``0x25`` pages, no handshake (docs/ble.md §5.8, docs/errata.md
    E11).

    ``new_only`` starts at cursor ``0xFFFF`` (records not read yet), else at 0. The cursor
    protocol alone ends the read: ``total == 0`` (``25 01 00 00``), no cursor, cursor
    ``0xFFFF`` after records, or a cursor already requested. Identical records on consecutive
    pages are kept — a lock sending one record per page logs the same wrong code typed twice
    in one second as two identical records. Only a stuck cursor (the lock answers with the
    cursor it was asked for) drops a page, and only one that repeats the previous page (RQB's
    echo guard, narrowed to the case it protects against); a cursor that goes back to one
    already read ends the read after its page.
    """

    def __init__(
        self,
        keys: LockKeys,
        *,
        new_only: bool = True,
        max_pages: int = MAX_LOG_PAGES,
        header: ProtocolHeader | None = None,
    ) -> None:
        super().__init__(keys, header=header)
        self._seq = cmd.LOG_NEW_RECORDS if new_only else 0
        self._max_pages = max_pages

    def _run(self) -> Flow[list[LogRecord]]:
        found: list[LogRecord] = []
        seq = self._seq
        seen = {seq}
        previous: tuple[LogRecord, ...] | None = None
        for _ in range(self._max_pages):
            reply = yield Request(Command.GET_OPERATE_LOG, cmd.operation_log(seq))
            page = cmd.parse_log_page(reply.data)
            if page.total == 0 or page.next_seq is None:
                break
            stuck = page.next_seq == seq  # the cursor did not move
            if not (stuck and page.records == previous):
                found.extend(page.records)
            if page.next_seq in seen or page.next_seq == cmd.LOG_NEW_RECORDS:
                break
            previous = page.records
            seen.add(page.next_seq)
            seq = page.next_seq
        return found


# --- settings ---------------------------------------------------------------------------------
class GetAutoLock(AdminCommand[AutoLockInfo]):
    """``0x36`` query: current seconds and allowed range (docs/ble.md §5.9, docs/errata.md E8)."""

    def __init__(self, keys: LockKeys, *, header: ProtocolHeader | None = None) -> None:
        super().__init__(
            keys,
            Command.AUTO_LOCK_MANAGE,
            cmd.setting_query(),
            cmd.parse_auto_lock,
            header=header,
        )


class SetAutoLock(AdminCommand[CommandAck]):
    """``0x36`` set: seconds, 0 = off (docs/ble.md §5.9)."""

    def __init__(
        self, keys: LockKeys, seconds: int, *, header: ProtocolHeader | None = None
    ) -> None:
        super().__init__(
            keys,
            Command.AUTO_LOCK_MANAGE,
            cmd.auto_lock_set(seconds),
            cmd.parse_ack,
            header=header,
        )


class GetLockSound(AdminCommand[SoundSettings]):
    """``0x62`` query (docs/ble.md §5.2; admin-gated per docs/errata.md E1)."""

    def __init__(self, keys: LockKeys, *, header: ProtocolHeader | None = None) -> None:
        super().__init__(
            keys, Command.AUDIO_MANAGE, cmd.setting_query(), cmd.parse_audio, header=header
        )


class SetLockSound(AdminCommand[CommandAck]):
    """``0x62`` set: on/off, optionally with volume 1–5 (docs/ble.md §5.2)."""

    def __init__(
        self,
        keys: LockKeys,
        enabled: bool,
        *,
        volume: int | None = None,
        header: ProtocolHeader | None = None,
    ) -> None:
        super().__init__(
            keys,
            Command.AUDIO_MANAGE,
            cmd.audio_set(enabled, volume),
            cmd.parse_ack,
            header=header,
        )


def _setting_enabled(data: bytes) -> bool:
    return cmd.parse_setting(data).value == 1


class GetRemoteUnlock(AdminCommand[bool]):
    """``0x37`` query: whether remote (gateway) unlock is allowed (docs/ble.md §5.2)."""

    def __init__(self, keys: LockKeys, *, header: ProtocolHeader | None = None) -> None:
        super().__init__(
            keys,
            Command.CONTROL_REMOTE_UNLOCK,
            cmd.setting_query(),
            _setting_enabled,
            header=header,
        )


class SetRemoteUnlock(AdminCommand[CommandAck]):
    """``0x37`` set."""

    def __init__(
        self, keys: LockKeys, enabled: bool, *, header: ProtocolHeader | None = None
    ) -> None:
        super().__init__(
            keys,
            Command.CONTROL_REMOTE_UNLOCK,
            cmd.remote_unlock_set(enabled),
            cmd.parse_ack,
            header=header,
        )


class GetSwitches(AdminCommand[tuple[int, int]]):
    """``0x68`` query: (the switch items the lock has, their bits) (docs/ble.md §5.3)."""

    def __init__(self, keys: LockKeys, *, header: ProtocolHeader | None = None) -> None:
        super().__init__(
            keys, Command.SWITCH, cmd.setting_query(), cmd.parse_switch_state, header=header
        )


class SetSwitch(AdminCommand[CommandAck]):
    """``0x68`` set of one switch item on or off (tamper alert, reset button, privacy lock,
    opening direction, passage-mode auto-unlock …; docs/ble.md §5.3)."""

    def __init__(
        self, keys: LockKeys, item: SwitchItem, on: bool, *, header: ProtocolHeader | None = None
    ) -> None:
        super().__init__(
            keys,
            Command.SWITCH,
            cmd.switch_state_set(item, item if on else 0),
            cmd.parse_ack,
            header=header,
        )


class GetPassageMode(KeyedOperation[list[PassageModeEntry]]):
    """All passage-mode windows via ``0x66`` pages (docs/ble.md §5.9)."""

    requires_admin = True

    def _run(self) -> Flow[list[PassageModeEntry]]:
        yield from self._login()
        command = Command.CONFIGURE_PASSAGE_MODE
        return (yield from _paged(command, cmd.passage_mode_query, _passage_page))


class _PassageModeBatch(KeyedOperation[CommandAck]):
    requires_admin = True
    operation: PassageModeOp = PassageModeOp.ADD

    def __init__(
        self,
        keys: LockKeys,
        entries: Sequence[PassageModeEntry],
        *,
        header: ProtocolHeader | None = None,
    ) -> None:
        super().__init__(keys, header=header)
        if not entries:
            raise EncodeError("no passage-mode entries given")
        self._payloads = [cmd.passage_mode_entry(self.operation, entry) for entry in entries]

    def _run(self) -> Flow[CommandAck]:
        yield from self._login()
        ack = CommandAck()
        for payload in self._payloads:
            reply = yield Request(Command.CONFIGURE_PASSAGE_MODE, payload)
            ack = cmd.parse_ack(reply.data)
        return ack


class AddPassageMode(_PassageModeBatch):
    """Add passage-mode windows, one ``0x66`` add per entry (the SDK sends one per weekday)."""

    operation = PassageModeOp.ADD


class DeletePassageMode(_PassageModeBatch):
    """Delete passage-mode windows, one ``0x66`` delete per entry."""

    operation = PassageModeOp.DELETE


class ClearPassageMode(AdminCommand[CommandAck]):
    """Delete every passage-mode window."""

    def __init__(self, keys: LockKeys, *, header: ProtocolHeader | None = None) -> None:
        super().__init__(
            keys,
            Command.CONFIGURE_PASSAGE_MODE,
            cmd.passage_mode_clear(),
            cmd.parse_ack,
            header=header,
        )


class FactoryReset(AdminCommand[CommandAck]):
    """Admin login → ``0x52`` RESET_LOCK; an empty reply means success (docs/ble.md §5.1)."""

    def __init__(self, keys: LockKeys, *, header: ProtocolHeader | None = None) -> None:
        super().__init__(
            keys, Command.RESET_LOCK, b"", cmd.parse_ack, header=header, allow_empty=True
        )


class GetHotelData(AdminCommand[tuple[int, bytes]]):
    """``0x64`` get of one hotel parameter → (type, raw value) (docs/ble.md §9.3)."""

    def __init__(
        self,
        keys: LockKeys,
        kind: HotelDataType | int,
        *,
        header: ProtocolHeader | None = None,
    ) -> None:
        super().__init__(
            keys,
            Command.CONFIGURE_HOTEL_DATA,
            cmd.hotel_data_get(kind),
            cmd.parse_hotel_data,
            header=header,
        )


class SetHotelData(AdminCommand[CommandAck]):
    """``0x64`` set of one hotel / lift / power-saver parameter (docs/ble.md §9.3).

    Build ``value`` with the ``commands.hotel_value_*`` helpers.
    """

    def __init__(
        self,
        keys: LockKeys,
        kind: HotelDataType | int,
        value: bytes,
        *,
        header: ProtocolHeader | None = None,
    ) -> None:
        super().__init__(
            keys,
            Command.CONFIGURE_HOTEL_DATA,
            cmd.hotel_data_set(kind, value),
            cmd.parse_ack,
            header=header,
        )
