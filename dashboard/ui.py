"""Small display helpers shared by the pages: ratings as symbol + word + colour,
figures in plain words, choices remembered across pages, and empty states."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from audits import ratings
from audits.standard import Measure


def label(rating: str) -> str:
    return ratings.look(rating).label


def badge(rating: str) -> str:
    """A rating as markdown: coloured symbol and word (the word carries the meaning)."""
    look = ratings.look(rating)
    return f":{_md_colour(rating)}-background[{look.symbol} {look.word}]"


def _md_colour(rating: str) -> str:
    return {"green": "green", "provisional": "green", "amber": "orange", "red": "red"}.get(rating, "gray")


def style_ratings(df: pd.DataFrame, columns: list[str]):
    """A Styler that tints rating cells; the cells themselves hold symbol and word."""
    by_label = {look.label: look for look in ratings.LOOKS.values()}

    def cell(value):
        look = by_label.get(value)
        if look is None:
            return ""
        return f"background-color: {look.background}; color: {look.colour}; font-weight: 600"

    return df.style.map(cell, subset=columns)


def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def figure(value, kind: str) -> str:
    if is_missing(value):
        return "hidden (small numbers)" if kind == "proportion" else "–"
    if kind == "proportion":
        return f"{100 * value:.1f}%"
    if kind == "count":
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def interval(lower, upper, kind: str) -> str:
    if kind != "proportion" or is_missing(lower) or is_missing(upper):
        return ""
    return f"{100 * lower:.1f}% to {100 * upper:.1f}%"


def count(value) -> str:
    return "hidden" if is_missing(value) else f"{value:,.0f}"


def threshold_words(measure: Measure) -> str:
    words = f"Met at {measure.green.text}"
    if measure.amber:
        words += f"; partly met at {measure.amber.text}"
    if measure.kind != "count":
        words += f"; rated only with at least {measure.min_count} people"
    return words


def remember(label_text: str, options: list, state_key: str, page: str, format_func=str, **kwargs):
    """A select box whose choice is kept when moving between pages."""
    if not options:
        return None
    current = st.session_state.get(state_key)
    index = options.index(current) if current in options else 0
    choice = st.selectbox(label_text, options, index=index, format_func=format_func,
                          key=f"_{page}_{state_key}", **kwargs)
    st.session_state[state_key] = choice
    return choice


def empty(message: str, next_step: str) -> None:
    st.info(f"{message}\n\n**What to do next:** {next_step}", icon=":material/info:")


NO_RESULTS_NEXT = ("an independent auditor loads the providers' returns on the *Upload returns* page and "
                   "runs the audit on *Run and sign off* (or, for a demo, run `make run`).")
