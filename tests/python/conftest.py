"""Shared test settings.

Property tests (Hypothesis) draw their examples from a fixed seed, as every other test
here does: a run gives the same verdict on any machine, and an example that once failed
stays found through its own test. ``HYPOTHESIS_PROFILE=explore`` draws fresh examples, to
look for new failures.
"""

import os

from hypothesis import settings

settings.register_profile("fixed", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fixed"))
