"""TTLock SDK: cloud Open API v3 client and Bluetooth protocol.

Imports nothing from Home Assistant (a test checks it).
"""
