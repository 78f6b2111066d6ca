import os

from hypothesis import HealthCheck, settings

# "ci" is what CI runs (.ci/run sets HYPOTHESIS_PROFILE=ci); "dev" is quick.
settings.register_profile(
    "ci", max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

#: Scale for tests that count their own iterations: 1 in dev, 10 in ci.
FUZZ_SCALE = 10 if os.environ.get("HYPOTHESIS_PROFILE") == "ci" else 1
