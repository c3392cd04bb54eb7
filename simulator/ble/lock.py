"""``SimulatedLock``: a TTLock V3 lock as a BLE peripheral, written from the lock's side.

Specification: ``docs/ble.md`` (§ below), corrected by
``docs/errata.md`` (E…), whose column "accept" this lock follows: it is liberal in what
it accepts, so the real peer clients of errata §2 complete their operations against it.
The command semantics are written here independently of the integration's client; the
frame codec is :mod:`simulator.ble.codec`.

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
* One memory with the cloud: :func:`simulator.ble.world_link.lock_from_world` makes
  ``passcodes`` / ``cards`` / ``fingerprints`` views of the world lock's memory and sets
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

Layout
------
This module is the link layer: GATT writes, framing, the retransmission cache, the
setting-mode and login checks, dispatch through :data:`simulator.ble.handlers.COMMANDS` and
the reply. The rest lives beside it: :mod:`.protocol` (codes and encodings), :mod:`.state`
(what the lock stores), :mod:`.core` (:class:`~simulator.ble.core.LockCore`: the lock's
state and small actions), :mod:`.session` (one connection), :mod:`.faults` (fault knobs)
and :mod:`.handlers` (one module per command family).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .codec import (
    DEFAULT_AES_KEY,
    ENCRYPT_APP,
    ENCRYPT_PUSH,
    RESPONSE_COMMAND,
    CodecError,
    Header,
    IncomingFrame,
    aes_decrypt,
    aes_encrypt,
    build_frame,
    chunks,
    parse_frame,
)
from .core import LockCore, SimLockEvent
from .faults import LockFaults
from .handlers import COMMANDS
from .handlers.passcodes import enter_code
from .handlers.readers import place_finger, present_card
from .protocol import (
    BATTERY_LEVEL_UUID,
    FAILURE,
    FP_SENTINEL_END,
    FP_SENTINEL_START,
    NO_AUTH,
    NOT_CACHED,
    NOTIFY_UUID,
    PERMANENT_END,
    PERMANENT_START,
    SERVICE_UUID,
    SETTING_MODE_COMMANDS,
    SUCCESS,
    V3_COMPANY_ID,
    WRITE_UUID,
    Cmd,
    Err,
    FramedReply,
    LogKind,
    Reply,
)
from .session import Session
from .state import (
    AccessDecision,
    AccessRules,
    EventKind,
    OperationRecord,
    PassageWindow,
    StoredCredential,
    StoredPasscode,
)

__all__ = [
    "BATTERY_LEVEL_UUID",
    "FP_SENTINEL_END",
    "FP_SENTINEL_START",
    "NOTIFY_UUID",
    "PERMANENT_END",
    "PERMANENT_START",
    "SERVICE_UUID",
    "V3_COMPANY_ID",
    "WRITE_UUID",
    "AccessDecision",
    "AccessRules",
    "Cmd",
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


class SimulatedLock(LockCore):
    """A TTLock V3 lock (or lift controller) on the simulated air.

    Build a paired lock with its key material, or :meth:`factory_fresh` for pairing tests,
    or :func:`simulator.ble.world_link.lock_from_world` for one sharing state with the
    simulated cloud. Secrets are attributes (``aes_key``, ``admin_ps``, ``unlock_key``,
    ``admin_code``): tests need them; ``repr`` hides them. State and the small actions on it
    are :class:`~simulator.ble.core.LockCore`'s; what each command does is in
    :mod:`simulator.ble.handlers`.
    """

    # --- construction helpers ---------------------------------------------------------
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

    # --- the link ---------------------------------------------------------------------
    def on_connect(self) -> None:
        """A fresh session for the new link."""
        self._session = Session()
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
        self._session = Session()
        if session.pairing and self.setting_mode:
            self.factory_state()

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

    # --- sending ----------------------------------------------------------------------
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

    def push(self, plaintext: bytes) -> None:
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

    # --- request processing -----------------------------------------------------------
    def _process(self, raw: bytes) -> None:
        try:
            frame = parse_frame(raw)
        except CodecError:
            return
        session = self._session
        if not frame.crc_ok:
            self._send_reply(bytes((frame.command, FAILURE, Err.CRC_ERROR)))
            return
        if self.faults.swallow:
            self.faults.swallow -= 1
            return
        if (
            raw == session.last_request
            and session.last_reply is not None
            and frame.command not in NOT_CACHED
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
        self._send_reply(bytes((command, SUCCESS)) + data, remember=raw)

    def _fail(self, command: int, code: int, raw: bytes | None = None) -> None:
        self._send_reply(bytes((command, FAILURE, code)), remember=raw)

    def _dispatch(self, frame: IncomingFrame, payload: bytes, raw: bytes) -> None:
        command = frame.command
        handler = COMMANDS.get(command)
        if handler is None:
            self._fail(command, Err.INVALID_COMMAND, raw)
            return
        session = self._session
        if self.setting_mode and not session.pairing and command not in SETTING_MODE_COMMANDS:
            self._fail(command, Err.NO_ADMIN, raw)
            return
        if command not in NO_AUTH:
            allowed = session.admin or self.lenient_auth
            if command == Cmd.TIME_CALIBRATE:
                allowed = allowed or session.user_random
            if not allowed:
                self._fail(command, self.not_logged_in_code, raw)
                return
        result: Reply | FramedReply
        try:
            result = handler(self, payload)
        except (IndexError, ValueError):
            result = (FAILURE, bytes((Err.INVALID_PARAMETER,)))
        if isinstance(result, FramedReply):  # sent as it is, not kept for retransmission
            self._send_reply(result.plaintext, frame_command=result.frame_command, key=result.key)
            return
        status, data = result
        if status == SUCCESS:
            self._ok(command, data, raw)
        else:
            self._fail(command, data[0] if data else Err.FAILED, raw)

    # --- the keypad and the readers (what a person does at the door) -------------------------
    def enter_code(self, digits: str) -> bool:
        """Type ``digits`` on the keypad; True when the lock opens.

        TTLock's anti-peep rule: extra digits before or after a valid code (up to 16 digits in
        all) still open. One-time codes (type 2) are used up. Logged as type 4 / type 7.
        """
        return enter_code(self, digits)

    def present_card(self, number: int) -> bool:
        """Hold a card to the reader; True when the lock opens (or the card is enrolled).

        In card add mode (after an app's ``0x05 [2]``) the card is stored with the permanent
        window and pushed as ``[05][01][battery][2][01][card]``; otherwise a valid card opens
        (log 17) and an unknown or expired one is refused (log 25).
        """
        return present_card(self, number)

    def place_finger(self, fingerprint_id: int | None = None) -> bool | int:
        """Put a finger on the sensor.

        During enrolment (after an app's ``0x06 [2]``) each call is one touch: progress pushes
        ``[06][01][bb][2][03][n][total]``, then the success push with the new 6-byte id, which
        is returned. Otherwise ``fingerprint_id`` is the finger: True when it opens (log 20),
        False when refused (log 22).
        """
        return place_finger(self, fingerprint_id)
