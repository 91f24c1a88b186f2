"""audits.schemas: pandera's checks of a typed batch frame."""

from pathlib import Path

import pandas as pd

from audits import reading, returns, schemas, spec

FIXTURES = Path(__file__).parent / "fixtures" / "returns"


def test_failures_leave_the_frame_they_check_as_it_was():
    """pandera validates the frame in place (no copy of a batch's rows): nothing in it may change,
    as audits.returns hands the same frame on as each submission's good rows."""
    raw = reading.read_submission(FIXTURES / "good-return")
    for table in spec.RETURN_TABLES:
        text = raw.tables[table.name].cells
        _, typed, _ = returns._coerce(table, text)
        n = len(typed)
        checked = typed.assign(
            **{
                schemas.SUB: [0] * n,
                schemas.START: pd.Series([pd.Timestamp("2026-04-01")] * n, dtype="datetime64[us]"),
                schemas.END: pd.Series([pd.Timestamp("2026-06-30")] * n, dtype="datetime64[us]"),
                # every key the same: the uniqueness rule fails, so pandera reports failures too
                schemas.KEY: [7] * n,
            }
        )
        before = checked.copy(deep=True)
        found = schemas.failures(table.name, checked)
        assert (len(found) > 0) == (n > 1)
        pd.testing.assert_frame_equal(checked, before)
        assert list(checked.columns) == list(before.columns) and checked.index.equals(before.index)
