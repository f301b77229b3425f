"""Demo data is built by the apps in turn: each registers a builder when it starts (AppConfig.ready),
so `kythuat demo` covers every app without core importing any of them."""

from collections.abc import Callable

DEFAULT_PASSWORD = "KyThuat@2026"

# (order, name, builder(options) -> list of summary lines)
BUILDERS: list[tuple[int, str, Callable[[dict], list[str]]]] = []


def register(order: int, name: str, builder: Callable[[dict], list[str]]) -> None:
    if name not in {n for _o, n, _b in BUILDERS}:
        BUILDERS.append((order, name, builder))
        BUILDERS.sort(key=lambda entry: entry[0])
