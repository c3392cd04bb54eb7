"""Build the native code generator's C extension in place.

    python setup_native.py build_ext --inplace

The extension itself is declared in pyproject.toml (``[[tool.setuptools.ext-modules]]``,
setuptools >= 74.1), which setuptools reads from the current directory.
"""

import os
import warnings
from pathlib import Path

from setuptools import setup

# setuptools flags the pyproject ext-modules table as experimental; it works (>= 74.1).
warnings.filterwarnings("ignore", message=r".*ext-modules.*experimental")

os.chdir(Path(__file__).resolve().parent)
setup()
