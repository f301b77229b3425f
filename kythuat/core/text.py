"""Vietnamese search normalisation (DESIGN.md §3.7): "dong bien phong" finds "Đồn Biên phòng"."""

import re
import unicodedata

_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "ð": "d"})
# The combining marks Latin text uses (Vietnamese among them); U+034F is not a mark (class 0).
_LATIN_MARKS = re.compile("[\u0300-\u034e\u0350-\u036f]")
_NON_ASCII = re.compile("[^\x00-\x7f]")


def fold(text: str | None) -> str:
    """Lower-case, strip diacritics and collapse spaces; the same on every database backend."""
    if not text:
        return ""
    folded = str(text)
    if folded.isascii():  # no diacritics to strip: most serial numbers and codes, and much faster
        return " ".join(folded.casefold().split())
    for _ in range(2):  # twice: case folding can yield letters that decompose, and back
        decomposed = unicodedata.normalize("NFD", folded.casefold().translate(_EXTRA))
        stripped = _LATIN_MARKS.sub("", decomposed)
        if stripped.isascii():  # the usual case: nothing left to strip, and a second pass changes nothing
            folded = stripped
            break
        if any(unicodedata.combining(ch) for ch in _NON_ASCII.findall(stripped)):
            stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        folded = stripped  # "—", "×"… are kept as they are
    return " ".join(folded.split())


def search_terms(query: str | None) -> list[str]:
    """Split a user's query into folded words; every word must match (AND). Punctuation between
    words ("7,62", "SN-001", "—") only separates them."""
    return re.findall(r"\w+", fold(query))
