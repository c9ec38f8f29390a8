"""Vietnamese text rules shared by every domain: normalisation, folding, sorting."""
import re
import unicodedata


# Vietnamese alphabetical order; tone marks rank after the base letter.
_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền hỏi ngã sắc nặng
_BASE_MARKS = {"\u0306", "\u0302", "\u031b"}  # ă/â/ê/ô, ơ/ư


_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_controls(value):
    """Drop control characters (NUL, escapes...) but keep tabs and line breaks; PostgreSQL refuses NUL."""
    return _CONTROLS.sub("", value) if isinstance(value, str) else value


def clean(value: str | None) -> str:
    """NFC, trimmed, inner whitespace collapsed."""
    if value is None:
        return ""
    # str.split() splits on exactly the characters that `\s` matches (str.isspace): the same
    # result as a regex substitution and a strip, at a fraction of the cost (a bulk import
    # calls this several times per row). A text that was clean already is returned itself,
    # not an equal copy: an import keeps 100,000 rows of them.
    text = unicodedata.normalize("NFC", str(value))
    cleaned = " ".join(text.split())
    return text if cleaned == text else cleaned


_VIETNAMESE_MARKS = re.compile("[\u0300-\u036f]")


def fold(value: str | None) -> str:
    """Lower case without diacritics, đ → d: the key that search compares."""
    text = _VIETNAMESE_MARKS.sub("", unicodedata.normalize("NFD", clean(value).lower())).replace("đ", "d")
    if not text.isascii():  # rarer marks outside the Vietnamese range (a bulk import calls this per row)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text


def _letter_key(ch: str) -> tuple[int, int]:
    decomposed = unicodedata.normalize("NFD", ch)
    tone = 0
    base = ""
    for part in decomposed:
        if part in _TONES:
            tone = _TONES[part]
        else:
            base += part
    base = unicodedata.normalize("NFC", base)
    index = _ALPHABET.find(base)
    return (index if index >= 0 else 100 + ord(base[0]) if base else 0, tone)


def word_key(word: str) -> tuple:
    word = word.lower()
    letters = tuple(_letter_key(ch)[0] for ch in word)
    tones = tuple(_letter_key(ch)[1] for ch in word)
    return letters + (-1,) + tones


def name_sort_key(full_name: str) -> tuple:
    """Vietnamese order: given name (last word) first, then family and middle names."""
    words = clean(full_name).split(" ")
    if not words or words == [""]:
        return ()
    return (word_key(words[-1]), tuple(word_key(w) for w in words[:-1]))


def title_name(value: str) -> str:
    """"nguyễn thị hường" → "Nguyễn Thị Hường"."""
    return " ".join(w[:1].upper() + w[1:].lower() for w in clean(value).split(" ") if w)


def format_size(size: int | None) -> str:
    """A file size the Vietnamese way: 412 → "412 byte", 1536 → "1,5 KB", 5242880 → "5 MB"."""
    size = int(size or 0)
    if size < 1024:
        return f"{size} byte"
    for unit, factor in (("KB", 1024), ("MB", 1024 ** 2), ("GB", 1024 ** 3)):
        if size < factor * 1024 or unit == "GB":
            text = f"{size / factor:.1f}".removesuffix(".0").replace(".", ",")
            return f"{text} {unit}"
    raise AssertionError("unreachable")
