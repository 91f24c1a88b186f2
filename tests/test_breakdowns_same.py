"""The audit's faster paths record exactly what the slower ones did (issue 15: an audit of one
period under 2 s): the breakdowns' one query per measure for every dimension (keyed by whole
numbers), the protection's remembered answers and its sums before and after each hidden group,
the reading of text columns and of earlier runs' counts, the breakdowns' protection shared among
worker processes, and the public ratings' remembered and guessed outcomes. The old code is kept in tests/support (breakdowns_before, protect_before) and run on
copies of the same stores; every table an audit writes must hold the same rows, ids aside."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from audits import breakdowns, disclosure, disclosure_breakdowns, runs, store
from audits.disclosure_breakdowns import _BIG, _pinned

from support import breakdowns_before, hard_store, protect_before, protect_f988, protect_main
from support.run_rows import WRITTEN, written

HERE = Path(__file__).parent


def the_old_way(monkeypatch) -> None:
    """Run the audit by the code before (bb7824f) from here on."""
    monkeypatch.setattr(breakdowns, "figures", lambda *args: None)
    monkeypatch.setattr(
        breakdowns,
        "evaluate",
        lambda con, ss, period, whole, read=None: breakdowns_before.evaluate(con, ss, period, whole),
    )
    monkeypatch.setattr(disclosure_breakdowns, "_protect_dimension", protect_before.protect_dimension)
    monkeypatch.setattr(disclosure, "_natives", protect_before.natives)
    monkeypatch.setattr(disclosure, "_exposed", protect_before.exposed)
    monkeypatch.setattr(disclosure, "_earlier_counts", protect_before.earlier_counts)
    monkeypatch.setattr(disclosure_breakdowns, "protect", protect_before.protect_breakdowns)
    monkeypatch.setattr(disclosure_breakdowns, "earlier", protect_before.earlier)
    monkeypatch.setattr(disclosure, "_protect_provider", protect_before.protect_provider)
    monkeypatch.setattr(disclosure, "_unexpose", protect_before.unexpose)
    monkeypatch.setattr(disclosure, "_public_rating", protect_before.public_rating)


def in_processes(monkeypatch) -> None:
    """Share the breakdowns' protection among two worker processes however few providers there
    are (the national store does so from 40), so that the new way is the one a national run takes."""
    monkeypatch.setattr(disclosure_breakdowns, "POOL_FROM", 1)
    monkeypatch.setattr(disclosure_breakdowns, "_workers", lambda: 2)


def audit_demo(db: Path, periods: tuple[str, ...]) -> None:
    for period in periods:
        runs.run_audit(db, period, standards_dir=HERE.parent / "standards")


@pytest.mark.slow
def test_the_small_demo_is_audited_to_the_same_rows_as_before(tmp_path, monkeypatch):
    """The small demo (8 providers, 8 quarters, contacts of people held back), its last three
    quarters audited, the last two again (so each is protected against an earlier run): the same
    rows in every table by the new code and the old."""
    from audits import demo, ingest

    files = demo.write_demo(tmp_path / "files", scale="small")
    loaded = tmp_path / "loaded.duckdb"
    ingest.ingest(sorted(files), db=loaded, loaded_by="test")
    periods = demo.SMALL_PERIODS[-3:] + demo.SMALL_PERIODS[-2:]
    new, old = tmp_path / "new.duckdb", tmp_path / "old.duckdb"
    shutil.copy(loaded, new)
    shutil.copy(loaded, old)
    with monkeypatch.context() as m:
        in_processes(m)
        audit_demo(new, periods)
    with monkeypatch.context() as m:
        the_old_way(m)
        audit_demo(old, periods)
    now, before = written(new), written(old)
    assert len(now) == len(WRITTEN) * len(periods)
    with store.reading(new) as con:
        assert con.execute("SELECT count(*) FROM breakdowns").fetchone()[0] > 1000
        assert con.execute("SELECT count(*) FROM public_breakdowns WHERE hidden <> 'none'").fetchone()[0] > 0
    assert [k for k in now if now[k] != before[k]] == []


@pytest.mark.slow
def test_the_hard_store_and_its_rerun_are_audited_to_the_same_rows_as_before(tmp_path, monkeypatch):
    """The disclosure tests' hard store (deaths behind nested measures, a tiny provider, a lone
    provider, small groups), audited and run again after a resent return."""
    (tmp_path / "new").mkdir()
    (tmp_path / "old").mkdir()
    new, old = tmp_path / "new" / "audit.duckdb", tmp_path / "old" / "audit.duckdb"
    with monkeypatch.context() as m:
        in_processes(m)
        hard_store.rerun(new, hard_store.build(new, tmp_path / "new"))
    with monkeypatch.context() as m:
        the_old_way(m)
        hard_store.rerun(old, hard_store.build(old, tmp_path / "old"))
    now, before = written(new), written(old)
    assert len(now) == len(WRITTEN) * 3
    assert [k for k in now if now[k] != before[k]] == []


def test_pinned_gives_the_old_answer_on_random_groups():
    """_pinned with sums before and after each hidden group answers as the one adding up every
    other group for each: 3,000 random dimensions with what a reader could know of each group."""
    rng = random.Random(15)
    shapes = [
        lambda d: [(0, _BIG)], lambda d: [(1, 4)], lambda d: [(0, 4)], lambda d: [(0, 0), (5, _BIG)],
        lambda d: [(max(0, d - 4), d)], lambda d: [(0, min(4, d)), (max(0, d - 4), d)],
        lambda d: [(1, min(4, max(d, 1)))], lambda d: [(d, d)],
    ]  # fmt: skip
    answers = set()
    for _ in range(3000):
        n = rng.randint(1, 9)
        cells = {f"g{i}": rng.choice([0, 0, 1, 2, 3, 4, 5, 7, 12, 40]) for i in range(n)}
        shown = {v for v in cells if rng.random() < 0.5}
        ranges = {v: rng.choice(shapes)(cells[v] + rng.randint(0, 6)) for v in cells}
        whole = rng.choice([None, [(0, _BIG)], [(1, 4)], [(0, 0), (5, _BIG)], [(sum(cells.values()),) * 2]])
        answer = _pinned(cells, shown, ranges, whole)
        assert answer == protect_before.pinned(cells, shown, ranges, whole), (cells, shown, ranges, whole)
        answers.add(answer)
    assert answers == {True, False}


def test_text_columns_are_read_as_to_dict_reads_them():
    """disclosure._records gives the values and types to_dict('records') gives, text columns
    of either kind of missing value included."""
    import pandas as pd

    frame = pd.DataFrame(
        {
            "text": pd.array(["a", None, "c"], dtype="str"),
            "string": pd.array(["a", None, "c"], dtype="string"),
            "count": pd.array([1, None, 3], dtype="Int64"),
            "figure": [0.5, None, 1.0],
        }
    )
    expected = frame.to_dict("records")
    got = disclosure._records(frame)
    assert [{k: (type(v), repr(v)) for k, v in r.items()} for r in got] == [
        {k: (type(v), repr(v)) for k, v in r.items()} for r in expected
    ]


@pytest.mark.slow
def test_the_outcomes_of_a_rating_are_those_of_the_binary_search():
    """_outcomes, which guesses where each bar is crossed and checks the guess, cuts the numerators
    exactly where the binary search alone did, and so does _outcomes_known, which cuts a range
    out of the remembered split of every numerator of the denominator: every measure of the
    standards with a value from its counts, at 400 random denominators and ranges each."""
    from audits.standard_files import load_standards

    rng = random.Random(3)
    measures = [
        m
        for s in load_standards(HERE.parent / "standards").audited
        for m in s.measures
        if disclosure.kind_of(m).value_from_counts is not None and not m.weight
    ]
    assert len(measures) > 5
    for measure in measures:
        known: dict = {}  # a run's remembered splits, shared by every range asked of a denominator
        for _ in range(400):
            d = rng.choice([0, 1, 3, 7, 20, 99, 100, 101, 1000, rng.randint(0, 5000)])
            a = rng.choice([0, rng.randint(0, d)])
            b = rng.choice([d, rng.randint(a, d)])
            for optional in (False, True):
                old = protect_before.outcomes_of(measure, d, a, b, optional)
                assert disclosure._outcomes(measure, d, a, b, optional) == old, (measure.id, d, a, b)
                # cut down from the split of every numerator 0..d, remembered across ranges
                got = disclosure._outcomes_known(measure, (measure.id,), d, a, b, optional, known)
                assert got == old, (measure.id, d, a, b)


def _broken(token, providers):
    """A forked process that dies before it answers (as one killed by the kernel would)."""
    import os

    os._exit(1)


@pytest.mark.slow
def test_the_protection_shared_among_processes_hides_what_one_process_hides(tmp_path, monkeypatch):
    """The breakdowns' protection of the hard store's rerun (protected against the first run),
    done in this process alone, shared with a forked process, and shared with one that dies (its
    providers are then protected here): the same public rows, in the same order."""
    import pandas as pd

    captured = []
    real = disclosure_breakdowns.protect

    def capture(*args):
        captured.append(args)
        return real(*args)

    monkeypatch.setattr(disclosure_breakdowns, "protect", capture)
    db = tmp_path / "audit.duckdb"
    hard_store.rerun(db, hard_store.build(db, tmp_path))
    monkeypatch.setattr(disclosure_breakdowns, "protect", real)
    args = captured[-1]
    assert len(args[4]) == 1 and not args[4][0].empty  # protected against an earlier run's rows

    monkeypatch.setattr(disclosure_breakdowns, "POOL_FROM", 10**9)
    alone = disclosure_breakdowns.protect(*args)
    assert (alone["hidden"] != disclosure.NONE).any()
    in_processes(monkeypatch)
    pd.testing.assert_frame_equal(disclosure_breakdowns.protect(*args), alone, check_exact=True)
    monkeypatch.setattr(disclosure_breakdowns, "_protect_some", _broken)
    pd.testing.assert_frame_equal(disclosure_breakdowns.protect(*args), alone, check_exact=True)


def _tricky_people(provider: str, n: int) -> list[dict]:
    """n people of one provider over every group, some with a group not recorded and one with a
    code the specification does not know, offered peer support and waiting by turns."""
    sexes = breakdowns.groups_of("sex") + (None,)
    ages = breakdowns.groups_of("age_band") + (None, "not-a-code")
    ethnicities = breakdowns.groups_of("ethnicity") + (None,)
    return [
        {
            "episode_id": f"{provider}-E{i:03d}",
            "sex": sexes[i % len(sexes)],
            "age_band": ages[(i * 7) % len(ages)],
            "ethnicity": ethnicities[(i * 5) % len(ethnicities)],
            "peer_support_offered": [True, False, None][i % 3],
            "referral_date": "2026-04-01",
            "first_contact_date": f"2026-04-{1 + i % 20:02d}" if i % 4 else None,
        }
        for i in range(n)
    ]


def _tricky_contacts(people: list[dict], every: int) -> list[dict]:
    """Contacts of every `every`-th person (the others have none), one of a journey not in the
    return; attended, missed and cancelled by turns."""
    outcomes = ("attended", "missed", "cancelled_by_provider", None)
    out = [
        {"contact_id": f"{p['episode_id']}-{k}", "episode_id": p["episode_id"], "outcome": outcomes[(i + k) % 4]}
        for i, p in enumerate(people[::every])
        for k in range(1 + i % 3)
    ]
    return out + [{"contact_id": f"{people[0]['episode_id']}-lost", "episode_id": "E-lost", "outcome": "missed"}]


def test_the_breakdowns_counted_once_a_table_are_those_counted_row_by_row(tmp_path):
    """The shares' breakdowns counted in one pass over each table (a contact's counted by its person
    first), by each person's three groups, then added up into each group (Over.counted), are the
    very rows the old path, one query per measure and dimension, gives; so are the medians' and
    the "not recorded" groups: on providers with groups not recorded, a code the specification
    does not know, people without contacts, contacts of a journey not in the return (so a group
    not recorded in contacts only), a provider without contacts and one with a single person."""
    import pandas as pd

    from audits import engine

    from support.stores import build_store, proportion, standard

    providers = {}
    for provider, n, every in (("P1", 90, 2), ("P2", 40, 1), ("P3", 25, 0), ("P4", 1, 1)):
        people = _tricky_people(provider, n)
        providers[provider] = {"episodes": people}
        if every:
            providers[provider]["contacts"] = _tricky_contacts(people, every)
    db = build_store(tmp_path / "tricky.duckdb", providers)
    measures = [
        proportion("peer_support_offered"),
        proportion("outcome = 'attended'", id="attended", table="contacts"),
        proportion("outcome = 'missed'", id="missed", table="contacts", where="outcome <> 'cancelled_by_provider'"),
        {
            "id": "days", "label": "days", "table": "episodes", "kind": "median",
            "value": "first_contact_date - referral_date", "green": "<= 5",
        },
        {
            "id": "rate", "label": "rate", "table": "episodes", "kind": "rate",
            "count_if": "peer_support_offered", "green": "<= 500",
        },
    ]  # fmt: skip
    standards = [standard(measures)]
    with store.reading(db) as con:
        result = engine.evaluate(con, standards, "2026-Q2")
        now = breakdowns.evaluate(con, standards, "2026-Q2", result.measures)
        before = breakdowns_before.evaluate(con, standards, "2026-Q2", result.measures)
    assert set(now["measure_id"]) == {"m", "attended", "missed", "days", "rate"}
    assert (now["grp"] == breakdowns.NOT_RECORDED).any()
    pd.testing.assert_frame_equal(now, before, check_exact=True)


def _hostile(frame, rng: random.Random, columns=("denominator_rows", "numerator_rows")):
    """The frame with its counts drawn again, mostly small (0-9, so that counts of 1-4 and
    differences of 1-4 between measures, groups and runs abound), a numerator never above its
    denominator, a missing count left missing."""
    import pandas as pd

    d_name, n_name = columns
    ds, ns = [], []
    for d, n in zip(frame[d_name].tolist(), frame[n_name].tolist()):
        if pd.isna(d):
            ds.append(None)
            ns.append(None if pd.isna(n) else n)
            continue
        d = rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 14, 30, 100])
        ds.append(d)
        ns.append(None if pd.isna(n) else rng.randint(0, d))
    return frame.assign(**{d_name: pd.array(ds, dtype="Int64"), n_name: pd.array(ns, dtype="Int64")})


def _both_protections(whole, parts, standards, before_whole, before_parts):
    public = disclosure.protect(whole, standards, before_whole)
    return public, disclosure_breakdowns.protect(parts, whole, public.measures, standards, before_parts)


@pytest.mark.slow
def test_the_kernel_hides_what_the_kernel_before_hid_on_hostile_counts(tmp_path, monkeypatch):
    """The protection of the whole results and of the breakdowns, by the kernel as it is, as it
    was at f988e34 (tests/support/protect_f988.py) and as it was on main at dd1092f
    (tests/support/protect_main.py), on the hard store's rerun with its counts
    drawn again 40 times, mostly 0-9: counts of 1-4 everywhere, nested measures and groups 1-4
    apart, earlier runs' counts 1-4 away, ratings whose band would pin a small count. The same
    public rows, in the same order, every time."""
    import pandas as pd

    captured = {}
    real = {"whole": disclosure.protect, "parts": disclosure_breakdowns.protect}

    def capture(name):
        def grab(*args):
            captured[name] = args
            return real[name](*args)

        return grab

    monkeypatch.setattr(disclosure, "protect", capture("whole"))
    monkeypatch.setattr(disclosure_breakdowns, "protect", capture("parts"))
    db = tmp_path / "audit.duckdb"
    hard_store.rerun(db, hard_store.build(db, tmp_path))
    monkeypatch.setattr(disclosure, "protect", real["whole"])
    monkeypatch.setattr(disclosure_breakdowns, "protect", real["parts"])
    results, standards, earlier_whole = captured["whole"]
    exact, _, _, _, earlier_parts = captured["parts"]
    assert earlier_whole and earlier_parts  # protected against an earlier run

    rng = random.Random(7)
    hidden = set()
    for _ in range(40):
        whole = _hostile(results, rng)
        parts = _hostile(exact, rng)
        before_whole = [_hostile(f, rng) for f in earlier_whole]
        before_parts = [_hostile(f, rng) for f in earlier_parts]

        now, now_parts = _both_protections(whole, parts, standards, before_whole, before_parts)
        for kernel in (protect_f988.the_kernel_before, protect_main.the_kernel_of_main):
            with monkeypatch.context() as m:
                kernel(m)
                then, then_parts = _both_protections(whole, parts, standards, before_whole, before_parts)
            pd.testing.assert_frame_equal(now.measures, then.measures, check_exact=True)
            pd.testing.assert_frame_equal(now.standards, then.standards, check_exact=True)
            pd.testing.assert_frame_equal(now_parts, then_parts, check_exact=True)
        hidden |= set(now.measures["reason"]) | set(now_parts["reason"]) | set(now.measures["rating"])
    # every kind of hiding, and merged ratings, were met
    assert {disclosure.SMALL_REASON, disclosure.LINKED, disclosure.EARLIER, disclosure_breakdowns.WHOLE} <= hidden
    assert hidden & set(disclosure.NOT_ONE_BAND)


def _random_groups(rng: random.Random) -> disclosure._Groups:
    """Groups of people as standards could define them: 12 measures whose counts share a few
    classes (one measure's numerator another's denominator or numerator), so that a count hidden
    in one row can be added up from others."""
    members = {}
    for m in range(12):
        key = ("s", f"m{m}")
        roles = ["denominator"] + (["numerator", "complement"] if rng.random() < 0.85 else [])
        for role in roles:
            members[(key, role)] = rng.randrange(9)
    out = disclosure._Groups(members, {(a, b) for a in range(9) for b in range(9) if a < b and rng.random() < 0.1})
    for member, c in members.items():
        out.by_class.setdefault(c, []).append(member)
    return out


@pytest.mark.slow
def test_what_is_exposed_and_what_hidden_rows_say_are_as_before_on_random_providers():
    """disclosure._exposed (each row's trio read from g.plan, rows showing all three left out of
    the sums) gives the same classes, iterated in the same order (the protection acts on the
    first), and disclosure_breakdowns._possible (remembered for the run by what the hidden rows
    are) the same ranges, as f988e34's code: 3,000 providers, of the standards' measures and of
    measures sharing classes at random, each with a random share of the rows, random counts
    (mostly 0-9) and rows hidden at random, for every reason."""
    from audits.standard_files import load_standards

    measures = {(s.id, m.id): m for s in load_standards(HERE.parent / "standards").audited for m in s.measures}
    ours = disclosure._groups(measures)
    rng = random.Random(11)
    levels = [disclosure.NONE, disclosure.NONE, disclosure.NUMERATOR, disclosure.ALL]
    reasons = [disclosure.SMALL_REASON, disclosure.LINKED, disclosure.EARLIER, disclosure_breakdowns.WHOLE]
    seen, added = set(), 0
    for n in range(3000):
        g = ours if n % 3 == 0 else _random_groups(rng)
        chosen = [k for k in sorted({key for key, _ in g.members}) if rng.random() < 0.7]
        level = {i: rng.choice(levels) for i in range(len(chosen))}
        reason = {i: "" if level[i] == disclosure.NONE else rng.choice(reasons) for i in level}
        p = disclosure._Provider(dict(zip(chosen, range(len(chosen)))), {}, level, reason)
        for c in {g.members[m] for m in g.members if m[0] in p.rows}:
            if rng.random() < 0.95:  # now and then a class without a count
                p.counts[c] = rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 40])
        got = disclosure._exposed(p, g)
        assert list(got) == list(protect_f988._exposed(p, g))
        # how often a hidden count was added up from two others shown
        read = {
            c for key, i in p.rows.items() if level[i] != disclosure.ALL for c in g.trio(key)[: 1 if level[i] else 3]
        }
        added += bool(got - read)
        for c in g.by_class:
            said = disclosure_breakdowns._possible(p, g, c)
            assert said == protect_f988._possible(p, g, c), (c, p)
            seen.add(tuple(said))
    assert len(seen) > 10 and added > 100  # what hidden rows say took many shapes; sums gave counts away


def test_the_groups_read_by_column_are_those_read_row_by_row():
    """disclosure_breakdowns._parts (every group's rows, counts and classes moved since an earlier
    run, worked out a column at a time) gives each group the rows and counts, in order, that
    main's _counted and _part gave it, and the classes disclosure._moved finds from main's
    _earlier_counts, in order: 200 random runs of the standards' measures with counts mostly
    0-9, rows missing a count, a shared class counted differently by two measures, and earlier
    runs (one to three) with groups and measures this run has not, counts hidden for every
    reason, a hidden mark missing, rows repeated and out of order."""
    import pandas as pd

    from audits.standard_files import load_standards

    measures = {
        (s.id, m.id): m
        for s in load_standards(HERE.parent / "standards").audited
        for m in s.measures
        if breakdowns.broken_down(m)
    }
    g = disclosure._groups(measures)
    rng = random.Random(23)
    small = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 30]
    groups = [(d, grp) for d in breakdowns.DIMENSIONS for grp in (*breakdowns.groups_of(d), breakdowns.NOT_RECORDED)]
    hidden_any = moved_any = 0
    for _ in range(200):
        keys = rng.sample(sorted(measures), rng.randint(1, len(measures)))
        rows = []
        for provider in rng.sample(["P1", "P2", "P3"], rng.randint(1, 3)):
            for dimension, grp in rng.sample(groups, rng.randint(1, len(groups))):
                for key in keys:
                    d = None if rng.random() < 0.05 else rng.choice(small)
                    n = None if d is None or rng.random() < 0.1 or g.trio(key)[1] is None else rng.randint(0, d)
                    rows.append((provider, dimension, grp, *key, d, n))
        rng.shuffle(rows)
        columns = ["provider_id", "dimension", "grp", "standard_id", "measure_id"]
        exact = pd.DataFrame(rows, columns=[*columns, "denominator_rows", "numerator_rows"])
        exact = exact.astype({c: "str" for c in columns} | {"denominator_rows": "Int64", "numerator_rows": "Int64"})
        earlier = []
        for _ in range(rng.randint(1, 3)):
            sample = [rng.choice(rows) for _ in range(rng.randint(0, len(rows)))]
            sample += [("P9", "sex", "male", *keys[0], 3, 1), (rows[0][0], "sex", "nobody", "s", "m", 2, 2)]
            before = [
                (
                    disclosure_breakdowns._key(p, dim, grp), s, m,
                    None if d is None else max(0, d + rng.choice([-6, -4, -1, 0, 0, 0, 2, 5])),
                    None if n is None else rng.randint(0, 9),
                    rng.choice(["", "", "numerator", "all", None]),
                )
                for p, dim, grp, s, m, d, n in sample
            ]  # fmt: skip
            frame = pd.DataFrame(
                before,
                columns=["provider_id", "standard_id", "measure_id", "denominator_rows", "numerator_rows", "hidden"],
            )
            earlier.append(frame.astype({"denominator_rows": "Int64", "numerator_rows": "Int64", "hidden": "str"}))

        measure, codes = disclosure_breakdowns._codes(exact["standard_id"], exact["measure_id"])
        got = disclosure_breakdowns._parts(exact, measure, codes, g, earlier)
        natives = disclosure._natives
        row_keys = list(zip(natives(exact["standard_id"]), natives(exact["measure_id"])))
        records = protect_main._counted(row_keys, exact["denominator_rows"], exact["numerator_rows"], g)
        by_part: dict = {}
        for i, part in enumerate(zip(*(natives(exact[c]) for c in ("provider_id", "dimension", "grp")))):
            by_part.setdefault(part, []).append(i)
        before = protect_main._earlier_counts(earlier)
        assert list(got) == list(by_part)
        for part, found in by_part.items():
            p = protect_main._part(found, records, {}, {})
            moved = disclosure._moved(p, g, before.get(disclosure_breakdowns._key(*part), {}))
            rows_in, rows_by_key, counts, moved_now = got[part]
            assert rows_in == found
            assert list(rows_by_key.items()) == list(p.rows.items())
            assert list(counts.items()) == list(p.counts.items())
            assert moved_now == moved, part
            moved_any += bool(moved)
            hidden_any += any(v in disclosure.SMALL for v in counts.values())
    assert moved_any > 100 and hidden_any > 100
