"""The readiness board (audits/readiness.py): its counts per provider, worked out once for the
quarter, are those worked out provider by provider (as the board did before)."""

from __future__ import annotations

from audits import factcheck, readiness, store, stories

from support import dashboard_store


def test_the_boards_counts_are_each_providers_own(env):
    db, _ = env
    period = dashboard_store.PERIODS[-1]
    story = "They rang my mum back the same day."
    dashboard_store.add_pack(db, "P002", period, [("R1", "family_member", "warm-welcome", "yes", story)])
    with store.reading(db) as con:
        board = readiness.board(con, period).set_index("provider_id")
        table = stories.story_table(con, period)
        comments = factcheck.comments(con, period)
        # the dashboard hands the board the quarter's story table it has cached: the same board
        assert readiness.board(con, period, table).equals(board.reset_index()[readiness.COLUMNS])
    held, awaiting = {}, {}
    for provider_id in board.index:  # the old way: the quarter's stories filtered per provider
        mine = table[table["provider_id"] == provider_id]
        held[provider_id] = str(int((mine["status"] == "held").sum()))
        awaiting[provider_id] = str(len(stories.awaiting_stance(mine)))
        still_open = comments[(comments["provider_id"] == provider_id) & comments["outcome"].isna()]
        assert board.loc[provider_id, "comments_open"].split(" ")[0] == str(len(still_open))
    assert board["stories_held"].to_dict() == held
    assert board["stories_awaiting_tags"].to_dict() == awaiting
    assert set(held.values()) != {"0"} and set(awaiting.values()) != {"0"}  # the store has both kinds
