"""Interview guides: every standard has one, written by the group, and each prints on one page
at full size (never shrunk to fit), read back from the PDF with pypdf."""

import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.platypus.flowables import _FUZZ, _listWrapOn

from audits import guides, standard_files
from audits.standard_model import PROMPT_LENGTH, PROMPTS_PER_GROUP, Interview

FOLDER = Path(__file__).parent.parent / "standards"
EVERY = standard_files.load_standards(FOLDER).standards


def fits_at_full_size(standard) -> bool:
    """The guide page's content laid out without shrinking: does it fit one A4 page?"""
    (frame, _) = guides._guide_page(standard, "Northgate Recovery Partnership (P001), April to June 2026")
    width, height = _listWrapOn(frame._content, guides.WIDTH, None)
    return width <= guides.WIDTH + _FUZZ and height <= guides.HEIGHT - 2


@pytest.mark.parametrize("standard", EVERY, ids=[s.id for s in EVERY])
def test_every_standard_has_its_own_questions_for_every_group(standard):
    assert standard.interview is not None, f"{standard.id} has no interview guide"
    asks, general = guides.prompts_for(standard)
    assert general == []
    for questions in asks.values():
        assert 1 <= len(questions) <= PROMPTS_PER_GROUP
        # plain, person-first words: a question, no jargon about the people it is asked of
        for question in questions:
            assert question.endswith("?"), question
            unquoted = re.sub(r"'[^']*'", "", question.lower())  # a word asked about is quoted, never used
            assert not any(w in unquoted for w in ("service user", "client", "addict", "patient")), question


@pytest.mark.parametrize("standard", EVERY, ids=[s.id for s in EVERY])
def test_every_guide_fits_one_page_without_shrinking(standard):
    assert fits_at_full_size(standard)


def test_the_longest_guide_the_format_allows_still_fits_one_page():
    longest = "Tell me " + "about it " * 30
    questions = [longest[:PROMPT_LENGTH].strip() for _ in range(PROMPTS_PER_GROUP)]
    biggest = max(EVERY, key=lambda s: len(s.statement) + sum(len(v.quote) for v in s.voices[:1]))
    full = biggest.model_copy(
        update={"interview": Interview(people_using_services=questions, families=questions, staff=questions)}
    )
    assert fits_at_full_size(full)


def test_a_group_not_yet_asked_gets_general_questions_and_is_told_so(tmp_path):
    standard = EVERY[0].model_copy(update={"interview": Interview(families=["How were they welcomed?"])})
    asks, general = guides.prompts_for(standard)
    assert asks["families"] == ["How were they welcomed?"]
    assert general == ["people_using_services", "staff"]
    assert asks["staff"] == guides.GENERAL["staff"]
    pdf = guides.visit_pdf([standard], tmp_path / "kit.pdf", sheets=0)
    page = " ".join(PdfReader(pdf).pages[1].extract_text().split())
    assert "has not written questions for people using the service, people who work here yet" in page


@pytest.mark.slow
def test_the_visit_kit_prints_a_page_per_standard_with_its_questions(tmp_path):
    approved = guides.kit_standards(FOLDER)
    pdf = guides.visit_pdf(approved, tmp_path / "kit.pdf", provider_name="Northgate", period="2026-Q2", sheets=2)
    reader = PdfReader(pdf)
    assert len(reader.pages) == 1 + len(approved) + 2  # how to begin, one page each, two blank sheets
    assert reader.metadata.title.startswith("Interview guides and capture sheets")
    for number, standard in enumerate(approved, start=1):
        page = " ".join(reader.pages[number].extract_text().split())
        assert standard.title in page
        for question in standard.interview.staff:
            assert " ".join(question.split()) in page
