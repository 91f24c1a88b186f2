"""The draft, its working-day window, the provider's comments with a file, the auditor's answers
and the provider's reply, over a real store with a real run."""

from __future__ import annotations

import datetime as dt

import pytest

from audits import drafts, factcheck, settings, store

from support.stores import audited_returns


@pytest.fixture
def con(tmp_path):
    db = tmp_path / "audit.duckdb"
    audited_returns(db)
    connection = store.connect(db)
    yield connection
    connection.close()


def test_working_days_skip_weekends_and_englands_bank_holidays():
    # shared on Thursday 17 December 2026: Christmas Day (Fri), Boxing Day (Sat, so Mon 28th is
    # its substitute) and New Year's Day (Fri) are not working days
    assert drafts.working_days_after(dt.date(2026, 12, 17), 10) == dt.date(2027, 1, 5)
    assert drafts.working_days_after(dt.date(2026, 6, 1), 10) == dt.date(2026, 6, 15)  # two plain weeks
    assert drafts.working_days_after(dt.date(2026, 8, 28), 1) == dt.date(2026, 9, 1)  # the summer bank holiday


@pytest.mark.slow
def test_a_shared_draft_takes_comments_until_it_closes(con):
    assert "until the end of" in drafts.share(con, "P001", "2026-Q2", "Ann Auditor")
    draft = drafts.latest(con, "P001", "2026-Q2")
    assert drafts.pdf_of(con, draft["draft_id"]).startswith(b"%PDF")
    assert draft["due_on"] == drafts.working_days_after(store.now().date(), 10)
    assert drafts.is_open(draft) and not drafts.is_open(draft, draft["due_on"] + dt.timedelta(days=1))
    first = factcheck.comment(con, "P001", "2026-Q2", "warm-welcome", "contact-within-2-days", "41 not 38.", "Pat")
    with pytest.raises(factcheck.FactcheckError) as error:
        factcheck.comment(con, "P001", "2026-Q2", "warm-welcom", "nope", " ", "")
    message = str(error.value)
    assert "say which fact is wrong" in message and "say who comments" in message and "choose a standard" in message
    assert len(factcheck.unanswered(con, "2026-Q2", "P001")) == 1
    with pytest.raises(factcheck.FactcheckError, match="give the reasons"):
        factcheck.answer(con, first, "not_accepted", " ", "Ann")
    factcheck.answer(con, first, "accepted", "Figure corrected in the return; audit run again.", "Ann")
    assert factcheck.unanswered(con, "2026-Q2", "P001").empty
    kept = factcheck.comments(con, "2026-Q2", "P001").iloc[0]
    assert (kept["outcome"], kept["answered_by"], kept["commented_by"]) == ("accepted", "Ann", "Pat")
    assert "1 accepted with the change made" in factcheck.summary(con, "P001", "2026-Q2")
    drafts.close(con, "P001", "2026-Q2", "Pat")
    with pytest.raises(factcheck.FactcheckError, match="the provider closed it"):
        factcheck.comment(con, "P001", "2026-Q2", "warm-welcome", None, "One more.", "Pat")


@pytest.mark.slow
def test_a_comment_with_no_draft_is_refused(con):
    with pytest.raises(factcheck.FactcheckError, match="No draft of 2026-Q2 has been shared"):
        factcheck.comment(con, "P001", "2026-Q2", "warm-welcome", None, "Wrong.", "Pat")


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("run.exe", b"MZ\x90\x00", "cannot be attached"),
        ("page.html", b"<script>alert(1)</script>", "cannot be attached"),
        ("fake.pdf", b"<html>not a pdf</html>", "does not start as a PDF document does"),
        ("big.pdf", b"%PDF-" + b"0" * factcheck.MAX_FILE_BYTES, "at most 5 MB"),
        ("binary.csv", b"a,b\n\x00\x01", "binary data"),
        ("latin.csv", "café".encode("latin-1"), "not UTF-8 text"),
        ("empty.txt", b"", "is empty"),
    ],
)
def test_only_small_files_of_a_few_kinds_are_kept(name, data, why):
    with pytest.raises(factcheck.FactcheckError, match=why):
        factcheck.check_file(name, data)


@pytest.mark.slow
def test_a_file_is_kept_and_given_back_under_a_name_made_here(con):
    drafts.share(con, "P001", "2026-Q2", "Ann Auditor")
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
    cid = factcheck.comment(
        con,
        "P001",
        "2026-Q2",
        "warm-welcome",
        None,
        "See the rota.",
        "Pat",
        file_name="../../etc/rota.PNG",
        file_bytes=png,
    )
    name, data = factcheck.file_of(con, cid)
    assert name == f"comment-{cid}.png" and data == png


@pytest.mark.slow
def test_the_providers_reply_is_screened_because_it_is_published(con):
    with pytest.raises(factcheck.FactcheckError, match="a phone number"):
        factcheck.reply(con, "P001", "2026-Q2", "Call our manager on 07700 900123.", "Pat")
    assert factcheck.latest_reply(con, "P001", "2026-Q2") is None
    factcheck.reply(con, "P001", "2026-Q2", "We accept the findings.", "Pat")
    assert factcheck.latest_reply(con, "P001", "2026-Q2")["reply"] == "We accept the findings."
    factcheck.reply(con, "P001", "2026-Q2", "", "Pat")  # withdrawn
    assert factcheck.latest_reply(con, "P001", "2026-Q2") is None


@pytest.mark.slow
def test_the_window_is_a_setting(con):
    assert settings.get(con, "factual_accuracy_days") == 10
    settings.put(con, "factual_accuracy_days", "15", "Ann")
    drafts.share(con, "P001", "2026-Q2", "Ann")
    assert drafts.latest(con, "P001", "2026-Q2")["due_on"] == drafts.working_days_after(store.now().date(), 15)
    with pytest.raises(settings.SettingError, match="from 1 to 60"):
        settings.put(con, "factual_accuracy_days", "0", "Ann")
    with pytest.raises(settings.SettingError, match="no setting"):
        settings.put(con, "voices", "2", "Ann")
