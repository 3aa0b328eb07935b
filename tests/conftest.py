"""Shared by every tier: pytest puts this folder on sys.path, so `html_safety` imports anywhere."""

import os

from hypothesis import HealthCheck, settings

# Hypothesis profiles (tests/unit/test_fuzz.py). "ci", the default inside `make test`:
# a bounded, derandomized run (the same examples every time, so CI never flakes on a
# new example) with no example database. "fuzz", for `make fuzz`: many random
# examples, failures kept in .hypothesis/ and replayed first on the next run.
_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("ci", max_examples=150, derandomize=True, database=None, **_COMMON)
settings.register_profile(
    "fuzz", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "5000")), **_COMMON
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
