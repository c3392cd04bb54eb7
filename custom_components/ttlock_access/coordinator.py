"""The account coordinator: cloud inventory, push-aware polling and the command path.

What is read when is schedule.py's decision: with TTLock's pushes working, the inventory
(``lock/list`` + ``gateway/list``: battery, new locks, gateway state) every 5 h and a few
per-lock safety-net reads a day; without them, each lock's records every poll. Every poll
spends at most ``sweep_calls`` per-lock calls, most needed first, so the cost does not grow
with the number of locks; polling pauses when the month's budget runs ahead of pace.

Commands go through :meth:`TTLockCoordinator.async_set_locked`, which takes the best path
(paths.py: Bluetooth in range, else the gateway or the lock's Wi-Fi).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .ble import LockBluetooth
from .const import (
    CONF_MONTHLY_BUDGET,
    CONF_POLL_INTERVAL,
    CONF_STAY_CONNECTED,
    CONF_SWEEP_CALLS,
    CONF_WEBHOOK_SEEN,
    DEFAULT_MONTHLY_BUDGET,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_SWEEP_CALLS,
    DOMAIN,
    ISSUE_BUDGET_EXHAUSTED,
    ISSUE_PUSH_MISSED,
    ISSUE_QUOTA_EXHAUSTED,
    MANUFACTURER,
    RATE_LIMIT_RETRY,
)
from .errors import async_reauth_needed, translate_error
from .models import (
    AccountData,
    LockRuntime,
    Path,
    gateway_device_identifier,
    lock_device_identifier,
)
from .paths import paths_to, run_explained
from .schedule import (
    WITH_PUSH,
    WITHOUT_PUSH,
    Estimate,
    Kind,
    PushHealth,
    inventory_due,
    lock_plan,
    monthly_estimate,
)
from .sdk.ble import Lock as BleLockOp
from .sdk.ble import LockKeys
from .sdk.ble import Unlock as BleUnlockOp
from .sdk.cloud import TTLockCloud
from .sdk.cloud.errors import (
    AuthError,
    LockOfflineError,
    MonthlyQuotaExceededError,
    RateLimitedError,
    TTLockError,
)
from .sdk.model import DoorState, Gateway, Lock, OpenState
from .usage import ApiUsage, seconds_to_next_month

_LOGGER = logging.getLogger(__name__)

RECORD_STATE_SLACK = timedelta(seconds=60)
"""A record older than the last known state by more than this does not change it."""

type RecordsReader = Callable[[int], Awaitable[None]]


class TTLockCoordinator(DataUpdateCoordinator[AccountData]):
    """Polls one TTLock account and runs commands on its locks."""

    config_entry: ConfigEntry[Any]

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        client: TTLockCloud | None,
        usage: ApiUsage,
    ) -> None:
        minutes = entry.options.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL)
        self.interval = timedelta(minutes=minutes)
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=DOMAIN,
            # a local lock has nothing to poll: advertisements and commands update it
            update_interval=self.interval if client else None,
            always_update=True,
        )
        self.client = client
        self.usage = usage
        self.sweep_calls: int = entry.options.get(CONF_SWEEP_CALLS, DEFAULT_SWEEP_CALLS)
        self.usage.budget = entry.options.get(CONF_MONTHLY_BUDGET, DEFAULT_MONTHLY_BUDGET)
        self.data = AccountData()
        self.ble = LockBluetooth(
            hass,
            lambda: self.data.locks,
            on_state=self.async_set_state,
            on_change=self.async_update_listeners,
        )
        self.ble.stay_connected = bool(entry.options.get(CONF_STAY_CONNECTED, False))
        self.push = PushHealth(seen=bool(entry.data.get(CONF_WEBHOOK_SEEN)))
        self.inventory_at: datetime | None = None
        self._read_records: RecordsReader | None = None
        self._auto_lock_timers: dict[int, CALLBACK_TYPE] = {}
        self._new_lock_callbacks: list[Callable[[set[int]], None]] = []
        self._new_gateway_callbacks: list[Callable[[set[int]], None]] = []

    @property
    def cloud(self) -> TTLockCloud:
        """The cloud client (account entries only)."""
        assert self.client is not None, "a local lock entry has no cloud"
        return self.client

    @callback
    def async_add_local_lock(self, lock: Lock, keys: LockKeys) -> None:
        """Set up the single lock of a local (Bluetooth-only) entry."""
        self.data.locks[lock.lock_id] = LockRuntime(lock=lock)
        self.ble.extra_keys[lock.lock_id] = keys
        self.ble.async_track({lock.lock_id})

    # ------------------------------------------------------------------ polling
    async def _async_update_data(self) -> AccountData:
        if self.client is None:
            return self.data
        if self.usage.exhausted and not self.usage.quota_exhausted:
            # Our own budget is spent: keep the last known data, spend nothing more.
            self._set_issue(ISSUE_BUDGET_EXHAUSTED, True)
            return self.data
        self._set_issue(ISSUE_BUDGET_EXHAUSTED, False)
        now = dt_util.utcnow()
        self.push.check(now)
        self._set_issue(ISSUE_PUSH_MISSED, self.push.issue_due(now))
        periods = WITH_PUSH if self.push.working else WITHOUT_PUSH
        first = self.inventory_at is None
        if inventory_due(self.inventory_at, periods, now, self.interval):
            try:
                locks = await self.cloud.list_locks()
                gateways = await self.cloud.list_gateways()
            except TTLockError as err:
                raise self._update_failed(err) from err
            self._set_issue(ISSUE_QUOTA_EXHAUSTED, False)
            self._apply_inventory(locks, gateways)
            self.inventory_at = now
        if not self.usage.ahead_of_pace():
            # the first poll reads no records: setup costs no more than the inventory
            plan = lock_plan(
                self.data.locks.values(),
                periods,
                now,
                cap=self.sweep_calls,
                interval=self.interval,
                records=not first and self._read_records is not None,
            )
            await self._async_sweep(plan)
        return self.data

    async def async_refresh_inventory(self) -> None:
        """Poll now, the account's lock and gateway lists included (a device was just added)."""
        self.inventory_at = None
        await self.async_refresh()

    @callback
    def async_set_records_reader(self, reader: RecordsReader | None) -> None:
        """Who reads a lock's ``lockRecord/list`` when the schedule says so (activity.py);
        it raises only the account-wide errors (sign-in, quota)."""
        self._read_records = reader

    @callback
    def async_push_arrived(self) -> None:
        """TTLock's callback reached us: polling slows down, a missed-push issue goes."""
        was = self.push.state
        self.push.pushed(dt_util.utcnow())
        if self.client is not None:
            self._set_issue(ISSUE_PUSH_MISSED, False)
        if was is not self.push.state:
            self.async_update_listeners()

    def estimate(self) -> Estimate:
        """What the current settings cost a month for this account, with and without push."""
        return monthly_estimate(
            self.data.locks.values(), len(self.data.gateways), self.interval, self.sweep_calls
        )

    def _update_failed(self, err: TTLockError) -> Exception:
        if isinstance(err, AuthError):
            return ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="auth_failed_entry"
            )
        if isinstance(err, MonthlyQuotaExceededError):
            self.usage.quota_exhausted = True
            self._set_issue(ISSUE_QUOTA_EXHAUSTED, True)
            return UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="quota_exhausted_poll",
                retry_after=min(3600, seconds_to_next_month(dt_util.now())),
            )
        if isinstance(err, RateLimitedError):
            return UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="rate_limited_poll",
                retry_after=RATE_LIMIT_RETRY,
            )
        return UpdateFailed(
            translation_domain=DOMAIN,
            translation_key="update_failed",
            translation_placeholders={"error": str(err)},
        )

    def _set_issue(self, issue_id: str, active: bool) -> None:
        full_id = f"{issue_id}_{self.config_entry.entry_id}"
        if not active:
            ir.async_delete_issue(self.hass, DOMAIN, full_id)
            return
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            full_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=issue_id,
            translation_placeholders={
                "account": self.config_entry.title,
                "budget": str(self.usage.budget),
            },
        )

    def _apply_inventory(self, locks: list[Lock], gateways: list[Gateway]) -> None:
        data = self.data
        seen = {lock.lock_id for lock in locks}
        new_locks = seen - data.locks.keys()
        for lock in locks:
            runtime = data.locks.get(lock.lock_id)
            if runtime is None:
                data.locks[lock.lock_id] = LockRuntime(lock=lock)
            else:
                runtime.lock = lock
                runtime.record_battery = None  # the list is at least as new
        gone_locks = data.locks.keys() - seen
        if self.inventory_at is None:
            # the first inventory: devices of locks and gateways that left the account while
            # Home Assistant was off go too
            gone_locks |= self._registered("lock-") - seen
        for lock_id in gone_locks:
            data.locks.pop(lock_id, None)
            self._cancel_auto_lock(lock_id)
        self.ble.async_untrack(gone_locks)
        self.ble.async_track(new_locks)
        seen_gw = {gw.gateway_id for gw in gateways}
        new_gateways = seen_gw - data.gateways.keys()
        gone_gateways = data.gateways.keys() - seen_gw
        if self.inventory_at is None:
            gone_gateways |= self._registered("gateway-") - seen_gw
        data.gateways = {gw.gateway_id: gw for gw in gateways}
        self._remove_devices(
            [lock_device_identifier(i) for i in gone_locks]
            + [gateway_device_identifier(i) for i in gone_gateways]
        )
        # Gateways first, so that new locks can point at them.
        self._register_gateway_devices(gateways)
        if new_gateways:
            for cb in list(self._new_gateway_callbacks):
                cb(new_gateways)
        if new_locks:
            for cb in list(self._new_lock_callbacks):
                cb(new_locks)

    def _registered(self, prefix: str) -> set[int]:
        """Ids of this entry's devices whose identifier starts with ``prefix``."""
        ids: set[int] = set()
        registry = dr.async_get(self.hass)
        for device in dr.async_entries_for_config_entry(registry, self.config_entry.entry_id):
            for domain, value in device.identifiers:
                if domain == DOMAIN and value.startswith(prefix):
                    suffix = value.removeprefix(prefix)
                    if suffix.isdigit():
                        ids.add(int(suffix))
        return ids

    def _register_gateway_devices(self, gateways: list[Gateway]) -> None:
        """Create or refresh the device of every gateway (locks are linked via them)."""
        registry = dr.async_get(self.hass)
        for gateway in gateways:
            registry.async_get_or_create(
                config_entry_id=self.config_entry.entry_id,
                identifiers={gateway_device_identifier(gateway.gateway_id)},
                connections=(
                    {(dr.CONNECTION_NETWORK_MAC, gateway.mac.lower())} if gateway.mac else set()
                ),
                manufacturer=MANUFACTURER,
                name=gateway.name,
                model=gateway.model,
            )

    def _remove_devices(self, identifiers: list[tuple[str, str]]) -> None:
        if not identifiers:
            return
        registry = dr.async_get(self.hass)
        for identifier in identifiers:
            device = registry.async_get_device_by_identifier(identifier, self.config_entry.entry_id)
            if device is not None:
                _LOGGER.info("Removing %s: it is no longer on the TTLock account", device.name)
                registry.async_update_device(
                    device.id, remove_config_entry_id=self.config_entry.entry_id
                )

    @callback
    def async_add_lock_listener(self, cb: Callable[[set[int]], None]) -> CALLBACK_TYPE:
        """Call ``cb`` with the ids of locks that appear on the account."""
        self._new_lock_callbacks.append(cb)
        return lambda: self._new_lock_callbacks.remove(cb)

    @callback
    def async_add_gateway_listener(self, cb: Callable[[set[int]], None]) -> CALLBACK_TYPE:
        """Call ``cb`` with the ids of gateways that appear on the account."""
        self._new_gateway_callbacks.append(cb)
        return lambda: self._new_gateway_callbacks.remove(cb)

    # ------------------------------------------------------------------ the sweep
    async def _async_sweep(self, plan: list[tuple[Kind, int]]) -> None:
        for kind, lock_id in plan:
            rt = self.data.locks[lock_id]
            now = dt_util.utcnow()
            try:
                if kind == "detail":
                    rt.detail_at = now
                    rt.detail = await self.cloud.get_lock_detail(lock_id)
                    self._update_device_info(rt)
                elif kind == "signal":
                    rt.signal_at = now
                    rt.sightings = await self.cloud.list_gateways_by_lock(lock_id)
                    self._update_device_info(rt)
                elif kind == "records":
                    rt.records_at = now
                    assert self._read_records is not None
                    await self._read_records(lock_id)
                else:
                    rt.state_checked_at = now
                    open_state = await self.cloud.query_open_state(lock_id)
                    self.async_set_state(rt, open_state.state, "gateway", door=open_state.door)
            except (AuthError, MonthlyQuotaExceededError, RateLimitedError) as err:
                raise self._update_failed(err) from err
            except TTLockError as err:
                # One lock out of reach (gateway offline, lock asleep) must not fail the poll.
                _LOGGER.debug("Reading the %s of lock %s failed: %s", kind, lock_id, err)

    def _update_device_info(self, rt: LockRuntime) -> None:
        """Refresh model/firmware and the via-gateway link of a lock's device."""
        registry = dr.async_get(self.hass)
        entry_id = self.config_entry.entry_id
        device = registry.async_get_device_by_identifier(
            lock_device_identifier(rt.lock.lock_id), entry_id
        )
        if device is None:
            return
        changes: dict[str, object] = {}
        if rt.detail is not None:
            changes.update(
                model=rt.detail.model_num,
                sw_version=rt.detail.firmware_revision,
                hw_version=rt.detail.hardware_revision,
            )
        best = rt.best_sighting
        if best is not None:
            gateway = registry.async_get_device_by_identifier(
                gateway_device_identifier(best.gateway_id), entry_id
            )
            if gateway is not None:
                changes["via_device_id"] = gateway.id
        registry.async_update_device(device.id, **changes)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ state
    @callback
    def async_set_state(
        self,
        rt: LockRuntime,
        state: OpenState,
        source: str,
        *,
        door: DoorState | None = None,
    ) -> None:
        rt.state = None if state is OpenState.UNKNOWN else state
        rt.state_at = dt_util.utcnow()
        rt.state_source = source
        if door is not None:
            rt.door = door
        self._cancel_auto_lock(rt.lock.lock_id)

    def _cancel_auto_lock(self, lock_id: int) -> None:
        if (cancel := self._auto_lock_timers.pop(lock_id, None)) is not None:
            cancel()

    def _schedule_auto_lock(self, rt: LockRuntime) -> None:
        """TTLock often sends no record when a lock relocks itself: infer it from autoLockTime."""
        self._infer_relock(rt, dt_util.utcnow())

    async def async_shutdown(self) -> None:
        """Cancel timers when the entry unloads."""
        for lock_id in list(self._auto_lock_timers):
            self._cancel_auto_lock(lock_id)
        await self.ble.async_stop()
        await super().async_shutdown()

    # ------------------------------------------------------------------ commands
    def paths(self, rt: LockRuntime) -> list[Path]:
        """Paths to a lock, best first: Bluetooth in range, then gateway or Wi-Fi."""
        return paths_to(self.ble, rt)

    async def async_set_locked(self, lock_id: int, locked: bool) -> None:
        """Lock or unlock over the best available path, falling back to the next one."""
        rt = self.data.locks[lock_id]  # entities of removed locks are gone / unavailable
        op: type[BleLockOp | BleUnlockOp] = BleLockOp if locked else BleUnlockOp
        _, path = await run_explained(
            self.hass,
            self.config_entry,
            rt.lock.name,
            self.paths(rt),
            bluetooth=lambda fallback: self.ble.async_run(rt, op, fallback=fallback),
            remote=lambda _path: self._async_cloud_set_locked(rt, locked),
        )
        rt.last_path = path
        self.async_set_state(rt, OpenState.LOCKED if locked else OpenState.UNLOCKED, "command")
        if not locked:
            self._schedule_auto_lock(rt)
        self.async_update_listeners()

    async def _async_cloud_set_locked(self, rt: LockRuntime, locked: bool) -> None:
        try:
            if locked:
                await self.cloud.lock(rt.lock.lock_id)
            else:
                await self.cloud.unlock(rt.lock.lock_id)
            if rt.lock.is_wifi:
                rt.wifi_online = True
            self.push.expect(rt.lock.lock_id, dt_util.utcnow())  # its record must be pushed
        except TTLockError as err:
            if rt.lock.is_wifi and isinstance(err, LockOfflineError):
                rt.wifi_online = False
                self.async_update_listeners()
            if isinstance(err, AuthError):
                async_reauth_needed(self.hass, self.config_entry)
            elif isinstance(err, MonthlyQuotaExceededError):
                self.usage.quota_exhausted = True
                self._set_issue(ISSUE_QUOTA_EXHAUSTED, True)
            raise translate_error(err, rt.lock.name) from err

    # ================================================================== records → state
    # Lock records (activity.py) turn into lock and door state here: TTLock often sends no
    # "locked" record when a lock relocks itself, so it is inferred from autoLockTime.
    @callback
    def async_apply_record_state(self, rt: LockRuntime, state: OpenState, at: datetime) -> None:
        """A record says the lock was locked/unlocked at ``at`` (lock clock, UTC)."""
        if rt.state_at is not None and at < rt.state_at - RECORD_STATE_SLACK:
            return  # we learned a newer state since
        if state is OpenState.UNLOCKED:
            self.async_set_state(rt, state, "record")
            self._infer_relock(rt, at)
        else:
            self.async_set_state(rt, state, "record")

    @callback
    def async_apply_door(self, rt: LockRuntime, door: DoorState, at: datetime) -> None:
        """A door-sensor record; the lock relocks ``autoLockTime`` after the door closes."""
        rt.door = door
        if door is DoorState.OPEN:
            self._cancel_auto_lock(rt.lock.lock_id)  # no relock while the door is open
        elif rt.state is OpenState.UNLOCKED:
            self._infer_relock(rt, at)

    def _infer_relock(self, rt: LockRuntime, since: datetime) -> None:
        """Locked ``autoLockTime`` after ``since``: now if already past, else by a timer."""
        seconds = rt.detail.auto_lock_time if rt.detail else None
        if not seconds or seconds <= 0 or (rt.detail and rt.detail.passage_mode):
            return
        lock_id = rt.lock.lock_id
        self._cancel_auto_lock(lock_id)
        remaining = (since + timedelta(seconds=seconds) - dt_util.utcnow()).total_seconds()
        if remaining <= 0:
            self.async_set_state(rt, OpenState.LOCKED, "auto_lock")
            return

        @callback
        def _relocked(_now: datetime) -> None:
            self._auto_lock_timers.pop(lock_id, None)
            current = self.data.locks.get(lock_id)
            if current is not None and current.state is OpenState.UNLOCKED:
                self.async_set_state(current, OpenState.LOCKED, "auto_lock")
                self.async_update_listeners()

        self._auto_lock_timers[lock_id] = async_call_later(self.hass, remaining, _relocked)
