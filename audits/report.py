"""The third-party audit PDF: one provider, one period, numbers paired with stories.

"The set of standards should be enforced by a third party, as an organisation will
be afraid of losing a tender." The report is what a commissioner reads and what a
provider is held to, so it only draws what audits.findings gathered from the audit run
(figures as published, standards as audited, ratings as shown, stories that may be
printed), worded by audits.words. Nothing the engine computed is computed again here.
A whole period's reports are drawn by audits.report_batch.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)

from audits import (
    actions,
    comparison,
    findings,
    manifest,
    method,
    ratings,
    report_styles,
    sentences,
    signed,
    signoffs,
    spec,
    store,
    tiers,
    words,
)
from audits.findings import Findings, FindingsError, gather
from audits.kinds import kind_of
from audits.report_breakdowns import flowables as breakdown_flowables
from audits.report_canvas import Canvas
from audits.report_charts import legend, proportion_chart
from audits.report_styles import ACCENT, FONT, MUTED, QUOTE_BG, RULE, Paragraph, styles, text
from audits.stats import is_missing

INDEPENDENCE_QUOTE = (
    "The set of standards should be enforced by a third party, as an organisation will be afraid of losing a tender."
)
INDEPENDENCE_SOURCE = "Expert Link National Advisory Panel, evidence to the Independent Review of Drugs"

# A report that cannot be made (no run, a provider not in the run), with a plain message.
ReportError = FindingsError


# --------------------------------------------------------------------------- drawing


class _Doc(BaseDocTemplate):
    """Adds a bookmark and an outline entry for every heading, so the PDF has a navigable outline."""

    def afterFlowable(self, flowable):
        level = getattr(flowable, "outline_level", None)
        if level is None:
            return
        key = f"h{self.seq.nextf('heading')}"
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(flowable.outline_title, key, level=level, closed=level > 0)


def _ts(commands: list) -> TableStyle:
    """A table style in the embedded font (a table otherwise sets Helvetica, which is not embedded)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT)] + commands)


def _heading(title: str, style: str, level: int) -> Paragraph:
    p = Paragraph(text(title), styles()[style])
    p.outline_level = level
    p.outline_title = title
    return p


def _rating_cell(rating: str, bold: bool = True, uncertain: bool = False) -> Paragraph:
    """Symbol and word of a rating; when the data can't yet tell it, the words say so under it
    (and `_table` draws the cell with a dashed outline)."""
    look = ratings.look(rating)
    style = styles()["cell_bold" if bold else "cell"]
    unsure = words.rating_word(rating, uncertain).removeprefix(look.word)
    note = f'<br/><font size="7" name="DejaVuSans-Oblique">{text(unsure.strip())}</font>' if unsure else ""
    return Paragraph(f'<font color="{look.colour}">{text(look.symbol)}</font> {text(look.word)}{note}', style)


def _uncertain_box(column: int, row: int, rating: str) -> tuple:
    """A dashed outline in the rating's colour: the cell of a rating the data can't yet tell."""
    return ("BOX", (column, row), (column, row), 1.1, colors.HexColor(ratings.look(rating).colour), None, [2.2, 1.6])


def _table(
    rows, widths, header=True, rating_col: int | None = None, rating_values=None, uncertain_values=None
) -> Table:
    t = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), ACCENT))
    if rating_col is not None and rating_values:
        unsure = uncertain_values or [False] * len(rating_values)
        for i, (rating, uncertain) in enumerate(zip(rating_values, unsure), start=1 if header else 0):
            commands.append(
                ("BACKGROUND", (rating_col, i), (rating_col, i), colors.HexColor(ratings.look(rating).background))
            )
            if uncertain:
                commands.append(_uncertain_box(rating_col, i, rating))
    # the cells drawn as plain strings (_plain): in their Paragraph style's face, size and colour
    plain = {(j, i): row[j] for i, row in enumerate(rows) for j in range(len(row)) if isinstance(row[j], _PlainText)}
    for (j, i), cell in plain.items():
        commands += report_styles.string_cells({i: (cell.style, [j])}, 3, 4)
    t.setStyle(_ts(commands))
    return t


MEASURE_WIDTHS = [50 * mm, 36 * mm, 24 * mm, 32 * mm, 28 * mm]


class _PlainText(str):
    """A table cell drawn as a plain string, with the style it would have had as a Paragraph."""

    style: ParagraphStyle


def _plain(value, style: ParagraphStyle, width: float):
    """A table's cell of plain text: a plain string when a string draws it as its Paragraph would,
    on one line or on the Paragraph's lines (drawing a string costs a fraction of a Paragraph),
    else the Paragraph it always was."""
    said = text(value)
    plain = "" if is_missing(value) else str(value)
    lines = report_styles.cell_lines(plain, style, width, padding=4) if plain and said == escape(plain) else None
    if lines is not None:
        cell = _PlainText(lines)
        cell.style = style
        return cell
    return Paragraph(said, style)


def _head(labels, widths) -> list:
    """A table's heading row (labels of plain text), each cell as _plain draws it."""
    return [_plain(label, styles()["cell_head"], width) for label, width in zip(labels, widths)]


def _cover(data: Findings) -> list:
    s = styles()
    organisation = data.organisation or "Not recorded: no auditor has signed off yet"
    rows = [
        ["Provider", f"{data.provider_name} ({data.provider_id})"],
        ["Area", data.area or "Not recorded"],
        [
            "Period",
            f"{data.period}: {words.long_date(spec.parse_period(data.period)[0])} to "
            f"{words.long_date(spec.parse_period(data.period)[1])}",
        ],
        ["Audited by", organisation + (f", auditor {data.auditor}" if data.auditor else "")],
        ["Stories gathered by", data.gathered_by or "No evidence pack was loaded for this period"],
        [
            "Audit run",
            f"{data.run_id}" + (f", {words.long_datetime(data.run_started)}" if data.run_started else ""),
        ],
    ]
    table = Table(
        [[Paragraph(text(k), s["cell_bold"]), Paragraph(text(v), s["cell"])] for k, v in rows],
        colWidths=[45 * mm, 120 * mm],
    )
    table.setStyle(
        _ts(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    independence = text(signoffs.independence_statement(data.organisation, data.provider_name))
    return [
        Spacer(1, 18 * mm),
        _heading("Independent audit of standards", "title", 0),
        Paragraph(f"{text(data.provider_name)}<br/>{text(data.area)} · {text(data.period)}", s["subtitle"]),
        table,
        Spacer(1, 6 * mm),
        *_signoff_block(data),
        Paragraph("Statement of independence", s["h3"]),
        Paragraph(independence, s["body"]),
        Spacer(1, 2 * mm),
        Paragraph(f"“{text(INDEPENDENCE_QUOTE)}”", s["quote"]),
        Paragraph(f"— {text(INDEPENDENCE_SOURCE)}", s["source"]),
        NextPageTemplate("body"),
        PageBreak(),
    ]


def _signed_at(signoff: dict) -> str:
    return words.long_datetime(signoff["signed_at"])


def _signoff_block(data: Findings) -> list:
    """Who vouches for this report, in a box on the cover; or plainly that no one has yet."""
    s = styles()
    if data.signoff and data.signoff_status == "out_of_date":
        so = data.signoff
        inner = [
            Paragraph(f"Signed off by the auditor, now {text(signed.OUT_OF_DATE.lower())}", s["h3"]),
            Paragraph(
                text(
                    f"{so['name']}, for {so['organisation']}, signed off this audit run on {_signed_at(so)}. "
                    "Since then, what this report says has changed, so that sign-off no longer covers it: "
                    + "; ".join(data.out_of_date)
                    + ". The version that was signed is kept unchanged."
                ),
                s["body"],
            ),
        ]
        colour = colors.HexColor(ratings.look("amber").colour)
    elif data.signoff:
        so = data.signoff
        inner = [
            Paragraph("Signed off by the auditor", s["h3"]),
            Paragraph(
                text(
                    f"{so['name']}, for {so['organisation']}, signed off this audit run on {_signed_at(so)}, declaring:"
                ),
                s["body"],
            ),
            Paragraph(f"“{text(so['declaration'])}”", s["quote"]),
        ]
        colour = ACCENT
    else:
        inner = [
            Paragraph("Not yet signed off by the auditor", s["h3"]),
            Paragraph(
                text(
                    f"No auditor has yet put their name to audit run {data.run_id} for this "
                    "provider and declared their independence. Until then, treat these findings "
                    "as not yet confirmed by the auditor."
                ),
                s["body"],
            ),
        ]
        if data.earlier_signoff:
            so = data.earlier_signoff
            inner.append(
                Paragraph(
                    text(
                        f"An earlier audit run of {data.period} ({so['run_id']}) was signed off by {so['name']}, for "
                        f"{so['organisation']}, on {_signed_at(so)}. The audit has been run again since, so that "
                        "sign-off does not cover this report."
                    ),
                    s["small"],
                )
            )
        colour = colors.HexColor(ratings.look("amber").colour)
    box = Table([[inner]], colWidths=[165 * mm])
    box.setStyle(
        _ts(
            [
                ("BOX", (0, 0), (-1, -1), 1, colour),
                ("LINEBEFORE", (0, 0), (0, -1), 3, colour),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return [box, Spacer(1, 4 * mm)]


def _summary(data: Findings) -> list:
    s = styles()
    out = [
        _heading("Summary", "h1", 0),
        Paragraph(
            "Every approved standard audited this period, with its rating and the change since "
            "the previous period. A rating is shown as a symbol and a word as well as a colour.",
            s["body"],
        ),
    ]
    widths = [50 * mm, 31 * mm, 33 * mm, 40 * mm, 16 * mm]
    rows = [_head(("Standard", "Rating", "Change since last period", "Voices heard", "Stories"), widths)]
    for sec in data.sections:
        rows.append(
            [
                _plain(sec.standard.title, s["cell"], widths[0]),
                _rating_cell(sec.rating, uncertain=sec.uncertain),
                _plain(words.change(sec.rating, sec.previous, sec.clear), s["cell"], widths[2]),
                # a public output: counts of 1 to 4 people are not shown (audits.voices.protect)
                _plain(words.voices_heard(sec.heard, public=True), s["cell"], widths[3]),
                _plain(len(sec.stories), s["cell"], widths[4]),
            ]
        )
    out.append(
        _table(
            rows,
            widths,
            rating_col=1,
            rating_values=[sec.rating for sec in data.sections],
            uncertain_values=[sec.uncertain for sec in data.sections],
        )
    )
    key = " · ".join(f"{look.symbol} {look.word}" for look in ratings.LOOKS.values())
    out += [Spacer(1, 3 * mm), Paragraph(f"Key: {text(key)}.", s["small"])]
    # this report is written to be published: its figures are the public ones, said once here
    out.append(Paragraph(f"<b>Small numbers.</b> {text(words.HIDDEN_FOOTNOTE)}", s["small"]))
    if any(sec.uncertain for sec in data.sections):
        out.append(
            Paragraph(
                f"A dashed outline and “{text(words.UNCERTAIN)}”: {text(words.UNCERTAIN_EXPLANATION)}. "
                "The figures of each standard say which measure it is.",
                s["small"],
            )
        )
    if any(sec.clear is False for sec in data.sections):
        out.append(Paragraph(f"{text(words.CHANGE_UNCLEAR)}: {text(words.CHANGE_UNCLEAR_EXPLANATION)}.", s["small"]))
    if any(sec.rating == "provisional" for sec in data.sections):
        out.append(
            Paragraph(
                f"{text(ratings.look('provisional').symbol)} Met (provisional): "
                f"{text(ratings.PROVISIONAL_EXPLANATION)}. Numbers alone are not enough: a standard is "
                "fully met only when a person using the service, or their family, has also told us about it "
                "this period and agreed to their story being shared.",
                s["small"],
            )
        )
    if any(sec.rating == "differs" for sec in data.sections):
        out.append(
            Paragraph(
                f"{text(ratings.look('differs').label)}: {text(ratings.DIFFERS_EXPLANATION)}. The stories are "
                "printed beside the standard.",
                s["small"],
            )
        )
    told = sum(len(sec.stories) for sec in data.sections) + len(data.untagged)
    held = data.story_counts.get("held", 0)
    not_shared = data.story_counts.get("no_consent", 0) + data.story_counts.get("withdrawn", 0)
    out.append(Spacer(1, 3 * mm))
    if data.gathered_by is None:
        out.append(
            Paragraph(
                "No evidence pack of stories was loaded for this period, so no standard could "
                "be confirmed by people's experience.",
                s["small"],
            )
        )
        return out
    out.append(Paragraph(text(words.people_heard(data.heard, public=True)), s["small"]))
    out.append(
        Paragraph(
            f"Stories printed in this report: {told}. Not printed: {not_shared} without consent to share "
            f"(or withdrawn), {held} waiting for the auditor to check for personal details or to summarise, "
            f"{data.story_counts.get('kept_out', 0)} kept out by the auditor, "
            f"{data.story_counts.get('not_shown', 0)} whose tellers agreed to be heard but not to their words "
            "being shown.",
            s["small"],
        )
    )
    if data.work is not None:
        out.append(Paragraph(text(data.work.words()), s["small"]))
    return out


def _follow_up(data: Findings) -> list:
    """The factual accuracy check in a sentence, and the actions agreed after earlier audits with
    their status on the day the report was made."""
    s = styles()
    out = [Spacer(1, 3 * mm), Paragraph("Factual accuracy check", s["h3"]), Paragraph(text(data.factcheck), s["small"])]
    if data.actions.empty:
        return out
    out += [
        CondPageBreak(40 * mm),
        _heading("Actions from earlier audits", "h2", 1),
        Paragraph(
            text(
                "What the provider said it would do about standards published as partly met or not met, and where "
                "each action stands "
                f"on {words.long_date(data.generated_at)}."
            ),
            s["body"],
        ),
    ]
    widths = [36 * mm, 62 * mm, 24 * mm, 22 * mm, 26 * mm]
    rows = [_head(("Standard", "Action", "Owner", "By", "Status"), widths)]
    titles = {sec.standard.id: sec.standard.title for sec in data.sections}
    for a in data.actions.to_dict("records"):
        rows.append(
            [
                _plain(f"{titles.get(a['standard_id'], a['standard_id'])} ({a['period']})", s["cell"], widths[0]),
                _plain(f"{a['what']} People will notice: {a['noticed']}", s["cell"], widths[1]),
                _plain(a["owner"], s["cell"], widths[2]),
                _plain(actions.due_words(a).removeprefix("by "), s["cell"], widths[3]),
                _plain(a["status_words"], s["cell_bold"], widths[4]),
            ]
        )
    out.append(_table(rows, widths))
    return out


# A table never splits inside a row, so a long story (an interview of several pages) is drawn as
# several rows of at most this many characters, broken at paragraphs, then sentences, then words.
STORY_ROW_CHARACTERS = 700


def story_pieces(words_told: str, limit: int = STORY_ROW_CHARACTERS) -> list[str]:
    """A story's words in pieces short enough for one row of the quote box each."""
    pieces: list[str] = []
    for paragraph in [p.strip() for p in str(words_told).splitlines() if p.strip()] or [""]:
        parts = re.split(r"(?<=[.!?…])\s+", paragraph) if len(paragraph) > limit else [paragraph]
        current = ""
        for part in parts:
            while len(part) > limit:  # one sentence longer than a row: break it between words, or hard
                cut = part.rfind(" ", 0, limit)
                cut = cut if cut > limit // 2 else limit
                if current:
                    pieces.append(current)
                    current = ""
                pieces.append(part[:cut].rstrip())
                part = part[cut:].lstrip()
            if current and len(current) + 1 + len(part) > limit:
                pieces.append(current)
                current = part
            else:
                current = f"{current} {part}".strip()
        pieces.append(current)
    return pieces


def _story_block(row, standard_id: str | None = None) -> list:
    s = styles()
    teller = words.teller(row.teller)
    by = words.gathered_by(row)
    note = " The auditor removed personal details from these words." if row.redacted else ""
    summarised = bool(getattr(row, "summarised", False))
    if summarised:
        note = f" {words.SUMMARY_NOTE}"
    pieces = story_pieces(row.text)
    if not summarised:  # a summary is the auditor's words, never quoted as the person's
        pieces[0], pieces[-1] = "“" + pieces[0], pieces[-1] + "”"
    told = [[Paragraph(text(piece), s["story"])] for piece in pieces]
    caption = Paragraph(
        text(f"Told by {teller}, gathered on {words.long_date(row.gathered_on)}{by}.{note}"), s["small"]
    )
    rows = [*told, [caption]]
    stance = row.stances.get(standard_id) if standard_id and isinstance(row.stances, dict) else None
    if stance:
        said = words.stance(stance)
        answer = row.answers.get(standard_id) if isinstance(row.answers, dict) else None
        if answer:
            said += f" The auditor's answer, why the rating stands: {answer}"
        rows.append([Paragraph(text(said), s["small"])])
    box = Table(rows, colWidths=[165 * mm])
    box.setStyle(
        _ts(
            [
                ("BACKGROUND", (0, 0), (-1, -1), QUOTE_BG),
                ("LINEBEFORE", (0, 0), (0, -1), 2.5, ACCENT),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    if len(pieces) == 1:
        return [KeepTogether([box, Spacer(1, 3 * mm)])]
    return [box, Spacer(1, 3 * mm)]  # a long story flows on over the page, between its rows


def _records(frames: list[pd.DataFrame | None]) -> list[list[dict]]:
    """Each frame's rows as records (DataFrame.to_dict), converted at once: the sections' frames
    are pieces of one provider's frame, and turning ~20 small frames a report into records one by
    one cost a tenth of drawing it. Pieces of different columns or types are converted alone."""
    out: list[list[dict]] = [[] for _ in frames]
    full = [(i, f) for i, f in enumerate(frames) if f is not None and not f.empty]
    alike = [(i, f) for i, f in full if f.dtypes.equals(full[0][1].dtypes)]
    if len(alike) > 1:
        rows = _rows(pd.concat([f for _, f in alike], ignore_index=True))
        start = 0
        for i, f in alike:
            out[i] = rows[start : start + len(f)]
            start += len(f)
    for i, f in full:
        if not out[i]:
            out[i] = _rows(f)
    return out


def _rows(frame: pd.DataFrame) -> list[dict]:
    """frame.to_dict("records"), the same Python values (text, NaN for missing text, None for a
    missing Int64, int, float, bool), read a column at a time: pandas boxes each value of an
    Arrow-backed column one by one, which took three times as long. A column of any other kind is
    left to pandas."""
    if not frame.columns.is_unique:
        return frame.to_dict("records")
    columns = []
    for name in frame.columns:
        values, dtype = frame[name].array, frame[name].dtype
        if isinstance(values, pd.arrays.ArrowStringArray):
            missing = dtype.na_value
            columns.append([missing if v is None else v for v in values._pa_array.to_pylist()])
        elif isinstance(values, pd.arrays.IntegerArray):
            columns.append([None if gone else v for v, gone in zip(values._data.tolist(), values._mask.tolist())])
        elif isinstance(dtype, np.dtype) and dtype.kind in "fiub":
            columns.append(frame[name].to_numpy().tolist())
        else:
            return frame.to_dict("records")
    names = list(frame.columns)
    return [dict(zip(names, row)) for row in zip(*columns)] if names else frame.to_dict("records")


def _section(sec: findings.Section, measures: list[dict], parts: list[dict]) -> list:
    s = styles()
    st = sec.standard
    look = ratings.look(sec.rating)
    rating_line = Table(
        [
            [
                _rating_cell(sec.rating, uncertain=sec.uncertain),
                Paragraph(text(words.change(sec.rating, sec.previous, sec.clear)), s["cell"]),
            ]
        ],
        colWidths=[45 * mm, 120 * mm],
    )
    solid = ("BOX", (0, 0), (0, 0), 0.8, colors.HexColor(look.colour))
    outline = _uncertain_box(0, 0, sec.rating) if sec.uncertain else solid
    rating_line.setStyle(
        _ts(
            [
                ("BACKGROUND", (0, 0), (0, 0), colors.HexColor(look.background)),
                outline,
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    out = [
        CondPageBreak(60 * mm),
        _heading(st.title, "h2", 1),
        Paragraph(
            text(
                f"Standard {st.id}, version {st.version}, approved by {st.approved_by} on {words.long_date(st.approved_on)}."
            ),
            s["small"],
        ),
        rating_line,
        Spacer(1, 2 * mm),
        Paragraph(text(f"Voices heard on this standard: {words.voices_heard(sec.heard, public=True)}."), s["small"]),
    ]
    if sec.too_few:
        out.append(Paragraph(text(words.too_few_voices(sec.needed)), s["small"]))
    out.append(Spacer(1, 2 * mm))
    if sec.rating == "provisional":
        out.append(
            Paragraph(
                f"Met on the figures, but {text(ratings.PROVISIONAL_EXPLANATION)}: no "
                "consented story from a person using the service or their family this period.",
                s["small"],
            )
        )
    if sec.rating == "differs":
        out.append(
            Paragraph(
                f"{text(ratings.DIFFERS_EXPLANATION.capitalize())}: see what people told us below.",
                s["small"],
            )
        )
    if sec.uncertain:
        out.append(Paragraph(text(words.standard_uncertainty(sec.rating)), s["small"]))
    if sec.clear is False:
        out.append(Paragraph(f"{text(words.CHANGE_UNCLEAR)}: {text(words.CHANGE_UNCLEAR_EXPLANATION)}.", s["small"]))
    out += [
        Paragraph("What good looks like", s["h3"]),
        Paragraph(text(st.statement), s["body"]),
        Paragraph("Why it matters", s["h3"]),
        Paragraph(text(st.why), s["body"]),
    ]
    for voice in st.voices:
        out += [
            Paragraph(f"“{text(voice.quote.strip())}”", s["quote"]),
            Paragraph(f"— {text(voice.source)}", s["source"]),
        ]
    out.append(Paragraph("The figures", s["h3"]))
    head = _head(("Measure", "Figure", "95% interval", words.PUBLIC_BENCHMARK_LABEL, "Rating"), MEASURE_WIDTHS)
    rows, values, unsure, notes, chart_rows = [head], [], [], [], []
    # plain dicts, not a frame indexed row by row: pandas' row access cost more than drawing the rows
    results = {r["measure_id"]: r for r in measures}
    for m in st.measures:
        if m.id not in results:
            continue
        r = results[m.id]
        bench_value, bench_words = words.benchmark(m, r)
        why = words.uncertainty(m, r)
        rows.append(
            [
                Paragraph(
                    text(m.label) + f'<br/><font color="#555555" size="7">{text(words.thresholds(m))}</font>', s["cell"]
                ),
                _plain(words.figure(m, r), s["cell"], MEASURE_WIDTHS[1]),
                _plain(words.interval(m, r), s["cell"], MEASURE_WIDTHS[2]),
                Paragraph(
                    text(bench_value) + (f'<br/><font size="7.5">{text(bench_words)}</font>' if bench_words else ""),
                    s["cell"],
                ),
                _rating_cell(r["rating"], bold=False, uncertain=bool(why)),
            ]
        )
        values.append(r["rating"])
        unsure.append(bool(why))
        if why:
            notes.append(f"{m.label} — {why}")
        if kind_of(m).percent:
            chart_rows.append(
                {
                    "label": m.label,
                    "value": None if is_missing(r["value"]) else float(r["value"]),
                    "ci_lower": r.get("ci_lower"),
                    "ci_upper": r.get("ci_upper"),
                    "benchmark": r.get("benchmark"),
                    "limits": comparison.limits(m, r),
                    "spread": not is_missing(r.get("between_variance")) and r.get("between_variance", 0) > 0,
                    "green": m.green.target,
                    "amber": m.amber.target if m.amber is not None else None,
                    "higher": m.green.higher_is_better,
                    "rating": r["rating"],
                    "hidden": bool(words.hidden(r)),
                }
            )
    figures = [
        out.pop(),
        _table(
            rows,
            MEASURE_WIDTHS,
            rating_col=4,
            rating_values=values,
            uncertain_values=unsure,
        ),
    ]
    figures += [Paragraph(text(note), s["small"]) for note in notes]
    if any(words.hidden(r) for r in results.values()) or any(v in ratings.RANGES for v in values):
        figures.append(Paragraph(text(words.HIDDEN_SHORT), s["small"]))
    chart = proportion_chart(chart_rows)
    if chart is not None:
        drawn = [r for r in chart_rows if r["limits"]]
        spread = any(r.get("spread") for r in drawn) if drawn else None
        figures += [Spacer(1, 3 * mm), chart, legend(spread)]
    out.append(KeepTogether(figures))
    counted = [m for m in st.measures if m.id in results]
    if counted:  # what each measure counts, in the sentence the workshop reads it back with
        out.append(Paragraph("How each measure is counted", s["h3"]))
        out += [Paragraph(f"<b>{text(m.label)}.</b> {text(_read_back(m))}", s["small"]) for m in counted]
    out += breakdown_flowables(st, parts)
    out.append(Paragraph("What people told us", s["h3"]))
    if sec.stories.empty:
        out.append(Paragraph("No consented story was tagged to this standard for this period.", s["body"]))
        return out
    for row in sec.stories.itertuples():
        out += _story_block(row, st.id)
    return out


_READ_BACK: dict[int, tuple] = {}


def _read_back(measure) -> str:
    """sentences.read_back, once per measure of the run's standards: every report of a batch
    shares them, and reading each measure's conditions back (a parse) in each report was a
    twentieth of drawing it. The measure is kept beside its sentence, so an id is never reused."""
    kept = _READ_BACK.get(id(measure))
    if kept is None or kept[0] is not measure:
        if len(_READ_BACK) >= 5_000:
            _READ_BACK.clear()
        kept = _READ_BACK[id(measure)] = (measure, sentences.read_back(measure))
    return kept[1]


def _annexes(data: Findings) -> list:
    s = styles()
    out = [PageBreak(), _heading("Annex A: data quality", "h1", 0)]
    if data.quarantine.empty:
        out.append(Paragraph("No rows of this period's return or evidence pack were held back.", s["body"]))
    else:
        out.append(
            Paragraph(
                "Rows that failed validation were held back from the audit, kept with their reasons, and are "
                "not in any figure of this report. Line numbers are the lines a person sees in a spreadsheet "
                "(the header is line 1).",
                s["body"],
            )
        )
        widths = [28 * mm, 12 * mm, 40 * mm, 85 * mm]
        rows = [_head(("File", "Rows", "Lines", "Why they were held back"), widths)]
        for q in data.quarantine.itertuples():
            lines = list(q.lines)
            shown = ", ".join(str(n) for n in lines[:15]) + (f" and {len(lines) - 15} more" if len(lines) > 15 else "")
            rows.append(
                [
                    _plain(q.file_name, s["cell"], widths[0]),
                    _plain(q.rows, s["cell"], widths[1]),
                    _plain(shown, s["cell"], widths[2]),
                    _plain(q.reasons, s["cell"], widths[3]),
                ]
            )
        out.append(_table(rows, widths))
    out += [CondPageBreak(80 * mm), _heading("Annex B: how the audit works", "h1", 0)]
    for section in method.SECTIONS:
        cited = f' <font color="#555555">{text(section.cited)}</font>' if section.cited else ""
        out += [Paragraph(text(section.title), s["h3"]), Paragraph(text(section.text) + cited, s["body"])]
    out.append(Paragraph("References", s["h3"]))
    out += [Paragraph(text(f"[{i}] {r.text}"), s["small"]) for i, r in enumerate(method.REFERENCES, start=1)]
    out += [
        PageBreak(),
        _heading("Annex C: integrity", "h1", 0),
        Paragraph(
            "Anyone holding the same files can check that this report was made from them: the "
            'SHA-256 checksum of each file (for example from <font name="DejaVuSans-Oblique">'
            "sha256sum</font>) must match the list below.",
            s["body"],
        ),
    ]
    facts = [
        ["Audit run", data.run_id],
        ["Run started", f"{data.run_started:%Y-%m-%d %H:%M:%S} UTC" if data.run_started else "Not recorded"],
        ["Run by", data.run_by or "Not recorded"],
        ["Report generated", f"{data.generated_at:%Y-%m-%d %H:%M:%S} UTC"],
    ]
    t = Table(
        [[Paragraph(text(k), s["cell_bold"]), Paragraph(text(v), s["cell"])] for k, v in facts],
        colWidths=[40 * mm, 125 * mm],
    )
    t.setStyle(_ts([("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE)]))
    out += [t, Spacer(1, 4 * mm)]
    widths = [55 * mm, 115 * mm]
    rows = [_head(("File", "SHA-256"), widths)]
    for f in data.files.itertuples():
        rows.append(
            [
                Paragraph(f'{text(f.name)}<br/><font size="7" color="#555555">{text(f.what)}</font>', s["cell"]),
                _plain(f.sha256, s["mono"], widths[1]),
            ]
        )
    out.append(_table(rows, widths))
    # the other providers' files are the same list in every report of the period: one checksum of
    # the manifest listing them all (audits.manifest), the manifest published beside the reports
    name = manifest.file_name(data.period)
    others = (
        f"The run also used the returns of {data.other_providers} other providers, for the benchmarks only. "
        if data.other_providers
        else ""
    )
    out += [
        Spacer(1, 4 * mm),
        Paragraph(
            text(
                f"{others}Every input of the run is listed with its SHA-256 checksum in the run's input manifest, "
                f"{name}: each standards file by its name, and each provider's whole submission by its checksum "
                "alone (this provider's is listed above). The manifest is published beside this period's audit "
                f"reports and in the open data of the published site (data/{name}). Its own SHA-256 checksum is "
                "below: a copy of the manifest with this checksum is the list this report was made from."
            ),
            s["body"],
        ),
    ]
    digest = Table(
        [
            [
                Paragraph(
                    f'{text(name)}<br/><font size="7" color="#555555">Input manifest of the run</font>', s["cell"]
                ),
                Paragraph(text(data.inputs_sha256), s["mono"]),
            ]
        ],
        colWidths=[55 * mm, 115 * mm],
    )
    digest.setStyle(_ts([("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    out.append(digest)
    return out


def _page(canvas, doc, data: Findings) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 7.5)
    canvas.setFillColor(MUTED)
    width, height = A4
    canvas.drawString(20 * mm, height - 12 * mm, f"Independent audit · {data.provider_name} · {data.period}")
    canvas.drawRightString(width - 20 * mm, height - 12 * mm, "Lived Standards")
    canvas.setStrokeColor(RULE)
    canvas.line(20 * mm, height - 13.5 * mm, width - 20 * mm, height - 13.5 * mm)
    footer = f"Audit run {data.run_id} · not yet signed off by the auditor"
    if data.signoff and data.signoff_status == "out_of_date":
        footer = f"Audit run {data.run_id} · sign-off {signed.OUT_OF_DATE.lower()}"
    elif data.signoff:
        footer = f"Audit run {data.run_id} · signed off by {data.signoff['name']}, {data.signoff['organisation']}"
        if stringWidth(footer, FONT, 7.5) > 145 * mm:  # keep clear of the page number
            footer = f"Audit run {data.run_id} · signed off by {data.signoff['name']}"
    canvas.drawString(20 * mm, 10 * mm, footer)
    canvas.drawRightString(width - 20 * mm, 10 * mm, f"Page {doc.page}")
    canvas.restoreState()


@tiers.output(tiers.PUBLIC, "the audit PDF (written to be published)")
def render(data: Findings, out: Path) -> Path:
    """Draw the PDF for gathered data."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    who = data.organisation or data.auditor or "Independent auditor"
    doc = _Doc(
        str(out),
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=18 * mm,
        lang="en-GB",
        initialFontName=FONT,
        title=f"Independent audit: {data.provider_name}, {data.period}",
        author=who if not data.auditor or data.auditor == who else f"{data.auditor}, {who}",
        subject=f"Audit of standards written by people with lived experience: {data.provider_name} "
        f"({data.provider_id}), {data.area}, {data.period}",
        creator="Lived Standards",
        keywords=["audit", "standards", "lived experience", data.period],
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="main")
    doc.addPageTemplates(
        [
            PageTemplate("cover", frames=[frame]),
            PageTemplate("body", frames=[frame], onPage=lambda c, d: _page(c, d, data)),
        ]
    )
    story = _cover(data) + _summary(data) + _follow_up(data)
    story.append(PageBreak())
    story.append(_heading("The standards", "h1", 0))
    measures = _records([sec.measures for sec in data.sections])
    parts = _records([sec.breakdowns for sec in data.sections])
    for sec, mine, rows in zip(data.sections, measures, parts, strict=True):
        story += _section(sec, mine, rows)
    if not data.untagged.empty:
        story += [
            CondPageBreak(50 * mm),
            _heading("Other stories", "h2", 1),
            Paragraph("Stories told this period that are not tagged to an audited standard.", styles()["body"]),
        ]
        for row in data.untagged.itertuples():
            story += _story_block(row)
    story += _annexes(data)
    doc.build(story, canvasmaker=Canvas)
    return out


@tiers.output(tiers.PUBLIC, "one provider's audit PDF")
def build_report(
    db,
    provider_id: str,
    period: str,
    out: Path,
    auditor: str | None = None,
    organisation: str | None = None,
) -> Path:
    """One provider's PDF for one period, from the latest audit run of that period."""
    with store.reading(db) as con:
        data = gather(con, provider_id, period, auditor=auditor, organisation=organisation)
    return render(data, out)


def report_file_name(provider_id: str, period: str) -> str:
    """audit-P001-2026-Q2.pdf. The id and the period were checked against the specification's
    patterns when the return was loaded; checked again here, because a name made from them
    must never reach outside the folder it is written in ('P009/../audit-P001')."""
    if not spec.is_id(provider_id) or not spec.is_period(period):
        raise ReportError(
            f"No PDF is made for the provider id {provider_id!r} and period {period!r}: a file is named from them, "
            f"so the id must be {spec.ID_RULE}, and the period written like 2026-Q2. Correct the return and load it again."
        )
    return f"audit-{provider_id}-{period}.pdf"
