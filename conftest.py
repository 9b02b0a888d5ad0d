"""Suite-wide: tests marked `native` (and the notebooks, which serve natively) need Codon.

Where Codon cannot run (no compiler, another platform, `CONDUIT_CODON` pointing nowhere) they
are skipped with the reason and everything else runs; where it can, nothing is skipped.
"""

from __future__ import annotations

import pytest

from conduit.toolchain import native_unavailable_reason


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = native_unavailable_reason()
    if reason is None:
        return
    skip = pytest.mark.skip(reason=f"needs Codon: {reason}")
    for item in items:
        if item.get_closest_marker("native") is not None or item.path.suffix == ".ipynb":
            item.add_marker(skip)
