"""The demo data: the specification's layout, deterministic, calibrated, and worth auditing.

The small demo is written once for the module; each test reads what it needs from the
files, as any other part of the tool would.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from pathlib import Path

import pandas as pd
import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from audits import demo, screening, spec
from audits.cli import app
from audits.demo_stories import FONT_STORIES, PERSONAL_DETAIL_STORIES, STORIES

STANDARD_IDS = {
    "trauma-informed-access",
    "no-opiate-free-discharge-targets",
    "lived-experience-workforce",
    "not-punitive",
    "mental-health-alongside",
    "housing-support",
    "aftercare",
    "no-going-back-to-step-one",
    "choice-in-how-to-engage",
    "women-and-out-of-hours-access",
    "person-first-language",
}
MESSY = "P004"
TODAY = dt.date(2026, 11, 25)


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("demo")
    return out, demo.write_demo(out, scale="small", seed=1)


def read(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / name, dtype=str, keep_default_na=False)


def table(out: Path, name: str, providers: set[str] | None = None) -> pd.DataFrame:
    """One table of every return, with provider and period columns added."""
    frames = []
    for folder in sorted((out / "returns").iterdir()):
        provider, period = folder.name[:4], folder.name[5:]
        if providers is None or provider in providers:
            frames.append(read(folder, name).assign(provider=provider, period=period))
    return pd.concat(frames, ignore_index=True)


def meta(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# ----------------------------------------------------------------------------- layout


@pytest.mark.slow
def test_layout_has_every_return_and_pack_folder(small):
    out, written = small
    returns = sorted((out / "returns").iterdir())
    packs = sorted((out / "packs").iterdir())
    assert [p.name for p in returns] == [f"P{i:03d}-{q}" for i in range(1, 9) for q in demo.SMALL_PERIODS]
    assert sorted(written) == sorted(returns + packs)
    for folder in returns:
        assert {p.name for p in folder.iterdir()} == {
            "return.yaml",
            "episodes.csv",
            "contacts.csv",
            "workforce.csv",
            "kpis.csv",
            "sites.csv",
            "documents.csv",
        }
    for folder in packs:
        assert {p.name for p in folder.iterdir()} == {"pack.yaml", "stories.csv"}
    assert len(packs) >= 0.85 * len(returns)  # most provider-quarters have stories


@pytest.mark.slow
def test_headers_are_the_specifications_columns(small):
    out, _ = small
    for folder in (out / "returns").iterdir():
        for t in spec.RETURN_TABLES:
            with (folder / t.file).open(encoding="utf-8", newline="") as handle:
                assert tuple(next(csv.reader(handle))) == t.column_names, (folder.name, t.file)
    for folder in (out / "packs").iterdir():
        with (folder / "stories.csv").open(encoding="utf-8", newline="") as handle:
            assert tuple(next(csv.reader(handle))) == spec.STORIES.column_names


@pytest.mark.slow
def test_metadata_names_the_folder_and_a_believable_submission(small):
    out, _ = small
    for folder in (out / "returns").iterdir():
        m = meta(folder / "return.yaml")
        assert set(m) == {f.name for f in spec.RETURN_META}
        assert f"{m['provider_id']}-{m['period']}" == folder.name
        assert m["area"] in {"Northshire", "Southvale"}
        end = spec.parse_period(m["period"])[1]
        assert end < m["submitted_on"] < TODAY
    for folder in (out / "packs").iterdir():
        m = meta(folder / "pack.yaml")
        assert set(m) == {f.name for f in spec.PACK_META}
        assert f"{m['provider_id']}-{m['period']}" == folder.name


@pytest.mark.slow
def test_same_seed_same_files_other_seed_other_files(small, tmp_path):
    """Each provider has its own random stream, so the first three alone must match too."""
    out, _ = small
    again = tmp_path / "again"
    demo.write_demo(again, scale="small", seed=1, providers=3)
    mine = {k: v for k, v in digests(out / "returns").items() if k[:4] in {"P001", "P002", "P003"}}
    assert digests(again / "returns") == mine
    packs = {k: v for k, v in digests(out / "packs").items() if k[:4] in {"P001", "P002", "P003"}}
    assert digests(again / "packs") == packs
    other = tmp_path / "other"
    demo.write_demo(other, scale="small", seed=2, providers=3)
    assert digests(other / "returns") != mine


@pytest.mark.slow
def test_rewriting_an_earlier_demo_is_allowed_but_a_foreign_folder_is_refused(tmp_path):
    (tmp_path / "real" / "returns" / "P001-2026-Q1").mkdir(parents=True)
    with pytest.raises(demo.DemoError, match="did not write"):
        demo.write_demo(tmp_path / "real", providers=1)
    assert (tmp_path / "real" / "returns" / "P001-2026-Q1").is_dir()
    demo.write_demo(tmp_path / "mine", providers=1)
    demo.write_demo(tmp_path / "mine", providers=2)
    assert len(list((tmp_path / "mine" / "returns").iterdir())) == 16


# ----------------------------------------------------------------------------- journeys over time


@pytest.mark.slow
def test_journeys_carry_across_quarters_with_the_same_ids(small):
    out, _ = small
    episodes = table(out, "episodes.csv", {"P001"})
    per_episode = episodes.groupby("episode_id")
    assert per_episode["person_id"].nunique().max() == 1
    spans = per_episode["period"].nunique()
    assert (spans >= 2).mean() > 0.5  # most journeys are open in more than one quarter
    # every row is open at some time in its quarter
    for period, rows in episodes.groupby("period"):
        start, end = (d.isoformat() for d in spec.parse_period(period))
        assert (rows["referral_date"] <= end).all()
        assert ((rows["discharge_date"] == "") | (rows["discharge_date"] >= start)).all()


@pytest.mark.slow
def test_people_coming_back_keep_their_id_and_are_flagged(small):
    out, _ = small
    episodes = table(out, "episodes.csv", set("P00" + str(i) for i in range(1, 9)) - {MESSY})
    last = episodes.sort_values("period").groupby("episode_id").tail(1)
    repeat = last.groupby(["provider", "person_id"]).filter(lambda g: len(g) > 1)
    assert len(repeat) > 50
    for _, journeys in repeat.groupby(["provider", "person_id"]):
        journeys = journeys.sort_values("referral_date")
        earlier, later = journeys.iloc[0], journeys.iloc[1]
        gap = (dt.date.fromisoformat(later["referral_date"]) - dt.date.fromisoformat(earlier["discharge_date"])).days
        assert 0 < gap <= 182 and later["representation"] == "yes"


@pytest.mark.slow
def test_clean_providers_keep_every_rule_of_the_specification(small):
    """The returns of every provider but the messy one break no row-level rule."""
    out, _ = small
    clean = {f"P00{i}" for i in range(1, 9)} - {MESSY}
    frames = {t.name: table(out, t.file, clean) for t in spec.RETURN_TABLES}
    bounds = {p: tuple(d.isoformat() for d in spec.parse_period(p)) for p in demo.SMALL_PERIODS}
    for t in spec.RETURN_TABLES:
        rows = frames[t.name]
        assert not rows.duplicated(["provider", "period", t.key]).any(), t.name
        for column in t.columns:
            values = rows[column.name]
            if column.required is True:
                assert (values != "").all(), (t.name, column.name)
            filled = values[values != ""]
            if column.codes:
                assert filled.isin(column.codes).all(), (t.name, column.name)
            if column.type == spec.BOOLEAN:
                assert filled.isin(["yes", "no"]).all(), (t.name, column.name)
    e, c, w = frames["episodes"], frames["contacts"], frames["workforce"]
    for rows in (e, c, w):
        rows["start"] = rows["period"].map(lambda p: bounds[p][0])
        rows["end"] = rows["period"].map(lambda p: bounds[p][1])
    for column in ("first_contact_date", "first_intervention_date", "discharge_date"):
        filled = e[e[column] != ""]
        assert (filled[column] >= filled["referral_date"]).all() and (filled[column] <= filled["end"]).all()
    discharged = e["discharge_date"] != ""
    assert ((e["discharge_reason"] != "") == discharged).all()
    assert ((e["aftercare_offered"] != "") == discharged).all()
    assert (e["assessments"].astype(int) >= 1).all()
    known = set(zip(e["provider"], e["period"], e["episode_id"]))
    assert all(k in known for k in zip(c["provider"], c["period"], c["episode_id"]))
    assert ((c["contact_date"] >= c["start"]) & (c["contact_date"] <= c["end"])).all()
    assert ((c["after_missed"] != "") == (c["outcome"] == "missed")).all()
    assert w["fte"].astype(float).between(0.01, 1.5).all()
    trained = w[w["trauma_training_date"] != ""]
    assert (trained["trauma_training_date"] <= trained["end"]).all()


@pytest.mark.slow
def test_the_messy_provider_has_the_intended_bad_rows(small):
    out, _ = small
    for folder in sorted((out / "returns").glob(f"{MESSY}-*")):
        start, end = (d.isoformat() for d in spec.parse_period(folder.name[5:]))
        e, c = read(folder, "episodes.csv"), read(folder, "contacts.csv")
        assert e["episode_id"].is_unique and c["contact_id"].is_unique  # nothing blocking
        assert {"heroin", "crack cocaine"} <= set(e["substance_group"])
        assert "35 to 44" in set(e["age_band"])
        assert ((e["discharge_date"] != "") & (e["discharge_reason"] == "")).sum() == 1
        assert (e["discharge_date"] > end).sum() == 1
        assert (~c["contact_date"].between(start, end)).sum() == 3
        assert (~c["episode_id"].isin(e["episode_id"])).sum() == 2
        spellings = set(e["peer_support_offered"]) | set(e["choice_offered"])
        assert {"Yes", "TRUE", "y", "No", "FALSE", "n"} <= spellings


# ----------------------------------------------------------------------------- personalities


@pytest.mark.slow
def test_the_punitive_provider_punishes_missed_appointments_far_more_often(small):
    out, _ = small
    contacts = table(out, "contacts.csv")
    missed = contacts[contacts["outcome"] == "missed"]
    harsh = missed["after_missed"].isin(["script_reduced", "discharged"]).groupby(missed["provider"]).mean()
    others = harsh.drop("P002")
    assert harsh["P002"] > 0.25 and harsh["P002"] > 5 * others.max()
    # and it is also the most welcoming: first contact soonest, peers offered to nearly all
    e = table(out, "episodes.csv", {"P002", "P008"})
    e = e[e["first_contact_date"] != ""]
    wait = (pd.to_datetime(e["first_contact_date"]) - pd.to_datetime(e["referral_date"])).dt.days
    within_a_day = (wait <= 1).groupby(e["provider"]).mean()
    assert within_a_day["P002"] > 0.8 > 0.4 > within_a_day["P008"]


@pytest.mark.slow
def test_the_opiate_free_discharge_target_is_dropped_and_discharges_change(small):
    out, _ = small
    kpis = table(out, "kpis.csv", {"P005"})
    target = kpis[kpis["measure"] == "opiate_free_discharge"]
    assert sorted(target["period"]) == ["2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3"]
    assert (target["payment_linked"] == "yes").all()
    e = table(out, "episodes.csv", {"P005"})
    ended = e[(e["substance_group"] == "opiate") & (e["discharge_date"] != "")]
    drug_free = (ended["discharge_reason"] == "completed_drug_free").groupby(ended["period"] < "2025-Q4").mean()
    assert drug_free[True] > drug_free[False] + 0.15


@pytest.mark.slow
def test_the_very_small_provider_is_too_small_to_rate(small):
    out, _ = small
    e = table(out, "episodes.csv", {"P003"})
    w = table(out, "workforce.csv", {"P003"})
    sizes = e.groupby("period").size()
    assert sizes.max() <= 15 and w.groupby("period").size().max() <= 4
    assert len(sizes) == len(demo.SMALL_PERIODS)


@pytest.mark.slow
def test_providers_differ_and_change_over_time(small):
    out, _ = small
    w = table(out, "workforce.csv")
    w["fte"] = w["fte"].astype(float)
    share = (w["fte"] * (w["lived_experience"] == "yes")).groupby([w["provider"], w["period"]]).sum() / w.groupby(
        ["provider", "period"]
    )["fte"].sum()
    latest = share.xs("2026-Q3", level="period")
    assert latest.max() - latest.min() > 0.3
    peers = (w["role"] == "peer").groupby([w["provider"], w["period"]]).mean()
    assert peers["P006"]["2024-Q4"] > peers["P006"]["2026-Q3"] + 0.05  # the declining provider loses peers
    assert peers["P001"]["2026-Q3"] > peers["P001"]["2024-Q4"] + 0.05  # the improving one gains them
    s = table(out, "sites.csv", {f"P00{i}" for i in range(1, 9)} - {MESSY})
    assert set(s["women_only_space"]) == {"yes", "no"} and set(s["open_outside_office_hours"]) == {"yes", "no"}
    docs = table(out, "documents.csv")
    text = docs.groupby(["provider", "period"])["text"].apply(" ".join)
    assert "addict" in text["P008"]["2026-Q1"].lower() and "addict" not in text["P008"]["2026-Q2"].lower()
    assert "service user" not in text["P007"]["2026-Q3"].lower()
    assert "clean" in text["P004"]["2026-Q3"].lower()
    episodes = table(out, "episodes.csv", {"P001"})
    need = episodes[episodes["mental_health_need"] == "yes"]
    mh = (need["mental_health_support"] == "yes").groupby(need["period"]).mean()
    assert mh["2026-Q3"] > mh["2024-Q4"] + 0.15  # the improving provider


# ----------------------------------------------------------------------------- stories


@pytest.mark.slow
def test_packs_hold_consented_and_refused_stories_tagged_with_the_standards(small):
    out, _ = small
    stories = pd.concat([read(f, "stories.csv").assign(pack=f.name) for f in (out / "packs").iterdir()])
    sizes = stories.groupby("pack").size()
    big = sizes[~sizes.index.str.startswith("P003")]
    assert big.min() >= 3 and big.max() <= 10
    assert set(stories["consent"]) == {"yes", "no", "withdrawn"}
    assert (stories["consent"] == "yes").mean() > 0.7
    assert set(stories["teller"]) == set(spec.STORIES.column("teller").codes)
    tags = {t for cell in stories["standards"] for t in cell.split(";") if t}
    assert tags == STANDARD_IDS
    assert stories.groupby("pack")["story_id"].apply(lambda s: s.is_unique).all()
    assert (stories["gathered_on"] < TODAY.isoformat()).all()


@pytest.mark.slow
def test_personal_details_are_in_the_packs_and_screening_catches_each(small):
    out, _ = small
    texts = " ".join(read(f, "stories.csv")["story"].str.cat(sep=" ") for f in (out / "packs").iterdir())
    kinds = set()
    for story in PERSONAL_DETAIL_STORIES:
        assert story["text"] in texts
        flags = screening.screen(story["text"])
        assert flags, story["text"]
        kinds |= {f.kind for f in flags}
    assert {"phone", "email", "name", "nhs_number", "postcode", "date_of_birth"} <= kinds


def test_ordinary_stories_carry_no_personal_details():
    for story in STORIES + FONT_STORIES:
        assert screening.screen(story["text"]) == [], story["text"]


@pytest.mark.slow
def test_stories_exercise_the_pdf_fonts(small):
    out, _ = small
    consented = pd.concat([read(f, "stories.csv") for f in (out / "packs").iterdir()])
    consented = " ".join(consented.loc[consented["consent"] == "yes", "story"])
    for needed in ("“", "’", "£", "é", "ï", "ŷ"):
        assert needed in consented, needed


def test_stories_are_new_words_not_the_seed_quotes():
    """The seed documents are the voices the standards come from, not stories about these providers."""
    seeds = Path(__file__).resolve().parents[2] / "shared" / "seeds"
    if not seeds.is_dir():
        pytest.skip("the source documents are not next to this working tree")
    source = " ".join(" ".join(p.read_text(encoding="utf-8").split()) for p in seeds.glob("*.txt"))
    for story in STORIES + FONT_STORIES + PERSONAL_DETAIL_STORIES:
        words = story["text"].split()
        for i in range(0, max(1, len(words) - 12)):
            assert " ".join(words[i : i + 12]) not in source, story["text"]


# ----------------------------------------------------------------------------- national calibration


@pytest.mark.slow
def test_national_scale_is_calibrated_to_england(tmp_path):
    """A trimmed national run (15 of 150 providers, a tenth of England) keeps the proportions."""
    demo.write_demo(tmp_path, scale="national", seed=3, providers=15)
    made = pd.read_json(tmp_path / demo.MANIFEST, typ="series")
    e = table(tmp_path, "episodes.csv")
    e = e[e["provider"] != MESSY]
    last = e.sort_values("period").groupby("episode_id").tail(1)
    assert made["distinct_episodes"] == pytest.approx(demo.ENGLAND_IN_TREATMENT / 10, rel=0.12)
    group = last["substance_group"].value_counts(normalize=True)
    assert group["opiate"] == pytest.approx(0.42, abs=0.03)
    assert group["alcohol"] == pytest.approx(0.30, abs=0.03)
    assert group["non_opiate"] + group["non_opiate_and_alcohol"] == pytest.approx(0.28, abs=0.03)
    new = last["referral_date"] >= "2025-10-01"
    assert new.mean() == pytest.approx(demo.ENGLAND_NEW / demo.ENGLAND_IN_TREATMENT, abs=0.03)
    started = last[last["first_intervention_date"] >= "2025-10-01"]
    wait = (pd.to_datetime(started["first_intervention_date"]) - pd.to_datetime(started["referral_date"])).dt.days
    assert (wait > 21).mean() == pytest.approx(0.02, abs=0.01)
    left = last[last["discharge_date"] != ""]
    assert left["discharge_reason"].str.startswith("completed").mean() == pytest.approx(0.46, abs=0.03)
    per_journey = made["contact_rows"] / made["distinct_episodes"]
    assert per_journey == pytest.approx(8_000_000 / demo.ENGLAND_IN_TREATMENT, rel=0.15)


# ----------------------------------------------------------------------------- the command


@pytest.mark.slow
def test_command_writes_the_demo_and_refuses_plainly(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["demo", "--out", str(tmp_path / "d"), "--seed", "4"])
    assert result.exit_code == 0, result.output
    assert "Returns" in result.output and (tmp_path / "d" / "returns" / "P008-2026-Q3" / "episodes.csv").is_file()
    assert runner.invoke(app, ["demo", "--scale", "huge"]).exit_code == 2
    (tmp_path / "real" / "returns" / "x").mkdir(parents=True)
    refused = runner.invoke(app, ["demo", "--out", str(tmp_path / "real")])
    assert refused.exit_code == 1
    assert "did not write" in refused.output and "Traceback" not in refused.output


# ----------------------------------------------------------------------------- against the validator


@pytest.mark.slow
def test_every_return_and_pack_validates_and_only_the_messy_provider_has_quarantine(small):
    from audits import returns

    out, written = small
    for validation in returns.validate_many(sorted(written)):
        name = validation.source.name
        assert not validation.blocking, validation.report()
        if name.startswith(MESSY) and validation.kind == "return":
            assert len(validation.quarantined) > 0
        else:
            assert len(validation.quarantined) == 0, validation.report()


# ----------------------------------------------------------------------------- through the audit

FIRST, LATEST = demo.SMALL_PERIODS[0], demo.SMALL_PERIODS[-1]
GREEN = {"green", "provisional"}


@pytest.fixture(scope="module")
def ratings(small, tmp_path_factory) -> pd.DataFrame:
    """The small demo loaded and audited by the real pipeline, first and latest quarter."""
    from audits import ingest, runs, store

    _, written = small
    db = tmp_path_factory.mktemp("audited") / "audit.duckdb"
    outcomes = ingest.ingest(sorted(written), db=db, loaded_by="test")
    assert all(o.loaded for o in outcomes)
    standards = Path(__file__).resolve().parents[1] / "standards"
    run_ids = [runs.run_audit(db, period, standards_dir=standards, run_by="test") for period in (FIRST, LATEST)]
    with store.reading(db) as con:
        return pd.concat([runs.read_standard_results(con, run_id) for run_id in run_ids], ignore_index=True)


@pytest.mark.slow
def test_the_latest_quarter_shows_a_believable_spread_of_ratings(ratings):
    """What a first-time viewer sees: neither all red nor all green, every standard met and missed."""
    latest = ratings[ratings["period"] == LATEST]
    assert set(latest["standard_id"]) == STANDARD_IDS and latest["provider_id"].nunique() == 8
    rated = latest[latest["rating"] != "no_data"]
    share = rated["rating"].map(lambda r: "green" if r in GREEN else r).value_counts(normalize=True)
    assert share.get("green", 0) >= 0.2, share
    assert share.get("amber", 0) >= 0.2, share
    assert 0.15 <= share.get("red", 0) <= 0.4, share
    for standard_id, rows in rated.groupby("standard_id"):
        assert rows["rating"].isin(GREEN).any(), f"{standard_id} is met by no provider"
        assert not rows["rating"].isin(GREEN).all(), f"{standard_id} is met by every provider"
    too_few = latest[latest["rating"] == "no_data"]["provider_id"]
    assert (too_few == "P003").sum() >= 5 and set(too_few) == {"P003"}


@pytest.mark.slow
def test_the_improving_and_the_declining_provider_move_across_the_quarters(ratings):
    def count(provider: str, period: str, ratings_wanted: set[str]) -> int:
        rows = ratings[(ratings["provider_id"] == provider) & (ratings["period"] == period)]
        return int(rows["rating"].isin(ratings_wanted).sum())

    assert count("P001", LATEST, GREEN) >= count("P001", FIRST, GREEN) + 3
    assert count("P001", LATEST, {"red"}) <= count("P001", FIRST, {"red"}) - 5
    assert count("P006", LATEST, {"red"}) >= count("P006", FIRST, {"red"}) + 3
    assert count("P006", LATEST, GREEN) <= count("P006", FIRST, GREEN) - 4
    no_targets = ratings[
        (ratings["provider_id"] == "P005") & (ratings["standard_id"] == "no-opiate-free-discharge-targets")
    ]
    assert no_targets.set_index("period")["rating"].to_dict() == {FIRST: "red", LATEST: "green"}


@pytest.mark.slow
def test_demo_kpi_names_use_person_first_words(small):
    """The demo's KPI names are shown in the dashboard and the PDF: no 'clients'."""
    out, _ = small
    names = " ".join(read(f, "kpis.csv")["name"].str.cat(sep=" ") for f in (out / "returns").iterdir())
    assert "People using opiates discharged opiate-free" in names
    for word in ("client", "service user", "addict"):
        assert word not in names.lower()
