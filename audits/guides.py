"""The peer interviewer's visit kit on paper: the interview guides and blank capture sheets.

For a visit without a connection, or for anyone who would rather hold paper: one page that says
how to begin (who we are, consent, the reference), then one page per standard with its
questions for people using the service, family members and staff, in the group's own words
(`interview` in the standard; general questions from the statement where the group has not
written any yet), then blank capture sheets, each with its own reference printed twice: once
on the sheet, once on a slip to tear off and give to the person. A sheet typed up later goes
into the visit workbook (audits.templates.write_workbook), which loads back as an evidence pack.

Every page is drawn inside a frame that shrinks its content rather than spill onto a second page
(reportlab KeepInFrame), so a guide is always one page; the standards' limits on questions
(audits.standard_model.Interview) keep the shrinking to nothing for any guide the format allows.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepInFrame,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from audits import references, spec, standard_files, tiers
from audits.report_styles import ACCENT, FONT, MUTED, QUOTE_BG, RULE, styles, text
from audits.standard_model import Standard

GROUP_WORDS = {
    "people_using_services": "Ask people using the service",
    "families": "Ask family members",
    "staff": "Ask people who work here",
}
BOX = "☐"
MARGIN = 16 * mm
WIDTH = A4[0] - 2 * MARGIN
HEIGHT = A4[1] - 2 * MARGIN

BEFORE_YOU_START = [
    "Say who you are: a peer interviewer with lived experience, working for an independent audit, not for the "
    "service. Nothing they say changes the help they get.",
    "Say what it is for: the expert citizens group's standards, and what people's experience says about them.",
    "They can stop at any time, skip any question, and take their story back later.",
    "Ask whether they agree to their story being used, and how: quoted in their own words, summarised by the "
    "auditor, or not shown at all (only counted as a voice heard). If they say no, do not write their story down.",
    "Never write a name, a phone number, an address, a date of birth or anything else that could point to them "
    "or to anyone they talk about. Write 'my worker', 'my sister', 'the doctor'.",
    "Give them the slip with their reference, or read it out. With it they can take their story back, for good, "
    "by telling the auditor or any peer interviewer. It is not made from anything about them.",
    "Write down the hours you spent (travel, the conversation, writing up), so that your work is paid and credited.",
]


def _styles() -> dict[str, ParagraphStyle]:
    s = styles()
    return {
        "title": ParagraphStyle("g_title", parent=s["h1"], fontSize=17, leading=21, spaceBefore=0, spaceAfter=4),
        "lead": ParagraphStyle("g_lead", parent=s["body"], fontSize=10.5, leading=14.5),
        "group": ParagraphStyle("g_group", parent=s["h3"], fontSize=11.5, leading=15, textColor=ACCENT, spaceBefore=6),
        "ask": ParagraphStyle("g_ask", parent=s["body"], fontSize=11.5, leading=15.5, leftIndent=14, bulletIndent=0),
        "small": s["small"],
        "quote": s["quote"],
        "source": s["source"],
        "cell": s["cell"],
        "cell_bold": s["cell_bold"],
        "field": ParagraphStyle("g_field", parent=s["body"], fontSize=10, leading=13, spaceAfter=0),
        "ref": ParagraphStyle("g_ref", parent=s["body"], fontName=f"{FONT}-Bold", fontSize=15, leading=19),
    }


GENERAL = {
    "people_using_services": [
        "Is that how it has been for you here? Tell me about a time it was, or was not.",
        "What would make it better?",
    ],
    "families": ["Is that how it has been for them, and for you?"],
    "staff": ["How does the service make sure this happens? What gets in the way?"],
}


def prompts_for(standard: Standard) -> tuple[dict[str, list[str]], list[str]]:
    """The questions of a standard's guide by group, and the groups the expert citizens group
    has not written questions for yet: those get general questions about the statement, so
    every visit has a guide for everyone."""
    written = standard.interview.model_dump() if standard.interview is not None else {}
    asks = {group: written.get(group) or GENERAL[group] for group in GENERAL}
    return asks, [group for group in GENERAL if not written.get(group)]


def _header(what: str, visit: str) -> list:
    s = _styles()
    line = f"{what} · Lived Standards" + (f" · {visit}" if visit else "")
    return [Paragraph(text(line), s["small"]), Spacer(1, 2 * mm)]


def _page(flowables: list) -> list:
    """One page: its content shrunk to fit if it must, never spilling over."""
    return [KeepInFrame(WIDTH, HEIGHT - 2, flowables, mode="shrink"), PageBreak()]


def _start_page(visit: str) -> list:
    s = _styles()
    out = _header("Before each conversation", visit)
    out += [
        Paragraph("Before each conversation", s["title"]),
        Paragraph(
            text(
                "“I don't want numbers, I want stories – and that's how we do the monitoring.” These guides help you "
                "ask about the standards written by people with lived experience. Use your own words; the "
                "questions are a start, not a script. Listen more than you ask."
            ),
            s["lead"],
        ),
        Spacer(1, 2 * mm),
    ]
    out += [Paragraph(text(item), s["ask"], bulletText="•") for item in BEFORE_YOU_START]
    return _page(out)


def _guide_page(standard: Standard, visit: str) -> list:
    s = _styles()
    asks, general = prompts_for(standard)
    out = _header("Interview guide", visit)
    out += [
        Paragraph(text(standard.title), s["title"]),
        Paragraph(f"<b>What good looks like.</b> {text(standard.statement.strip())}", s["lead"]),
    ]
    if standard.voices:
        voice = standard.voices[0]
        out += [
            Paragraph(f"“{text(voice.quote.strip())}”", s["quote"]),
            Paragraph(f"— {text(voice.source)}", s["source"]),
        ]
    if general:
        who = ", ".join(GROUP_WORDS[g].removeprefix("Ask ") for g in general)
        out.append(
            Paragraph(
                text(f"The group has not written questions for {who} yet: those below are general ones."), s["small"]
            )
        )
    for group, title in GROUP_WORDS.items():
        out.append(Paragraph(text(title), s["group"]))
        out += [Paragraph(text(q), s["ask"], bulletText=f"{n}.") for n, q in enumerate(asks[group], start=1)]
    out += [
        Spacer(1, 4 * mm),
        _note(
            "Consent first: quoted, summarised or not at all. No names, phone numbers or addresses. "
            "Give them their reference. Note your hours."
        ),
    ]
    return _page(out)


def _note(words_: str) -> Table:
    box = Table([[Paragraph(text(words_), _styles()["field"])]], colWidths=[WIDTH])
    box.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), QUOTE_BG),
                ("LINEBEFORE", (0, 0), (0, -1), 2.5, ACCENT),
                ("FONTNAME", (0, 0), (-1, -1), FONT),
            ]
        )
    )
    return box


def _boxes(*options: str) -> str:
    return "   ".join(f"{BOX} {text(o)}" for o in options)


def _sheet_page(standards: list[Standard], reference: str, visit: str) -> list:
    s = _styles()
    out = _header("Story capture sheet", visit)
    title = Table(
        [[Paragraph("Story capture sheet", s["title"]), Paragraph(text(reference), s["ref"])]],
        colWidths=[WIDTH - 62 * mm, 62 * mm],
    )
    title.setStyle(TableStyle([("ALIGN", (1, 0), (1, 0), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    fields = [
        ["Service visited", "", "Day (dd/mm/yyyy)", ""],
        ["Your name", "", "Hours spent", ""],
    ]
    grid = Table(
        [[Paragraph(text(a), s["cell_bold"]), b, Paragraph(text(c), s["cell_bold"]), d] for a, b, c, d in fields],
        colWidths=[30 * mm, 70 * mm, 32 * mm, WIDTH - 132 * mm],
        rowHeights=9 * mm,
    )
    grid.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (1, 0), (1, -1), 0.6, MUTED),
                ("LINEBELOW", (3, 0), (3, -1), 0.6, MUTED),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("FONTNAME", (0, 0), (-1, -1), FONT),
            ]
        )
    )
    questions = [
        ("Name me in the published report", _boxes("Yes", "No")),
        ("Who is telling", _boxes("Someone using the service", "A family member", "A member of staff")),
        ("Did they agree to their story being used?", _boxes("Yes", "No: do not write their story")),
        ("How may their words be used?", _boxes("Quoted as told", "Summarised by the auditor", "Not shown at all")),
    ]
    choices = Table(
        [[Paragraph(text(q), s["cell_bold"]), Paragraph(a, s["field"])] for q, a in questions],
        colWidths=[58 * mm, WIDTH - 58 * mm],
    )
    choices.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("FONTNAME", (0, 0), (-1, -1), FONT)]))
    story_box = Table(
        [[Paragraph("Their story, in their words (no names, phone numbers or addresses)", s["cell_bold"])]]
        + [[""] for _ in range(11)],
        colWidths=[WIDTH],
        rowHeights=[6 * mm] + [7 * mm] * 11,
    )
    story_box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, MUTED),
                ("LINEBELOW", (0, 1), (-1, -2), 0.3, RULE),
                ("FONTNAME", (0, 0), (-1, -1), FONT),
            ]
        )
    )
    head = [Paragraph(h, s["cell_bold"]) for h in ("It speaks to", "Happening", "Not happening", "Some of each")]
    rows = [head] + [[Paragraph(text(st.title), s["cell"]), BOX, BOX, BOX] for st in standards]
    tags = Table(rows, colWidths=[WIDTH - 72 * mm, 24 * mm, 24 * mm, 24 * mm])
    tags.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTSIZE", (1, 1), (-1, -1), 11),
                ("ALIGN", (1, 0), (-1, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    slip = Table(
        [
            [Paragraph("✂ Tear off and give to the person", s["small"])],
            [Paragraph(f"Your reference: {text(reference)}", s["ref"])],
            [
                Paragraph(
                    text(
                        "Keep this. If you change your mind about your story, give this reference to the auditor or any "
                        "peer interviewer and your story will be taken out of every report, for good. You do not need "
                        "to give your name. The reference is not made from anything about you."
                    ),
                    s["field"],
                )
            ],
        ],
        colWidths=[WIDTH],
    )
    slip.setStyle(
        TableStyle([("LINEABOVE", (0, 0), (-1, 0), 0.8, MUTED, None, (3, 3)), ("FONTNAME", (0, 0), (-1, -1), FONT)])
    )
    out += [
        title,
        grid,
        Spacer(1, 2 * mm),
        choices,
        Spacer(1, 2 * mm),
        story_box,
        Spacer(1, 3 * mm),
        tags,
        Spacer(1, 5 * mm),
        slip,
    ]
    return _page(out)


def visit_label(provider_name: str | None, period: str | None) -> str:
    """'Northgate Recovery Partnership, April to June 2026' for the top of each page."""
    parts = []
    if provider_name:
        parts.append(provider_name)
    if period:
        start, end = spec.parse_period(period)
        parts.append(f"{start:%B} to {end:%B %Y}")
    return ", ".join(parts)


@tiers.output(tiers.PUBLIC, "a visit kit: interview guides and blank sheets, no figures")
def visit_pdf(
    standards: list[Standard],
    out: Path,
    *,
    provider_name: str | None = None,
    period: str | None = None,
    sheets: int = 2,
    guides: bool = True,
) -> Path:
    """The visit kit as one PDF: how to begin, a one-page guide per standard (in the order given)
    and `sheets` blank capture sheets, each with its own new reference."""
    if not 0 <= sheets <= 50:
        raise ValueError("Print between 0 and 50 capture sheets at a time.")
    visit = visit_label(provider_name, period)
    story: list = []
    if guides:
        story += _start_page(visit)
        for standard in standards:
            story += _guide_page(standard, visit)
    for _ in range(sheets):
        story += _sheet_page(standards, references.make(), visit)
    if story and isinstance(story[-1], PageBreak):
        story.pop()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = SimpleDocTemplate(
        str(out),
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        lang="en-GB",
        initialFontName=FONT,
        title="Interview guides and capture sheets" + (f": {visit}" if visit else ""),
        author="Lived Standards",
        subject="A peer interviewer's visit kit: the questions for each standard, and blank story capture sheets",
        creator="Lived Standards",
    )
    doc.build(story or [Paragraph("Nothing to print.", styles()["body"])])
    return out


def workbook_notes(standards: list[Standard]) -> list[str]:
    """The help written under the visit workbook's metadata: how to type a sheet up, and the
    standards' ids (the `standards` column takes them, with what the story says of each)."""
    lines = [
        "Type one row per capture sheet on the stories sheet. Copy the reference from the sheet exactly.",
        "consent: yes or no. use_of_words: quoted, summarised or not_at_all (needed when consent is yes).",
        "If the person said no, do not type their story: write 'Not recorded' in the story column.",
        "standards: the ids below, each with what the story says of it, separated by ';' "
        "(for example waiting-times=contradicts; aftercare=confirms). Happening is confirms, not happening is "
        "contradicts, some of each is mixed.",
        "interviewer, hours and credit (yes: name me in the published report) are for fair pay and credit.",
        "Load it with: python -m audits peer add FILE (it joins the pack already loaded for the quarter).",
        "The standards (id: title):",
    ]
    return lines + [f"{s.id}: {s.title}" for s in standards]


class KitError(ValueError):
    """A visit kit that cannot be made, said plainly."""


def kit_standards(folder: Path) -> list[Standard]:
    """The approved standards a visit asks about, from the standards folder; KitError when none."""

    load = standard_files.load_standards(Path(folder))
    if not load.audited:
        raise KitError(
            f"No approved standard could be read from {folder}: the guides ask about approved standards. "
            "Check the folder with python -m audits standards check."
        )
    return load.audited
