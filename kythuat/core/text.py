"""Vietnamese search normalisation (DESIGN.md §3.7): "dong bien phong" finds "Đồn Biên phòng"."""

import unicodedata

_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "ð": "d"})


def fold(text: str | None) -> str:
    """Lower-case, strip diacritics and collapse spaces; the same on every database backend."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", str(text).translate(_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def search_terms(query: str | None) -> list[str]:
    """Split a user's query into folded terms; every term must match (AND)."""
    return [term for term in fold(query).split(" ") if term]
