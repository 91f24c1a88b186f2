"""How the audit works, in plain English with references: the one method text.

The PDF's method annex (audits.report) and the published site both print these sections, so
what a reader is told about a choice is the same everywhere, and a change of method changes
its words in one place. Each section says what is done and why, for a reader who is not a
statistician; the references let one who is check it.
"""

from __future__ import annotations

from dataclasses import dataclass

from audits import spc, stats, voices, words


@dataclass(frozen=True)
class Reference:
    key: str
    text: str


REFERENCES = (
    Reference(
        "wilson",
        "Wilson EB. Probable inference, the law of succession, and statistical inference. "
        "Journal of the American Statistical Association 1927;22:209–212.",
    ),
    Reference(
        "newcombe-single",
        "Newcombe RG. Two-sided confidence intervals for the single proportion: comparison of seven "
        "methods. Statistics in Medicine 1998;17:857–872.",
    ),
    Reference(
        "apho",
        "Eayres D. Technical Briefing 3: Commonly used public health statistics and their confidence "
        "intervals. Association of Public Health Observatories, 2008.",
    ),
    Reference(
        "campbell",
        "Campbell MJ, Gardner MJ. Calculating confidence intervals for some non-parametric analyses. "
        "BMJ 1988;296:1454–1456.",
    ),
    Reference(
        "phe-funnel",
        "Public Health England. Technical Guide – Funnel Plots, and the Funnel plot tool for proportions "
        "(both updated June 2017). Fingertips guidance: fingertips.phe.org.uk/profile/guidance.",
    ),
    Reference(
        "phe-methods",
        "UK Health Security Agency. PHEindicatormethods (R package): calculate_funnel_limits, which "
        "reproduces PHE's funnel plot tool for proportions.",
    ),
    Reference(
        "spiegelhalter",
        "Spiegelhalter DJ. Funnel plots for comparing institutional performance. Statistics in "
        "Medicine 2005;24:1185–1202.",
    ),
    Reference(
        "newcombe-difference",
        "Newcombe RG. Interval estimation for the difference between independent proportions: "
        "comparison of eleven methods. Statistics in Medicine 1998;17:873–890 (method 10).",
    ),
    Reference(
        "mdc",
        "NHS England. Making Data Count, and the NHSRplotthedots R package (statistical process control charts).",
    ),
    Reference(
        "mat",
        "Public Health Scotland. Medication Assisted Treatment (MAT) standards: benchmarking with "
        "numerical, process and experiential evidence.",
    ),
    Reference(
        "overdispersion",
        "Spiegelhalter DJ, Sherlaw-Johnson C, Bardsley M, Blunt I, Wood C, Grigg O. Statistical methods "
        "for healthcare regulation: rating, screening and surveillance. Journal of the Royal Statistical "
        "Society A 2012;175:1–47; and Spiegelhalter DJ. Handling over-dispersion of performance indicators. "
        "Quality and Safety in Health Care 2005;14:347–351.",
    ),
    Reference(
        "dersimonian",
        "DerSimonian R, Laird N. Meta-analysis in clinical trials. Controlled Clinical Trials 1986;7:177–188.",
    ),
    Reference(
        "funnelplotr",
        "Mainey C et al. FunnelPlotR (R package, NHS-R Community): funnel plots with Spiegelhalter's "
        "adjustment for overdispersion, as the Care Quality Commission applies it.",
    ),
)
_NUMBER = {r.key: i for i, r in enumerate(REFERENCES, start=1)}


@dataclass(frozen=True)
class Section:
    title: str
    text: str
    references: tuple[str, ...] = ()

    @property
    def cited(self) -> str:
        """'[1, 3]': the numbers of its references in REFERENCES ('' when it has none)."""
        if not self.references:
            return ""
        return "[" + ", ".join(str(n) for n in sorted(_NUMBER[k] for k in self.references)) + "]"


SECTIONS = (
    Section(
        "Standards",
        "Each standard was written and approved by an expert citizens group. Only approved standards are "
        "audited; drafts and retired standards are not. A standard's rating is the worst rating among its "
        "measures.",
    ),
    Section(
        "Figures",
        "Every figure is computed from the providers' quarterly returns for the period, by one recorded "
        "audit run. Reports and the dashboard print the run's recorded results and do not compute them again.",
    ),
    Section(
        "95% intervals",
        "A share such as 72% comes with a Wilson score interval, the method of OHID's Fingertips: the range "
        "in which the true figure very probably lies, given how many people it is based on. Small numbers "
        "give wide intervals. A middle value (median), such as days waited, has an interval too: two of "
        "the sorted values, chosen by their rank so that no assumption is made about the shape of the "
        f"figures; it needs at least {stats.MEDIAN_MIN_VALUES} values. A count, such as the number of "
        "contract indicators tied to opiate-free discharge, is exact: every row is counted, so it has no "
        "interval.",
        ("wilson", "newcombe-single", "apho", "campbell"),
    ),
    Section(
        "Minimum counts",
        "A share or a median is rated only when it is based on enough people (10 unless a standard says "
        "otherwise). Below that the rating is “Too few to tell”.",
    ),
    Section(
        "When the data can't yet tell",
        "A rating is what the figure shows against the standard's thresholds. When the figure's 95% "
        "interval reaches across a threshold, the true figure may be on either side of it, so the rating "
        f"reads, for example, “Met {words.UNCERTAIN}”, and is drawn with a dashed outline (and stripes on "
        "screen). 8 of 11 people is 73%, below a bar of 80%, but its interval runs from 43% to 90%: "
        "the data can't yet tell. A standard is marked so when an uncertain measure could change the "
        "standard's own rating. Only figures about people are read this way; a count, and a share of a "
        "provider's own sites, documents or indicators, is complete and carries no such uncertainty. Where a "
        "figure is not shown because of small numbers, its rating is not marked either (anywhere but the "
        "auditor's own view), so the mark says nothing about a hidden figure.",
        ("wilson",),
    ),
    Section(
        "The benchmark",
        "The benchmark is the figure for all the providers of the same audit run whose figures are shown, "
        "together, this provider included when its figure is shown. Providers whose figures are hidden "
        "because of small numbers are left out of it (only the auditor's own view pools every provider), "
        "so that subtracting the figures shown from it gives no hidden count back. That is how Fingertips compares each area with an England figure that contains it, and "
        "how PHE's funnel plots draw their centre line; it gives one benchmark per measure, the same in "
        "every report and on one funnel plot. Leaving each provider out of its own benchmark would give "
        "every provider a different benchmark, and from those differences a reader could work out counts "
        "that are hidden to protect people. The price is small: where a provider is a large part of the "
        "benchmark (a quarter of it, among eight providers), its comparison leans towards “similar”; "
        "among the 150 or so providers of a national run each is a small part.",
        ("phe-funnel", "spiegelhalter"),
    ),
    Section(
        "Compared with the benchmark, and the funnel plot",
        "Each provider's share is compared with the benchmark by the limits of a funnel plot: the benchmark "
        "± 1.96 (and 3.09) × √(benchmark × (1 − benchmark) ÷ number of people + the spread between "
        "providers). “Similar” means the share lies inside the 95% limits: the data cannot tell the provider "
        "from the benchmark. “Better” or “worse” means it lies outside; “much better” or “much worse”, "
        "outside the 99.8% limits too. The funnel plot draws these very limits, so a provider is outside the "
        "funnel exactly when the table says better or worse. A share is compared only when the standard says "
        "which way is better and the share was rated; a median or a count is shown beside the benchmark but "
        "not tested against it.",
        ("phe-funnel", "phe-methods", "spiegelhalter", "wilson"),
    ),
    Section(
        "Allowing for the usual spread between providers",
        "Without the spread between providers, the limits allow for chance alone, as if every provider had "
        "the same true share and differed only by the luck of who came through its doors that quarter (then "
        "“similar” is the benchmark inside the provider's 95% Wilson interval, PHE's funnel plot tool for "
        "proportions). With a few providers that is a fair test. Across England's 150 or so services, each "
        "with hundreds or thousands of people, providers differ far more than chance allows, for reasons of "
        "their own (the people they serve, their area, how they record), so by chance alone most of them "
        "would be called much better or much worse than the benchmark, and a list of the providers to watch "
        "would name nearly all of them: it would tell a commissioner nothing. So, as the Care Quality "
        "Commission does, the limits are widened by the usual spread between providers (Spiegelhalter's "
        "additive random-effects adjustment for over-dispersion). For each measure, each provider's distance "
        "from the benchmark is measured in units of its chance variation (its z-score); the most extreme "
        f"{round(stats.WINSORISE * 100)}% at each end are pulled in to the {round(stats.WINSORISE * 100)}th "
        f"and {round(100 - stats.WINSORISE * 100)}th percentiles, so that a few providers that stand out do not "
        "set the spread they are judged against; the mean of the squared z-scores, φ, is about 1 when "
        "providers differ by chance alone. When φ shows more spread than chance, the variance between "
        "providers, τ², is estimated by DerSimonian and Laird's method and added to each provider's own "
        "variance. A provider outside the widened limits stands out from the usual spread between providers, "
        "not just from chance. With fewer than "
        f"{stats.MIN_PROVIDERS} providers compared nothing is added: the spread of a handful of providers is "
        "too unsure to widen anyone's limits by, and one provider that differs would widen its own limits and "
        "hide itself. The spread is worked out over the providers compared; in public figures, from the "
        "figures shown alone, around the public benchmark, so that it gives no hidden count back.",
        ("spiegelhalter", "overdispersion", "dersimonian", "funnelplotr"),
    ),
    Section(
        "What changed since the last period",
        "A rating that moved is called better or worse only when the figures behind it changed by more "
        "than chance: for a share, when Newcombe's 95% interval of the difference between the two periods "
        "leaves out no change; for a median, when the two periods' intervals do not overlap; for a count, "
        "whenever it changed. The measures that changed by more than chance must, on their own, move the "
        "standard's rating the same way. Otherwise the move reads “No clear change”. A standard met on its "
        "figures both periods that gains or loses a confirming story reads “Still met”, with what people's "
        "experience added, never better or worse.",
        ("newcombe-difference", "campbell"),
    ),
    Section(
        "Trends over the quarters",
        "On the dashboard, a measure with enough quarters is drawn as an NHS Making Data Count XmR chart. "
        + spc.METHOD_WORDS,
        ("mdc",),
    ),
    Section(
        "Small numbers",
        "Counts of 1 to 4 people, and any figure that would let a reader work them out, are not shown, so "
        "that no one can be recognised. Ratings are still shown.",
    ),
    Section(
        "Stories",
        "Stories are gathered independently of the provider. Only stories whose tellers said yes to sharing "
        "are printed, and only as they agreed (their own words quoted, or summarised by the auditor). A person "
        "who takes their story back, by the reference they were given, takes it out of every quarter's "
        "dashboard, report and published page from then on, for good. Each story is screened for names, phone "
        "numbers, email and street addresses, postcodes, NHS numbers and dates of birth, and is held until the "
        "auditor clears it or approves a version with the details removed.",
    ),
    Section(
        "Voices heard",
        "Beside each rating, how many people told us about it this quarter: people using the service, family "
        "members and staff, each of whom agreed to their story being used (whether their words may be quoted, "
        "summarised, or shown nowhere). Counts of 1 to 4 people are not shown. A standard on which fewer than "
        f"{voices.ENOUGH} people using the service or their families were heard says so: too few to say much "
        "about their experience of it.",
        ("mat",),
    ),
    Section(
        "Met (provisional)",
        "As in Scotland's MAT standards benchmarking, numbers alone are not enough: a standard that is green "
        "on its figures stays provisional until a person using the service, or a family member, has told "
        "us about it that period, in a story the auditor reads as confirming it.",
        ("mat",),
    ),
    Section(
        "Partly met: people's experience differs",
        "A standard green on its figures is shown as partly met when a person using the service, or a "
        "family member, told us something that contradicts the figures and the auditor has not recorded why "
        "the rating should stand. The stories, and any answer of the auditor, are printed beside it.",
        ("mat",),
    ),
)


def plain_text() -> str:
    """The whole method as plain text (titles, paragraphs and the numbered references), for a
    published page or a command line."""
    parts = []
    for section in SECTIONS:
        parts += [section.title, section.text + (f" {section.cited}" if section.cited else ""), ""]
    parts.append("References")
    parts += [f"[{i}] {r.text}" for i, r in enumerate(REFERENCES, start=1)]
    return "\n".join(parts)
