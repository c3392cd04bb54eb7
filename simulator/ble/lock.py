"""``SimulatedLock``: a TTLock V3 lock as a BLE peripheral, written from the lock's side.

Specification: ``docs/ble.md`` (§ below), corrected by
``docs/errata.md`` (E…), whose column "accept" this lock follows: it is liberal in what
it accepts, so the real peer clients of errata §2 complete their operations against it.
The command semantics are written here independently of the integration's client
(DESIGN rule 5); the frame codec is :mod:`simulator.ble.codec`.

What the lock does
------------------
* GATT (§2): service ``1910`` with write ``FFF2`` (write and write-without-response) and
  notify ``FFF4``; plus Generic Access, Battery (``2A19``, readable: RQB reads it after
  subscribing) and Device Information. Writes are reassembled by declared length and CRLF
  (§2.1); replies and pushes go out as 20-byte notifications, each frame ending CRLF (E9).
* Advertisement (§1.1): manufacturer data keyed ``0x0305`` (bytes ``05 03``) carrying scene,
  params (0x01 unlocked, 0x02 unread records, 0x04 setting mode, 0x08 touched, 0x10 dormant
  per E5 — off by default), battery 0–100 (E15), four zero bytes and the reversed MAC; local
  name ``<model>_<last three MAC octets reversed>`` (§1.2); service ``1910`` (configurable).
  Re-published on every state change.
* Sessions (§5.0, E1): ``0x55`` CHECK_USER_TIME (window compared as raw 5-byte tuples, so
  RQB's BCD dates pass; lockFlagPos from bytes 10–12; E4) or ``0x41`` CHECK_ADMIN give a
  challenge; ``0x30`` CHECK_RANDOM with ``(ps + unlockKey) mod 2**32`` logs the admin in for
  the rest of the connection; ``0x47``/``0x58`` check the same sum. Admin commands without a
  login get ``[cmd][00][12]`` (:attr:`SimulatedLock.not_logged_in_code`); ``0x43`` accepts the
  admin login or CHECK_USER_TIME → CHECK_RANDOM; ``0x01``/``0x14``/``0x25``/``0x34`` need
  nothing (E16). :attr:`SimulatedLock.lenient_auth` lets RQB 0.1.11's bare settings through.
* Header (E2): type 5 / version 3 enforced; any scene/group/org accepted unless
  :attr:`SimulatedLock.strict_scene`; replies carry the lock's own header (default scene 2).
* Pairing (§5.1) of a factory-fresh lock: ``0x45`` (version in the reply header), ``0x19``
  (vendor ``SCIENER``/``IGKXPIG`` under the default key → fresh AES key, reply frame command
  ``0x19``; outside setting mode an empty reply), ``0x56`` ADD_ADMIN, then every init query,
  ``0x53``/``0x65`` admin keypad code, ``0x31`` INIT_PASSWORDS (stored), ``0x90``, and ``0x57``
  which commits: setting mode ends only then; a link lost before ``0x57`` reverts to factory
  state. ``0x52`` (admin) factory-resets and reboots (drops the link after the reply).
* Data: keypad passcodes ``0x03``/``0x07`` (one record per reply, nextSeq 0 on the last, ``07
  01 00 00`` when empty — E6; adds parsed by remaining length — E7), IC cards ``0x05`` (add
  mode + card push after :meth:`SimulatedLock.present_card`), fingerprints ``0x06`` (add mode,
  progress pushes after each :meth:`SimulatedLock.place_finger`, success push with a 6-byte
  id; list per E18), operation log ``0x25`` (E11), auto-lock ``0x36`` (E8), passage mode
  ``0x66``, sound ``0x62``, remote-unlock switch ``0x37``, switches ``0x68``, device info
  ``0x90`` (E12), hotel data ``0x64`` and lift floor activation (``0x47`` with floors, §9.3).
* One memory with the cloud: :meth:`SimulatedLock.from_world` makes ``passcodes`` /
  ``cards`` / ``fingerprints`` views of the world lock's memory and sets
  :attr:`SimulatedLock.access_rules`, so the keypad and readers decide with the world's rules
  (STAND-IN offline and erase codes included) while this lock still logs, moves the bolt and
  pushes (:mod:`.world_link`). A ``0x03`` delete of a code the table lacks asks the rules
  (an offline code is then refused from now on).
* Retransmission (E17): a byte-identical repeat of the previous request gets the previous
  reply again without re-running it (not for the pure reads ``0x14``/``0x34``).
* Pushes (§5.11): a ``0x14`` state push ``[battery][state][0]`` (encrypt ``0x00``) when the
  keypad, a card or a finger opens the lock during a connection; never while a ``0x14``
  request is unanswered (E10).

Fault knobs: :attr:`SimulatedLock.faults` (:class:`LockFaults`) and
:meth:`~simulator.ble.peripheral.Peripheral.set_in_range`.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum
from typing import Any, Protocol

from .codec import (
    DEFAULT_AES_KEY,
    ENCRYPT_APP,
    ENCRYPT_PUSH,
    RESPONSE_COMMAND,
    CodecError,
    Header,
    IncomingFrame,
    RequestAssembler,
    aes_decrypt,
    aes_encrypt,
    build_frame,
    chunks,
    parse_frame,
)
from .peripheral import Advertisement, CharSpec, Peripheral, ServiceSpec, uuid16

__all__ = [
    "BATTERY_LEVEL_UUID",
    "NOTIFY_UUID",
    "SERVICE_UUID",
    "V3_COMPANY_ID",
    "WRITE_UUID",
    "AccessDecision",
    "AccessRules",
    "Err",
    "EventKind",
    "LockFaults",
    "LogKind",
    "OperationRecord",
    "PassageWindow",
    "SimLockEvent",
    "SimulatedLock",
    "StoredCredential",
    "StoredPasscode",
]

SERVICE_UUID = uuid16(0x1910)
WRITE_UUID = uuid16(0xFFF2)
NOTIFY_UUID = uuid16(0xFFF4)
BATTERY_LEVEL_UUID = uuid16(0x2A19)
V3_COMPANY_ID = 0x0305
"""Manufacturer-data key of a V3 lock: the protocol bytes ``05 03`` read little-endian."""

_MASK32 = 0xFFFFFFFF
_SUCCESS = 0x01
_FAILURE = 0x00
_VENDORS = (b"SCIENER", b"IGKXPIG")
PERMANENT_START = bytes((0, 1, 31, 14, 0))
"""``00 01 1f 0e 00``: start of the SDK's "permanent" window (§5.0)."""
PERMANENT_END = bytes((99, 11, 30, 14, 0))
"""``63 0b 1e 0e 00``."""
FP_SENTINEL_START = bytes((0, 1, 1, 0, 0))
"""Fingerprint "never set" start date seen on hardware (E18)."""
FP_SENTINEL_END = bytes((99, 1, 1, 0, 0))
_LOG_CAPACITY = 500
"""A lock keeps 500 records and overwrites the oldest (cloud-and-peers §2.7)."""
_MAX_ENTERED_DIGITS = 16
_MAX_PLAINTEXT = 239
"""Largest plaintext whose ciphertext still fits one frame (≤ 255 bytes)."""


class Cmd(IntEnum):
    """Command codes the lock answers (§5.2)."""

    SEARCH_DEVICE_FEATURE = 0x01
    MANAGE_KEYBOARD_PASSWORD = 0x03
    IC_MANAGE = 0x05
    FR_MANAGE = 0x06
    PWD_LIST = 0x07
    SEARCH_BICYCLE_STATUS = 0x14
    GET_AES_KEY = 0x19
    GET_OPERATE_LOG = 0x25
    CHECK_RANDOM = 0x30
    INIT_PASSWORDS = 0x31
    GET_LOCK_TIME = 0x34
    AUTO_LOCK_MANAGE = 0x36
    CONTROL_REMOTE_UNLOCK = 0x37
    CHECK_ADMIN = 0x41
    TIME_CALIBRATE = 0x43
    INITIALIZATION = 0x45
    UNLOCK = 0x47
    RESET_LOCK = 0x52
    SET_ADMIN_KEYBOARD_PWD = 0x53
    CHECK_USER_TIME = 0x55
    ADD_ADMIN = 0x56
    OPERATE_FINISHED = 0x57
    FUNCTION_LOCK = 0x58
    AUDIO_MANAGE = 0x62
    CONFIGURE_HOTEL_DATA = 0x64
    GET_ADMIN_CODE = 0x65
    CONFIGURE_PASSAGE_MODE = 0x66
    SWITCH = 0x68
    READ_DEVICE_INFO = 0x90


class Err(IntEnum):
    """Error codes the lock puts in ``[cmd][00][code]`` (§6; which code for which failure
    is mostly undocumented, so these choices are ours and listed in one place)."""

    CRC_ERROR = 0x01
    WRONG_ADMIN_PASSWORD = 0x03
    IN_SETTING_MODE = 0x05
    NO_ADMIN = 0x06
    NOT_IN_SETTING_MODE = 0x07
    INVALID_DYNAMIC_CODE = 0x08
    EKEY_FLAG_TOO_LOW = 0x0D
    EKEY_EXPIRED = 0x0E
    INVALID_PASSCODE_LENGTH = 0x0F
    EKEY_NOT_YET_VALID = 0x11
    NOT_LOGGED_IN = 0x12
    FAILED = 0x13
    PASSCODE_EXISTS = 0x14
    PASSCODE_NOT_FOUND = 0x15
    OUT_OF_MEMORY = 0x16
    BAD_PARAMETER_LENGTH = 0x17
    IC_CARD_NOT_FOUND = 0x18
    UNSUPPORTED_PARAMETER = 0x19
    FINGERPRINT_NOT_FOUND = 0x1A
    INVALID_COMMAND = 0x1B
    INVALID_VENDOR = 0x1D
    RECORD_NOT_FOUND = 0x1F
    INVALID_PARAMETER = 0x20


class LogKind(IntEnum):
    """Operation-log record types the lock writes (lock-side numbering, §5.8)."""

    APP_UNLOCK = 1
    PASSCODE_UNLOCK = 4
    WRONG_PASSCODE = 7
    ERASE_CODE_USED = 10
    PASSCODE_NOT_VALID_NOW = 11
    """§5.8 "passcode expired"; also not yet valid, used up, voided by an erase code."""
    PASSCODE_BLACKLISTED = 13
    REBOOT = 14
    IC_ADDED = 15
    IC_CLEARED = 16
    IC_UNLOCK = 17
    IC_DELETED = 18
    FINGERPRINT_UNLOCK = 20
    FINGERPRINT_ADDED = 21
    FINGERPRINT_FAILED = 22
    FINGERPRINT_DELETED = 23
    FINGERPRINTS_CLEARED = 24
    IC_FAILED = 25
    BLE_LOCK = 26


class EventKind(StrEnum):
    """What :class:`SimLockEvent` reports."""

    STATE = "state"
    BATTERY = "battery"
    RECORD = "record"
    PAIRED = "paired"
    RESET = "reset"
    SETTINGS = "settings"
    LIFT = "lift"


# --- small value types ---------------------------------------------------------------------
def _d5(moment: datetime) -> bytes:
    return bytes((moment.year % 100, moment.month, moment.day, moment.hour, moment.minute))


def _d6(moment: datetime) -> bytes:
    return _d5(moment) + bytes((moment.second,))


def _parse_d6(raw: bytes) -> datetime | None:
    if len(raw) < 6:
        return None
    try:
        return datetime(2000 + raw[0], raw[1], raw[2], raw[3], raw[4], raw[5])
    except ValueError:
        return None


def _u16(value: int) -> bytes:
    return (value & 0xFFFF).to_bytes(2, "big")


def _u32(value: int) -> bytes:
    return (value & _MASK32).to_bytes(4, "big")


def _card_bytes(number: int) -> bytes:
    return number.to_bytes(4 if number <= _MASK32 else 8, "big")


def _card_number(raw: bytes) -> int | None:
    if len(raw) == 8 and raw[4:] == b"\xff\xff\xff\xff":
        raw = raw[:4]
    if len(raw) not in (4, 8):
        return None
    return int.from_bytes(raw, "big")


def _in_window(now5: bytes, start: bytes, end: bytes | None) -> bool:
    """Raw 5-byte tuples compared lexicographically, no calendar check (errata E4)."""
    return start <= now5 and (end is None or now5 <= end)


@dataclass(slots=True)
class StoredPasscode:
    """A keypad passcode as the lock keeps it (raw d5 windows are echoed as received)."""

    kind: int
    code: str = field(repr=False)
    original: str = field(repr=False)
    start: bytes = PERMANENT_START
    end: bytes | None = None
    cycle: bytes | None = None


@dataclass(slots=True)
class StoredCredential:
    """Validity window of a card or fingerprint."""

    start: bytes = PERMANENT_START
    end: bytes = PERMANENT_END


@dataclass(frozen=True, slots=True)
class PassageWindow:
    """One passage-mode entry (§5.9): weekly (type 1, weekday 1–7, 0 = every day) or monthly."""

    kind: int
    week_or_day: int
    month: int
    start_minute: int
    end_minute: int

    def encode(self) -> bytes:
        """The seven wire bytes."""
        sh, sm = divmod(self.start_minute, 60)
        eh, em = divmod(self.end_minute, 60)
        return bytes((self.kind, self.week_or_day, self.month, sh, sm, eh, em))

    @classmethod
    def decode(cls, raw: bytes) -> PassageWindow:
        """From seven wire bytes."""
        kind, day, month, sh, sm, eh, em = raw[:7]
        return cls(kind, day, month, sh * 60 + sm, eh * 60 + em)

    def active(self, now: datetime) -> bool:
        """Whether ``now`` falls in this window (00:00–00:00 = all day)."""
        if self.kind == 1:
            day_ok = self.week_or_day in (0, now.isoweekday())
        elif self.kind == 2:
            day_ok = self.week_or_day == now.day
        else:
            return False
        minute = now.hour * 60 + now.minute
        all_day = self.start_minute == self.end_minute == 0
        return day_ok and (all_day or self.start_minute <= minute < self.end_minute)


@dataclass(frozen=True, slots=True)
class OperationRecord:
    """One operation-log record: ``[type][d6][battery][tail]`` (§5.8)."""

    kind: int
    time: datetime
    battery: int
    tail: bytes = field(default=b"", repr=False)
    uid: int | None = None
    record_id: int | None = None
    code: str | None = field(default=None, repr=False)
    entered: str | None = field(default=None, repr=False)
    card: int | None = None
    fingerprint: int | None = None

    def encode(self) -> bytes:
        """``[len][type][d6][battery][tail]``; len counts everything after itself."""
        body = bytes((self.kind,)) + _d6(self.time) + bytes((self.battery,)) + self.tail
        return bytes((len(body),)) + body


@dataclass(frozen=True, slots=True)
class SimLockEvent:
    """Something happened on the lock (for the world adapter and tests)."""

    kind: EventKind
    lock: SimulatedLock
    record: OperationRecord | None = None


@dataclass(frozen=True, slots=True)
class AccessDecision:
    """What the keypad or a reader does with one attempt (see :class:`AccessRules`)."""

    opens: bool
    kind: int
    """Operation-log record type to write (§5.8: 4, 7, 10, 11, 13; 17/25; 20/22)."""
    code: str | None = field(default=None, repr=False)
    """Keypad: the stored code the attempt matched (record tail ``len‖code‖len‖entered``)."""


class AccessRules(Protocol):
    """Rules a lock asks instead of its own tables (:attr:`SimulatedLock.access_rules`).

    A lock linked to the simulated cloud (:mod:`.world_link`) keeps its credentials in the
    world lock's memory, whose keypad also knows the STAND-IN offline codes and erase codes;
    the lock still writes the log record, moves the bolt and pushes its state itself.
    """

    def keypad(self, entered: str) -> AccessDecision:
        """Digits typed on the keypad (non-digits already removed, never empty)."""
        ...

    def card(self, number: int) -> AccessDecision:
        """A card held to the reader outside card add mode."""
        ...

    def fingerprint(self, number: int) -> AccessDecision:
        """A finger on the sensor outside enrolment."""
        ...

    def forget_code(self, code: str) -> bool:
        """``0x03`` delete of a code the table does not hold (an offline code): True when
        the lock now refuses it."""
        ...


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


@dataclass
class _Enrolment:
    total: int
    done: int = 0


@dataclass
class _Session:
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
    finger_add: _Enrolment | None = None
    last_request: bytes | None = None
    last_reply: tuple[bytes, int, bytes] | None = None
    delayed_replies: int = 0
    held_pushes: list[bytes] = field(default_factory=list)
    after_reply: Callable[[], None] | None = None
    """Run once the reply of the request being handled has gone out (reboot, push)."""


_NO_AUTH = frozenset(
    {
        Cmd.SEARCH_DEVICE_FEATURE,
        Cmd.SEARCH_BICYCLE_STATUS,
        Cmd.GET_OPERATE_LOG,
        Cmd.GET_LOCK_TIME,
        Cmd.INITIALIZATION,
        Cmd.GET_AES_KEY,
        Cmd.CHECK_USER_TIME,
        Cmd.CHECK_ADMIN,
        Cmd.CHECK_RANDOM,
        Cmd.ADD_ADMIN,
        Cmd.OPERATE_FINISHED,
        Cmd.UNLOCK,
        Cmd.FUNCTION_LOCK,
    }
)
"""Commands with their own checks (handshakes, challenge sums) or none at all."""
_NOT_CACHED = frozenset({Cmd.SEARCH_BICYCLE_STATUS, Cmd.GET_LOCK_TIME})
"""Pure reads: a repeat is re-run rather than answered from the retransmission cache."""
_SWITCH_FEATURES = {28: 0x01, 29: 0x02, 30: 0x04, 36: 0x10, 46: 0x20}
"""Feature bit → ``0x68`` switch item bit (§5.3)."""


class SimulatedLock(Peripheral):
    """A TTLock V3 lock (or lift controller) on the simulated air.

    Build a paired lock with its key material, or :meth:`factory_fresh` for pairing tests,
    or :meth:`from_world` for one sharing state with the simulated cloud. Secrets are
    attributes (``aes_key``, ``admin_ps``, ``unlock_key``, ``admin_code``): tests need them;
    ``repr`` hides them.
    """

    def __init__(
        self,
        mac: str,
        *,
        aes_key: bytes | None,
        admin_ps: int | None,
        unlock_key: int | None,
        admin_code: str | None = None,
        lock_flag_pos: int = 0,
        model_prefix: str = "S31",
        local_name: str | None = None,
        header: Header | None = None,
        features: Iterable[int] = (0, 1, 2, 4, 7, 8, 14, 15, 18, 22, 28, 29, 30),
        battery: int = 90,
        locked: bool = True,
        model: str = "SN9161-FPC_PV53",
        hardware_revision: str = "1.7",
        firmware_revision: str = "5.1.0.200320",
        factory_date: str = "20241108",
        auto_lock_seconds: int = 0,
        sound_on: bool = True,
        volume: int = 3,
        remote_unlock: bool = True,
        lift_floors: Iterable[int] = (),
        clock: Callable[[], datetime] | None = None,
        seed: int | str | None = None,
        rssi: int = -60,
    ) -> None:
        header = header or Header()
        suffix = "".join(reversed(mac.upper().split(":")[3:])).lower()
        super().__init__(
            mac,
            self._gatt(model, hardware_revision, firmware_revision, battery),
            local_name=local_name or f"{model_prefix}_{suffix}",
            rssi=rssi,
        )
        self.mac_bytes = bytes.fromhex(self.address.replace(":", ""))
        self.header = header
        self.features = frozenset(features)
        self.model = model
        self.hardware_revision = hardware_revision
        self.firmware_revision = firmware_revision
        self.factory_date = factory_date
        self._rng = random.Random(seed if seed is not None else self.address)
        self._clock = clock
        self._clock_offset = timedelta()
        self.faults = LockFaults()
        self.idle_timeout_s: float | None = 20.0
        """The lock drops a link this long after the last write (``docs/ble.md`` §5.11: real locks
        idle out within seconds); None keeps links forever."""
        self._idle_writes = 0
        # behaviour switches (errata "accept" column)
        self.strict_scene = False
        """Reject frames whose scene differs from the lock's own (E2; off by default)."""
        self.lenient_auth = False
        """Accept admin commands without the CHECK_ADMIN login (RQB 0.1.11; E1)."""
        self.not_logged_in_code: int = Err.NOT_LOGGED_IN
        """Code of the reply to an admin command without login (real code unknown, E1)."""
        self.advertise_service_uuid = True
        self.dormant = False
        """Advertise params bit 0x10 with 0x01 cleared (E5; off by default)."""
        self.touched = False
        self.push_events = True
        """Push a ``0x14`` state frame when the keypad/card/finger opens during a link."""
        self.push_status_after_actuation = False
        """Also push one right after a BLE unlock/lock reply (§5.4 "may")."""
        self.log_records_per_page = 1
        self.log_auto_lock = False
        self.capacity_passcodes = 150
        self.capacity_cards = 200
        self.capacity_fingerprints = 100
        self.fingerprint_touches = 4
        self.auto_lock_limits = (1, 900)
        """(min, max) seconds for ``0x36`` sets (E8; 0 = off is always allowed)."""
        self._event_listeners: list[Callable[[SimLockEvent], None]] = []
        self.tick_hooks: list[Callable[[], None]] = []
        """Called at the end of :meth:`tick` (the world adapter syncs from the cloud here)."""
        self.world_link: Any = None
        """The :class:`~simulator.ble.world_link.WorldLink` when built by :meth:`from_world`."""
        self.access_rules: AccessRules | None = None
        """Who decides keypad, card and finger attempts; None: the lock's own tables below."""
        # persistent lock state
        self.aes_key = aes_key
        self.admin_ps = admin_ps
        self.unlock_key = unlock_key
        self.admin_code = admin_code
        self.lock_flag_pos = lock_flag_pos
        self.setting_mode = aes_key is None or admin_ps is None
        self.battery = max(0, min(100, battery))
        self.locked = locked
        self.unlocked_at: datetime | None = None
        self.auto_lock_seconds = auto_lock_seconds
        self.sound_on = sound_on
        self.volume = volume
        self.remote_unlock = remote_unlock
        self.switch_value = 0x03
        self.door_sensor_auto_lock = 0
        # credential tables (plain dicts; a world-linked lock gets views of the world's memory)
        self.passcodes: MutableMapping[str, StoredPasscode] = {}
        self.cards: MutableMapping[int, StoredCredential] = {}
        self.fingerprints: MutableMapping[int, StoredCredential] = {}
        self.passage_windows: list[PassageWindow] = []
        self.hotel_data: dict[int, bytes] = {}
        self.lift_floors = set(lift_floors)
        self.lift_activations: list[tuple[int, ...]] = []
        self.password_table: bytes | None = None
        """The 61-byte ``0x31`` INIT_PASSWORDS payload last received (§8.1)."""
        self.log: list[OperationRecord] = []
        self.log_read_pointer = 0
        self._session = _Session()

    def __repr__(self) -> str:
        """Address and state only — no key material."""
        return (
            f"<SimulatedLock {self.address} {self.local_name!r} "
            f"{'setting-mode' if self.setting_mode else 'paired'} "
            f"{'locked' if self.locked else 'unlocked'} battery={self.battery}>"
        )

    # --- construction helpers ---------------------------------------------------------------
    @classmethod
    def factory_fresh(cls, mac: str, **kwargs: Any) -> SimulatedLock:
        """A lock out of the box: setting mode, no key, no admin (pairing demo/tests)."""
        return cls(mac, aes_key=None, admin_ps=None, unlock_key=None, **kwargs)

    @classmethod
    def lift_controller(
        cls, mac: str, *, floors: Iterable[int] = range(1, 11), **kwargs: Any
    ) -> SimulatedLock:
        """A TTHotel lift controller (scene 12, hotel + IC features, §1.1, §9.3)."""
        kwargs.setdefault("header", Header(scene=12))
        kwargs.setdefault("features", (1, 10, 19))
        kwargs.setdefault("model_prefix", "TTLift")
        kwargs.setdefault("model", "LC-16_PV10")
        return cls(mac, lift_floors=floors, **kwargs)

    @classmethod
    def from_world(cls, world: Any, lock_id: int, **kwargs: Any) -> SimulatedLock:
        """A lock built from, and writing back to, a simulated-cloud world lock.

        See :mod:`simulator.ble.world_link` (the one module that couples the two).
        """
        from .world_link import WorldLink  # the coupling stays optional

        return WorldLink(world, lock_id, **kwargs).lock

    @staticmethod
    def _gatt(model: str, hardware: str, firmware: str, battery: int) -> list[ServiceSpec]:
        """GATT table of ``docs/ble.md`` §2 (the Nordic DFU service is left out)."""
        return [
            ServiceSpec(
                uuid16(0x1800),
                [
                    CharSpec(uuid16(0x2A00), ("read",), model.encode()),
                    CharSpec(uuid16(0x2A01), ("read",), b"\x00\x00"),
                ],
            ),
            ServiceSpec(uuid16(0x1801), [CharSpec(uuid16(0x2A05), ("indicate",))]),
            ServiceSpec(
                SERVICE_UUID,
                [
                    CharSpec(NOTIFY_UUID, ("notify",)),
                    CharSpec(WRITE_UUID, ("write", "write-without-response")),
                ],
            ),
            ServiceSpec(
                uuid16(0x180F),
                [CharSpec(BATTERY_LEVEL_UUID, ("read", "notify"), bytes((battery,)))],
            ),
            ServiceSpec(
                uuid16(0x180A),
                [
                    CharSpec(uuid16(0x2A29), ("read",), b"TTLock"),
                    CharSpec(uuid16(0x2A24), ("read",), model.encode()),
                    CharSpec(uuid16(0x2A27), ("read",), hardware.encode()),
                    CharSpec(uuid16(0x2A26), ("read",), firmware.encode()),
                ],
            ),
        ]

    # --- listeners, clock, state ------------------------------------------------------------
    def add_listener(self, listener: Callable[[SimLockEvent], None]) -> Callable[[], None]:
        """Subscribe to :class:`SimLockEvent`; returns an unsubscribe callable."""
        self._event_listeners.append(listener)

        def _remove() -> None:
            if listener in self._event_listeners:
                self._event_listeners.remove(listener)

        return _remove

    def _emit(self, kind: EventKind, record: OperationRecord | None = None) -> None:
        event = SimLockEvent(kind, self, record)
        for listener in list(self._event_listeners):
            listener(event)

    def now(self) -> datetime:
        """The lock's wall clock (naive local time, second resolution)."""
        base = self._clock() if self._clock is not None else datetime.now()
        return base.replace(microsecond=0, tzinfo=None) + self._clock_offset

    def set_clock(self, moment: datetime) -> None:
        """Set the RTC (what ``0x43`` does)."""
        base = self._clock() if self._clock is not None else datetime.now()
        self._clock_offset = moment.replace(microsecond=0, tzinfo=None) - base.replace(
            microsecond=0, tzinfo=None
        )

    def set_battery(self, percent: int) -> None:
        """Battery level 0–100 (advertised, and in most replies)."""
        value = max(0, min(100, percent))
        if value == self.battery:
            return
        self.battery = value
        battery_char = self.characteristic(BATTERY_LEVEL_UUID)
        if battery_char is not None:
            battery_char.value = bytes((value,))
        self._emit(EventKind.BATTERY)
        self.advertisement_changed()

    def set_locked(self, locked: bool) -> None:
        """Move the bolt (no log record: use the credential methods for logged opens)."""
        if locked == self.locked:
            return
        self.locked = locked
        self.unlocked_at = None if locked else self.now()
        self._emit(EventKind.STATE)
        self.advertisement_changed()

    @property
    def has_unread_records(self) -> bool:
        """Records not yet fetched with cursor ``0xFFFF`` (advertised as 0x02)."""
        return self.log_read_pointer < len(self.log)

    def passage_mode_active(self) -> bool:
        """Whether a passage-mode window covers the lock's current time."""
        now = self.now()
        return any(window.active(now) for window in self.passage_windows)

    def tick(self) -> None:
        """Apply a due auto-lock (auto-lock is evaluated lazily, never logged by default)."""
        if (
            not self.locked
            and self.auto_lock_seconds > 0
            and self.unlocked_at is not None
            and not self.passage_mode_active()
            and self.now() - self.unlocked_at >= timedelta(seconds=self.auto_lock_seconds)
        ):
            self.set_locked(True)
        for hook in list(self.tick_hooks):
            hook()

    def log_remote_record(self, kind: int, *, uid: int = 0, record_id: int = 0) -> None:
        """Log an operation that reached the lock another way (e.g. type 28, gateway unlock)."""
        self._add_record(kind, _u32(uid) + _u32(record_id), uid=uid, record_id=record_id)

    # --- advertisement (§1.1) ----------------------------------------------------------------
    @property
    def params(self) -> int:
        """The advertised params bit-field."""
        value = 0
        if not self.locked:
            value |= 0x01
        if self.has_unread_records:
            value |= 0x02
        if self.setting_mode:
            value |= 0x04
        if self.touched:
            value |= 0x08
        if self.dormant:
            value = (value & ~0x01) | 0x10
        return value

    def manufacturer_payload(self) -> bytes:
        """Raw manufacturer bytes ``05 03 scene params battery 00000000 MAC-reversed``."""
        head = bytes((self.header.protocol_type, self.header.protocol_version, self.header.scene))
        return head + bytes((self.params, self.battery, 0, 0, 0, 0)) + self.mac_bytes[::-1]

    def advertisement(self) -> Advertisement:
        """What scanners hear (manufacturer key = the first two protocol bytes, LE)."""
        raw = self.manufacturer_payload()
        company = int.from_bytes(raw[:2], "little")
        services = (SERVICE_UUID,) if self.advertise_service_uuid else ()
        return Advertisement(
            local_name=self.local_name,
            manufacturer_data={company: raw[2:]},
            service_uuids=services,
            rssi=self.rssi,
        )

    # --- the link --------------------------------------------------------------------------
    def on_connect(self) -> None:
        """A fresh session for the new link."""
        self._session = _Session()
        self._arm_idle()

    def _arm_idle(self) -> None:
        """Drop the link ``idle_timeout_s`` after the last write (a connection nobody uses,
        e.g. one whose central gave up mid-connect, does not block the lock forever)."""
        if self.idle_timeout_s is None:
            return
        self._idle_writes += 1
        mark = self._idle_writes

        def _idle() -> None:
            if mark == self._idle_writes:
                self.drop_link()

        self.call_on_link(_idle, delay=self.idle_timeout_s)

    def on_disconnect(self) -> None:
        """End the session; an unfinished pairing reverts the lock to factory state."""
        session = self._session
        self._session = _Session()
        if session.pairing and self.setting_mode:
            self._factory_state()

    def handle_read(self, uuid: str) -> bytes:
        """Readable characteristics (battery reflects the live level)."""
        if uuid.lower() == BATTERY_LEVEL_UUID:
            return bytes((self.battery,))
        return super().handle_read(uuid)

    def handle_write(self, uuid: str, data: bytes, *, response: bool) -> None:
        """Collect ``FFF2`` writes into frames and process each complete one."""
        if uuid.lower() != WRITE_UUID:
            return
        self._arm_idle()
        for raw in self._session.rx.feed(data):
            self._process(raw)

    # --- sending ---------------------------------------------------------------------------
    def _session_key(self) -> bytes:
        session = self._session
        return session.pairing_key or self.aes_key or DEFAULT_AES_KEY

    def _send_reply(
        self,
        plaintext: bytes,
        *,
        frame_command: int = RESPONSE_COMMAND,
        key: bytes | None = None,
        remember: bytes | None = None,
    ) -> None:
        key = key or self._session_key()
        session = self._session
        after, session.after_reply = session.after_reply, None
        if remember is not None:
            session.last_request = remember
            session.last_reply = (plaintext, frame_command, key)
        faults = self.faults
        if faults.wrong_key:
            faults.wrong_key -= 1
            key = bytes(byte ^ 0x5A for byte in key)
        corrupt = faults.take_corruption(plaintext[0] if plaintext else frame_command)
        wire = build_frame(
            self.header,
            frame_command,
            ENCRYPT_APP,
            aes_encrypt(key, plaintext),
            corrupt_crc=corrupt,
        )
        drop = faults.take_drop(plaintext[0] if plaintext else frame_command)
        self._transmit(wire, delay=faults.reply_delay, drop_mid_frame=drop, after=after)

    def _transmit(
        self,
        wire: bytes,
        *,
        delay: float,
        drop_mid_frame: bool,
        after: Callable[[], None] | None = None,
    ) -> None:
        parts = chunks(wire)
        if drop_mid_frame:
            parts = [parts[0][: max(1, min(len(parts[0]), len(wire) // 2))]]
        session = self._session

        def _send() -> None:
            for part in parts:
                self.notify(NOTIFY_UUID, part)
            if drop_mid_frame:
                self.call_on_link(self.drop_link)
                return
            if after is not None:
                self.call_on_link(after)
            if delay > 0:
                session.delayed_replies -= 1
                if session.delayed_replies == 0:
                    held, session.held_pushes = session.held_pushes, []
                    for push in held:
                        self._transmit(push, delay=0.0, drop_mid_frame=False)

        if delay > 0:
            session.delayed_replies += 1
            self.call_on_link(_send, delay=delay)
        else:
            _send()

    def _push(self, plaintext: bytes) -> None:
        """An unsolicited frame (encrypt byte 0x00), held while a reply is pending (E10)."""
        if not self.connected or self.aes_key is None:
            return
        wire = build_frame(
            self.header, RESPONSE_COMMAND, ENCRYPT_PUSH, aes_encrypt(self.aes_key, plaintext)
        )
        if self._session.delayed_replies:
            self._session.held_pushes.append(wire)
        else:
            self._transmit(wire, delay=0.0, drop_mid_frame=False)

    def _push_state(self) -> None:
        if self.push_events:
            state = 0 if self.locked else 1
            self._push(bytes((Cmd.SEARCH_BICYCLE_STATUS, _SUCCESS, self.battery, state, 0)))

    # --- request processing ----------------------------------------------------------------
    def _process(self, raw: bytes) -> None:
        try:
            frame = parse_frame(raw)
        except CodecError:
            return
        session = self._session
        if not frame.crc_ok:
            self._send_reply(bytes((frame.command, _FAILURE, Err.CRC_ERROR)))
            return
        if self.faults.swallow:
            self.faults.swallow -= 1
            return
        if (
            raw == session.last_request
            and session.last_reply is not None
            and frame.command not in _NOT_CACHED
        ):
            plaintext, frame_command, key = session.last_reply
            self._send_reply(plaintext, frame_command=frame_command, key=key)
            return
        command = frame.command
        if (
            frame.header.protocol_type != 5
            or frame.header.protocol_version != 3
            or (self.strict_scene and frame.header.scene != self.header.scene)
        ):
            self._fail(command, Err.FAILED, raw)
            return
        key = DEFAULT_AES_KEY if command == Cmd.GET_AES_KEY else self._session_key()
        try:
            plaintext = aes_decrypt(key, frame.data)
        except CodecError:
            self._fail(command, Err.FAILED, raw)
            return
        forced = self.faults.take_failure(command)
        if forced is not None:
            self._fail(command, forced, raw)
            return
        self._dispatch(frame, plaintext, raw)

    def _ok(self, command: int, data: bytes = b"", raw: bytes | None = None) -> None:
        self._send_reply(bytes((command, _SUCCESS)) + data, remember=raw)

    def _fail(self, command: int, code: int, raw: bytes | None = None) -> None:
        self._send_reply(bytes((command, _FAILURE, code)), remember=raw)

    def _dispatch(self, frame: IncomingFrame, payload: bytes, raw: bytes) -> None:
        command = frame.command
        handler = self._handlers().get(command)
        if handler is None:
            self._fail(command, Err.INVALID_COMMAND, raw)
            return
        session = self._session
        if (
            self.setting_mode
            and not session.pairing
            and command
            not in (
                Cmd.INITIALIZATION,
                Cmd.GET_AES_KEY,
                Cmd.ADD_ADMIN,
                Cmd.SEARCH_BICYCLE_STATUS,
                Cmd.SEARCH_DEVICE_FEATURE,
                Cmd.GET_LOCK_TIME,
                Cmd.OPERATE_FINISHED,
            )
        ):
            self._fail(command, Err.NO_ADMIN, raw)
            return
        if command not in _NO_AUTH:
            allowed = session.admin or self.lenient_auth
            if command == Cmd.TIME_CALIBRATE:
                allowed = allowed or session.user_random
            if not allowed:
                self._fail(command, self.not_logged_in_code, raw)
                return
        try:
            result = handler(payload)
        except (IndexError, ValueError):
            result = (_FAILURE, bytes((Err.INVALID_PARAMETER,)))
        if result is None:
            return
        status, data = result
        if status == _SUCCESS:
            self._ok(command, data, raw)
        else:
            self._fail(command, data[0] if data else Err.FAILED, raw)

    def _handlers(self) -> dict[int, Callable[[bytes], tuple[int, bytes] | None]]:
        return {
            Cmd.SEARCH_DEVICE_FEATURE: self._cmd_features,
            Cmd.SEARCH_BICYCLE_STATUS: self._cmd_status,
            Cmd.GET_LOCK_TIME: self._cmd_get_time,
            Cmd.TIME_CALIBRATE: self._cmd_calibrate,
            Cmd.INITIALIZATION: self._cmd_init,
            Cmd.GET_AES_KEY: self._cmd_get_aes_key,
            Cmd.ADD_ADMIN: self._cmd_add_admin,
            Cmd.OPERATE_FINISHED: self._cmd_finished,
            Cmd.CHECK_USER_TIME: self._cmd_check_user_time,
            Cmd.CHECK_ADMIN: self._cmd_check_admin,
            Cmd.CHECK_RANDOM: self._cmd_check_random,
            Cmd.UNLOCK: self._cmd_unlock,
            Cmd.FUNCTION_LOCK: self._cmd_lock,
            Cmd.GET_OPERATE_LOG: self._cmd_operate_log,
            Cmd.MANAGE_KEYBOARD_PASSWORD: self._cmd_passcode,
            Cmd.PWD_LIST: self._cmd_passcode_list,
            Cmd.IC_MANAGE: self._cmd_card,
            Cmd.FR_MANAGE: self._cmd_fingerprint,
            Cmd.AUTO_LOCK_MANAGE: self._cmd_auto_lock,
            Cmd.CONTROL_REMOTE_UNLOCK: self._cmd_remote_unlock,
            Cmd.AUDIO_MANAGE: self._cmd_audio,
            Cmd.SWITCH: self._cmd_switch,
            Cmd.GET_ADMIN_CODE: self._cmd_get_admin_code,
            Cmd.SET_ADMIN_KEYBOARD_PWD: self._cmd_set_admin_code,
            Cmd.INIT_PASSWORDS: self._cmd_init_passwords,
            Cmd.READ_DEVICE_INFO: self._cmd_device_info,
            Cmd.CONFIGURE_HOTEL_DATA: self._cmd_hotel,
            Cmd.CONFIGURE_PASSAGE_MODE: self._cmd_passage,
            Cmd.RESET_LOCK: self._cmd_reset,
        }

    @staticmethod
    def _error(code: int) -> tuple[int, bytes]:
        return _FAILURE, bytes((code,))

    # --- information ----------------------------------------------------------------------
    def _cmd_features(self, _payload: bytes) -> tuple[int, bytes]:
        value = sum(1 << bit for bit in self.features)
        words = max(1, (max(self.features, default=0) // 32) + 1)
        data = b"".join(_u32(value >> (32 * index)) for index in range(words))
        return _SUCCESS, bytes((self.battery,)) + data

    def _cmd_status(self, _payload: bytes) -> tuple[int, bytes]:
        self.tick()
        return _SUCCESS, bytes((self.battery, 0 if self.locked else 1, 0))

    def _cmd_get_time(self, _payload: bytes) -> tuple[int, bytes]:
        return _SUCCESS, _d6(self.now())

    def _cmd_calibrate(self, payload: bytes) -> tuple[int, bytes]:
        moment = _parse_d6(payload)
        if moment is None:
            return self._error(Err.INVALID_PARAMETER)
        self.set_clock(moment)
        return _SUCCESS, b""

    def _cmd_device_info(self, payload: bytes) -> tuple[int, bytes]:
        item = payload[0] if payload else 0
        texts = {
            1: self.model,
            2: self.hardware_revision,
            3: self.firmware_revision,
            4: self.factory_date,
        }
        if item in texts:
            return _SUCCESS, texts[item].encode("ascii") + b"\x00"
        if item == 5:
            return _SUCCESS, self.mac_bytes[::-1]
        if item == 6:
            return _SUCCESS, _d6(self.now())
        return self._error(Err.UNSUPPORTED_PARAMETER)  # errata E12: 90 00 19

    # --- pairing (§5.1) ---------------------------------------------------------------------
    def _cmd_init(self, _payload: bytes) -> tuple[int, bytes]:
        return _SUCCESS, b""

    def _cmd_get_aes_key(self, payload: bytes) -> None:
        session = self._session
        if not self.setting_mode:
            # docs/ble.md §5.1: outside setting mode the reply carries no decryptable data.
            self._send_reply(b"", frame_command=Cmd.GET_AES_KEY, key=DEFAULT_AES_KEY)
            return
        if payload[:7] not in _VENDORS:
            self._send_reply(
                bytes((Cmd.GET_AES_KEY, _FAILURE, Err.INVALID_VENDOR)),
                frame_command=Cmd.GET_AES_KEY,
                key=DEFAULT_AES_KEY,
            )
            return
        key = bytes(self._rng.randrange(256) for _ in range(16))
        self._send_reply(
            bytes((Cmd.GET_AES_KEY, _SUCCESS)) + key,
            frame_command=Cmd.GET_AES_KEY,
            key=DEFAULT_AES_KEY,
        )
        session.pairing_key = key

    def _cmd_add_admin(self, payload: bytes) -> tuple[int, bytes]:
        session = self._session
        if not self.setting_mode:
            return self._error(Err.NOT_IN_SETTING_MODE)
        if session.pairing_key is None or len(payload) < 8:
            return self._error(Err.FAILED)
        self.aes_key = session.pairing_key
        self.admin_ps = int.from_bytes(payload[0:4], "big")
        self.unlock_key = int.from_bytes(payload[4:8], "big")
        self.lock_flag_pos = 0
        session.pairing_key = None
        session.pairing = True
        session.admin = True
        return _SUCCESS, b"SCIENER"

    def _cmd_finished(self, _payload: bytes) -> tuple[int, bytes]:
        session = self._session
        if session.pairing:
            session.pairing = False
            self.setting_mode = False
            self._emit(EventKind.PAIRED)
            self.advertisement_changed()
        return _SUCCESS, b""

    def _cmd_reset(self, _payload: bytes) -> tuple[int, bytes]:
        def _reboot() -> None:
            self.drop_link()
            self._factory_state()

        self._session.after_reply = _reboot
        return _SUCCESS, b""

    def _factory_state(self) -> None:
        """Forget keys, admin, credentials, records and settings (factory reset)."""
        self.aes_key = None
        self.admin_ps = None
        self.unlock_key = None
        self.admin_code = None
        self.lock_flag_pos = 0
        self.setting_mode = True
        self.passcodes.clear()
        self.cards.clear()
        self.fingerprints.clear()
        self.passage_windows.clear()
        self.hotel_data.clear()
        self.password_table = None
        self.log.clear()
        self.log_read_pointer = 0
        self.auto_lock_seconds = 0
        self._emit(EventKind.RESET)
        self.advertisement_changed()

    def _cmd_set_admin_code(self, payload: bytes) -> tuple[int, bytes]:
        if not 4 <= len(payload) <= 9 or any(digit > 9 for digit in payload):
            return self._error(Err.INVALID_PASSCODE_LENGTH)
        code = "".join(str(digit) for digit in payload)
        if code in self.passcodes:
            return self._error(Err.PASSCODE_EXISTS)
        self.admin_code = code
        return _SUCCESS, bytes((self.battery,))

    def _cmd_get_admin_code(self, _payload: bytes) -> tuple[int, bytes]:
        if 18 not in self.features:
            return self._error(Err.INVALID_COMMAND)
        code = (self.admin_code or "").encode("ascii")
        return _SUCCESS, bytes((self.battery, len(code))) + code

    def _cmd_init_passwords(self, payload: bytes) -> tuple[int, bytes]:
        if len(payload) != 61:
            return self._error(Err.BAD_PARAMETER_LENGTH)
        self.password_table = bytes(payload)
        return _SUCCESS, bytes((self.battery,))

    # --- handshakes (§5.0, E1, E4) ------------------------------------------------------------
    def _new_challenge(self, source: int, uid: int) -> tuple[int, bytes]:
        session = self._session
        ps = self._rng.getrandbits(32)
        session.challenge = ps
        session.challenge_from = source
        session.uid = uid
        return _SUCCESS, _u32(ps)

    def _cmd_check_user_time(self, payload: bytes) -> tuple[int, bytes]:
        if self.unlock_key is None:
            return self._error(Err.NO_ADMIN)
        if len(payload) < 13:
            return self._error(Err.BAD_PARAMETER_LENGTH)
        start, end = payload[0:5], payload[5:10]
        flag = int.from_bytes(payload[10:13], "big")
        uid = int.from_bytes(payload[13:17], "big") if len(payload) >= 17 else 0
        if flag < self.lock_flag_pos:
            return self._error(Err.EKEY_FLAG_TOO_LOW)
        now5 = _d5(self.now())
        if now5 < start:
            return self._error(Err.EKEY_NOT_YET_VALID)
        if now5 > end:
            return self._error(Err.EKEY_EXPIRED)
        return self._new_challenge(Cmd.CHECK_USER_TIME, uid)

    def _cmd_check_admin(self, payload: bytes) -> tuple[int, bytes]:
        if self.admin_ps is None:
            return self._error(Err.NO_ADMIN)
        if len(payload) < 4:
            return self._error(Err.BAD_PARAMETER_LENGTH)
        if int.from_bytes(payload[0:4], "big") != self.admin_ps:
            return self._error(Err.WRONG_ADMIN_PASSWORD)
        flag = int.from_bytes(payload[4:7], "big") if len(payload) >= 7 else 0
        if flag < self.lock_flag_pos:
            return self._error(Err.EKEY_FLAG_TOO_LOW)
        uid = int.from_bytes(payload[7:11], "big") if len(payload) >= 11 else 0
        return self._new_challenge(Cmd.CHECK_ADMIN, uid)

    def _sum_ok(self, proof: int) -> bool:
        session = self._session
        if session.challenge is None or self.unlock_key is None:
            return False
        return proof == (session.challenge + self.unlock_key) & _MASK32

    def _cmd_check_random(self, payload: bytes) -> tuple[int, bytes]:
        session = self._session
        if len(payload) < 4:
            return self._error(Err.BAD_PARAMETER_LENGTH)
        if session.challenge is None:
            return self._error(Err.NOT_LOGGED_IN)
        if not self._sum_ok(int.from_bytes(payload[0:4], "big")):
            return self._error(Err.INVALID_DYNAMIC_CODE)
        if session.challenge_from == Cmd.CHECK_ADMIN:
            session.admin = True
        else:
            session.user_random = True
        return _SUCCESS, b""

    # --- actuation (§5.4, §9.3) ------------------------------------------------------------
    def _actuate(self, command: int, payload: bytes) -> tuple[int, bytes]:
        session = self._session
        if len(payload) < 8:
            return self._error(Err.BAD_PARAMETER_LENGTH)
        if session.challenge is None:
            return self._error(Err.NOT_LOGGED_IN)
        if not self._sum_ok(int.from_bytes(payload[0:4], "big")):
            return self._error(Err.INVALID_DYNAMIC_CODE)
        session.challenge = None
        record_id = int.from_bytes(payload[4:8], "big")
        floors: tuple[int, ...] = ()
        if command == Cmd.UNLOCK and len(payload) > 14:
            count = payload[14]
            floors = tuple(payload[15 : 15 + count])
            if len(floors) != count or (self.lift_floors and not set(floors) <= self.lift_floors):
                return self._error(Err.INVALID_PARAMETER)
        now = self.now()
        if floors:
            self.lift_activations.append(floors)
            self._emit(EventKind.LIFT)
        if command == Cmd.UNLOCK:
            kind = LogKind.APP_UNLOCK
            self.set_locked(False)
        else:
            kind = LogKind.BLE_LOCK
            self.set_locked(True)
        self._add_record(
            kind,
            _u32(session.uid) + _u32(record_id),
            uid=session.uid,
            record_id=record_id,
        )
        if self.push_status_after_actuation:
            session.after_reply = self._push_state
        data = bytes((self.battery,)) + _u32(session.uid) + _u32(record_id) + _d6(now)
        return _SUCCESS, data

    def _cmd_unlock(self, payload: bytes) -> tuple[int, bytes]:
        return self._actuate(Cmd.UNLOCK, payload)

    def _cmd_lock(self, payload: bytes) -> tuple[int, bytes]:
        return self._actuate(Cmd.FUNCTION_LOCK, payload)

    # --- operation log (§5.8, E11) -----------------------------------------------------------
    def _add_record(self, kind: int, tail: bytes = b"", **fields: Any) -> OperationRecord:
        record = OperationRecord(kind, self.now(), self.battery, tail, **fields)
        self.log.append(record)
        if len(self.log) > _LOG_CAPACITY:
            del self.log[0]
            self.log_read_pointer = max(0, self.log_read_pointer - 1)
        self._emit(EventKind.RECORD, record)
        self.advertisement_changed()
        return record

    def _cmd_operate_log(self, payload: bytes) -> tuple[int, bytes]:
        seq = int.from_bytes(payload[0:2], "big") if len(payload) >= 2 else 0xFFFF
        position = self.log_read_pointer if seq == 0xFFFF else seq
        area = b""
        index = position
        while index < len(self.log) and index - position < max(1, self.log_records_per_page):
            encoded = self.log[index].encode()
            if area and 6 + len(area) + len(encoded) > _MAX_PLAINTEXT:
                break
            area += encoded
            index += 1
        if not area:
            return _SUCCESS, b"\x00\x00"
        if index > self.log_read_pointer:
            self.log_read_pointer = index
            self.advertisement_changed()
        return _SUCCESS, _u16(len(area)) + _u16(index) + area

    # --- keypad passcodes (§5.5, E6, E7) ------------------------------------------------------
    def _cmd_passcode(self, payload: bytes) -> tuple[int, bytes]:
        op = payload[0]
        handlers: dict[int, Callable[[bytes], tuple[int, bytes]]] = {
            1: self._passcode_clear,
            2: self._passcode_add,
            3: self._passcode_delete,
            5: self._passcode_modify,
            6: self._passcode_recover,
        }
        handler = handlers.get(op)
        if handler is None:
            return self._error(Err.INVALID_PARAMETER)
        status, data = handler(payload[1:])
        if status == _SUCCESS:
            self._emit(EventKind.SETTINGS)
            return _SUCCESS, bytes((self.battery, op))
        return status, data

    @staticmethod
    def _code(raw: bytes) -> str | None:
        text = raw.decode("ascii", errors="replace")
        return text if text.isdigit() and 4 <= len(text) <= 9 else None

    def _passcode_clear(self, _body: bytes) -> tuple[int, bytes]:
        self.passcodes.clear()
        return _SUCCESS, b""

    def _passcode_add(self, body: bytes) -> tuple[int, bytes]:
        kind, length = body[0], body[1]
        code = self._code(body[2 : 2 + length])
        rest = body[2 + length :]
        if kind not in (1, 2, 3, 4):
            return self._error(Err.INVALID_PARAMETER)
        if code is None:
            return self._error(Err.INVALID_PASSCODE_LENGTH)
        if code in self.passcodes or code == self.admin_code:
            return self._error(Err.PASSCODE_EXISTS)
        if len(self.passcodes) >= self.capacity_passcodes:
            return self._error(Err.OUT_OF_MEMORY)
        start = rest[0:5] if len(rest) >= 5 else PERMANENT_START
        end: bytes | None = rest[5:10] if len(rest) >= 10 else None
        if end == bytes(5):  # KJS pads permanent adds with five zero bytes
            end = None
        cycle = b"\x04\x00" if kind == 4 else None
        self.passcodes[code] = StoredPasscode(kind, code, code, start, end, cycle)
        return _SUCCESS, b""

    def _passcode_delete(self, body: bytes) -> tuple[int, bytes]:
        length = body[1]
        code = self._code(body[2 : 2 + length])
        if code is not None and code not in self.passcodes:
            rules = self.access_rules
            if rules is not None and rules.forget_code(code):  # an offline code: refused now
                return _SUCCESS, b""
        if code is None or code not in self.passcodes:
            return self._error(Err.PASSCODE_NOT_FOUND)
        del self.passcodes[code]
        return _SUCCESS, b""

    def _passcode_modify(self, body: bytes) -> tuple[int, bytes]:
        old_length = body[1]
        old = self._code(body[2 : 2 + old_length])
        rest = body[2 + old_length :]
        new_length = rest[0]
        new_raw = rest[1 : 1 + new_length]
        window = rest[1 + new_length :]
        if old is None or old not in self.passcodes:
            return self._error(Err.PASSCODE_NOT_FOUND)
        new = old
        if new_length:
            checked = self._code(new_raw)
            if checked is None:
                return self._error(Err.INVALID_PASSCODE_LENGTH)
            if checked != old and (checked in self.passcodes or checked == self.admin_code):
                return self._error(Err.PASSCODE_EXISTS)
            new = checked
        entry = self.passcodes.pop(old)
        entry.code = new
        if len(window) >= 10:
            entry.start, entry.end = window[0:5], window[5:10]
        self.passcodes[new] = entry
        return _SUCCESS, b""

    def _passcode_recover(self, body: bytes) -> tuple[int, bytes]:
        kind, first_length = body[0], body[1]
        original = self._code(body[2 : 2 + first_length])
        rest = body[2 + first_length :]
        current = self._code(rest[1 : 1 + rest[0]])
        window = rest[1 + rest[0] :]
        if original is None or current is None:
            return self._error(Err.INVALID_PASSCODE_LENGTH)
        if len(self.passcodes) >= self.capacity_passcodes:
            return self._error(Err.OUT_OF_MEMORY)
        start = window[0:5] if len(window) >= 5 else PERMANENT_START
        end = window[5:10] if kind in (2, 3) and len(window) >= 10 else None
        cycle = window[5:7] if kind == 4 and len(window) >= 7 else None
        self.passcodes[current] = StoredPasscode(kind, current, original, start, end, cycle)
        return _SUCCESS, b""

    def _cmd_passcode_list(self, payload: bytes) -> tuple[int, bytes]:
        index = int.from_bytes(payload[0:2], "big") if len(payload) >= 2 else 0
        entries = list(self.passcodes.values())
        if index >= len(entries):
            return _SUCCESS, b"\x00\x00"  # errata E6: 07 01 00 00
        entry = entries[index]
        following = index + 1 if index + 1 < len(entries) else 0
        code, original = entry.code.encode(), entry.original.encode()
        body = bytes((entry.kind, len(code))) + code + bytes((len(original),)) + original
        body += entry.start
        if entry.kind in (2, 3):
            body += entry.end or PERMANENT_END
        elif entry.kind == 4:
            body += entry.cycle or b"\x04\x00"
        return _SUCCESS, _u16(len(entries)) + _u16(following) + bytes((len(body),)) + body

    def enter_code(self, digits: str) -> bool:
        """Type ``digits`` on the keypad; True when the lock opens.

        TTLock's anti-peep rule: extra digits before or after a valid code (up to 16 digits in
        all) still open. One-time codes (type 2) are used up. Logged as type 4 / type 7.
        """
        entered = "".join(ch for ch in digits if ch.isdigit())
        if self.setting_mode or not entered:
            return False
        if self.access_rules is not None:
            return self._apply_keypad(entered, self.access_rules.keypad(entered))
        now5 = _d5(self.now())
        match: str | None = None
        if len(entered) <= _MAX_ENTERED_DIGITS:
            candidates = [self.admin_code] if self.admin_code else []
            candidates += [
                entry.code
                for entry in self.passcodes.values()
                if _in_window(now5, entry.start, entry.end)
            ]
            found = [code for code in candidates if code and code in entered]
            match = max(found, key=len) if found else None
        if match is None:
            self._add_record(
                LogKind.WRONG_PASSCODE, bytes((len(entered),)) + entered.encode(), entered=entered
            )
            return False
        entry = self.passcodes.get(match)
        if entry is not None and entry.kind == 2:
            del self.passcodes[match]
        self.set_locked(False)
        self._add_record(
            LogKind.PASSCODE_UNLOCK,
            bytes((len(match),)) + match.encode() + bytes((len(entered),)) + entered.encode(),
            code=match,
            entered=entered,
        )
        self._push_state()
        return True

    def _apply_keypad(self, entered: str, decision: AccessDecision) -> bool:
        """Record (and act on) a keypad attempt that :attr:`access_rules` decided."""
        code = decision.code
        tail = bytes((len(entered),)) + entered.encode()
        if code is not None:
            tail = bytes((len(code),)) + code.encode() + tail
        if decision.opens:
            self.set_locked(False)
        self._add_record(decision.kind, tail, code=code, entered=entered)
        if decision.opens:
            self._push_state()
        return decision.opens

    def _apply_reader(self, decision: AccessDecision, raw: bytes, **fields: Any) -> bool:
        """Record (and act on) a card / finger attempt that :attr:`access_rules` decided."""
        if decision.opens:
            self.set_locked(False)
        self._add_record(decision.kind, raw, **fields)
        if decision.opens:
            self._push_state()
        return decision.opens

    # --- IC cards (§5.6) ----------------------------------------------------------------------
    def _cmd_card(self, payload: bytes) -> tuple[int, bytes] | None:
        op = payload[0]
        battery = bytes((self.battery,))
        if op == 1:
            index = int.from_bytes(payload[1:3], "big") if len(payload) >= 3 else 0
            items = list(self.cards.items())
            if index >= len(items):
                return _SUCCESS, battery + b"\x01\xff\xff"
            number, window = items[index]
            following = index + 1 if index + 1 < len(items) else 0xFFFF
            record = _card_bytes(number) + window.start + window.end
            return _SUCCESS, battery + b"\x01" + _u16(following) + record
        if op == 2 and len(payload) == 1:
            self._session.card_add = True
            return _SUCCESS, battery + b"\x02\x02"
        if op in (2, 5):
            card = _card_number(payload[1:-10])
            if card is None or len(payload) < 15:
                return self._error(Err.INVALID_PARAMETER)
            window = StoredCredential(payload[-10:-5], payload[-5:])
            if op == 5 and card not in self.cards:
                return self._error(Err.IC_CARD_NOT_FOUND)
            if op == 2 and card not in self.cards:
                if len(self.cards) >= self.capacity_cards:
                    return self._error(Err.OUT_OF_MEMORY)
                self._add_record(LogKind.IC_ADDED, _card_bytes(card), card=card)
            self.cards[card] = window
        elif op == 3:
            gone = _card_number(payload[1:])
            if gone is None or gone not in self.cards:
                return self._error(Err.IC_CARD_NOT_FOUND)
            del self.cards[gone]
            self._add_record(LogKind.IC_DELETED, _card_bytes(gone), card=gone)
        elif op == 4:
            self.cards.clear()
            self._add_record(LogKind.IC_CLEARED)
        else:
            return self._error(Err.INVALID_PARAMETER)
        self._emit(EventKind.SETTINGS)
        return _SUCCESS, battery + bytes((op,))

    def present_card(self, number: int) -> bool:
        """Hold a card to the reader; True when the lock opens (or the card is enrolled).

        In card add mode (after an app's ``0x05 [2]``) the card is stored with the permanent
        window and pushed as ``[05][01][battery][2][01][card]``; otherwise a valid card opens
        (log 17) and an unknown or expired one is refused (log 25).
        """
        raw = _card_bytes(number)
        if self._session.card_add and self.connected:
            self._session.card_add = False
            self.cards[number] = StoredCredential()
            self._add_record(LogKind.IC_ADDED, raw, card=number)
            self._emit(EventKind.SETTINGS)
            self._push(bytes((Cmd.IC_MANAGE, _SUCCESS, self.battery, 2, 0x01)) + raw)
            return True
        if self.access_rules is not None and not self.setting_mode:
            return self._apply_reader(self.access_rules.card(number), raw, card=number)
        window = self.cards.get(number)
        if (
            self.setting_mode
            or window is None
            or not _in_window(_d5(self.now()), window.start, window.end)
        ):
            self._add_record(LogKind.IC_FAILED, raw, card=number)
            return False
        self.set_locked(False)
        self._add_record(LogKind.IC_UNLOCK, raw, card=number)
        self._push_state()
        return True

    # --- fingerprints (§5.7, E18) --------------------------------------------------------------
    def _cmd_fingerprint(self, payload: bytes) -> tuple[int, bytes] | None:
        op = payload[0]
        battery = bytes((self.battery,))
        if op == 6:
            index = int.from_bytes(payload[1:3], "big") if len(payload) >= 3 else 0
            items = list(self.fingerprints.items())
            if index >= len(items):
                return _SUCCESS, battery + b"\x06\xff\xff"  # 06 01 bb 06 ff ff
            fid, window = items[index]
            record = fid.to_bytes(6, "big") + window.start + window.end
            return _SUCCESS, battery + b"\x06" + _u16(index + 1) + record
        if op == 2 and len(payload) == 1:
            total = max(1, self.fingerprint_touches)
            self._session.finger_add = _Enrolment(total)
            return _SUCCESS, battery + bytes((2, 0x02, total))
        if op in (2, 5):
            if len(payload) < 17:
                return self._error(Err.INVALID_PARAMETER)
            fid = int.from_bytes(payload[1:7], "big")
            window = StoredCredential(payload[7:12], payload[12:17])
            if op == 5 and fid not in self.fingerprints:
                return self._error(Err.FINGERPRINT_NOT_FOUND)
            if op == 2 and fid not in self.fingerprints:
                if len(self.fingerprints) >= self.capacity_fingerprints:
                    return self._error(Err.OUT_OF_MEMORY)
                self._add_record(LogKind.FINGERPRINT_ADDED, payload[1:7], fingerprint=fid)
            self.fingerprints[fid] = window
        elif op == 3:
            fid = int.from_bytes(payload[1:7], "big")
            if len(payload) < 7 or fid not in self.fingerprints:
                return self._error(Err.FINGERPRINT_NOT_FOUND)
            del self.fingerprints[fid]
            self._add_record(LogKind.FINGERPRINT_DELETED, payload[1:7], fingerprint=fid)
        elif op == 4:
            self.fingerprints.clear()
            self._add_record(LogKind.FINGERPRINTS_CLEARED)
        else:
            return self._error(Err.INVALID_COMMAND)  # 7 = template upload: not supported
        self._emit(EventKind.SETTINGS)
        return _SUCCESS, battery + bytes((op,))

    def _new_fingerprint_id(self) -> int:
        slot = len(self.fingerprints) + 1
        while True:
            fid = (self._rng.getrandbits(32) << 16) | slot
            if fid not in self.fingerprints:
                return fid

    def place_finger(self, fingerprint_id: int | None = None) -> bool | int:
        """Put a finger on the sensor.

        During enrolment (after an app's ``0x06 [2]``) each call is one touch: progress pushes
        ``[06][01][bb][2][03][n][total]``, then the success push with the new 6-byte id, which
        is returned. Otherwise ``fingerprint_id`` is the finger: True when it opens (log 20),
        False when refused (log 22).
        """
        enrolment = self._session.finger_add
        if enrolment is not None and self.connected:
            enrolment.done += 1
            head = bytes((Cmd.FR_MANAGE, _SUCCESS, self.battery, 2))
            if enrolment.done < enrolment.total:
                self._push(head + bytes((0x03, enrolment.done, enrolment.total)))
                return True
            self._session.finger_add = None
            fid = self._new_fingerprint_id()
            self.fingerprints[fid] = StoredCredential(FP_SENTINEL_START, FP_SENTINEL_END)
            raw = fid.to_bytes(6, "big")
            self._add_record(LogKind.FINGERPRINT_ADDED, raw, fingerprint=fid)
            self._emit(EventKind.SETTINGS)
            self._push(head + b"\x01" + raw)
            return fid
        fid = fingerprint_id or 0
        raw = fid.to_bytes(6, "big")
        if self.access_rules is not None and not self.setting_mode:
            return self._apply_reader(self.access_rules.fingerprint(fid), raw, fingerprint=fid)
        window = self.fingerprints.get(fid)
        if (
            self.setting_mode
            or window is None
            or not _in_window(_d5(self.now()), window.start, window.end)
        ):
            self._add_record(LogKind.FINGERPRINT_FAILED, raw, fingerprint=fid)
            return False
        self.set_locked(False)
        self._add_record(LogKind.FINGERPRINT_UNLOCK, raw, fingerprint=fid)
        self._push_state()
        return True

    # --- settings (§5.2, §5.9, E8) ---------------------------------------------------------------
    def _cmd_auto_lock(self, payload: bytes) -> tuple[int, bytes]:
        op = payload[0]
        low, high = self.auto_lock_limits
        battery = bytes((self.battery,))
        if op == 1:
            return _SUCCESS, battery + b"\x01" + _u16(self.auto_lock_seconds) + (
                _u16(low) + _u16(high) + b"\x01"
            )
        if op != 2 or len(payload) < 3:
            return self._error(Err.INVALID_PARAMETER)
        if payload[1:3] == b"\xff\xff":  # door-sensor variant [2][FF FF][value]
            self.door_sensor_auto_lock = payload[3] if len(payload) > 3 else 0
        else:
            seconds = int.from_bytes(payload[1:3], "big")
            if seconds and not low <= seconds <= high:
                return self._error(Err.INVALID_PARAMETER)
            self.auto_lock_seconds = seconds
        self._emit(EventKind.SETTINGS)
        return _SUCCESS, battery + b"\x02" + _u16(self.auto_lock_seconds)

    def _cmd_remote_unlock(self, payload: bytes) -> tuple[int, bytes]:
        op = payload[0]
        if op == 2 and len(payload) >= 2:
            self.remote_unlock = payload[1] == 1
            self._emit(EventKind.SETTINGS)
        elif op != 1:
            return self._error(Err.INVALID_PARAMETER)
        return _SUCCESS, bytes((self.battery, op, 1 if self.remote_unlock else 0))

    def _cmd_audio(self, payload: bytes) -> tuple[int, bytes]:
        op = payload[0]
        if op == 1:
            data = bytes((self.battery, 1, 1 if self.sound_on else 0))
            if 43 in self.features:
                data += bytes((self.volume,))
            return _SUCCESS, data
        if op != 2 or len(payload) < 2:
            return self._error(Err.INVALID_PARAMETER)
        if len(payload) >= 3:  # [2][1][volume][language]
            if not 1 <= payload[2] <= 5:
                return self._error(Err.INVALID_PARAMETER)
            self.sound_on, self.volume = True, payload[2]
        else:
            self.sound_on = payload[1] != 0
        self._emit(EventKind.SETTINGS)
        return _SUCCESS, bytes((self.battery, 2))

    def _switch_mask(self) -> int:
        mask = 0
        for bit, item in _SWITCH_FEATURES.items():
            if bit in self.features:
                mask |= item
        return mask

    def _cmd_switch(self, payload: bytes) -> tuple[int, bytes]:
        mask = self._switch_mask()
        if not mask:
            return self._error(Err.INVALID_COMMAND)
        op = payload[0]
        if op == 2 and len(payload) >= 9:
            item = int.from_bytes(payload[1:5], "big") & mask
            value = int.from_bytes(payload[5:9], "big")
            self.switch_value = (self.switch_value & ~item) | (value & item)
            self._emit(EventKind.SETTINGS)
        elif op != 1:
            return self._error(Err.INVALID_PARAMETER)
        return _SUCCESS, bytes((self.battery, op)) + _u32(mask) + _u32(self.switch_value & mask)

    def _cmd_passage(self, payload: bytes) -> tuple[int, bytes]:
        op = payload[0]
        battery = bytes((self.battery,))
        if op == 1:
            start = payload[1] if len(payload) > 1 else 0
            page = self.passage_windows[start : start + 10]
            following = start + len(page)
            cursor = following if following < len(self.passage_windows) else 0xFF
            return _SUCCESS, battery + bytes((1, cursor)) + b"".join(w.encode() for w in page)
        if op in (2, 3):
            if len(payload) < 8:
                return self._error(Err.INVALID_PARAMETER)
            window = PassageWindow.decode(payload[1:8])
            if op == 2 and window not in self.passage_windows:
                if len(self.passage_windows) >= 32:
                    return self._error(Err.OUT_OF_MEMORY)
                self.passage_windows.append(window)
            if op == 3 and window in self.passage_windows:
                self.passage_windows.remove(window)
        elif op == 4:
            self.passage_windows.clear()
        else:
            return self._error(Err.INVALID_PARAMETER)
        self._emit(EventKind.SETTINGS)
        return _SUCCESS, battery + bytes((op,))

    def _cmd_hotel(self, payload: bytes) -> tuple[int, bytes]:
        if 19 not in self.features:
            return self._error(Err.INVALID_COMMAND)
        op, kind = payload[0], payload[1]
        if not 1 <= kind <= 8:
            return self._error(Err.UNSUPPORTED_PARAMETER)
        if op == 1:
            value = self.hotel_data.get(kind)
            if value is None and kind == 5 and self.lift_floors:
                value = bytes(sorted(self.lift_floors))
            if value is None:
                return self._error(Err.RECORD_NOT_FOUND)
            return _SUCCESS, bytes((self.battery, 1, kind)) + value
        if op != 2 or len(payload) < 3:
            return self._error(Err.INVALID_PARAMETER)
        value = payload[3 : 3 + payload[2]]
        self.hotel_data[kind] = value
        if kind == 5:
            self.lift_floors = set(value)
        self._emit(EventKind.SETTINGS)
        return _SUCCESS, bytes((self.battery, 2))
