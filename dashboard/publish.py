"""Page (auditors): publish the signed audits of a quarter as a static, accessible website
(audits.publish), then download it as a .zip to put on the commissioner's web site."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import streamlit as st

from audits import findings, publish, store
from dashboard import auth, data, ui

PUBLISH_ENV = "LIVED_STANDARDS_PUBLISH_DIR"


def publish_dir(period: str) -> Path:
    """Where the dashboard writes a period's site: $LIVED_STANDARDS_PUBLISH_DIR (or data/published)/PERIOD."""
    return Path(os.environ.get(PUBLISH_ENV) or "data/published") / period


def zipped(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def render() -> None:
    account = auth.require_page(__file__)
    st.title("Publish")
    st.write(
        "Publish the quarter's signed audits as a website: an index of providers and standards, a page for each "
        "provider with the numbers beside the consented stories, your statement of independence, the provider's "
        "reply, an easy-read summary and open data. Only audits whose sign-off is current are published."
    )
    db = data.db()
    cat = data.catalogue(db)
    if not cat.runs:
        ui.empty("No audit has been run yet.", "run the audit on *Run the audit* first.")
        return
    period = ui.remember("Period", list(reversed(cat.periods)), "period", "publish")
    df = data.readiness_board(db, period)
    ready = df[df["next_step"].isin(["Publish", "Done: published"])]
    others = df[~df.index.isin(ready.index)]
    if ready.empty:
        st.warning(f"No audit of {period} is signed off and current yet, so the site would list no provider.")
    else:
        st.write(
            f"Will be published: {', '.join(f'{n} ({p})' for n, p in zip(ready['provider_name'], ready['provider_id']))}."
        )
    if not others.empty:
        st.write(
            "Not published (not signed off, or out of date): "
            + "; ".join(
                f"{n} ({p}): {s.lower()}"
                for n, p, s in zip(others["provider_name"], others["provider_id"], others["next_step"])
            )
            + "."
        )
    target = publish_dir(period)
    with store.reading(db) as con:
        rerun = publish.rerun_since_release(con, period)
    supersede = None
    if rerun is not None:
        st.warning(rerun.words(), icon=":material/warning:")
        supersede = st.checkbox(
            "Replace the released version with the new run",
            key="publish_supersede",
            help="Left unticked, the site shows the released version again (the sign-offs of the new run are not "
            "in it).",
        )
    if st.button(f"Publish the signed audits of {period}", type="primary", key="publish", disabled=ready.empty):
        try:
            with store.writing(db) as con:
                done = publish.publish(con, period, target, account.username, supersede=supersede)
        except (publish.PublishError, findings.FindingsError, store.StoreError, OSError) as error:
            st.error(str(error))
        else:
            data.clear()
            st.session_state["publish_message"] = done.summary()
            st.rerun()
    if message := st.session_state.pop("publish_message", None):
        st.success(message)
    if (target / "index.html").exists():
        st.write(f"The site of {period} is in `{target}` (open index.html in a browser).")
        st.download_button(
            "Download the site as a .zip",
            data=lambda: zipped(target),
            file_name=f"lived-standards-{period}.zip",
            mime="application/zip",
            on_click="ignore",
            icon=":material/download:",
            key="site_zip",
        )


if __name__ == "__main__":
    render()
