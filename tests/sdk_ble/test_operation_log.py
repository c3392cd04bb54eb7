"""GetOperationLog ends on the cursor protocol, not on record contents (docs/ble.md §5.8, E11).

Regression: a lock that sends one record per page may log two *identical* records (the same
wrong code typed twice within one second: same type, same d6 time, same battery, same tail).
The old "page repeats the previous one" guard stopped after the first of them.
"""

from __future__ import annotations

from sdk_ble_helpers import done, keys, reply, request

from custom_components.ttlock_access.sdk.ble import GetOperationLog, LogRecord

WRONG_CODE = "07" + "1a0b16091e0f" + "5a" + "04" + "31323334"
"""Type 7 (wrong passcode) at 26-11-22 09:30:15, battery 90, entered "1234" (§5.8 tails)."""


def _record(body: str) -> str:
    raw = bytes.fromhex(body)
    return (bytes((len(raw),)) + raw).hex()


def _page(next_seq: int, *bodies: str) -> str:
    area = "".join(_record(body) for body in bodies)
    return f"2501{len(area) // 2:04x}{next_seq:04x}{area}"


def test_identical_records_on_consecutive_pages_are_all_read() -> None:
    op = GetOperationLog(keys())
    assert request(op.start()) == (0x25, b"\xff\xff")
    assert request(reply(op, _page(1, WRONG_CODE))) == (0x25, b"\x00\x01")
    assert request(reply(op, _page(2, WRONG_CODE))) == (0x25, b"\x00\x02")
    assert request(reply(op, _page(3, WRONG_CODE))) == (0x25, b"\x00\x03")
    records = done(reply(op, "2501 0000".replace(" ", "")))  # docs/errata.md E11 end marker
    assert isinstance(records, list)
    assert len(records) == 3
    assert all(isinstance(r, LogRecord) and r.type == 7 for r in records)
    assert records[0] == records[1] == records[2]


def test_stuck_cursor_still_ends_the_read() -> None:
    # the lock answers the cursor it was asked for again: keep a new record, then stop
    op = GetOperationLog(keys(), new_only=False)
    request(op.start())
    request(reply(op, _page(5, WRONG_CODE)))
    other = "01" + "1a0b16091e10" + "5a" + "00000007" + "6a0224a3"
    records = done(reply(op, _page(5, other)))
    assert [r.type for r in records] == [7, 1]  # type: ignore[attr-defined]
    # … but a stuck cursor that only echoes the previous page adds nothing (RQB's guard)
    op = GetOperationLog(keys(), new_only=False)
    request(op.start())
    request(reply(op, _page(5, WRONG_CODE)))
    assert len(done(reply(op, _page(5, WRONG_CODE)))) == 1  # type: ignore[arg-type]


def test_a_cursor_going_back_ends_the_read() -> None:
    op = GetOperationLog(keys(), new_only=False)
    request(op.start())
    request(reply(op, _page(1, WRONG_CODE)))
    request(reply(op, _page(2, WRONG_CODE)))
    records = done(reply(op, _page(1, WRONG_CODE)))  # back to a cursor already read
    assert len(records) == 3  # type: ignore[arg-type]
