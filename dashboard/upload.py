"""Page (auditors): upload a provider's return or an evidence pack, read the
plain-English validation report, and load it into the store."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from audits import ingest, limits, problems, returns, store, words
from dashboard import auth, data, ui

FORMS = ["zip", "xlsx", "csv", "yaml", "yml"]


def place(files, folder: Path) -> tuple[Path | None, str]:
    """Put the uploaded files where audits.returns.validate can read them: one .zip or
    .xlsx as it is, or the CSV files and return.yaml / pack.yaml as a folder."""
    names = [Path(f.name).name for f in files]
    total = sum(f.size for f in files)
    if total > limits.MAX_SUBMISSION_BYTES:
        return None, (
            f"These files come to {limits.size_words(total)}; the most one return or evidence pack may be is "
            f"{limits.size_words(limits.MAX_SUBMISSION_BYTES)}. Nothing was read. Check they are the right "
            "files, for one provider and one quarter."
        )
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        return None, f"{', '.join(twice)} was chosen twice: upload each file once. Nothing was read."
    if any(n.strip(".") == "" for n in names):
        return None, "A file without a name was chosen: upload the return's own files. Nothing was read."
    single = [n for n in names if n.lower().endswith((".zip", ".xlsx"))]
    if single and len(files) > 1:
        return None, (
            "Upload either one .zip or one .xlsx on its own, or the CSV files together with "
            "return.yaml (or pack.yaml); not a mixture."
        )
    if single:
        path = folder / names[0]
        path.write_bytes(files[0].getvalue())
        return path, names[0]
    target = folder / "upload"
    target.mkdir()
    for name, f in zip(names, files):
        (target / name).write_bytes(f.getvalue())
    return target, ", ".join(sorted(names))


def problems_table(groups) -> pd.DataFrame:
    """Problems grouped as the text report groups them (one row for a mistake repeated
    on a thousand lines), each row saying where, what and the fix."""
    rows = []
    for g in groups:
        lines = ", ".join(str(n) for n in g.lines[:5]) + (f" and {len(g.lines) - 5:,} more" if len(g.lines) > 5 else "")
        rows.append({"File": g.file, "Line": lines, "Column": g.column or "", "Problem": g.text()})
    return pd.DataFrame(rows)


def show_validation(validation, source: str) -> None:
    """The verdict first, then what must be fixed before anything loads, then the rows
    that would only be held back: the order a data officer fixes them in."""
    kind = "evidence pack" if validation.kind == "pack" else "return"
    meta = validation.meta or {}
    who = " ".join(str(meta[k]) for k in ("provider_id", "period") if meta.get(k))
    groups = problems.group(validation.problems)
    blocking = [g for g in groups if g.blocking]
    held_back = [g for g in groups if not g.blocking]
    if validation.blocking:
        st.error(
            f"This {kind} ({source}) cannot be loaded: {len(blocking)} problem(s) must be fixed first. "
            "Nothing was loaded. Fix them in the file and upload it again.",
            icon=":material/block:",
        )
    elif held_back:
        st.warning(
            f"This {kind} {who} can be loaded, but some rows will be held back (quarantined) "
            "with their reasons, listed below.",
            icon=":material/warning:",
        )
    else:
        st.success(f"This {kind} {who} passed every check.", icon=":material/check_circle:")
    if blocking:
        st.markdown("**Fix these first: each one stops the whole upload**")
        st.table(problems_table(blocking), hide_index=True, width="stretch")
    if held_back:
        st.markdown(
            "**These rows would be held back, the rest loaded**" if blocking else "**Rows that will be held back**"
        )
        st.table(problems_table(held_back), hide_index=True, width="stretch")
    with st.expander("The full validation report, as text"):
        st.text(validation.report())


def earlier_words(earlier: dict, kind: str) -> str:
    """The submission being replaced, in words: when, by whom, from which file."""
    what = "evidence pack" if kind == "pack" else "return"
    by = f" by {earlier['loaded_by']}" if earlier.get("loaded_by") else ""
    return f"the {what} loaded on {words.long_datetime(earlier['loaded_at'])}{by}" + (
        f" (from {earlier['source']})" if earlier.get("source") else ""
    )


def render() -> None:
    account = auth.require_page(__file__)
    st.title("Upload a return or an evidence pack")
    st.write(
        "A provider's quarterly return, or an evidence pack of stories: one **.zip** of the folder, "
        "one **.xlsx** workbook (one sheet per table, plus a sheet *return* or *pack*), or the "
        "**CSV files** together with **return.yaml** or **pack.yaml**. Every problem is listed at once; "
        "nothing is loaded until you choose to."
    )
    files = st.file_uploader(
        "Files to check",
        type=FORMS,
        accept_multiple_files=True,
        key="upload_files",
        max_upload_size=limits.MAX_UPLOAD_MB,
        help=f"Up to {limits.MAX_UPLOAD_MB} MB in all.",
    )
    if not files:
        ui.empty(
            "Nothing uploaded yet.",
            "choose the files above (or drag them onto the box). The blank "
            "templates come from `python -m audits template`.",
        )
        return
    digest = hashlib.sha256(b"".join(f.name.encode() + f.getvalue() for f in files)).hexdigest()
    held = st.session_state.get("_validation")
    if not held or held[0] != digest:
        with st.spinner("Checking every file…"), tempfile.TemporaryDirectory() as folder:
            path, source = place(files, Path(folder))
            if path is None:
                st.error(source)
                return
            validation = returns.validate(path)
        held = (digest, validation, source, None)
        st.session_state["_validation"] = held
    _, validation, source, loaded = held
    show_validation(validation, source)
    if validation.blocking:
        return
    if loaded:
        st.success(loaded)
        return
    meta = validation.meta or {}
    earlier = data.current_submission(data.db(), validation.kind, meta.get("provider_id"), meta.get("period"))
    if earlier:
        what = "an evidence pack" if validation.kind == "pack" else "a return"
        st.warning(
            f"{meta.get('provider_id')} already has {what} for {meta.get('period')}. "
            f"This replaces {earlier_words(earlier, validation.kind)}; "
            "the earlier one stays in the history.",
            icon=":material/history:",
        )
    if st.button("Load into the store", type="primary", key="load"):
        try:
            with store.writing(data.db()) as con:
                outcome = ingest.ingest_validation(con, validation, source, account.username)
        except store.StoreError as error:
            st.error(str(error))
            return
        data.clear()
        message = f"{outcome.summary()} Run the audit for its period on *Run the audit*."
        if earlier and outcome.replaced:
            message += (
                f"\n\nThis replaced {earlier_words(earlier, validation.kind)}, which stays in the history "
                "(no longer current)."
            )
        st.session_state["_validation"] = (digest, validation, source, message)
        st.success(message)


if __name__ == "__main__":
    render()
