"""Collecting the import report: one line per item where it matters, one counted line for the many
(comments, menu items, revisions) so a blog with 4,000 comments gives a readable report."""

from __future__ import annotations

from collections.abc import Callable

from etalase.platform.importers.model import Note, Skipped


class Report:
    def __init__(self) -> None:
        self.skipped: list[Skipped] = []
        self.notes: list[Note] = []
        # (skip?, code, key) → [count, message for n]; kept in first-seen order.
        self._tallies: dict[tuple[bool, str, str], tuple[list[int], Callable[[int], str]]] = {}

    def skip(self, code: str, title_or_id: str, message: str) -> None:
        self.skipped.append(Skipped(code, title_or_id, message))

    def note(self, code: str, title_or_id: str, message: str) -> None:
        self.notes.append(Note(code, title_or_id, message))

    def tally_skip(self, code: str, message: Callable[[int], str], key: str = "", amount: int = 1) -> None:
        """Count skipped entries of a kind reported once, e.g. ``lambda n: f"{n} komentar…"``."""
        self._tally(True, code, key, message, amount)

    def tally_note(self, code: str, message: Callable[[int], str], key: str = "", amount: int = 1) -> None:
        self._tally(False, code, key, message, amount)

    def _tally(self, skip: bool, code: str, key: str, message: Callable[[int], str], amount: int) -> None:
        if amount <= 0:
            return
        entry = self._tallies.setdefault((skip, code, key), ([0], message))
        entry[0][0] += amount

    def finish(self) -> tuple[list[Skipped], list[Note]]:
        """Every line: the counted ones first (they describe the whole file), then the rest."""
        counted_skips = [
            Skipped(code, key, message(n[0]), n[0])
            for (skip, code, key), (n, message) in self._tallies.items()
            if skip
        ]
        counted_notes = [
            Note(code, key, message(n[0]), n[0])
            for (skip, code, key), (n, message) in self._tallies.items()
            if not skip
        ]
        return counted_skips + self.skipped, counted_notes + self.notes
