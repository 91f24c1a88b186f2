"""The reference a person keeps so they can take their story back later.

A peer interviewer reads it to the person, or tears it off the paper sheet for them. It must be
easy to read aloud over a phone and to type from a scrap of paper, and nobody may work it out
from anything about the person: so it is twelve letters drawn at random (`secrets`), in three
groups of four, from an alphabet without the letters that are most often mistaken for another
letter or a digit (no O or Q beside D and 0, no I or L beside J and 1, no B, S, Z or G that
pass for 8, 5, 2 and 6, no U beside V, no V beside W).
Sixteen letters, twelve of them: 2^48 references, so guessing one is hopeless even before the
sign-in that withdrawing needs.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "ACDEFHJKMNPRTWXY"  # 16 letters: no B G I L O Q S U V Z
GROUPS, GROUP_LENGTH = 3, 4
LENGTH = GROUPS * GROUP_LENGTH
EXAMPLE = "KMTR-HWAX-CEPN"
_ANYTHING_BUT_LETTERS = re.compile(r"[^A-Za-z]")
# Letters people may hear or write for one of ours, and the one they most likely meant.
_SOUNDS_LIKE = {"O": "D", "Q": "D", "I": "J", "L": "J", "U": "W", "V": "W", "B": "D", "S": "F", "Z": "X", "G": "J"}


class ReferenceError(ValueError):
    """A reference that cannot be one, with a plain reason and the letters it may use."""


def make() -> str:
    """A new reference, such as KMTR-HWAX-CEPN: random letters, nothing about the person."""
    letters = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return shown(letters)


def shown(compact: str) -> str:
    """Twelve letters as a person reads them: three groups of four joined by dashes."""
    return "-".join(compact[i : i + GROUP_LENGTH] for i in range(0, LENGTH, GROUP_LENGTH))


def compact(text: str) -> str:
    """A reference as typed ('kmtr hwax cepn', 'KMTR-HWAX-CEPN') as its twelve capital letters,
    the form every comparison uses; the letters as found when it is not a reference."""
    return _ANYTHING_BUT_LETTERS.sub("", str(text or "")).upper()


def is_reference(text) -> bool:
    letters = compact(text)
    return len(letters) == LENGTH and all(c in ALPHABET for c in letters)


def parse(text: str) -> str:
    """A reference as typed, in its shown form; ReferenceError saying what is wrong."""
    letters = compact(text)
    if not letters:
        raise ReferenceError(f"Type the reference the person kept: twelve letters, such as {EXAMPLE}.")
    strange = sorted({c for c in letters if c not in ALPHABET})
    if strange:
        hints = ", ".join(f"{c} (did you mean {_SOUNDS_LIKE[c]}?)" if c in _SOUNDS_LIKE else c for c in strange)
        raise ReferenceError(
            f"A reference never has the letter {hints}. It uses only {' '.join(ALPHABET)}: check the card or "
            "the paper sheet letter by letter."
        )
    if len(letters) != LENGTH:
        raise ReferenceError(
            f"A reference has {LENGTH} letters in three groups of four, such as {EXAMPLE}; this has {len(letters)}."
        )
    return shown(letters)
