"""Screening finds the personal details that must never be printed, and leaves ordinary words alone."""

import pytest

from audits import screening

FOUND = [
    ("phone", "Ring me on 07700 900123 after six."),
    ("phone", "The number was (0161) 496 0000."),
    ("phone", "Call +44 (0)20 7946 0958 any time."),
    ("phone", "Text 0044 7700 900 987 please."),
    ("phone", "Office: 0113-496-0123."),
    ("email", "Write to j.smith+help@example.org.uk today."),
    ("nhs_number", "My NHS number is 943 476 5919."),
    ("nhs_number", "It was 9434765919 on the letter."),
    ("postcode", "They moved me to NE1 4ST last month."),
    ("postcode", "the hostel in sw1a 1aa was full"),
    ("address", "I was living at 12 Acacia Road then."),
    ("address", "She came round to 3b Mill lane."),
    ("address", "Flat 7 had no heating."),
    ("date_of_birth", "I was born on 3/4/1985 in the old hospital."),
    ("date_of_birth", "born 3rd April 1985"),
    ("date_of_birth", "They asked for my DOB at reception."),
    ("date_of_birth", "my date of birth was on every form"),
    ("name", "My keyworker Sarah Jenkins was brilliant."),
    ("name", "Then Sarah Jenkins said I was doing well."),
    ("name", "Mrs Evans at the chemist knew me."),
    ("name", "my son Daniel came with me"),
    ("name", "a nurse called Tom sat with me"),
    ("name", "Dr Okafor listened."),
    ("name", "fy ngweithiwr Gwen Davies helped"),
    # lower case, after punctuation, Welsh and South Asian names, a name on its own
    ("name", "my worker sarah was kind"),
    ("name", "a woman called priya rang me"),
    ("name", "a worker named jo"),
    ("name", "my name is dave"),
    ("name", "my worker, Sarah, helped"),
    ("name", "Keyworker: Sarah"),
    ("name", "Siân Llewelyn was great"),
    ("name", "Gwenllian sorted my script"),
    ("name", "Dafydd helped"),
    ("name", "Aled Jones drove me there"),
    ("name", "Harpreet Kaur listened"),
    ("name", "Sunita came round"),
    ("name", "I'm Dave, I've been clean a year"),
    ("phone", "Ring 07700 900 123"),
    ("phone", "call +44 7700 900123"),
    ("phone", "+447700900123"),
    ("email", "email jo.bloggs@mail.co.uk"),
    ("nhs_number", "NHS 943 476 5919"),
    ("postcode", "they put me in m1 1ae"),
    ("date_of_birth", "born 3rd March 1985"),
    ("date_of_birth", "DOB 03/03/85"),
    ("address", "42 Acacia Avenue"),
    ("address", "I live at 42 acacia avenue"),
]

CLEAN = [
    "They made me a cup of tea before any forms.",
    "It cost £10 and took 3 weeks; I waited 12 days for a call back.",
    "I was born in Leeds and moved here at 20.",
    "The nurse was lovely and the keyworker listened.",
    "I am not a number. I want to be treated with dignity.",
    "In 2019 I had 4 or 5 appointments a week.",
    "We met at the NHS clinic on Monday at 10am.",
    "The Big Conversation was held in the town hall.",
    "943 476 5910 is not a valid NHS number",  # wrong check digit, and no phone shape
    "I met Hope again",
    "Monday",
    "I went to the Job Centre on Monday",
    "Road to recovery",
    "It was the road to recovery",
    "It cost £4.60 a day",
    "After 6 months I felt better",
    "Step 1 again",
    "I called the service and they called me back",
    "my worker said no",
    "my mum Said no",  # a capitalised verb after a relation is not a name
    "my partner Who knew",
    "a group called Narcotics Anonymous",
    "a place called The Hub",
    "2 years on the street",
    "a 2 hour drive away",
    "3 days down the road",
    "Dawn broke and To be Frank I was scared",
    "",
]


@pytest.mark.parametrize("kind,text", FOUND)
def test_finds_personal_details(kind, text):
    flags = screening.screen(text)
    assert kind in {f.kind for f in flags}, f"{kind} not found"


@pytest.mark.parametrize("text", CLEAN)
def test_ordinary_words_pass(text):
    assert screening.screen(text) == []


def test_nhs_check_digit():
    assert screening._nhs_check_ok("9434765919")
    assert not screening._nhs_check_ok("9434765910")
    # 100000001 gives a remainder whose check digit would be 10: never a valid NHS number
    assert not any(screening._nhs_check_ok("100000001" + d) for d in "0123456789")


def test_flags_never_hold_the_words():
    text = "My keyworker Sarah Jenkins rang from 07700 900123."
    flags = screening.screen(text)
    stored = screening.flags_to_json(flags)
    assert "Sarah" not in stored and "07700" not in stored
    assert screening.reasons(flags) == "a person's name; a phone number"
    assert screening.flags_from_json(stored) == flags
    assert screening.mark(text, flags) == "My keyworker [[Sarah Jenkins]] rang from [[07700 900123]]."


def test_screening_is_pure():
    text = "I live at 12 Acacia Road, NE1 4ST."
    assert screening.screen(text) == screening.screen(text)
    assert [f.kind for f in screening.screen(text)] == ["address", "postcode"]
