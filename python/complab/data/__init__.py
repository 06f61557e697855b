"""A company's own data: the schema (docs/data.md), loading and validation
(:func:`load_company`), sample data (:func:`sample_company`), and what is built on them."""

from __future__ import annotations

from complab.data.company import Company, CompanyDataError, load_company
from complab.data.sample import SAMPLE_TRUTH, sample_company

__all__ = ["Company", "CompanyDataError", "SAMPLE_TRUTH", "load_company", "sample_company"]
