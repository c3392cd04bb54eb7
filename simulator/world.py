"""The one state of the simulated TTLock world: accounts, apps, locks, gateways, records.

The cloud server (:mod:`simulator.cloud`), the simulated BLE locks (:mod:`simulator.ble`)
and the webhook pusher (:mod:`simulator.webhook`) all read and change this single
:class:`World`. Nothing here does I/O except the optional ``asyncio.sleep`` that models
gateway latency.

Layout: the numbers in :mod:`simulator.codes`, the things in :mod:`simulator.entities`,
the clock in :mod:`simulator.clock`, forced API failures in :mod:`simulator.faults`, the
accounts, apps, tokens and API counters in :mod:`simulator.directory` (the base class of
:class:`World`), what a lock holds and how its keypad and readers decide in
:mod:`simulator.lockside`.

§ numbers refer to ``docs/cloud.md`` unless noted:

* §2.1 lock fields (documented and undocumented), ``featureValue`` bits, lock/list only
  for the top administrator, ``queryOpenState`` state 0/1/2 and ``sensorState``
  (community model: 0 open, 1 closed).
* §2.6 gateways: ``gatewayVersion`` 1–4, ``isOnline``, ``listByLock`` shows gateways that
  saw the lock in the last 30 minutes with ``rssi``; the cloud relays through the best
  RSSI gateway; §3.1 concurrent gateway commands fail with -3003.
* §2.7 lock records and the cloud ``recordType`` numbering, plus ``recordTypeFromLock``
  (lock-side numbering, ``docs/ble.md`` §5.8: 1 app unlock, 26 BLE lock,
  28 gateway unlock, 17 IC card, 20 fingerprint, 27 mechanical key, …).
* §2.8 lifts (TTHotel ``lock/list`` ``type`` 1 locks / 2 lifts / 3 power savers).
* ``docs/meters.md``: electricity and water meters. Each has a true state (total,
  prepaid remainder, relay / valve) that runs lazily on the world clock
  (:meth:`World.refresh_meter`: ``load_w`` / ``flow_lph`` while the supply is on and the
  meter on the air; a prepaid meter cuts itself off at 0) and the cloud's last reading,
  renewed every simulated hour while its gateway hears it, or by ``syncState``. The meter
  keeps what it used per hour; each reading puts that on the cloud's record, which
  ``listRecords`` answers per hour, day or month (:meth:`World.meter_usage`, in
  :attr:`World.meter_time_zone`); a scenario meter's ``historyDays`` are already on record.
* ``docs/ble.md`` §4–§5.1 key material (see :mod:`simulator.lockdata`).

Fault-injection knobs (Python; the same are served as HTTP under ``/sim/``, see
:mod:`simulator.cloud.controls`):

* gateways: :meth:`World.set_gateway_online` (notice 2), :meth:`World.set_gateway_latency` (default
  :attr:`World.gateway_latency_s` = 0, or per gateway), :meth:`World.set_lock_in_range`,
  :meth:`World.link`, :meth:`World.add_gateway` / :meth:`World.remove_gateway`;
* locks: :meth:`World.set_remote_unlock` (-4043), :meth:`World.set_wifi_online` (-3036, notice 3),
  :meth:`World.set_lock_state`, :meth:`World.set_door` (records 31/30),
  :meth:`World.set_battery`, :attr:`World.battery_drain_per_command`,
  :meth:`World.add_lock` / :meth:`World.remove_lock`, :meth:`World.add_record`;
* API accounting and accounts (:class:`~simulator.directory.Directory`): ``set_quota``
  (30007), ``set_usage``, ``usage``, ``set_rate_limit`` (30006), ``change_password``,
  ``revoke_tokens``, ``expire_tokens``;
* meters (Python only, no ``/sim/`` twin yet): :meth:`World.set_meter_online` (-3036),
  :meth:`World.set_meter_gateway` (none: -2012; its gateway offline: -3002),
  :meth:`World.meter_state` (the true state), :meth:`World.add_meter`;
* forced errors: ``world.faults.fail_next("lock/unlock", errcode=1, times=1)`` (also
  ``http_status=502``, ``after=True`` and the ``"*"`` wildcard), ``world.faults.clear()``;
* credentials used at the lock: :meth:`World.enter_code` (keypad, anti-peep, STAND-IN
  offline codes), :meth:`World.present_card`, :meth:`World.present_fingerprint`; a Wi-Fi
  lock refusing changes: ``world.faults.fail_next("keyboardPwd/add", errcode=-3009,
  lock_side=True)`` (notice 4);
* standalone door sensors: :meth:`World.set_door_sensor` (open / closed, notice 7),
  :meth:`World.set_door_sensor_alerts`, :meth:`World.add_door_sensor` /
  :meth:`World.remove_door_sensor`;
* time: ``world.clock`` (:meth:`Clock.freeze`, :meth:`Clock.advance`,
  :meth:`Clock.unfreeze`), :meth:`World.set_time_skew` (client ``date`` → 80000).

Notices (§2.9; :meth:`World.on_notice`, sent by :mod:`simulator.webhook`):

* connectivity: a gateway (notifyType 2) or Wi-Fi lock (notifyType 3) that comes online is
  announced at once; one that goes offline only once the documented delay has passed on the
  world clock (TTLock notices the missing heartbeats late), and not at all if it is back
  before then;
* a Wi-Fi lock's refusal (notifyType 4): a Wi-Fi lock takes credential changes
  asynchronously (:func:`simulator.cloud.manage.relay`). A change it accepts is applied at
  once; one it refuses (a lock-side fault, ``faults.fail_next(…, lock_side=True)``, or a
  passcode memory already holding 250 codes) is answered with success all the same and the
  cloud records it, but the lock's memory stays as it was; :data:`LOCK_REFUSAL_DELAY_MS`
  later the cloud puts its record back (an added object is no longer listed, a deleted one
  listed again, a changed one as before) and sends ``lockId``, ``lockMac``, ``uid`` (the
  requesting account), ``objectType``, ``objectId``, ``errcode`` (:meth:`World.refuse_later`,
  :meth:`World.pending_refusals`) [INFERRED: the callback's objects — passcodes, cards,
  fingerprints, palm veins, faces, remotes — show that more than the documented asynchronous
  passcode add is answered before the lock has it; through a gateway the lock's "no" comes
  back as the call's errcode];
* standalone DS3 door sensors (notifyType 7; :meth:`World.add_door_sensor`,
  :meth:`World.set_door_sensor`, :meth:`World.set_door_sensor_alerts`): every open and close
  (``recordType`` 1 / 0) at once, with ``doorSensorId``, ``mac``, ``name``; the alarms
  "not closed" (2, ``not_closed_alert_s`` after an opening while still open) and "not opened
  for long" (3, ``not_opened_alert_days`` after a closing while still shut), once each per
  open or closed stretch. Alert settings apply from the next open or close (the
  ``configAlertFlag`` page says so). A DS3 is bound to no lock: the callback names none. Not
  modelled: the sensor's Wi-Fi dropping out, its battery, the ``standaloneDoorSensor/…`` API.

A lock's own door sensor writes records 30/31, pushed as notifyType 1. Due notices go out when
the clock jumps (``advance`` / ``freeze`` / ``set_skew``), or on :meth:`World.send_due_notices`
(the pusher calls it on a periodic tick and before :meth:`~simulator.webhook.WebhookPusher.drain`).

Inferred behaviour (no public source; kept simple and documented): auto-lock is evaluated
lazily from the world clock and writes no record unless :attr:`World.record_auto_lock` is
set (peers report that TTLock often sends none).
"""

from __future__ import annotations

import asyncio
import calendar
import hashlib
import re
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from . import lockside
from .clock import Clock
from .codes import RECORD_TYPE, CloudError
from .directory import Directory
from .entities import (
    Account,
    DoorSensor,
    ElectricMeter,
    Gateway,
    GatewayLink,
    Lock,
    LockRecord,
    LockRefusal,
    Meter,
    MeterReading,
    WaterMeter,
)
from .faults import Faults
from .lockdata import derive_key_material
from .lockside import AccessResult

__all__ = [
    "DOOR_CLOSED",
    "DOOR_LEFT_OPEN",
    "DOOR_NOT_OPENED",
    "DOOR_OPENED",
    "GATEWAY_OFFLINE_NOTICE_DELAY_MS",
    "LOCK_REFUSAL_DELAY_MS",
    "NOTIFY_ASYNC_FAILURE",
    "NOTIFY_DOOR_SENSOR",
    "NOTIFY_GATEWAY",
    "NOTIFY_WIFI_LOCK",
    "WIFI_LOCK_OFFLINE_NOTICE_DELAY_MS",
    "NoticeListener",
    "Route",
    "World",
]

#: Cloud recordType → lock-side recordTypeFromLock where the numbering differs
#: (``docs/ble.md`` §5.8 vs §2.7). Other values are taken unchanged, which is
#: what the community numbering shows for ≥ 29 [INFERRED].
_LOCK_SIDE_TYPE: dict[int, int] = {1: 1, 4: 4, 7: 17, 8: 20, 9: 19, 10: 27, 11: 26, 12: 28}

GATEWAY_SIGHTING_WINDOW_MS = 30 * 60 * 1000  # §2.6
NOTIFY_GATEWAY = 2  # §2.9 notifyType: gateway online / offline
NOTIFY_WIFI_LOCK = 3  # §2.9 notifyType: Wi-Fi lock online / offline
NOTIFY_ASYNC_FAILURE = 4  # §2.9 notifyType: a Wi-Fi lock refused an accepted change
NOTIFY_DOOR_SENSOR = 7  # §2.9 notifyType: standalone door sensor (DS3)
DOOR_CLOSED, DOOR_OPENED, DOOR_LEFT_OPEN, DOOR_NOT_OPENED = 0, 1, 2, 3
"""notifyType 7 ``recordType``: closed, open, door-not-closed alarm, not-opened-for-long alarm."""
LOCK_REFUSAL_DELAY_MS = 5_000
"""How long after the cloud's answer a Wi-Fi lock's refusal reaches the cloud [INFERRED: no
source gives a time; the lock answers over its own connection, seconds later]."""
DOOR_ALERT_SECONDS = (1, 900)  # configAlertFlag ``notCloseAlertSecondNum``
DOOR_ALERT_DAYS = (1, 15)  # configAlertFlag ``longTimeNotOpenDayNum``
#: How late TTLock sends an offline notice (``docs/cloud.md`` §2.9: "the offline notice comes
#: about 30 min late" for a gateway, "offline about 15 min late" for a Wi-Fi lock — the cloud
#: only notices missing heartbeats). Online notices come at once.
GATEWAY_OFFLINE_NOTICE_DELAY_MS = 30 * 60 * 1000
WIFI_LOCK_OFFLINE_NOTICE_DELAY_MS = 15 * 60 * 1000

type NoticeListener = Callable[[int, int, dict[str, Any]], None]
"""Hears ``(notifyType, uid of the device's admin, callback fields)``."""
METER_REPORT_INTERVAL_MS = 60 * 60 * 1000  # meters report once an hour [INFERRED]
_HOUR_MS = 60 * 60 * 1000
_DAY_MS = 24 * _HOUR_MS
#: ``listRecords`` ``dateType`` → the form of ``dateStr`` and of each period's ``createDate``
#: (docs/meters.md §4.1): a day lists its hours, a month its days, a year its months
_USAGE_DATE = {
    0: (re.compile(r"(\d{4})-(\d{2})-(\d{2})"), "%Y-%m-%d %H"),
    1: (re.compile(r"(\d{4})-(\d{2})"), "%Y-%m-%d"),
    2: (re.compile(r"(\d{4})"), "%Y-%m"),
}
_EPSILON = 1e-9  # a balance below this is spent (float rounding)


@dataclass(frozen=True)
class Route:
    """How a remote command reaches a lock: through ``gateway`` or directly over Wi-Fi."""

    channel: str
    latency_s: float
    gateway: Gateway | None


class World(Directory):
    """All simulated state plus the operations the cloud and the fault controls use."""

    meter_time_zone: str = "UTC"
    """The time zone the meters' usage records count days in (IANA name; the cloud's
    zone is not documented): Home Assistant's own in tests and ``scripts/develop``."""

    def __init__(
        self,
        *,
        seed: str = "ttlock-sim",
        clock: Clock | None = None,
        gateway_latency_s: float = 0.0,
        default_monthly_quota: int | None = None,
    ) -> None:
        super().__init__(clock=clock or Clock(), default_monthly_quota=default_monthly_quota)
        self.seed = seed
        self.gateway_latency_s = gateway_latency_s
        self.wifi_latency_s: float | None = None  # None: same as gateway_latency_s
        self.record_auto_lock = False
        self.battery_drain_per_command = 0
        self.locks: dict[int, Lock] = {}
        self.gateways: dict[int, Gateway] = {}
        self.links: dict[tuple[int, int], GatewayLink] = {}
        self.records: dict[int, list[LockRecord]] = {}
        self.electric_meters: dict[int, ElectricMeter] = {}
        self.water_meters: dict[int, WaterMeter] = {}
        self.faults = Faults()
        self._busy: set[str] = set()
        self._next_record_id = 1
        self._mac_counter = 0
        self._record_listeners: list[Callable[[LockRecord], None]] = []
        self._notice_listeners: list[NoticeListener] = []
        # offline notices not sent yet: (notifyType, gateway or lock id) → due (world ms)
        self._offline_due: dict[tuple[int, int], int] = {}
        self._refusals: list[LockRefusal] = []  # Wi-Fi lock refusals the cloud has not heard
        self.door_sensors: dict[int, DoorSensor] = {}
        self.clock.on_change(self.send_due_notices)
        self._next_ids: dict[str, int] = {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        """A world saved before refusals and door sensors were simulated loads with none."""
        self.__dict__.update({"_refusals": [], "door_sensors": {}, **state})

    # --- time ---------------------------------------------------------------------------
    def set_time_skew(self, seconds: float) -> None:
        """Shift the server clock against real time (fault: client ``date`` → 80000)."""
        self.clock.set_skew(seconds)

    # --- locks -------------------------------------------------------------------------
    def next_mac(self, *, first_octet_mask: int = 0xC0) -> str:
        """A fresh deterministic random-static-looking MAC for runtime additions."""
        while True:
            self._mac_counter += 1
            digest = hashlib.sha256(f"{self.seed}|mac|{self._mac_counter}".encode()).digest()
            raw = bytes([digest[0] | first_octet_mask]) + digest[1:6]
            mac = ":".join(f"{byte:02X}" for byte in raw)
            if all(lock.lock_mac != mac for lock in self.locks.values()):
                return mac

    def add_lock(
        self,
        *,
        lock_alias: str,
        admin: str | int,
        features: Iterable[int],
        lock_id: int | None = None,
        lock_mac: str | None = None,
        lock_name: str | None = None,
        model_prefix: str = "S31",
        init_date: int | None = None,
        gateways: Iterable[tuple[int, int]] = (),
        **attributes: Any,
    ) -> Lock:
        """Create a lock owned (top admin) by ``admin`` (username or uid).

        ``gateways`` lists ``(gatewayId, rssi)`` sightings. Other keyword arguments set
        :class:`Lock` fields (``electric_quantity``, ``door_sensor``, ``lock_version`` …).
        Key material is derived from the world seed and the MAC.
        """
        admin_uid = admin if isinstance(admin, int) else self._account(admin).uid
        if lock_id is None:
            lock_id = max(self.locks, default=5_000_000) + 1
        if lock_id in self.locks:
            raise ValueError(f"lock {lock_id} exists")
        mac = (lock_mac or self.next_mac()).upper()
        if init_date is None:
            init_date = self.now_ms()
        init_year = datetime.fromtimestamp(init_date / 1000, UTC).year
        keys = derive_key_material(self.seed, mac, init_date, init_year)
        if lock_name is None:
            tail = "".join(reversed(mac.split(":")[3:])).lower()
            lock_name = f"{model_prefix}_{tail}"
        attributes.setdefault("bind_date", init_date)
        attributes.setdefault("lock_update_date", init_date)
        attributes.setdefault("electric_quantity_update_date", init_date)
        lock = Lock(
            lock_id=lock_id,
            lock_mac=mac,
            lock_alias=lock_alias,
            admin_uid=admin_uid,
            keys=keys,
            lock_name=lock_name,
            features=frozenset(features),
            init_date=init_date,
            **attributes,
        )
        lock.refresh_lock_data()  # the snapshot the app uploads at pairing
        self.locks[lock_id] = lock
        self.records.setdefault(lock_id, [])
        for gateway_id, rssi in gateways:
            self.link(gateway_id, lock_id, rssi)
        return lock

    def remove_lock(self, lock_id: int) -> Lock:
        lock = self.locks.pop(lock_id)
        self._offline_due.pop((NOTIFY_WIFI_LOCK, lock_id), None)
        self.records.pop(lock_id, None)
        for key in [key for key in self.links if key[1] == lock_id]:
            del self.links[key]
        return lock

    def lock(self, lock_id: int) -> Lock:
        """Lock by id; raises -1003 when unknown."""
        lock = self.locks.get(lock_id)
        if lock is None:
            raise CloudError(-1003, f"lock {lock_id} does not exist")
        return lock

    def locks_of(self, uid: int, lock_type: int = 1) -> list[Lock]:
        return [
            lock
            for lock in self.locks.values()
            if lock.admin_uid == uid and lock.lock_type == lock_type
        ]

    def refresh_state(self, lock: Lock) -> Lock:
        """Apply a lazily due auto-lock (auto-lock time elapsed, passage mode off)."""
        if (
            lock.state == 1
            and lock.auto_lock_time > 0
            and lock.passage_mode != 1
            and lock.unlocked_at_ms is not None
            and not (lock.door_sensor and lock.door_open)
        ):
            due = lock.unlocked_at_ms + lock.auto_lock_time * 1000
            if self.now_ms() >= due:
                lock.state = 0
                lock.unlocked_at_ms = None
                if self.record_auto_lock:
                    self.add_record(lock.lock_id, RECORD_TYPE["auto_lock"], lock_date=due)
        return lock

    def set_lock_state(self, lock_id: int, state: int) -> None:
        lock = self.lock(lock_id)
        lock.state = state
        lock.unlocked_at_ms = self.now_ms() if state == 1 else None

    def set_door(self, lock_id: int, open_: bool, *, record: bool = True) -> None:
        """Open/close the door (door sensor); writes record 31/30 when ``record``."""
        lock = self.lock(lock_id)
        lock.door_sensor = True
        if lock.door_open == open_:
            return
        lock.door_open = open_
        if not open_ and lock.unlocked_at_ms is not None:
            lock.unlocked_at_ms = self.now_ms()  # auto-lock counts from the door closing
        if record:
            self.add_record(
                lock_id, RECORD_TYPE["door_open"] if open_ else RECORD_TYPE["door_closed"]
            )

    def set_battery(self, lock_id: int, percent: int) -> None:
        lock = self.lock(lock_id)
        lock.electric_quantity = max(0, min(100, percent))
        lock.electric_quantity_update_date = self.now_ms()

    def set_remote_unlock(self, lock_id: int, enabled: bool) -> None:
        """Remote-unlock switch of the TTLock app (off → -4043 on lock/unlock)."""
        self.lock(lock_id).remote_unlock = enabled

    def set_wifi_online(self, lock_id: int, online: bool) -> None:
        """Network state of a Wi-Fi lock (offline → -3036); a Wi-Fi lock's change is
        announced (notifyType 3, an offline one after :data:`WIFI_LOCK_OFFLINE_NOTICE_DELAY_MS`)."""
        lock = self.lock(lock_id)
        changed = lock.wifi_online != online
        lock.wifi_online = online
        if changed and lock.is_wifi:
            self._connectivity_changed(NOTIFY_WIFI_LOCK, lock_id, online)

    # --- gateways ---------------------------------------------------------------------
    def add_gateway(
        self,
        *,
        gateway_name: str,
        owner: str | int,
        gateway_id: int | None = None,
        gateway_mac: str | None = None,
        **attributes: Any,
    ) -> Gateway:
        owner_uid = owner if isinstance(owner, int) else self._account(owner).uid
        if gateway_id is None:
            gateway_id = max(self.gateways, default=300_000) + 1
        if gateway_id in self.gateways:
            raise ValueError(f"gateway {gateway_id} exists")
        attributes.setdefault("init_date", self.now_ms())
        gateway = Gateway(
            gateway_id=gateway_id,
            gateway_mac=(gateway_mac or self.next_mac(first_octet_mask=0)).upper(),
            gateway_name=gateway_name,
            owner_uid=owner_uid,
            **attributes,
        )
        self.gateways[gateway_id] = gateway
        return gateway

    def remove_gateway(self, gateway_id: int) -> Gateway:
        self._refresh_meters_of_gateway(gateway_id)
        gateway = self.gateways.pop(gateway_id)
        self._offline_due.pop((NOTIFY_GATEWAY, gateway_id), None)
        for key in [key for key in self.links if key[0] == gateway_id]:
            del self.links[key]
        return gateway

    def gateway(self, gateway_id: int) -> Gateway:
        gateway = self.gateways.get(gateway_id)
        if gateway is None:
            raise CloudError(-4037, f"gateway {gateway_id} does not exist")
        return gateway

    def link(self, gateway_id: int, lock_id: int, rssi: int, *, in_range: bool = True) -> None:
        """Let a gateway see a lock with ``rssi`` (dBm)."""
        if gateway_id not in self.gateways:
            raise KeyError(f"no gateway {gateway_id}")
        self.links[(gateway_id, lock_id)] = GatewayLink(
            gateway_id, lock_id, rssi, in_range, self.now_ms()
        )

    def set_gateway_online(self, gateway_id: int, online: bool) -> None:
        """Gateway online/offline (offline → -3002 for locks it alone serves); the change is
        announced (notifyType 2, an offline one after :data:`GATEWAY_OFFLINE_NOTICE_DELAY_MS`)."""
        gateway = self.gateways[gateway_id]
        self._refresh_meters_of_gateway(gateway_id)
        if online and not gateway.is_online:
            now = self.now_ms()
            for link in self.links.values():
                if link.gateway_id == gateway_id and link.in_range:
                    link.updated_ms = now
        changed = gateway.is_online != online
        gateway.is_online = online
        if changed:
            self._connectivity_changed(NOTIFY_GATEWAY, gateway_id, online)

    def set_lock_in_range(
        self, lock_id: int, gateway_id: int, in_range: bool, rssi: int | None = None
    ) -> None:
        """Move a lock into / out of a gateway's radio range (creating the link if needed)."""
        self.lock(lock_id)
        link = self.links.get((gateway_id, lock_id))
        if link is None:
            self.link(gateway_id, lock_id, rssi if rssi is not None else -70, in_range=in_range)
            return
        link.in_range = in_range
        if rssi is not None:
            link.rssi = rssi
        if in_range:
            link.updated_ms = self.now_ms()

    def set_gateway_latency(self, seconds: float, gateway_id: int | None = None) -> None:
        """Command latency of one gateway, or the default for all gateways."""
        if gateway_id is None:
            self.gateway_latency_s = seconds
        else:
            self.gateways[gateway_id].latency_s = seconds

    def _touch_links(self) -> None:
        """Online gateways keep re-reporting the locks in range (rssiUpdateDate)."""
        now = self.now_ms()
        for link in self.links.values():
            gateway = self.gateways.get(link.gateway_id)
            if gateway is not None and gateway.is_online and link.in_range:
                link.updated_ms = now

    def sightings(self, lock_id: int) -> list[tuple[Gateway, GatewayLink]]:
        """Gateways that saw the lock in the last 30 minutes, best RSSI first (§2.6)."""
        self._touch_links()
        horizon = self.now_ms() - GATEWAY_SIGHTING_WINDOW_MS
        found = [
            (self.gateways[link.gateway_id], link)
            for link in self.links.values()
            if link.lock_id == lock_id
            and link.gateway_id in self.gateways
            and link.updated_ms >= horizon
        ]
        found.sort(key=lambda pair: pair[1].rssi, reverse=True)
        return found

    def has_gateway(self, lock: Lock) -> bool:
        """lock/list ``hasGateway``: some gateway currently has the lock in range."""
        return any(
            link.lock_id == lock.lock_id and link.in_range and link.gateway_id in self.gateways
            for link in self.links.values()
        )

    def gateways_of(self, uid: int) -> list[Gateway]:
        return [gateway for gateway in self.gateways.values() if gateway.owner_uid == uid]

    def gateway_lock_count(self, gateway_id: int) -> int:
        return sum(
            1
            for link in self.links.values()
            if link.gateway_id == gateway_id and link.in_range and link.lock_id in self.locks
        )

    # --- remote commands (§2.1 "goes to the lock via gateway", §2.6, §3.1) ------------
    def route(self, lock: Lock) -> Route:
        """Pick the path of a remote command or raise -3036 / -2012 / -3002."""
        if lock.is_wifi:
            if not lock.wifi_online:
                raise CloudError(-3036, f"the Wi-Fi lock {lock.lock_id} is offline")
            latency = self.wifi_latency_s
            return Route(
                f"lock:{lock.lock_id}",
                self.gateway_latency_s if latency is None else latency,
                None,
            )
        candidates = [
            (self.gateways[link.gateway_id], link)
            for link in self.links.values()
            if link.lock_id == lock.lock_id and link.in_range and link.gateway_id in self.gateways
        ]
        if not candidates:
            raise CloudError(-2012, f"lock {lock.lock_id} is not connected to any gateway")
        online = [pair for pair in candidates if pair[0].is_online]
        if not online:
            raise CloudError(-3002, "every gateway that reaches this lock is offline")
        gateway, _link = max(online, key=lambda pair: pair[1].rssi)
        latency = gateway.latency_s if gateway.latency_s is not None else self.gateway_latency_s
        return Route(f"gateway:{gateway.gateway_id}", latency, gateway)

    @asynccontextmanager
    async def occupy(self, route: Route) -> AsyncIterator[Route]:
        """Hold the gateway (or Wi-Fi lock) for one command: a second one gets -3003/-3037."""
        if route.channel in self._busy:
            if route.gateway is not None:
                raise CloudError(-3003, "the gateway is busy with another command")
            raise CloudError(-3037, "the lock is busy with another command")
        self._busy.add(route.channel)
        try:
            if route.latency_s > 0:
                await asyncio.sleep(route.latency_s)
            yield route
        finally:
            self._busy.discard(route.channel)

    def is_busy(self, gateway: Gateway) -> bool:
        """Whether a command is being relayed through ``gateway`` right now."""
        return f"gateway:{gateway.gateway_id}" in self._busy

    def after_remote(self, lock: Lock) -> None:
        """A remote command reached the lock: every reply from the lock reports its battery
        (``docs/ble.md`` §5.4)."""
        if self.battery_drain_per_command:
            lock.electric_quantity = max(0, lock.electric_quantity - self.battery_drain_per_command)
        lock.electric_quantity_update_date = self.now_ms()

    def remote_unlock(self, lock: Lock, account: Account) -> LockRecord:
        """Effect of a successful ``lock/unlock``: unlocked + record 12 (lock side 28)."""
        self.after_remote(lock)
        lock.state = 1
        lock.unlocked_at_ms = self.now_ms()
        return self.add_record(
            lock.lock_id, RECORD_TYPE["gateway_unlock"], username=account.username, uid=account.uid
        )

    def remote_lock(self, lock: Lock, account: Account) -> LockRecord:
        """Effect of a successful ``lock/lock``: locked + record 11 (lock side 26)."""
        self.after_remote(lock)
        lock.state = 0
        lock.unlocked_at_ms = None
        return self.add_record(
            lock.lock_id, RECORD_TYPE["app_lock"], username=account.username, uid=account.uid
        )

    def remote_query_state(self, lock: Lock) -> dict[str, int]:
        self.after_remote(lock)
        self.refresh_state(lock)
        result = {"state": lock.state}
        if lock.door_sensor:
            result["sensorState"] = 0 if lock.door_open else 1
        return result

    def remote_query_battery(self, lock: Lock) -> int:
        self.after_remote(lock)
        return lock.electric_quantity

    # --- credentials (simulator.credentials) and the lock side (simulator.lockside) ----
    def next_id(self, kind: str, start: int) -> int:
        """A fresh id of one kind (``"passcode"``, ``"card"`` …), never reused."""
        value = self._next_ids.get(kind, start) + 1
        self._next_ids[kind] = value
        return value

    def enter_code(self, lock_id: int, digits: str) -> AccessResult:
        """Type ``digits`` on the lock's keypad; see :func:`simulator.lockside.enter_code`."""
        return lockside.enter_code(self, lock_id, digits)

    def present_card(self, lock_id: int, number: str | int) -> AccessResult:
        """Hold an IC card to the lock; see :func:`simulator.lockside.present_card`."""
        return lockside.present_card(self, lock_id, number)

    def present_fingerprint(self, lock_id: int, number: str | int) -> AccessResult:
        """Touch the reader; see :func:`simulator.lockside.present_fingerprint`."""
        return lockside.present_fingerprint(self, lock_id, number)

    # --- records (§2.7) ------------------------------------------------------------------
    def add_record(
        self,
        lock_id: int,
        record_type: int,
        *,
        record_type_from_lock: int | None = None,
        username: str = "",
        keyboard_pwd: str = "",
        success: int = 1,
        lock_date: int | None = None,
        server_date: int | None = None,
        uid: int | None = None,
    ) -> LockRecord:
        """Append a record to a lock's history and tell the record listeners."""
        lock = self.lock(lock_id)
        now = self.now_ms()
        record = LockRecord(
            record_id=self._next_record_id,
            lock_id=lock_id,
            record_type=record_type,
            record_type_from_lock=(
                record_type_from_lock
                if record_type_from_lock is not None
                else _LOCK_SIDE_TYPE.get(record_type, record_type)
            ),
            success=success,
            username=username,
            keyboard_pwd=keyboard_pwd,
            lock_date=lock_date if lock_date is not None else now,
            server_date=server_date if server_date is not None else max(now, lock_date or 0),
            electric_quantity=lock.electric_quantity,
            uid=uid,
        )
        self._next_record_id += 1
        self.records.setdefault(lock_id, []).append(record)
        for listener in list(self._record_listeners):
            listener(record)
        return record

    def on_record(self, listener: Callable[[LockRecord], None]) -> Callable[[], None]:
        """Subscribe to new records (for the webhook pusher); returns an unsubscribe."""
        self._record_listeners.append(listener)
        return lambda: self._record_listeners.remove(listener)

    # --- notices (§2.9 notifyType 2, 3, 4 and 7) -------------------------------------------
    def on_notice(self, listener: NoticeListener) -> Callable[[], None]:
        """Subscribe to notices (for the webhook pusher); returns an unsubscribe.

        ``listener(notify_type, admin_uid, fields)``: the gateway's or door sensor's owner or
        the lock's admin, and the documented callback fields (``isOnline`` 0/1 …).
        """
        self._notice_listeners.append(listener)
        return lambda: self._notice_listeners.remove(listener)

    def pending_notices(self) -> dict[tuple[int, int], int]:
        """Offline notices not sent yet: ``(notifyType, device id)`` → due time (world ms)."""
        return dict(self._offline_due)

    def send_due_notices(self) -> int:
        """Send what fell due on the world clock, oldest first: offline notices, Wi-Fi lock
        refusals and door-sensor alarms; returns how many."""
        now = self.now_ms()
        due: list[tuple[int, int, Callable[[], None]]] = [
            (at, 0, partial(self._went_offline, key))
            for key, at in sorted(self._offline_due.items())
            if at <= now
        ]
        due += [
            (refusal.due_ms, 1, partial(self._refused, refusal))
            for refusal in self._refusals
            if refusal.due_ms <= now
        ]
        due += [
            (sensor.alarm_due_ms, 2, partial(self._door_alarm, sensor))
            for sensor in self.door_sensors.values()
            if sensor.alarm_due_ms is not None and sensor.alarm_due_ms <= now
        ]
        due.sort(key=lambda item: item[:2])  # stable: equal times keep their order
        for _at, _kind, send in due:
            send()
        return len(due)

    def _went_offline(self, key: tuple[int, int]) -> None:
        del self._offline_due[key]
        self._announce(*key, online=False)

    def _tell(self, notify_type: int, uid: int, fields: Mapping[str, Any]) -> None:
        for listener in list(self._notice_listeners):
            listener(notify_type, uid, dict(fields))

    def _connectivity_changed(self, notify_type: int, device_id: int, online: bool) -> None:
        """Online: announced at once — unless an offline notice is still pending, in which
        case the cloud never saw the outage (heartbeats did not time out) and says nothing.
        Offline: announced once the documented delay has passed."""
        key = (notify_type, device_id)
        if online:
            if self._offline_due.pop(key, None) is None:
                self._announce(notify_type, device_id, online=True)
            return
        delay = (
            GATEWAY_OFFLINE_NOTICE_DELAY_MS
            if notify_type == NOTIFY_GATEWAY
            else WIFI_LOCK_OFFLINE_NOTICE_DELAY_MS
        )
        self._offline_due[key] = self.now_ms() + delay

    def _announce(self, notify_type: int, device_id: int, *, online: bool) -> None:
        """Tell the notice listeners, with the fields of §2.9 as the device has them now."""
        fields: dict[str, Any]
        if notify_type == NOTIFY_GATEWAY:
            gateway = self.gateways.get(device_id)
            if gateway is None:
                return
            uid = gateway.owner_uid
            fields = {
                "gatewayId": gateway.gateway_id,
                "gatewayName": gateway.gateway_name,
                "gatewayMac": gateway.gateway_mac,
                "gatewayVersion": gateway.gateway_version,
                "networkName": gateway.network_name,
                "isOnline": int(online),
            }
        else:
            lock = self.locks.get(device_id)
            if lock is None:
                return
            uid = lock.admin_uid
            admin = self.accounts.get(uid)
            fields = {
                "lockId": lock.lock_id,
                "lockAlias": lock.lock_alias,
                "lockMac": lock.lock_mac,
                "networkName": lock.wifi_network_name,
                "admin": admin.username if admin else "",
                "isOnline": int(online),
            }
        self._tell(notify_type, uid, fields)

    # --- Wi-Fi locks that refuse a change later (§2.9 notifyType 4) ------------------------
    def refuse_later(
        self,
        lock: Lock,
        *,
        uid: int,
        object_type: int,
        object_id: int,
        errcode: int,
        collection: str,
        before: Any,
    ) -> LockRefusal:
        """The Wi-Fi ``lock`` refused a change the cloud accepted: in
        :data:`LOCK_REFUSAL_DELAY_MS` the cloud hears of it, puts its entry ``object_id`` of
        ``lock.<collection>`` back to ``before`` (None: drops it) and sends notifyType 4."""
        refusal = LockRefusal(
            self.now_ms() + LOCK_REFUSAL_DELAY_MS,
            lock.lock_id,
            uid,
            object_type,
            object_id,
            errcode,
            collection,
            before,
        )
        self._refusals.append(refusal)
        return refusal

    def pending_refusals(self) -> list[LockRefusal]:
        """Refusals of Wi-Fi locks the cloud has not heard of yet, oldest first."""
        return list(self._refusals)

    def _refused(self, refusal: LockRefusal) -> None:
        self._refusals.remove(refusal)
        lock = self.locks.get(refusal.lock_id)
        if lock is None:
            return
        items: dict[int, Any] = getattr(lock, refusal.collection)
        if refusal.before is None:
            items.pop(refusal.object_id, None)
        else:
            items[refusal.object_id] = refusal.before
        fields = {
            "lockId": lock.lock_id,
            "lockMac": lock.lock_mac,
            "uid": refusal.uid,
            "objectType": refusal.object_type,
            "objectId": refusal.object_id,
            "errcode": refusal.errcode,
        }
        self._tell(NOTIFY_ASYNC_FAILURE, lock.admin_uid, fields)

    # --- standalone door sensors (DS3, §2.9 notifyType 7) ---------------------------------
    def add_door_sensor(
        self,
        *,
        name: str,
        owner: str | int,
        door_sensor_id: int | None = None,
        mac: str | None = None,
        **attributes: Any,
    ) -> DoorSensor:
        """A DS3 of ``owner`` (username or uid); other keyword arguments set
        :class:`DoorSensor` fields (``is_open``, ``wifi_name``, the alert settings …)."""
        owner_uid = owner if isinstance(owner, int) else self._account(owner).uid
        if door_sensor_id is None:
            door_sensor_id = max(self.door_sensors, default=9_000) + 1
        if door_sensor_id in self.door_sensors:
            raise ValueError(f"door sensor {door_sensor_id} exists")
        alerts = {
            key: attributes.pop(key, None)
            for key in ("not_closed_alert_s", "not_opened_alert_days")
        }
        sensor = DoorSensor(
            door_sensor_id=door_sensor_id,
            mac=(mac or self.next_mac()).upper(),
            name=name,
            owner_uid=owner_uid,
            changed_ms=self.now_ms(),
            **attributes,
        )
        self.door_sensors[door_sensor_id] = sensor
        self.set_door_sensor_alerts(
            door_sensor_id,
            not_closed_s=alerts["not_closed_alert_s"],
            not_opened_days=alerts["not_opened_alert_days"],
        )
        self._arm_door_alarm(sensor)
        return sensor

    def remove_door_sensor(self, door_sensor_id: int) -> DoorSensor:
        return self.door_sensors.pop(door_sensor_id)

    def door_sensor(self, door_sensor_id: int) -> DoorSensor:
        """A standalone door sensor by id (KeyError when unknown)."""
        sensor = self.door_sensors.get(door_sensor_id)
        if sensor is None:
            raise KeyError(f"door sensor {door_sensor_id}")
        return sensor

    def set_door_sensor(self, door_sensor_id: int, open_: bool) -> None:
        """The door opens or closes: notice 7 with recordType 1 / 0 at once, and the alarm
        for this stretch is armed (a repeat of the same state changes nothing)."""
        sensor = self.door_sensor(door_sensor_id)
        if sensor.is_open == open_:
            return
        sensor.is_open = open_
        sensor.changed_ms = self.now_ms()
        self._arm_door_alarm(sensor)
        self._door_notice(sensor, DOOR_OPENED if open_ else DOOR_CLOSED)

    def set_door_sensor_alerts(
        self, door_sensor_id: int, *, not_closed_s: int | None, not_opened_days: int | None
    ) -> None:
        """``configAlertFlag``: the door-not-closed alarm after ``not_closed_s`` seconds
        (1–900) and the not-opened alarm after ``not_opened_days`` days (1–15); None turns one
        off. Takes effect at the next open or close, as the documentation says (ValueError
        outside the ranges)."""
        sensor = self.door_sensor(door_sensor_id)
        for value, (low, high), label in (
            (not_closed_s, DOOR_ALERT_SECONDS, "seconds"),
            (not_opened_days, DOOR_ALERT_DAYS, "days"),
        ):
            if value is not None and not low <= value <= high:
                raise ValueError(f"door sensor alert {label} must be {low}–{high}")
        sensor.not_closed_alert_s = not_closed_s
        sensor.not_opened_alert_days = not_opened_days

    def _arm_door_alarm(self, sensor: DoorSensor) -> None:
        if sensor.is_open:
            after = sensor.not_closed_alert_s
            sensor.alarm_due_ms = None if after is None else sensor.changed_ms + after * 1000
        else:
            days = sensor.not_opened_alert_days
            sensor.alarm_due_ms = None if days is None else sensor.changed_ms + days * _DAY_MS

    def _door_alarm(self, sensor: DoorSensor) -> None:
        sensor.alarm_due_ms = None  # once per open or closed stretch
        self._door_notice(sensor, DOOR_LEFT_OPEN if sensor.is_open else DOOR_NOT_OPENED)

    def _door_notice(self, sensor: DoorSensor, record_type: int) -> None:
        fields = {
            "doorSensorId": sensor.door_sensor_id,
            "mac": sensor.mac,
            "name": sensor.name,
            "recordType": record_type,
        }
        self._tell(NOTIFY_DOOR_SENSOR, sensor.owner_uid, fields)

    # --- meters (docs/meters.md) -----------------------------------------------------------
    def add_meter[M: Meter](self, meter: M, *, at_ms: int | None = None) -> M:
        """Add a meter; the cloud takes its first reading now, or at ``at_ms`` (as when the
        meter is bound). A scenario's meters share one moment, so their hourly reports fall
        together.

        Its gateway, if any, must exist and belong to the meter's account (ValueError).
        """
        self._check_meter_gateway(meter, meter.gateway_id)
        if meter.meter_id in self.meter_table(meter.kind):
            raise ValueError(f"{meter.label} {meter.meter_id} exists")
        now = self.now_ms() if at_ms is None else at_ms
        meter.consumed_until_ms = meter.report_anchor_ms = meter.heard_ms = now
        _settle_balance(meter)
        meter.records_since_ms = now - max(0, meter.history_days) * _DAY_MS
        for day in range(max(0, meter.history_days)):
            # past use on record: the meter's rate, more or less (50-150 %) each day
            digest = hashlib.sha256(f"{self.seed}|{meter.kind}|{meter.meter_id}|{day}".encode())
            share = 0.5 + int.from_bytes(digest.digest()[:4]) % 1000 / 1000
            end = now - day * _DAY_MS
            _spread(meter.usage, end - _DAY_MS, end, meter.units_per_hour * share)
        _report(meter, now)
        if isinstance(meter, ElectricMeter):
            self.electric_meters[meter.meter_id] = meter
        elif isinstance(meter, WaterMeter):
            self.water_meters[meter.meter_id] = meter
        return meter

    def meter_table(self, kind: str) -> Mapping[int, Meter]:
        """The meters of one kind (``"electric"`` / ``"water"``) by id, unrefreshed."""
        if kind == ElectricMeter.kind:
            return self.electric_meters
        if kind == WaterMeter.kind:
            return self.water_meters
        raise ValueError(f"unknown meter kind {kind!r}")

    def meter(self, kind: str, meter_id: int) -> Meter:
        """A meter, brought up to date; -1003 when unknown.

        The error table has no meter code. Meters are set up through the lock-initialisation
        interface and live among the account's devices (docs/meters.md §6), so the nearest
        documented meaning is -1003 "lock does not exist".
        """
        meter = self.meter_table(kind).get(meter_id)
        if meter is None:
            label = ElectricMeter.label if kind == ElectricMeter.kind else WaterMeter.label
            raise CloudError(-1003, f"{label} {meter_id} does not exist")
        return self.refresh_meter(meter)

    def meters_of(self, kind: str, uid: int) -> list[Meter]:
        """The account's meters of one kind, brought up to date."""
        return [
            self.refresh_meter(meter)
            for meter in self.meter_table(kind).values()
            if meter.owner_uid == uid
        ]

    def meter_gateway(self, meter: Meter) -> Gateway | None:
        """The gateway that relays the meter: it must exist and be the same account's."""
        gateway = self.gateways.get(meter.gateway_id) if meter.gateway_id is not None else None
        if gateway is None or gateway.owner_uid != meter.owner_uid:
            return None
        return gateway

    def meter_reachable(self, meter: Meter) -> bool:
        """The cloud hears the meter: it is on the air and its gateway is online (``online``)."""
        gateway = self.meter_gateway(meter)
        return meter.online and gateway is not None and gateway.is_online

    def meter_route(self, meter: Meter) -> Route:
        """The path of a gateway command to the meter or -2012 / -3002 / -3036 (§1.4)."""
        gateway = self.meter_gateway(meter)
        if gateway is None:
            raise CloudError(-2012, f"{meter.label} {meter.meter_id} has no gateway")
        if not gateway.is_online:
            raise CloudError(-3002, f"the gateway of {meter.label} {meter.meter_id} is offline")
        if not meter.online:
            raise CloudError(-3036, f"{meter.label} {meter.meter_id} is offline")
        latency = gateway.latency_s if gateway.latency_s is not None else self.gateway_latency_s
        return Route(f"gateway:{gateway.gateway_id}", latency, gateway)

    def refresh_meter[M: Meter](self, meter: M) -> M:
        """Run the meter up to now: consumption, the prepaid cut-off, the hourly report.

        Connectivity and the supply only change through methods that refresh first, so they
        are constant since the last refresh; the reading is the state at the last whole hour
        (counted from when the meter was added) at which the cloud could hear the meter.
        """
        now = self.now_ms()
        start = meter.consumed_until_ms
        if now <= start:
            return meter
        if self.meter_reachable(meter):
            hours = (now - meter.report_anchor_ms) // METER_REPORT_INTERVAL_MS
            last_report = meter.report_anchor_ms + hours * METER_REPORT_INTERVAL_MS
            if last_report > start:
                _consume(meter, start, last_report)
                _report(meter, last_report)
                start = last_report
            meter.heard_ms = now
        _consume(meter, start, now)
        meter.consumed_until_ms = now
        return meter

    def report_meter(self, meter: Meter) -> MeterReading:
        """The meter reports now (``syncState``, or a command the cloud saw carried out)."""
        self.refresh_meter(meter)
        _report(meter, self.now_ms())
        return meter.reading

    def meter_usage(self, meter: Meter, date_type: int, date_str: str) -> list[tuple[str, float]]:
        """``listRecords``: what the cloud has on record for one day (``dateType`` 0,
        ``dateStr`` ``YYYY-MM-DD``: per hour), month (1, ``YYYY-MM``: per day) or year (2,
        ``YYYY``: per month), as ``(createDate, units)``, oldest first. Periods run from where
        the records begin to the current one (0 when nothing was used); days are counted in
        :attr:`meter_time_zone`. ValueError for a ``dateStr`` of the wrong form."""
        pattern, label = _USAGE_DATE[date_type]
        found = pattern.fullmatch(date_str.strip())
        if found is None:
            raise ValueError(f"dateStr {date_str!r} does not fit dateType {date_type}")
        zone = ZoneInfo(self.meter_time_zone)
        parts = [int(part) for part in found.groups()] + [1, 1]
        try:
            first = datetime(parts[0], parts[1], parts[2], tzinfo=zone)
        except ValueError:
            raise ValueError(f"dateStr {date_str!r} is no date") from None
        if date_type == 0:  # the day's hours, 23 or 25 of them when the clocks change
            start_utc = first.astimezone(UTC)
            end_utc = (first + timedelta(days=1)).astimezone(UTC)
            hours = int((end_utc - start_utc) / timedelta(hours=1))
            starts = [start_utc + timedelta(hours=hour) for hour in range(hours)]
            ends = [*starts[1:], end_utc]
        elif date_type == 1:
            days = calendar.monthrange(first.year, first.month)[1]
            starts = [first.replace(day=day) for day in range(1, days + 1)]
            ends = [*starts[1:], _next_month(first)]
        else:
            starts = [first.replace(month=month) for month in range(1, 13)]
            ends = [*starts[1:], first.replace(year=first.year + 1)]
        self.refresh_meter(meter)
        now = self.now_ms()
        span = [(_ms(start), _ms(end)) for start, end in zip(starts, ends, strict=True)]
        periods: dict[str, float] = {}
        for (start_ms, end_ms), start in zip(span, starts, strict=True):
            if end_ms > meter.records_since_ms and start_ms <= now:
                periods.setdefault(start.astimezone(zone).strftime(label), 0.0)
        if periods:
            lowest, highest = span[0][0], span[-1][1]
            for hour, used in meter.usage.items():
                if lowest <= hour < highest:
                    name = datetime.fromtimestamp(hour / 1000, zone).strftime(label)
                    if name in periods:
                        periods[name] += used
        return list(periods.items())

    def meter_state(self, kind: str, meter_id: int) -> MeterReading:
        """The meter's true state now (what a reading taken now would say)."""
        return _reading(self.meter(kind, meter_id), self.now_ms())

    def switch_meter(self, meter: Meter, on: bool) -> None:
        """``controlOnOff``: relay / valve on or off (a prepaid meter at 0 cuts off again)."""
        self.refresh_meter(meter)
        meter.on_off = 1 if on else 0
        meter.cut_for_balance = False
        _settle_balance(meter)
        self.report_meter(meter)

    def recharge_meter(self, meter: Meter, units: float) -> None:
        """``recharge``: more prepaid units; supply back if the meter had cut it for want of
        balance. No report: the cloud learns the balance at the next reading."""
        self.refresh_meter(meter)
        meter.remainder += units
        _settle_balance(meter)

    def clear_meter(self, meter: Meter) -> None:
        """``clear``: the remaining prepaid units go to 0 (a prepaid meter cuts off)."""
        self.refresh_meter(meter)
        meter.remainder = 0.0
        _settle_balance(meter)
        self.report_meter(meter)

    def set_meter_pay_mode(self, meter: Meter, pay_mode: int, price: float | None = None) -> None:
        """``updatePayMode``: 0 metering / 1 prepaid, optionally with a new unit price."""
        self.refresh_meter(meter)
        meter.pay_mode = pay_mode
        if price is not None:
            meter.price = price
        _settle_balance(meter)
        self.report_meter(meter)

    def set_meter_total(self, meter: Meter, total: float) -> None:
        """``updateTotal`` (water): set the meter's cumulative total."""
        self.refresh_meter(meter)
        meter.total = total
        self.report_meter(meter)

    def set_meter_online(self, kind: str, meter_id: int, online: bool) -> None:
        """Meter on / off the air (offline: no consumption, no reports, commands -3036)."""
        self.meter(kind, meter_id).online = online

    def set_meter_gateway(self, kind: str, meter_id: int, gateway_id: int | None) -> None:
        """Attach the meter to another gateway of its account, or to none (-2012)."""
        meter = self.meter(kind, meter_id)
        self._check_meter_gateway(meter, gateway_id)
        meter.gateway_id = gateway_id

    def meters_heard_by(self, gateway_id: int) -> list[Meter]:
        """Meters the gateway heard in the last 30 minutes (``gateway/listDevice``)."""
        horizon = self.now_ms() - GATEWAY_SIGHTING_WINDOW_MS
        return [
            meter
            for kind in (ElectricMeter.kind, WaterMeter.kind)
            for meter in self.meter_table(kind).values()
            if meter.gateway_id == gateway_id
            and self.meter_gateway(meter) is not None
            and self.refresh_meter(meter).heard_ms >= horizon
        ]

    def _refresh_meters_of_gateway(self, gateway_id: int) -> None:
        """Before a gateway changes, its meters run up to now under the old conditions."""
        for kind in (ElectricMeter.kind, WaterMeter.kind):
            for meter in self.meter_table(kind).values():
                if meter.gateway_id == gateway_id:
                    self.refresh_meter(meter)

    def _check_meter_gateway(self, meter: Meter, gateway_id: int | None) -> None:
        if gateway_id is None:
            return
        gateway = self.gateways.get(gateway_id)
        if gateway is None:
            raise ValueError(f"no gateway {gateway_id}")
        if gateway.owner_uid != meter.owner_uid:
            raise ValueError(f"gateway {gateway_id} belongs to another account")

    @property
    def lifts(self) -> list[Lock]:
        return [lock for lock in self.locks.values() if lock.lock_type == 2]


def _reading(meter: Meter, date_ms: int) -> MeterReading:
    return MeterReading(meter.total, meter.remainder, meter.on_off, date_ms)


def _report(meter: Meter, date_ms: int) -> None:
    """A reading reaches the cloud, and with it what the meter used since the last one."""
    meter.reading = _reading(meter, date_ms)
    for hour, used in meter.unreported.items():
        meter.usage[hour] = meter.usage.get(hour, 0.0) + used
    meter.unreported.clear()


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _next_month(moment: datetime) -> datetime:
    if moment.month == 12:
        return moment.replace(year=moment.year + 1, month=1, day=1)
    return moment.replace(month=moment.month + 1, day=1)


def _spread(hours: dict[int, float], start_ms: float, end_ms: float, per_hour: float) -> None:
    """Add ``per_hour`` units an hour from ``start_ms`` to ``end_ms`` to the hours' buckets."""
    hour = int(start_ms) - int(start_ms) % _HOUR_MS
    while hour < end_ms:
        overlap = min(end_ms, hour + _HOUR_MS) - max(start_ms, hour)
        if overlap > 0:
            hours[hour] = hours.get(hour, 0.0) + per_hour * overlap / _HOUR_MS
        hour += _HOUR_MS


def _consume(meter: Meter, start_ms: int, end_ms: int) -> None:
    """Use from ``start_ms`` to ``end_ms``: only while on the air with the supply on; a
    prepaid meter spends its balance and cuts the supply off itself when it reaches 0. The
    meter notes what it used in each hour (reported with its next reading)."""
    duration_ms = end_ms - start_ms
    if duration_ms <= 0 or not meter.online or meter.on_off != 1:
        return
    rate = meter.units_per_hour
    used = rate * duration_ms / METER_REPORT_INTERVAL_MS
    if meter.pay_mode == 1:
        used = min(used, meter.remainder)
        meter.remainder -= used
    meter.total += used
    if used > 0 and rate > 0:  # at the rate until done (a prepaid meter may run out first)
        _spread(meter.unreported, start_ms, start_ms + used / rate * _HOUR_MS, rate)
    _settle_balance(meter)


def _settle_balance(meter: Meter) -> None:
    """The prepaid rule: no balance, no supply; supply back once the reason is gone."""
    if meter.pay_mode == 1 and meter.remainder <= _EPSILON:
        meter.remainder = 0.0
        if meter.on_off == 1:
            meter.on_off = 0
            meter.cut_for_balance = True
    elif meter.cut_for_balance:
        meter.on_off = 1
        meter.cut_for_balance = False
