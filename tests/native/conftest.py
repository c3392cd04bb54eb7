"""Fixtures for the native code generator tests (pure functions: no Home Assistant)."""

import pytest

from custom_components.ttlock_access import native
from custom_components.ttlock_access.native import CodeGenerator, CodegenError


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override tests/conftest.py: these tests need no Home Assistant instance."""
    return


@pytest.fixture(scope="session")
def twin() -> CodeGenerator:
    """The pure-Python twin."""
    return native.get_generator("python")


@pytest.fixture(scope="session")
def c_gen() -> CodeGenerator:
    """The C extension (skips when it is not built; scripts/setup builds it)."""
    try:
        return native.get_generator("c")
    except CodegenError:
        pytest.skip("C extension not built: run scripts/setup or setup_native.py")


@pytest.fixture(scope="session", params=["c", "python"])
def gen(request: pytest.FixtureRequest) -> CodeGenerator:
    """Each backend in turn."""
    try:
        return native.get_generator(request.param)
    except CodegenError:
        pytest.skip("C extension not built: run scripts/setup or setup_native.py")
