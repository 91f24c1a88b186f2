"""One provider's audit from upload to publication in a real browser, every role taking its
step: the auditor uploads a return and an evidence pack, clears a flagged story after ticking
that they read it, tags a story as contradicting, runs the audit and shares the draft; the
provider comments on a fact with a file, replies and closes its check; the auditor answers and
signs off; the auditor publishes; the provider proposes an action, the commissioner agrees; the
expert citizen reads the readiness board. Then the published site is read in Chromium: lang,
landmarks, headings, focus, no request leaving the machine."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.browser import serve, settle, shoot, sign_in

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
RETURN = ROOT / "tests" / "fixtures" / "returns" / "good-return"
PACK_YAML = "provider_id: P001\nperiod: 2026-Q2\ngathered_by: Northshire Expert Citizens Group\n"
STORIES = """story_id,gathered_on,teller,standards,consent,story
W1,2026-05-12,person_using_services,peer-workforce,yes,"The peer who met me had been through it too. I felt <welcome> & safe."
W2,2026-05-20,family_member,peer-workforce,yes,"Nobody there had been through it. My son said the staff talked down to him."
W3,2026-06-01,person_using_services,warm-welcome,yes,"The helpline 0800 123 4567 answered every time I rang, day or night."
"""


@pytest.fixture(scope="module")
def walk(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lifecycle")
    site = folder / "published"
    with serve(folder, periods=["2026-Q1", "2026-Q2"], env={"LIVED_STANDARDS_PUBLISH_DIR": str(site)}) as url:
        yield url, folder, site


def go(page, name: str) -> None:
    page.get_by_role("link", name=name, exact=True).click()
    settle(page)


def upload(page, files: list[Path]) -> None:
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files([str(f) for f in files])
    expect(page.get_by_role("button", name="Load into the store")).to_be_visible(timeout=30_000)
    settle(page)
    page.get_by_role("button", name="Load into the store").click()
    expect(page.get_by_text("Loaded").first).to_be_visible(timeout=30_000)
    settle(page)


def choose(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option).click()
    settle(page)


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    settle(page)


def test_one_providers_audit_from_upload_to_publication(page, walk, tmp_path):
    url, folder, site = walk
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "pack.yaml").write_text(PACK_YAML)
    (pack / "stories.csv").write_text(STORIES)
    evidence = tmp_path / "rota.csv"
    evidence.write_text("week,peer shifts\n1,5\n2,6\n")

    # the auditor: upload, review, tag, run, share
    sign_in(page, url, "auditor")
    titles = [link.inner_text().strip() for link in page.get_by_role("link").all()]
    work = ["Upload returns", "Review stories", "Run the audit", "Share the draft", "Sign off", "Publish"]
    assert [w for t in titles for w in work if t.endswith(w)] == work  # the menu follows the order of the work
    go(page, "Upload returns")
    upload(page, sorted(RETURN.iterdir()))
    go(page, "Readiness")  # leaving the page empties the upload box
    go(page, "Upload returns")
    upload(page, sorted(pack.iterdir()))

    go(page, "Review stories")
    expect(page.locator("mark", has_text="0800 123 4567")).to_be_visible()
    page.get_by_text("Clear it: there are no personal details").click()
    page.get_by_role("button", name="Record the decision").click()
    settle(page)
    expect(page.get_by_text("confirm that (tick 'I have read it'", exact=False)).to_be_visible()
    page.get_by_text("I have read it:").click()
    page.get_by_role("button", name="Record the decision").click()
    settle(page)
    expect(page.get_by_text("cleared for printing by Test auditor").first).to_be_visible()
    shoot(page, "walk-review")
    choose(page, "Provider", "Northgate Recovery Partnership (P001)")
    # W1 and W2 both speak to the workforce standard: W1 confirms it, W2 (the second) contradicts it
    stance = page.get_by_role("radiogroup", name="What it says of People with lived experience work in every team")
    stance.nth(0).get_by_text("Confirms the figures").click()
    settle(page)
    page.get_by_role("button", name="Save the tags").nth(0).click()
    settle(page)
    stance.nth(1).get_by_text("Contradicts the figures").click()
    settle(page)
    page.get_by_role("button", name="Save the tags").nth(1).click()
    settle(page)
    expect(page.get_by_text("it contradicts").first).to_be_visible()

    go(page, "Run the audit")
    page.get_by_role("button", name="Run the audit for 2026-Q2").click()
    # the audit's own words once it has run: on a busy machine settle() can return before the
    # click's run has begun, and going to another page then takes the click's place
    expect(page.get_by_text("The latest audit of 2026-Q2 is", exact=False)).to_be_visible(timeout=120_000)
    settle(page)
    go(page, "Share the draft")
    choose(page, "Provider", "Northgate Recovery Partnership (P001)")
    page.get_by_role("button", name="Share the draft with Northgate Recovery Partnership").click()
    settle(page)
    expect(page.get_by_text("Shared the draft of P001 for 2026-Q2")).to_be_visible()
    sign_out(page)

    # the provider: read the draft, comment with a file, reply, close the check
    sign_in(page, url, "provider1")
    go(page, "Check the draft")
    expect(page.get_by_role("button", name="Download the draft PDF")).to_be_visible()
    page.get_by_role("textbox", name="Which fact is wrong").fill("We had 6 peer shifts in week 2, not 5.")
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(evidence))
    settle(page)
    page.get_by_role("button", name="Send the comment").click()
    settle(page)
    expect(page.get_by_text("sent to the auditor")).to_be_visible()
    page.get_by_role("textbox", name="Your reply").fill("We thank the people who told us & will act on <every> word.")
    page.get_by_role("button", name="Save the reply").click()
    settle(page)
    page.get_by_role("button", name="We have no more comments: close the check").click()
    settle(page)
    expect(page.get_by_text("The check is closed")).to_be_visible()
    shoot(page, "walk-provider-check")
    sign_out(page)

    # the auditor: answer, sign off, publish
    sign_in(page, url, "auditor")
    go(page, "Share the draft")
    choose(page, "Provider", "Northgate Recovery Partnership (P001)")
    expect(page.get_by_text("We had 6 peer shifts in week 2, not 5.")).to_be_visible()
    page.get_by_text("Not accepted: the reasons").click()
    page.get_by_role("textbox", name="The change made, or why it is not accepted").fill(
        "The rota counts shifts, not people."
    )
    page.get_by_role("button", name="Record the answer").click()
    settle(page)
    go(page, "Sign off")
    choose(page, "Provider", "Northgate Recovery Partnership (P001)")
    page.get_by_role("textbox", name="Your organisation").fill("Fair Audit Co")
    page.get_by_text("I declare that I and the organisation").click()
    page.get_by_role("button", name="Record the sign-off").click()
    settle(page)
    expect(page.get_by_text("Nothing has changed since")).to_be_visible()
    shoot(page, "walk-signoff")
    go(page, "Publish")
    page.get_by_role("button", name="Publish the signed audits of 2026-Q2").click()
    settle(page)
    expect(page.get_by_text("Published 1 signed audit of 2026-Q2")).to_be_visible()
    go(page, "Readiness")
    expect(page.get_by_text("Done: published")).to_be_visible()
    shoot(page, "readiness-auditor")
    sign_out(page)

    # the provider proposes an action for the standard people's experience contradicts
    sign_in(page, url, "provider1")
    go(page, "Action plans")
    page.get_by_role("textbox", name="What you will do").fill("Every team has a peer worker on each shift")
    page.get_by_role("textbox", name="Who owns it").fill("Service manager")
    page.get_by_role("textbox", name="How people using the service will notice").fill("A peer meets you")
    page.get_by_role("button", name="Propose it").click()
    settle(page)
    expect(page.get_by_text("proposed: the commissioner agrees").first).to_be_visible()
    go(page, "Readiness")
    shoot(page, "readiness-provider")
    sign_out(page)

    # the commissioner agrees; the expert citizen reads the board
    sign_in(page, url, "commissioner")
    go(page, "Action plans")
    page.get_by_role("button", name="Agree").click()
    settle(page)
    expect(page.get_by_text("agreed").first).to_be_visible()
    expect(page.get_by_text("On track").first).to_be_visible()
    go(page, "Readiness")
    shoot(page, "readiness-commissioner")
    sign_out(page)
    sign_in(page, url, "expert")
    go(page, "Readiness")
    expect(page.get_by_text("Northgate Recovery Partnership (P001)")).to_be_visible()
    shoot(page, "readiness-expert")

    # the published site, offline, in Chromium
    index = site / "2026-Q2" / "index.html"
    assert index.exists()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(index.as_uri())
    assert page.locator("html").get_attribute("lang") == "en-GB"
    expect(page.get_by_role("main")).to_be_visible()
    expect(page.get_by_role("banner")).to_be_visible()
    expect(page.get_by_role("contentinfo")).to_be_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the main content"
    focused = page.evaluate("getComputedStyle(document.activeElement).backgroundColor")
    assert focused == "rgb(255, 221, 0)"  # the focus is visible
    shoot_file(page, "site-index")
    page.get_by_role("link", name="Northgate Recovery Partnership").first.click()
    expect(page.get_by_role("heading", level=1, name="Northgate Recovery Partnership")).to_be_visible()
    text = page.locator("main").inner_text()
    assert "Partly met: people's experience differs" in text
    assert "I felt <welcome> & safe." in text  # people's words as text
    assert "We thank the people who told us & will act on <every> word." in text
    assert "0800 123 4567" in text  # cleared after the auditor confirmed it is not a personal detail
    assert "Riverside" not in text and "Hill Lane" not in text
    shoot_file(page, "site-provider")
    page.get_by_role("link", name="Read a short summary in easy words").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("easy read")
    shoot_file(page, "site-easy-read")
    page.goto((site / "2026-Q2" / "standards.html").as_uri())
    shoot_file(page, "site-standards")
    page.goto((site / "2026-Q2" / "data" / "dictionary.html").as_uri())
    shoot_file(page, "site-dictionary")
    assert all(r.startswith("file://") for r in requests), [r for r in requests if not r.startswith("file://")]
    levels = page.evaluate("[...document.querySelectorAll('h1,h2,h3,h4')].map(h => Number(h.tagName[1]))")
    assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:]))


def shoot_file(page, name: str) -> None:
    """A PNG of a published page (a plain document: full_page works as it is)."""
    import os

    folder = os.environ.get("DASHBOARD_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
