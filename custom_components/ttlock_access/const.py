"""Constants of the TTLock Access integration."""

from __future__ import annotations

from typing import Final

DOMAIN: Final = "ttlock_access"
MANUFACTURER: Final = "TTLock"

# config entry data
CONF_REGION: Final = "region"
CONF_BASE_URL: Final = "base_url"
CONF_CLIENT_ID: Final = "client_id"
CONF_CLIENT_SECRET: Final = "client_secret"
CONF_PASSWORD_MD5: Final = "password_md5"
CONF_TOKEN: Final = "token"
CONF_ENTRY_TYPE: Final = "entry_type"
ENTRY_ACCOUNT: Final = "account"
"""A TTLock cloud account (the default: entries without an entry type are accounts)."""
ENTRY_LOCK: Final = "lock"
"""One lock driven over Bluetooth only, paired locally or with keys entered by hand."""
CONF_LOCK_DATA: Final = "lock_data"
"""Key material of a local lock: the lockData JSON object (docs/ble.md §4.5)."""
CONF_LOCK_ID: Final = "lock_id"

REGION_EU: Final = "eu"
REGION_CN: Final = "cn"
REGION_CUSTOM: Final = "custom"
REGIONS: Final = (REGION_EU, REGION_CN, REGION_CUSTOM)

# options
CONF_POLL_INTERVAL: Final = "poll_interval"
"""Minutes between polls; what each poll reads is schedule.py's choice (push-aware)."""
CONF_SWEEP_CALLS: Final = "sweep_calls"
"""Per-lock calls (records, state, detail, signal) allowed per poll, most needed first."""
CONF_MONTHLY_BUDGET: Final = "monthly_budget"
"""API calls per month the integration may spend."""
CONF_STAY_CONNECTED: Final = "stay_connected"
"""Keep Bluetooth links open between commands (faster, costs lock battery); off by default."""
CONF_OFFLINE_FALLBACK: Final = "offline_fallback"
"""Default of create_passcode's offline_fallback: an offline code when a custom one cannot
reach the lock in time."""
CONF_PASSCODE_LIMIT: Final = "monthly_passcode_limit"
"""Passcodes per lock per calendar month (TTLock app accounts from April 2026: 5); 0 = off."""

DEFAULT_POLL_INTERVAL: Final = 30
MIN_POLL_INTERVAL: Final = 1
MAX_POLL_INTERVAL: Final = 240
DEFAULT_SWEEP_CALLS: Final = 4
"""Enough to read the records of a 3-lock home every poll when pushes do not arrive."""
MAX_SWEEP_CALLS: Final = 20
DEFAULT_MONTHLY_BUDGET: Final = 30_000
CONF_METER_INTERVAL: Final = "meter_interval"
"""Hours between readings of the account's meters (one list call per kind of meter)."""
DEFAULT_METER_INTERVAL: Final = 3
MAX_METER_INTERVAL: Final = 24
CONF_LOW_BALANCE: Final = "low_balance"
"""Below this money balance a prepaid meter's "low balance" sensor turns on."""
DEFAULT_LOW_BALANCE: Final = 5.0
"""The free developer tier reported in 2026 (docs/cloud.md §3.1)."""

RATE_LIMIT_RETRY: Final = 60  # seconds after errcode 30006

ISSUE_QUOTA_EXHAUSTED: Final = "api_quota_exhausted"
ISSUE_BUDGET_EXHAUSTED: Final = "api_budget_exhausted"
ISSUE_PUSH_MISSED: Final = "push_missed"
ISSUE_REVOCATIONS_OVERDUE: Final = "revocations_overdue"
ISSUE_BOOKINGS_FEED_EMPTY: Final = "bookings_feed_empty"

# --- activity, webhooks, sharing and the HA-side PIN (issue 5) ---------------------------------
EVENT_ACTIVITY: Final = f"{DOMAIN}_activity"
"""Bus event of every lock activity (unlock, lock, failed attempt, door, alarm)."""
EVENT_ACCESS: Final = f"{DOMAIN}_access"
"""Bus event of the access model's audit trail (a code shown in the Access panel); it never
carries digits."""
EVENT_METER_SUPPLY: Final = f"{DOMAIN}_meter_supply"
"""Bus event of a temporary supply: given, switched off after its time, or cancelled."""
SIGNAL_ACCESS_CHANGED: Final = f"{DOMAIN}_access_changed"
"""Dispatcher signal: an entry's holders, credentials or queue changed (with its entry id)."""
SIGNAL_ACTIVITY: Final = f"{DOMAIN}_activity_{{}}"
"""Dispatcher signal of one lock's activities (formatted with ``<entry id>_<lock id>``)."""
CONF_WEBHOOK_SEEN: Final = "webhook_seen"
"""Entry data: the TTLock cloud has called the webhook at least once."""
CONF_PIN_HASH: Final = "pin_hash"
CONF_PIN_SALT: Final = "pin_salt"
"""Options: salted PBKDF2 hash of the PIN Home Assistant asks for before lock/unlock."""
ISSUE_WEBHOOK_URL: Final = "webhook_callback_url"
ISSUE_WEBHOOK_NO_URL: Final = "webhook_no_url"
CONF_PIN: Final = "pin"
CONF_REMOVE_PIN: Final = "remove_pin"
"""Options-flow fields (the PIN itself is never stored)."""

# --- bookings from a calendar (issue 12) ------------------------------------------------------
CONF_BOOKINGS: Final = "bookings"
"""Options: the calendar links of bookings.py (a list of dicts; their keys are in bookings.py)."""
CONF_EDIT_BOOKINGS: Final = "edit_bookings"
"""Options-flow field (not stored): go on to the calendar links after the settings."""
