"""The suite runs with internal errors loud: a rule that raises anything but NotKnown or
ShapeError fails the test instead of becoming an SHP999 finding (subprocesses inherit it)."""

import os

from shapecheck.diagnostics import RAISE_INTERNAL_ERRORS

os.environ[RAISE_INTERNAL_ERRORS] = "1"
