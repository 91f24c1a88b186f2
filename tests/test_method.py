"""The method text (audits.method): every choice explained once, with references that exist."""

from __future__ import annotations

from audits import method


def test_every_section_cites_real_references_and_every_reference_is_cited():
    keys = {r.key for r in method.REFERENCES}
    cited = {k for s in method.SECTIONS for k in s.references}
    assert cited <= keys and keys <= cited
    assert len({s.title for s in method.SECTIONS}) == len(method.SECTIONS)


def test_the_plain_text_for_a_published_page_has_every_choice_and_reference():
    text = method.plain_text()
    for section in method.SECTIONS:
        assert section.title in text and section.text in text
    assert "[8] Newcombe RG. Interval estimation for the difference" in text
    assert "<" not in text  # plain text, not markup
