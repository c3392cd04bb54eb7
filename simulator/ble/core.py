"""The lock's own state and the small actions on it, shared by the link layer
(:class:`~simulator.ble.lock.SimulatedLock`) and the command handlers (:mod:`.handlers`).

:class:`LockCore` holds key material, settings, credential tables, the operation log, the
clock, the bolt and the battery; it builds the GATT table (``docs/ble.md`` §2) and the
advertisement (§1.1), writes log records (§5.8), tells listeners (:class:`SimLockEvent`) and
forgets everything on a factory reset. Sending frames is the link layer's job: :meth:`LockCore.push`
is implemented by :class:`~simulator.ble.lock.SimulatedLock`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .codec import Header
from .faults import LockFaults
from .peripheral import Advertisement, CharSpec, Peripheral, ServiceSpec, uuid16
from .protocol import (
    BATTERY_LEVEL_UUID,
    LOG_CAPACITY,
    NOTIFY_UUID,
    SERVICE_UUID,
    SUCCESS,
    WRITE_UUID,
    Cmd,
    Err,
    u32,
)
from .session import Session
from .state import (
    AccessRules,
    EventKind,
    OperationRecord,
    PassageWindow,
    StoredCredential,
    StoredPasscode,
)

__all__ = ["LockCore", "SimLockEvent"]


@dataclass(frozen=True, slots=True)
class SimLockEvent:
    """Something happened on the lock (for the world adapter and tests)."""

    kind: EventKind
    lock: LockCore
    record: OperationRecord | None = None


class LockCore(Peripheral):
    """What a simulated TTLock V3 lock is, apart from how it talks: see
    :class:`~simulator.ble.lock.SimulatedLock` for the lock itself."""

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
        lift_work_mode: int | None = None,
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
        """The :class:`~simulator.ble.world_link.WorldLink` when built by
        :func:`~simulator.ble.world_link.lock_from_world`."""
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
        """A lift controller's controllable floors (``0x64`` type 5): those that need a card."""
        self.lift_work_mode = lift_work_mode
        """``0x64`` type 6: 1 all floors free / 2 card required; None: never configured."""
        self.lift_activations: list[tuple[int, ...]] = []
        self.password_table: bytes | None = None
        """The 61-byte ``0x31`` INIT_PASSWORDS payload last received (§8.1)."""
        self.log: list[OperationRecord] = []
        self.log_read_pointer = 0
        self._session = Session()

    def __repr__(self) -> str:
        """Address and state only — no key material."""
        return (
            f"<SimulatedLock {self.address} {self.local_name!r} "
            f"{'setting-mode' if self.setting_mode else 'paired'} "
            f"{'locked' if self.locked else 'unlocked'} battery={self.battery}>"
        )

    # --- construction ----------------------------------------------------------------------
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

    def emit(self, kind: EventKind, record: OperationRecord | None = None) -> None:
        """Tell every listener."""
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
        self.emit(EventKind.BATTERY)
        self.advertisement_changed()

    def set_locked(self, locked: bool) -> None:
        """Move the bolt (no log record: use the credential methods for logged opens)."""
        if locked == self.locked:
            return
        self.locked = locked
        self.unlocked_at = None if locked else self.now()
        self.emit(EventKind.STATE)
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
        self.add_record(kind, u32(uid) + u32(record_id), uid=uid, record_id=record_id)

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

    # --- operation log (§5.8), reset, state push ------------------------------------------
    def add_record(self, kind: int, tail: bytes = b"", **fields: Any) -> OperationRecord:
        """Append a record (the oldest goes beyond 500), tell listeners, re-advertise."""
        record = OperationRecord(kind, self.now(), self.battery, tail, **fields)
        self.log.append(record)
        if len(self.log) > LOG_CAPACITY:
            del self.log[0]
            self.log_read_pointer = max(0, self.log_read_pointer - 1)
        self.emit(EventKind.RECORD, record)
        self.advertisement_changed()
        return record

    def factory_state(self) -> None:
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
        self.emit(EventKind.RESET)
        self.advertisement_changed()

    def push_state(self) -> None:
        """``[14][01][battery][state][0]`` push (§5.11) when :attr:`push_events` is on."""
        if self.push_events:
            state = 0 if self.locked else 1
            self.push(bytes((Cmd.SEARCH_BICYCLE_STATUS, SUCCESS, self.battery, state, 0)))

    # --- for the command handlers ------------------------------------------------------------
    @property
    def session(self) -> Session:
        """What the current connection knows (a fresh one per link)."""
        return self._session

    @property
    def rng(self) -> random.Random:
        """The lock's random source (challenges, AES keys, fingerprint ids), seeded per lock."""
        return self._rng

    def push(self, plaintext: bytes) -> None:
        """An unsolicited frame to the connected central (sent by the link layer)."""
        raise NotImplementedError
