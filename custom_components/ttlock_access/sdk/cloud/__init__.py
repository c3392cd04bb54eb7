"""Async client of the TTLock cloud Open API v3 (no Home Assistant imports)."""

from .client import REGION_URLS, TTLockCloud, md5_password

__all__ = ["REGION_URLS", "TTLockCloud", "md5_password"]
