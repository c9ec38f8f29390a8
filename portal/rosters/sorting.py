"""The stored sort key: Vietnamese name order as a plain string.

`portal.text.name_sort_key` gives the order as a tuple (given name first, letters in the
Vietnamese alphabet, tone marks after the letters). The database needs a string that sorts
the same way everywhere, so each letter becomes two lower-case ASCII letters and each tone
one letter: a string of [a-z] only compares identically under SQLite's BINARY collation and
any PostgreSQL collation (the column also uses "C" there)."""
from __future__ import annotations

from functools import lru_cache

from portal.text import _letter_key, clean

MAX_SORT_KEY = 255
_END = "aa"  # ends a word: sorts before every letter code


def _code(number: int) -> str:
    number = max(0, min(number, 26 * 26 - 1))
    return chr(97 + number // 26) + chr(97 + number % 26)


@lru_cache(maxsize=65536)  # names reuse few words: an import of 100,000 rows computes each once
def _word(word: str) -> str:
    keys = [_letter_key(ch) for ch in word.lower()]
    letters = "".join(_code(index + 2) for index, _ in keys)
    tones = "".join(chr(98 + tone) for _, tone in keys)
    return letters + "ab" + tones + _END


def sort_key(full_name: str) -> str:
    """Given name (last word) first, then family and middle names, each in Vietnamese order."""
    words = clean(full_name).split(" ")
    if words == [""]:
        return ""
    return (_word(words[-1]) + "".join(_word(w) for w in words[:-1]))[:MAX_SORT_KEY]
