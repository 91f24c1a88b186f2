"""Page (expert citizens): the standards workshop. Read the standards in plain
English, change one through form fields or its YAML, see every problem as you type
and the effect on every provider's rating before saving, then save it as a draft
version. A draft is never audited until the group records its approval.

Drafts live in standards/drafts/<id>.yaml (the audit reads only the files directly
in standards/), so an approved version keeps being audited while its next version
is discussed; recording the approval moves the draft into standards/<id>.yaml.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd
import streamlit as st
from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, FoldedScalarString

from audits import store, words
from audits.kinds import KINDS
from dashboard import auth, data, ui

EDITORS = ("expert_citizen",)  # who may save and approve; auditors may read and preview


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.width = 88
    yaml.preserve_quotes = True
    return yaml


def load_text(text: str):
    return _yaml().load(text)


def dump(mapping) -> str:
    out = io.StringIO()
    _yaml().dump(mapping, out)
    return out.getvalue()


def folded(text: str):
    text = " ".join(text.split())
    return FoldedScalarString(text + "\n") if len(text) > 70 else text


def draft_path(folder: Path, standard_id: str) -> Path:
    return folder / "drafts" / f"{standard_id}.yaml"


def sources(folder: Path) -> dict[str, tuple[Path, str]]:
    """id -> (file, text) of every standard, the draft when there is one."""
    from audits import standards as loader

    load = loader.load_standards(folder)
    found = {s.id: load.files[s.id][0] for s in load.standards}
    for draft in sorted((folder / "drafts").glob("*.yaml")) if (folder / "drafts").is_dir() else []:
        found[draft.stem] = draft
    return {i: (p, p.read_text(encoding="utf-8")) for i, p in sorted(found.items())}


def form_editor(text: str, key: str) -> str:
    """Form fields for the parts a group changes most; returns the edited YAML text."""
    data_ = load_text(text)
    data_["title"] = st.text_input("Title", value=str(data_.get("title", "")), key=f"{key}_title")
    statement = st.text_area(
        "What good looks like (statement)", value=str(data_.get("statement", "")).strip(), key=f"{key}_statement"
    )
    why = st.text_area("Why it matters", value=str(data_.get("why", "")).strip(), key=f"{key}_why")
    for field, value in (("statement", statement), ("why", why)):
        if value != str(data_.get(field, "")).strip():  # untouched text keeps its layout
            data_[field] = folded(value)
    for i, measure in enumerate(data_.get("measures") or []):
        st.markdown(f"**Measure: {measure.get('label', measure.get('id'))}**")
        a, b, c = st.columns(3)
        measure["green"] = a.text_input(
            "Met when",
            value=str(measure.get("green", "")),
            key=f"{key}_g{i}",
            help='A comparison and a number, such as ">= 90%" or "= 0".',
        )
        amber = b.text_input(
            "Partly met when (empty: met or not met)", value=str(measure.get("amber") or ""), key=f"{key}_a{i}"
        )
        if amber.strip():
            measure["amber"] = amber.strip()
        elif "amber" in measure:
            del measure["amber"]
        if measure.get("kind") in KINDS and KINDS[measure["kind"]].minimum_count:
            measure["min_count"] = int(
                c.number_input(
                    "Fewest people worth a rating",
                    min_value=1,
                    value=int(measure.get("min_count", 10)),
                    key=f"{key}_m{i}",
                )
            )
    interview_editor(data_, key)
    return dump(data_)


INTERVIEW_GROUPS = {
    "people_using_services": "Questions for people using the service",
    "families": "Questions for family members",
    "staff": "Questions for staff",
}


def interview_editor(data_, key: str) -> None:
    """The interview guide's questions (`interview` in the standard), one question a line for
    each group; all three boxes empty leaves the field out (general questions are printed)."""
    st.markdown("**Interview guide: what peer interviewers ask about this standard**")
    st.caption("One question a line, up to four for each group, in plain words as you would ask them.")
    before = data_.get("interview") or {}
    asked = {}
    for group, label in INTERVIEW_GROUPS.items():
        lines = [str(q) for q in before.get(group) or []]
        typed = st.text_area(label, value="\n".join(lines), key=f"{key}_iv_{group}", height=110)
        asked[group] = [" ".join(line.split()) for line in typed.splitlines() if line.strip()]
    if asked == {g: [" ".join(str(q).split()) for q in before.get(g) or []] for g in INTERVIEW_GROUPS}:
        return  # untouched questions keep their layout
    if any(asked.values()):
        data_["interview"] = {g: [DoubleQuotedScalarString(q) for q in qs] for g, qs in asked.items()}
    elif "interview" in data_:
        del data_["interview"]


FIELD_WORDS = {
    "title": "Title",
    "statement": "What good looks like",
    "why": "Why it matters",
    "green": "Met when",
    "amber": "Partly met when",
    "min_count": "Fewest people worth a rating",
    "interview": "Interview guide",
    "people_using_services": "Questions for people using the service",
    "families": "Questions for family members",
    "staff": "Questions for staff",
}


def where_in_form(text: str, line: int | None) -> str:
    """The form field a YAML line belongs to, so a message about line 34 reads as
    'Partly met when (People leaving treatment …)' to someone editing the form."""
    lines = text.splitlines()
    if line is None or not 1 <= line <= len(lines):
        return ""
    key = lines[line - 1].strip().removeprefix("- ").split(":", 1)[0].strip()
    label = None
    for earlier in reversed(lines[:line]):
        stripped = earlier.strip().removeprefix("- ")
        if stripped.startswith("label:") and label is None:
            label = stripped.split(":", 1)[1].strip().strip("'\"")
        if stripped.startswith("id:") and earlier.lstrip().startswith("- "):  # the start of a measure
            break
        if not earlier.startswith((" ", "-")):  # back at the top level: not inside a measure
            label = None
            break
    words = FIELD_WORDS.get(key, f"the YAML, line {line}")
    return f"{words} ({label})" if label and key in FIELD_WORDS else words


def show_problems(problems, form_text: str | None = None) -> None:
    """Each problem with where it is: the form field when editing the form, the line
    when editing the YAML."""
    st.error(f"{len(problems)} problem(s) to fix before this can be previewed or saved:", icon=":material/error:")
    if form_text is None:
        rows = [{"Line": "" if p.line is None else str(p.line), "Problem": p.message} for p in problems]
    else:
        rows = [{"Where": where_in_form(form_text, p.line), "Problem": p.message} for p in problems]
    st.table(pd.DataFrame(rows), hide_index=True, width="stretch")


@st.cache_data(max_entries=16, show_spinner=False)
def preview(db: str, run_id: str, period: str, text: str, file_name: str) -> pd.DataFrame:
    """Every provider's rating now and with the edited standard (audits.preview)."""
    from audits import preview as impact
    from audits import standards as loader

    standard, _ = loader.parse_standard_text(text, file_name)
    with store.reading(db) as con:
        return impact.impact_preview(con, standard, period)


def show_preview(df: pd.DataFrame, period: str) -> None:
    changed = int(df["changed"].sum()) if "changed" in df else 0
    st.markdown(f"**Effect on every provider's rating, {period}:** {changed} of {len(df)} would change.")
    table = pd.DataFrame(
        {
            "Provider": df["provider_name"].fillna(df["provider_id"]) if "provider_name" in df else df["provider_id"],
            "Now": [words.rating(r) if isinstance(r, str) else "not in the latest audit" for r in df["current_rating"]],
            "With this change": df["new_rating"].map(words.rating),
            "Changes": df["changed"].map({True: "yes", False: ""}),
        }
    )
    # the providers whose rating would change come first, so a long list (national scale) starts with them
    table = table.sort_values("Changes", ascending=False, kind="stable")
    ui.table(ui.style_ratings(table, ["Now", "With this change"]), len(table))


def save_draft(folder: Path, text: str, approved_version: int | None) -> tuple[Path | None, str]:
    from audits import standards as loader

    mapping = load_text(text)
    version = int(mapping.get("version") or 1)
    if approved_version is not None and version <= approved_version:
        mapping["version"] = approved_version + 1
    mapping["status"] = "draft"
    for key in ("approved_by", "approved_on"):
        if key in mapping:
            del mapping[key]
    new_text = dump(mapping)
    standard, problems = loader.parse_standard_text(new_text, f"{mapping['id']}.yaml")
    if standard is None:
        return None, "; ".join(str(p) for p in problems)
    path = draft_path(folder, standard.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(new_text, encoding="utf-8")
    return (
        path,
        f"Saved as draft version {standard.version} in {path}. It is not audited until the group records its approval.",
    )


def approve(folder: Path, standard_id: str, group: str, day: dt.date) -> tuple[Path | None, str]:
    from audits import standards as loader

    draft = draft_path(folder, standard_id)
    mapping = load_text(draft.read_text(encoding="utf-8"))
    mapping["status"] = "approved"
    mapping["approved_by"] = group.strip()
    mapping["approved_on"] = day
    text = dump(mapping)
    target = folder / f"{standard_id}.yaml"
    standard, problems = loader.parse_standard_text(text, str(target))
    if standard is None:
        return None, "; ".join(str(p) for p in problems)
    target.write_text(text, encoding="utf-8")
    draft.unlink()
    return target, (
        f"Version {standard.version} approved by {group.strip()} on {day}: saved in {target}. "
        "The next audit run uses it."
    )


def render() -> None:
    account = auth.require_page(__file__)
    may_edit = account.role in EDITORS
    folder = data.standards_dir()
    st.title("Standards workshop")
    st.write(
        "Read the standards, try a change, and see what it would do to every provider's rating before "
        "you save it. A saved change is a draft until the group records its approval. "
        "The guide for expert citizens is docs/standards-guide.md."
    )
    found = sources(folder)
    if not found:
        ui.empty(f"There are no standards in {folder}.", "add one as a YAML file; see docs/standards-guide.md.")
        return
    parsed = {}
    from audits import standards as loader

    for sid, (path, text) in found.items():
        parsed[sid] = loader.parse_standard_text(text, path.name)[0]
    st.table(
        pd.DataFrame(
            [
                {
                    "Standard": s.title if s else sid,
                    "Theme": s.theme if s else "",
                    "Version": s.version if s else "",
                    "Status": (
                        "draft (not audited)" if s and s.status == "draft" else s.status if s else "has problems"
                    ),
                    "File": str(found[sid][0].relative_to(folder)),
                }
                for sid, s in parsed.items()
            ]
        ),
        hide_index=True,
        width="stretch",
    )

    sid = ui.remember(
        "Standard to read or change",
        list(found),
        "standard_id",
        "workshop",
        format_func=lambda i: parsed[i].title if parsed[i] else i,
    )
    path, base = found[sid]
    current = parsed[sid]
    if current:
        with st.expander("Read it in plain English", expanded=not may_edit):
            st.markdown(f"**{current.title}** (version {current.version}, {current.status})")
            st.markdown(f"**What good looks like.** {current.statement}")
            st.markdown(f"**Why it matters.** {current.why}")
            for voice in current.voices:
                st.markdown(f"> {voice.quote}\n\n— {voice.source}")
            for m in current.measures:
                st.markdown(f"- {m.label}: {words.rules(m)}.")
            if current.interview is not None:
                st.markdown("**What peer interviewers ask.**")
                for group, questions in current.interview.model_dump().items():
                    st.text(INTERVIEW_GROUPS[group] + ":\n" + "\n".join(f"• {q}" for q in questions))

    st.subheader("Try a change")
    mode = st.radio("Change it with", ["Form fields", "The YAML itself"], horizontal=True, key="ws_mode")
    key = f"ws_{sid}"
    if mode == "Form fields":
        candidate = form_editor(base, key)
        with st.expander("The YAML this makes"):
            st.code(candidate, language="yaml")
    else:
        candidate = st.text_area(
            "YAML",
            value=base,
            height=420,
            key=f"{key}_yaml",
            help="Press Ctrl+Enter (or click outside the box) to check it.",
        )
    standard, problems = loader.parse_standard_text(candidate, path.name)
    if problems:
        show_problems(problems, candidate if mode == "Form fields" else None)
    else:
        st.success("No problems: this standard is valid.", icon=":material/check_circle:")
        db = data.db()
        cat = data.catalogue(db)
        if cat.runs:
            period = cat.periods[-1]
            from audits.preview import PreviewError

            try:
                show_preview(preview(db, cat.runs[period], period, candidate, path.name), period)
            except PreviewError as error:
                st.warning(str(error), icon=":material/warning:")
        else:
            st.write("No audit has been run yet, so there are no ratings to compare with.")

    if not may_edit:
        st.caption("Only expert citizens save and approve changes; you can read and preview them.")
        return
    approved = parsed.get(sid) if path.parent == folder else None
    approved_version = max(current.version if current else 0, approved.version if approved else 0)
    if st.button("Save as a draft version", disabled=standard is None, key="save_draft", type="primary"):
        saved, message = save_draft(folder, candidate, approved_version)
        (st.success if saved else st.error)(message)
        if saved:
            st.rerun()
    if draft_path(folder, sid).exists():
        st.subheader("Record the group's approval")
        with st.form("approve"):
            group = st.text_input("Approved by (the group)")
            day = st.date_input("Approved on", value=dt.date.today(), format="YYYY-MM-DD")
            if st.form_submit_button("Record approval"):
                if not group.strip():
                    st.error("Say which group approved it.")
                else:
                    done, message = approve(folder, sid, group, day)
                    (st.success if done else st.error)(message)


if __name__ == "__main__":
    render()
