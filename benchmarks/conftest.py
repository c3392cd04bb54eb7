"""Benchmarks reuse the integration tests' fixtures (simulator + Home Assistant)."""

from tests.integration.conftest import *  # noqa: F403
