"""Fair pay and credit: the peer interviewers' work behind each audit.

The Independent Review of Drugs warns that peer work must not be "cheap labour". Every story a
peer interviewer gathers records who gathered it and the hours it took (the conversation, the
travel, writing it up), so the group can show the work behind each audit and be paid for it.
The work counts whatever became of the story afterwards (the person said no, or took it back
later): the time was given all the same.

Two tiers. The auditor and the commissioner see each interviewer's stories and hours per quarter
(`summary`). A public output (the PDF, the published site) says only the hours given and names
an interviewer only when they chose to be named (`credit` yes); it never counts stories or
people, so no small count of people is given away.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from audits import words


@dataclass(frozen=True)
class Work:
    """The peer interviewers' work behind one provider's stories of a quarter."""

    hours: float  # hours recorded
    named: tuple[str, ...]  # the interviewers who chose to be named, in order of their first story

    def words(self) -> str:
        """The work in a public sentence: the hours and, with their agreement, the names."""
        said = (
            f"Peer interviewers gave {words.number(self.hours)} hour{'s' if self.hours != 1 else ''} to gathering "
            "the stories of this audit: the conversations, the travel and writing them up."
        )
        if self.named:
            said += f" With their agreement, we thank {_listed(self.named)}."
        else:
            said += " They chose not to be named."
        return said


def _listed(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


_CURRENT = """
    SELECT provider_id, coalesce(p.provider_name, provider_id) AS provider_name, trim(interviewer) AS interviewer,
           count(*) AS stories, count(*) FILTER (WHERE consent = 'yes') AS agreed, coalesce(sum(hours), 0) AS hours,
           bool_or(coalesce(credit, false)) AS named, min(line) AS first_line
    FROM cur_stories s LEFT JOIN providers p USING (provider_id)
    WHERE period = ? AND (? IS NULL OR provider_id = ?) AND nullif(trim(interviewer), '') IS NOT NULL
    GROUP BY ALL ORDER BY provider_id, first_line
"""


def work(con: duckdb.DuckDBPyConnection, period: str, provider_id: str) -> Work | None:
    """The work behind one provider's stories of the quarter, for public outputs; None when no
    story of it names an interviewer (a pack gathered before interviewers were recorded)."""
    return works(con, period, provider_id).get(provider_id)


def works(con: duckdb.DuckDBPyConnection, period: str, provider_id: str | None = None) -> dict[str, Work]:
    """`work` of every provider of the quarter (or of one) in one read: provider id -> Work, only
    the providers with a story that names an interviewer (a batch of reports reads it once)."""
    df = con.execute(_CURRENT, [period, provider_id, provider_id]).fetchdf()
    return {
        provider: Work(float(rows["hours"].sum()), tuple(rows.loc[rows["named"], "interviewer"]))
        for provider, rows in df.groupby("provider_id", sort=False)
    }


def summary(con: duckdb.DuckDBPyConnection, period: str) -> pd.DataFrame:
    """Each interviewer's work of a quarter, provider by provider, for the auditor and the
    commissioner (restricted: names and exact counts): provider_id, provider_name, interviewer,
    stories gathered, of which the person agreed to their use, hours, and whether they chose to
    be named in public."""
    df = con.execute(_CURRENT, [period, None, None]).fetchdf()
    return df.drop(columns=["first_line"]).reset_index(drop=True)
