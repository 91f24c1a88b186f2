"""Words for the demo: stories for the evidence packs and the texts of providers' documents.

The stories are new, invented accounts written in the spirit of what people with lived
experience told the Independent Review of Drugs and the groups in ../shared/seeds/ (a warm
welcome or none, telling your story once, choice, peers, being thrown off a script for a
missed appointment, mental health support alongside, housing, aftercare). None of them is a
quote from those documents and none is about a real service or person. Each is tagged with
the standards it speaks to and with the `fit`: the way of working it describes, so the demo
gives each provider stories that match what its numbers show.

Ordinary stories carry no personal details (the screening must pass them). The few in
PERSONAL_DETAIL_STORIES each carry one that the screening must catch. FONT_STORIES carry
curly quotes, £, accents and Welsh letters so the PDF's fonts are exercised.
"""

from __future__ import annotations

_IDS = {
    "T": "trauma-informed-access",
    "O": "no-opiate-free-discharge-targets",
    "L": "lived-experience-workforce",
    "P": "not-punitive",
    "M": "mental-health-alongside",
    "H": "housing-support",
    "A": "aftercare",
    "S": "no-going-back-to-step-one",
    "C": "choice-in-how-to-engage",
    "W": "women-and-out-of-hours-access",
    "F": "person-first-language",
}
_TELLERS = {
    "pus": "person_using_services",
    "fam": "family_member",
    "pr": "peer_researcher",
    "st": "staff",
    "ec": "expert_citizen",
}


def _story(fit: str, teller: str, tags: str, text: str) -> dict:
    return {
        "fit": fit,
        "teller": _TELLERS[teller],
        "standards": tuple(_IDS[t] for t in tags),
        "text": " ".join(text.split()),
    }


STORIES: list[dict] = [
    # ---- the welcome
    _story(
        "welcome_good",
        "pus",
        "TL",
        """I walked in off the street shaking. Nobody handed me a form. A lad who'd been
        through it himself made me a brew and just sat with me, and he rang me the next morning to check I was
        still coming. I was.""",
    ),
    _story(
        "welcome_good",
        "pus",
        "T",
        """They saw me the same day I phoned. I'd been building myself up to it for
        months and I think if they'd said come back in a fortnight I'd never have gone back.""",
    ),
    _story(
        "welcome_good",
        "fam",
        "TL",
        """My son had been turned away from places before so he expected the same.
        The woman on the front desk knew his name by the second visit. It sounds small but he talks about it
        still.""",
    ),
    _story(
        "welcome_good",
        "pr",
        "T",
        """Of the people I spoke to here, most said the first conversation was about
        them and not about the paperwork. Several said it was the first time they'd felt safe in a service.""",
    ),
    _story(
        "welcome_poor",
        "pus",
        "T",
        """I rang three times before anyone got back to me. When I finally got in,
        the first thing was a two-hour assessment in a room with no window. I left halfway through and went and
        used.""",
    ),
    _story(
        "welcome_poor",
        "pus",
        "TC",
        """You have to ring every morning at nine to get a slot. If you don't get
        through, you try again tomorrow. When you're poorly that's a mountain, and they call it not engaging.""",
    ),
    _story(
        "welcome_poor",
        "fam",
        "T",
        """My daughter waited nearly three weeks for a first appointment and heard
        nothing in between. Not a phone call, not a text. We thought they'd lost her referral.""",
    ),
    _story(
        "welcome_poor",
        "ec",
        "TL",
        """Our members visited as mystery callers. Two out of three were told to
        ring back another day. Nobody was offered anyone to talk to while they waited.""",
    ),
    _story(
        "welcome_mid",
        "pus",
        "T",
        """It took about a week to get seen, which wasn't too bad. The first worker
        was kind but she kept looking at the clock, and I felt like I was being squeezed in.""",
    ),
    _story(
        "welcome_mid",
        "pr",
        "TC",
        """People were mostly seen within a few days. What they wanted was somebody
        to call them in the gap between the referral and the first appointment.""",
    ),
    # ---- peers and lived experience
    _story(
        "peer_good",
        "pus",
        "L",
        """My peer mentor has been where I am. When I said I'd had a bad weekend he
        didn't write it down, he said right, what do you need this week. That's the difference.""",
    ),
    _story(
        "peer_good",
        "pus",
        "LS",
        """The peers run a drop-in on a Thursday. It's not treatment, it's just
        people, a bit of food and a game of cards. It's the only place I go where I'm not the problem.""",
    ),
    _story(
        "peer_good",
        "st",
        "L",
        """I started here as a volunteer two years after my own treatment. Now I'm
        paid and I sit in the team meetings. When someone says a person 'isn't engaging' I'm allowed to say
        what might really be going on.""",
    ),
    _story(
        "peer_poor",
        "pus",
        "L",
        """There's nobody in there who's been through it. They're nice enough but
        you can tell they're reading off a sheet. It's them and us.""",
    ),
    _story(
        "peer_poor",
        "pr",
        "L",
        """When we asked if anyone had been offered a peer supporter, most people
        didn't know what we meant. One man said he'd asked for one and was told there was a waiting list.""",
    ),
    _story(
        "peer_mid",
        "pus",
        "L",
        """I had a peer worker for a while and she was brilliant, then she left and
        nobody replaced her. I still text her sometimes, which I probably shouldn't.""",
    ),
    _story(
        "le_good",
        "ec",
        "L",
        """You can feel it when you walk in: a lot of the team have their own recovery
        and they're open about it. It changes how people talk to you.""",
    ),
    _story(
        "le_good",
        "st",
        "LF",
        """Half our team have lived experience and it's in the job adverts that we
        want it. Managers back us when we challenge the old ways of talking about people.""",
    ),
    _story(
        "le_poor",
        "st",
        "L",
        """I've never told anyone at work about my past. The last person who did got
        treated like she couldn't be trusted with the medication cupboard.""",
    ),
    _story(
        "le_poor",
        "ec",
        "L",
        """We asked how many of the team had lived experience and were told that
        wasn't something they recorded. It felt like it wasn't something they valued either.""",
    ),
    # ---- punitive or not
    _story(
        "punitive",
        "pus",
        "P",
        """I missed one appointment because my bus didn't come and I had no credit
        to ring. Next time I went to the chemist my script had been cut. Nobody asked me why.""",
    ),
    _story(
        "punitive",
        "pus",
        "PT",
        """The welcome is lovely, honestly, the peers are great. But miss two
        appointments and you're out, no matter what's going on. I was in hospital and still got the letter.""",
    ),
    _story(
        "punitive",
        "fam",
        "P",
        """My partner was discharged for not turning up while he was in a crisis.
        The letter said he had 'chosen not to engage'. He hadn't chosen anything, he was barely alive.""",
    ),
    _story(
        "punitive",
        "st",
        "P",
        """We're told to issue a warning after one missed appointment and reduce
        after two. I don't agree with it. People are frightened of us because we hold the script.""",
    ),
    _story(
        "punitive",
        "pr",
        "PL",
        """Almost everyone I interviewed mentioned the missed-appointment rule
        before anything else. They liked the staff, but they were scared of the letters.""",
    ),
    _story(
        "not_punitive",
        "pus",
        "P",
        """I missed a week when my mam was ill. When I came back they just said
        good to see you, let's book the next one. No telling off.""",
    ),
    _story(
        "not_punitive",
        "pus",
        "PC",
        """If I can't get in, my worker rings me instead. She says the
        appointment is for me, not for them, so there's no point me getting into trouble over it.""",
    ),
    _story(
        "not_punitive",
        "st",
        "P",
        """When somebody misses, our first question is whether they're okay. We
        ring, we text, sometimes we knock on the door. We don't take away the script as a punishment.""",
    ),
    # ---- opiate-free discharge targets
    _story(
        "ofd_pressure",
        "pus",
        "O",
        """They kept pushing me to come down off the methadone faster than I was
        ready. My worker said there was a target. I came off, I was discharged as a success, and I was using
        again within six weeks.""",
    ),
    _story(
        "ofd_pressure",
        "st",
        "O",
        """Every month we get the figures for opiate-free exits and every month
        there's pressure. I've watched people reduced before they were ready because the quarter was ending.""",
    ),
    _story(
        "ofd_pressure",
        "fam",
        "OA",
        """My brother was told he'd 'completed'. Completed what? He was on his own
        with nothing the week after. Three months later he was back where he started.""",
    ),
    _story(
        "ofd_pressure",
        "ec",
        "O",
        """Being paid for opiate-free discharges means being paid to push people
        off their scripts. Our group has said it for years: that target has to go.""",
    ),
    _story(
        "ofd_dropped",
        "st",
        "O",
        """Since the opiate-free target was taken out of the contract, the
        conversations have changed. We talk about what the person wants now, not what the quarter needs.""",
    ),
    _story(
        "ofd_dropped",
        "pus",
        "OS",
        """Nobody's rushing me any more. I'm reducing slowly, on my terms, and
        for the first time I think it might actually stick.""",
    ),
    _story(
        "ofd_dropped",
        "ec",
        "O",
        """The commissioner listened and dropped the payment for opiate-free
        exits. We want to see, over the next year, that fewer people come back through the door in crisis.""",
    ),
    # ---- mental health alongside
    _story(
        "mh_good",
        "pus",
        "M",
        """The psychologist works in the same building as my drug worker and they
        actually talk to each other. I didn't have to be clean first to get help with my head.""",
    ),
    _story(
        "mh_good",
        "fam",
        "M",
        """For years my wife was told to sort the drink out before anyone would look at
        her depression. Here they're doing both at once and she's a different woman.""",
    ),
    _story(
        "mh_good",
        "st",
        "M",
        """We've got a mental health nurse in the team now, three days a week. Before
        that, referrals to the community team would just bounce back.""",
    ),
    _story(
        "mh_poor",
        "pus",
        "M",
        """Mental health said I had to stop drinking first. The alcohol team said
        they couldn't help until my mental health was stable. So I went round and round.""",
    ),
    _story(
        "mh_poor",
        "pus",
        "MT",
        """I told them about the flashbacks at my first appointment. I was told
        that wasn't what they did here and they'd write to my GP. That was it.""",
    ),
    _story(
        "mh_poor",
        "ec",
        "M",
        """The people we spoke to almost all had a mental health need. Very few had
        any support for it while they were in treatment.""",
    ),
    _story(
        "mh_mid",
        "pus",
        "M",
        """I did get counselling in the end, but it was a six-month wait and only
        eight sessions. It helped, it just wasn't enough.""",
    ),
    # ---- housing
    _story(
        "housing_good",
        "pus",
        "H",
        """The housing worker came to my first appointment with my keyworker.
        Within a month I was out of the hostel and into a flat on my own. I could finally start.""",
    ),
    _story(
        "housing_good",
        "pus",
        "HA",
        """They helped me with the deposit and sorted the bills with me. It
        sounds boring but it's the reason I'm still here.""",
    ),
    _story(
        "housing_poor",
        "pus",
        "H",
        """I was living in a hostel where everyone was using. I asked for help to
        move and was told that wasn't their department. I relapsed in the corridor.""",
    ),
    _story(
        "housing_poor",
        "fam",
        "H",
        """He was sleeping in his car and still expected to make a nine o'clock
        appointment across town. Nobody asked where he was living.""",
    ),
    _story(
        "housing_mid",
        "pus",
        "H",
        """They referred me to the council, which was something. But then I was
        on my own with it and it took four months.""",
    ),
    # ---- aftercare
    _story(
        "aftercare_good",
        "pus",
        "A",
        """When I finished treatment they didn't just shut the door. There's a
        Sunday group, and I can ring my old peer mentor. I'm now a volunteer at the café myself.""",
    ),
    _story(
        "aftercare_good",
        "fam",
        "A",
        """What mattered most was after. They kept in touch with her for a
        year, and she still goes to the walking group. That's what's kept her well.""",
    ),
    _story(
        "aftercare_poor",
        "pus",
        "A",
        """The day my script finished was the day they stopped calling. I'd had
        support every week for two years and then nothing. It was the scariest time of all.""",
    ),
    _story(
        "aftercare_poor",
        "pus",
        "AS",
        """I was discharged with a leaflet. Six months later I was back at
        the start, and the first thing they did was assess me all over again.""",
    ),
    _story(
        "aftercare_mid",
        "pus",
        "A",
        """There's an aftercare group but it's once a month on a weekday
        afternoon, and I'm working now. I go when I can.""",
    ),
    # ---- back to step one
    _story(
        "step_one_poor",
        "pus",
        "S",
        """I had one bad night after eight months. When I told them, I was put
        back on daily pick-up and had to do the whole assessment again, like the eight months never
        happened.""",
    ),
    _story(
        "step_one_poor",
        "pus",
        "ST",
        """I've told my life story to that service four times. Every time I
        come back it's a new worker and the same questions, from the start.""",
    ),
    _story(
        "step_one_poor",
        "pr",
        "S",
        """People here described a lapse as a reset button. Almost all of them
        had been made to start again rather than pick up where they left off.""",
    ),
    _story(
        "step_one_good",
        "pus",
        "S",
        """I slipped up at Christmas. My worker said it's a bump, not a fall,
        and we carried on from where we were. Nobody made me start again.""",
    ),
    _story(
        "step_one_good",
        "pus",
        "ST",
        """When I came back after a few months away they already had my
        notes. We just talked about what had changed. I only had to tell my story once.""",
    ),
    _story(
        "step_one_mid",
        "pus",
        "S",
        """I wasn't made to start from scratch, but I did have to wait to be
        allocated a new worker, and I nearly didn't come back.""",
    ),
    # ---- choice
    _story(
        "choice_good",
        "pus",
        "C",
        """I've got bad anxiety and I can't sit in a waiting room. They offered
        phone appointments straight away and now I do video with my worker. It's the first time I've kept it
        up.""",
    ),
    _story(
        "choice_good",
        "pus",
        "CL",
        """They asked what I wanted to get out of it. I said I didn't want a
        script, and that was fine. I do the gardening project and one-to-ones instead.""",
    ),
    _story(
        "choice_good",
        "fam",
        "C",
        """They come to the house when she can't face going out. The worker
        has even met her at the park. It's built around her, not the other way round.""",
    ),
    _story(
        "choice_poor",
        "pus",
        "C",
        """It was groups or nothing. I can't talk in front of people I might
        have used with, so I stopped going, and that went down as me not engaging.""",
    ),
    _story(
        "choice_poor",
        "pus",
        "CP",
        """Everything is in person, in town, at their times. I live forty
        minutes out and I've got no money for the bus. When I asked for a phone call I was told that wasn't
        how they worked.""",
    ),
    _story(
        "choice_mid",
        "pus",
        "C",
        """They did offer me phone appointments, but only after I'd missed a
        few. It would have been good to be asked at the start.""",
    ),
    # ---- women and out of hours
    _story(
        "women_good",
        "pus",
        "W",
        """There's a women's morning where nobody else is in the building. I
        could bring my little one and nobody judged me for being a mum and using.""",
    ),
    _story(
        "women_good",
        "pus",
        "WT",
        """It's open till eight two nights a week, so I can come after work
        without anybody knowing. That's the only reason I could go at all.""",
    ),
    _story(
        "women_poor",
        "pus",
        "WT",
        """The waiting room is full of men, some of them the same men I was
        trying to get away from. I sat in the toilets until my name was called.""",
    ),
    _story(
        "women_poor",
        "pus",
        "W",
        """It shuts at five. I work, I've got kids, and every appointment meant
        lying to my boss. In the end I had to choose.""",
    ),
    _story(
        "women_poor",
        "ec",
        "W",
        """We found no women-only time at all, and nothing open in the evening or
        at weekends. Women told us they felt watched in the waiting area.""",
    ),
    _story(
        "women_mid",
        "pus",
        "W",
        """There is a women's group but it's at the other site, two buses away.
        I went twice.""",
    ),
    # ---- language
    _story(
        "language_good",
        "pus",
        "F",
        """Their letters say 'people who use our service', not 'clients'. It
        sounds like nothing but when you've been called an addict your whole life, you notice.""",
    ),
    _story(
        "language_good",
        "ec",
        "F",
        """We read every leaflet they gave us. The language was respectful
        throughout: people, not cases; recovery, not being clean.""",
    ),
    _story(
        "language_poor",
        "pus",
        "F",
        """The leaflet they gave me talks about 'addicts' and 'service users'
        and testing 'clean' or 'dirty'. I'm a person. I felt like a stain.""",
    ),
    _story(
        "language_poor",
        "ec",
        "FT",
        """We read the letters sent to people who miss appointments. They talk
        about 'non-compliant clients'. Nobody wants to walk through a door after reading that.""",
    ),
    _story(
        "language_mid",
        "ec",
        "F",
        """Some of their newer leaflets are written well. The discharge letter
        is still the old one, full of 'service user' and 'client'.""",
    ),
    # ---- trauma-informed access
    _story(
        "trauma_good",
        "pus",
        "T",
        """There's a quiet room away from reception where you wait. Nobody
        shouts your name across a room. You'd think that was normal but it isn't.""",
    ),
    _story(
        "trauma_good",
        "pus",
        "TM",
        """My worker asked me at the start what would help me feel safe in
        appointments. I asked to sit near the door. She's remembered every time since.""",
    ),
    _story(
        "trauma_poor",
        "pus",
        "T",
        """At reception they asked me what drugs I was on in front of a full
        waiting room. I've never felt so ashamed. I didn't go back for a year.""",
    ),
    _story(
        "trauma_poor",
        "fam",
        "TM",
        """She has a history of abuse and they put her with a male worker in a
        room with the door shut. When she asked to change she was told that's who was available.""",
    ),
    _story(
        "trauma_mid",
        "pus",
        "T",
        """The staff are kind, the building isn't. You wait in a corridor where
        everyone walking past can see you.""",
    ),
    # ---- a very small service
    _story(
        "small",
        "pus",
        "LC",
        """It's tiny, just a couple of workers in the chapel rooms, but they know
        everyone. If I don't turn up, someone comes round with a flask of tea.""",
    ),
    _story(
        "small",
        "fam",
        "TL",
        """There's only a handful of them, out here in the hills. But the peer worker
        drove my dad to his appointments for months. The big service in town never would have.""",
    ),
    # ---- anywhere
    _story(
        "any",
        "pus",
        "",
        """I want them to see me as a person who's had a hard time, not a file with a
        risk rating. Some workers do. Some don't.""",
    ),
    _story(
        "any",
        "ec",
        "",
        """We keep hearing the same thing: people don't want more forms, they want someone
        who listens and sticks around.""",
    ),
    _story(
        "any",
        "pr",
        "",
        """Most people we spoke to said the person who made the difference was one worker
        who believed in them, and that when that worker left things went downhill.""",
    ),
]

# Each carries exactly one personal detail that story screening must catch before printing.
PERSONAL_DETAIL_STORIES: list[dict] = [
    _story(
        "any",
        "pus",
        "L",
        """My keyworker Sarah Jenkins has been amazing, she's the reason I kept going
        when everything fell apart.""",
    ),
    _story(
        "any",
        "pus",
        "P",
        """They cut my script after I missed one appointment. If anyone wants to hear the
        rest, ring me on 07700 900461 and I'll tell you.""",
    ),
    _story(
        "any",
        "fam",
        "A",
        """After my son was discharged nobody followed up. I've written to them at
        worried.mum.northshire@example.com and had no answer.""",
    ),
    _story(
        "any",
        "pus",
        "M",
        """The mental health team lost my referral twice. My NHS number is
        943 476 5919 so you can check it yourselves.""",
    ),
    _story(
        "any",
        "pus",
        "H",
        """They got me out of the hostel and into a flat at NR4 7TJ, near my kids'
        school. It changed everything.""",
    ),
    _story(
        "any",
        "pus",
        "S",
        """I was born on 14 March 1986 and I've been in and out of that service since I
        was nineteen, starting from scratch every single time.""",
    ),
    _story(
        "any",
        "fam",
        "W",
        """My daughter was sent home because there was no women's session. Please call
        me back on 01632 960 734, I still want someone to hear about it.""",
    ),
    _story(
        "any",
        "pus",
        "F",
        """The letter they sent Mrs Patricia Holloway, my neighbour, called her a
        'non-compliant addict'. She showed it to me in tears.""",
    ),
]

# Curly quotes, the pound sign, accents and Welsh letters, so the PDF's fonts are exercised.
FONT_STORIES: list[dict] = [
    _story(
        "any",
        "pus",
        "LA",
        """We meet at the tŷ coffi on a Tuesday, run by peers. Somebody said “croeso”
        the first time I walked in and I nearly cried. I help make the bara brith now.""",
    ),
    _story(
        "any",
        "pus",
        "PT",
        """“You’ve missed again,” she said, before I’d even sat down. It cost me £4.60
        on the bus to get there and they’d already cut my script.""",
    ),
    _story(
        "any",
        "pus",
        "AL",
        """After I finished, the peers took me to the café on the corner every week.
        It’s where I learned to say “I’m in recovery” without whispering it.""",
    ),
    _story(
        "any",
        "fam",
        "W",
        """My wife’s a naïve first-timer, they said, as if that’s her fault. But the
        women’s evening session was “a lifesaver”, her words, and the crèche meant she could go.""",
    ),
    _story(
        "any",
        "pus",
        "C",
        """I told them I’d rather talk on the phone than sit in the waiting room. “Of
        course,” she said. No fuss. It’s the little things: it didn’t cost me £5 in bus fares every week.""",
    ),
]

# Documents given to people: one text per kind of language a provider uses. 'punitive' (when
# present) says which providers have that policy: True only where missed appointments are
# punished, False only where they are not.
DOCUMENTS: list[dict] = [
    {
        "title": "Welcome to the service",
        "person_first": "Welcome. Whatever brought you here, you are welcome and you will be listened to. "
        "You can talk to a peer supporter who has their own experience of recovery, and choose "
        "to meet in person, by phone, by video or at home. You only need to tell your story "
        "once: we will not ask you the same questions again.",
        "mixed": "Welcome to the service. All service users will be offered an assessment with a keyworker. "
        "People who use our service can also speak to a peer supporter. Please arrive on time for "
        "your appointments.",
        "stigmatising": "Welcome. All clients must attend a full assessment before treatment can begin. Addicts "
        "who arrive under the influence will be asked to leave. Clients must provide clean "
        "samples to progress through treatment.",
    },
    {
        "title": "If you miss an appointment",
        "punitive": True,
        "person_first": "If you miss an appointment we will contact you to check you are okay and to rebook. "
        "If you miss two appointments in a row, your prescription may be reviewed with you.",
        "mixed": "Service users who miss one appointment will receive a warning. Missing two appointments will "
        "result in a reduction of your prescription, and missing three may lead to discharge.",
        "stigmatising": "Non-compliant clients who miss one appointment will receive a formal warning. Two "
        "missed appointments will result in a script reduction and three in discharge.",
    },
    {
        "title": "If you miss an appointment",
        "punitive": False,
        "person_first": "Life gets in the way sometimes. If you miss an appointment we will ring or text to "
        "check you are okay and find a time that suits you better. We will never reduce your "
        "prescription as a punishment.",
        "mixed": "If a service user misses an appointment, their keyworker will try to contact them and rebook. "
        "Please let us know if you cannot attend.",
        "stigmatising": "Clients who fail to attend will be contacted once. Repeated failure to attend may "
        "result in case closure.",
    },
    {
        "title": "Support after treatment",
        "person_first": "Recovery carries on after treatment ends. You can keep coming to the peer-led groups, "
        "the café and the walking group for as long as you like, and your peer supporter can "
        "stay in touch.",
        "mixed": "When you are discharged, service users can attend our monthly aftercare group. People in "
        "recovery are welcome to volunteer with us.",
        "stigmatising": "Once clients are clean and discharged, they may attend an aftercare group. Ex-addicts "
        "with twelve months clean may apply to volunteer.",
    },
]


def stance_of(text: str) -> str | None:
    """What a demo story says of the standards it is tagged to, read from its `fit` (the way of
    working it describes): a good way confirms, a poor one contradicts, a middling one is mixed.
    The demo's auditor marks stories with it, as a real auditor does by reading them."""
    fit = _FITS.get(" ".join(str(text).split()))
    if fit is None:
        return None
    if fit.endswith("_poor") or fit in ("punitive", "ofd_pressure"):
        return "contradicts"
    if fit.endswith("_mid"):
        return "mixed"
    return "confirms"


_FITS = {story["text"]: story["fit"] for story in STORIES}
