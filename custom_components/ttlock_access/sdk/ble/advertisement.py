"""TTLock advertisement parsing (docs/ble.md §1.1–§1.2; docs/errata.md E5, E15).

The lock reuses the two "company id" bytes of its manufacturer-specific data as protocol
bytes: re-join ``company_id.to_bytes(2, "little") + payload`` (a V3 lock's key is ``0x0305``)
and read the raw layout:

================  ============================  ==================
field             V3 (raw[0:2] == ``05 03``)     any other header
================  ============================  ==================
protocolType      raw[0]                         raw[4]
protocolVersion   raw[1]                         raw[5]
scene             raw[2]                         raw[7]
params bits       raw[3]                         raw[8]
battery %         raw[4]                         raw[9]
MAC (reversed)    last 6 bytes                   last 6 bytes
================  ============================  ==================

Service ``0x1910`` is neither necessary (some locks do not advertise it) nor sufficient (it
is shared by unrelated devices), so identification rests on this structure alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntFlag, StrEnum

from .const import LockType, lock_type_of
from .errors import AdvertisementError
from .frame import ProtocolHeader
from .keys import mac_from_bytes

MIN_LENGTH = 15
MAX_LENGTH = 31
MAX_SCENE = 13
"""Highest scene the SDK knows (13 = power saver; docs/ble.md §1.1)."""
MAX_BATTERY = 100
V3_PREFIX = b"\x05\x03"


class AdvertisementFlag(IntFlag):
    """Bits of the params byte (docs/ble.md §1.1; docs/errata.md E5 for 0x10)."""

    UNLOCKED = 0x01
    HAS_EVENTS = 0x02
    SETTING_MODE = 0x04
    TOUCHED = 0x08
    DORMANT = 0x10


class DeviceKind(StrEnum):
    """What kind of TTLock device the header says this is (docs/ble.md §1.1, §9.1)."""

    LOCK = "lock"
    LOCK_DFU = "lock_dfu"
    PLUG_DFU = "plug_dfu"
    GATEWAY_DFU = "gateway_dfu"
    WRISTBAND = "wristband"
    GATEWAY_G2 = "gateway_g2"
    GATEWAY_G3 = "gateway_g3"
    GATEWAY_G4 = "gateway_g4"


_SPECIAL_HEADERS: dict[bytes, DeviceKind] = {
    b"\x12\x19": DeviceKind.PLUG_DFU,
    b"\x13\x19": DeviceKind.GATEWAY_DFU,
    b"\xff\xff": DeviceKind.LOCK_DFU,
    b"\x34\x12": DeviceKind.WRISTBAND,
    b"\x11\x19": DeviceKind.GATEWAY_G2,
    b"\x11\x21": DeviceKind.GATEWAY_G3,
    b"\x11\x20": DeviceKind.GATEWAY_G4,
}


@dataclass(frozen=True, slots=True)
class TTLockAdvertisement:
    """A decoded TTLock advertisement.

    ``params`` and ``battery`` are None for generations that do not broadcast state
    (protocolType < 5 and V2S 5.1; docs/ble.md §1.1) and for non-lock devices.
    """

    kind: DeviceKind
    protocol_type: int
    protocol_version: int
    scene: int
    mac: str
    params: int | None = None
    battery: int | None = None
    raw: bytes = field(default=b"", repr=False)

    @property
    def lock_type(self) -> LockType:
        """Generation from (type, version, scene) (docs/ble.md §1.1)."""
        if self.kind is not DeviceKind.LOCK:
            return LockType.UNKNOWN
        return lock_type_of(self.protocol_type, self.protocol_version, self.scene)

    @property
    def carries_status(self) -> bool:
        """Whether params/battery are broadcast at all."""
        return self.params is not None

    def _flag(self, flag: AdvertisementFlag) -> bool | None:
        return None if self.params is None else bool(self.params & flag)

    @property
    def setting_mode(self) -> bool | None:
        """Pairing mode: factory-fresh, will accept initialisation (bit 0x04)."""
        return self._flag(AdvertisementFlag.SETTING_MODE)

    @property
    def has_events(self) -> bool | None:
        """New operation-log records are pending (bit 0x02; always set on some firmware)."""
        return self._flag(AdvertisementFlag.HAS_EVENTS)

    @property
    def touched(self) -> bool | None:
        """Keypad touched / lock awake (bit 0x08)."""
        return self._flag(AdvertisementFlag.TOUCHED)

    @property
    def dormant(self) -> bool | None:
        """Radio asleep (bit 0x10, docs/errata.md E5): the bolt bit is then meaningless."""
        return self._flag(AdvertisementFlag.DORMANT)

    @property
    def unlocked(self) -> bool | None:
        """Bolt state (bit 0x01); None when not broadcast or while dormant (docs/errata.md E5)."""
        if self.params is None or self.params & AdvertisementFlag.DORMANT:
            return None
        return bool(self.params & AdvertisementFlag.UNLOCKED)

    def send_header(self) -> ProtocolHeader:
        """Header to send to this lock: advertised type/version/scene, group = org = 1 (E2)."""
        return ProtocolHeader(self.protocol_type, self.protocol_version, self.scene, 1, 1)


def raw_manufacturer_bytes(company_id: int, payload: bytes) -> bytes:
    """Re-join a bleak/HA ``{company_id: payload}`` entry into the raw AD bytes."""
    if not 0 <= company_id <= 0xFFFF:
        raise AdvertisementError("company id out of range")
    return company_id.to_bytes(2, "little") + bytes(payload)


def _carries_status(protocol_type: int, protocol_version: int) -> bool:
    return protocol_type >= 5 and (protocol_type, protocol_version) != (5, 1)


_KNOWN_OTHER_HEADERS = {(5, 1), (5, 4), (10, 1), (11, 1)}


def parse_raw(raw: bytes) -> TTLockAdvertisement:
    """Parse re-joined manufacturer bytes; raises :class:`AdvertisementError` otherwise."""
    raw = bytes(raw)
    if not MIN_LENGTH <= len(raw) <= MAX_LENGTH:
        raise AdvertisementError(f"TTLock manufacturer data has 15-31 bytes, got {len(raw)}")
    mac = mac_from_bytes(raw[-6:][::-1])
    special = _SPECIAL_HEADERS.get(raw[:2])
    if special is not None:
        return TTLockAdvertisement(special, raw[0], raw[1], 0, mac, raw=raw)
    if raw[:2] == V3_PREFIX:
        ptype, version, scene, params_at = raw[0], raw[1], raw[2], 3
    else:
        ptype, version, scene, params_at = raw[4], raw[5], raw[7], 8
        if ptype != 3 and (ptype, version) not in _KNOWN_OTHER_HEADERS:
            raise AdvertisementError(f"unknown TTLock header {ptype}.{version}")
    if scene > MAX_SCENE:
        raise AdvertisementError(f"unknown scene {scene}")
    params: int | None = None
    battery: int | None = None
    if _carries_status(ptype, version):
        if params_at + 1 >= len(raw) - 6:
            raise AdvertisementError("advertisement too short for params and battery")
        params = raw[params_at]
        level = raw[params_at + 1]
        battery = level if level <= MAX_BATTERY else None  # docs/errata.md E15: > 100 = absent
    return TTLockAdvertisement(DeviceKind.LOCK, ptype, version, scene, mac, params, battery, raw)


def parse_manufacturer_entry(company_id: int, payload: bytes) -> TTLockAdvertisement:
    """Parse one ``{company_id: payload}`` entry (raises :class:`AdvertisementError`)."""
    return parse_raw(raw_manufacturer_bytes(company_id, payload))


def _normalise_mac(address: str | None) -> str | None:
    if not address:
        return None
    cleaned = address.replace("-", ":").upper()
    return cleaned if len(cleaned) == 17 else None


def parse_advertisement(
    manufacturer_data: Mapping[int, bytes], *, address: str | None = None
) -> TTLockAdvertisement | None:
    """The best TTLock reading of a manufacturer-data map, or None.

    Stacks may keep stale entries beside live ones (docs/ble.md §1.2), so choose explicitly:
    locks before other devices, then entries whose MAC matches ``address``, then entries
    that carry status.
    """
    wanted = _normalise_mac(address)
    candidates: list[TTLockAdvertisement] = []
    for company_id, payload in manufacturer_data.items():
        try:
            candidates.append(parse_manufacturer_entry(company_id, payload))
        except AdvertisementError:
            continue
    if not candidates:
        return None
    return max(
        candidates,
        key=lambda adv: (
            adv.kind is DeviceKind.LOCK,
            wanted is not None and adv.mac == wanted,
            adv.carries_status,
        ),
    )


def is_ttlock(
    manufacturer_data: Mapping[int, bytes],
    service_uuids: Iterable[str] | None = None,
    *,
    locks_only: bool = True,
) -> bool:
    """Cheap check: does any manufacturer entry parse as a TTLock lock?

    ``service_uuids`` does not decide anything — ``0x1910`` is shared by unrelated devices and
    missing on some locks (docs/ble.md §1.2) — it is accepted so callers can pass HA's service
    info fields as they are.
    """
    del service_uuids
    for company_id, payload in manufacturer_data.items():
        try:
            adv = parse_manufacturer_entry(company_id, payload)
        except AdvertisementError:
            continue
        if not locks_only or adv.kind is DeviceKind.LOCK:
            return True
    return False


def name_suffix(mac: str) -> str:
    """Local-name suffix of a lock: last three MAC octets reversed, lower-case hex (§1.2).

    ``S202F_abcdef`` belongs to a lock whose MAC ends ``EF:CD:AB``.
    """
    octets = mac.replace("-", ":").split(":")
    if len(octets) != 6:
        raise AdvertisementError(f"not a MAC address: {mac!r}")
    return "".join(reversed(octets[3:])).lower()
