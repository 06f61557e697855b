"""Sample data sets: :func:`sample_company` writes a synthetic company's three-year history
in the data schema (docs/data.md), generated from :data:`SAMPLE_TRUTH`."""

from __future__ import annotations

from complab.data.sample import SAMPLE_TRUTH, sample_company

__all__ = ["SAMPLE_TRUTH", "sample_company"]
