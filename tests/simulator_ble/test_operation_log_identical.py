"""Regression: identical operation-log records, one per page, are all read (§5.8, E11).

The simulated lock sends one record per ``0x25`` reply (RQB's DLock-XP observation) and
its clock is frozen here, so the same wrong code typed twice (and the same card refused
twice) gives byte-identical records on consecutive pages. The client must read every one,
ending only on the lock's ``25 01 00 00``.
"""

from __future__ import annotations

from datetime import datetime

from sim_ble_helpers import keys_of, make_lock, open_link

from custom_components.ttlock_access.sdk.ble import GetOperationLog
from simulator.ble import VirtualAir

FROZEN = datetime(2026, 11, 22, 9, 30, 15)


async def test_same_wrong_code_twice_in_one_second_gives_two_records(air: VirtualAir) -> None:
    lock = air.add(make_lock(clock=lambda: FROZEN))
    assert lock.log_records_per_page == 1
    keys = keys_of(lock)
    for _ in range(2):
        assert not lock.enter_code("1234")
    for _ in range(2):
        assert not lock.present_card(42)
    assert lock.log[0].encode() == lock.log[1].encode()  # byte-identical pages
    link = await open_link(air, lock)
    try:
        new = await link.run(GetOperationLog(keys))
        assert [(r.type, r.entered_passcode) for r in new] == [
            (7, "1234"),
            (7, "1234"),
            (25, None),
            (25, None),
        ]
        assert not lock.has_unread_records
        everything = await link.run(GetOperationLog(keys, new_only=False))
        assert [r.type for r in everything] == [7, 7, 25, 25]
    finally:
        await link.client.disconnect()
