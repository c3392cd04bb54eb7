"""Runs one benchmark module through pytest (the integration tests' fixtures), printing."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def run(module: str) -> int:
    """Run ``benchmarks/<module>`` quietly, its prints shown; pytest's exit code."""
    return int(
        pytest.main(
            [
                "-q",
                "-s",
                "-p",
                "no:cacheprovider",
                # not "-p no:logging": the tests' secret scan reads the captured log
                "--rootdir",
                str(HERE.parent),
                str(HERE / module),
            ]
        )
    )
