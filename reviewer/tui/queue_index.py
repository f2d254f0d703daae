"""Sorted and searchable views of the queue, kept between keys.

With thousands of findings a re-sort or a search keystroke must not rebuild every row: each
sort order is computed once and then patched when a decision changes one finding, the search
text of each finding is built once, and a search that only grows narrows the previous result.
The result is always what `arrange` would return for the same findings, filters and sort.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from reviewer.findings_view import REVIEWED
from reviewer.models import Finding
from reviewer.tui.widgets.queue import Filters, search_text, sort_key


class QueueIndex:
    """Findings by id in saved order, with cached sort orders and search texts."""

    def __init__(self, findings: dict[str, Finding]) -> None:
        self.findings = findings  # shared with the screen; changed only through replace()
        self.position = {fid: i for i, fid in enumerate(findings)}
        self.reviewed = sum(1 for f in findings.values() if f.status in REVIEWED)
        self._sorted: dict[str, list[str]] = {}
        self._texts: dict[str, str] = {}
        # (filters without search, sort, reverse, search, shown ids) of the last arrange()
        self._last: tuple[Filters, str, bool, str, list[str]] | None = None

    def _key(self, sort: str) -> Callable[[str], tuple[Any, ...]]:
        findings, position = self.findings, self.position
        return lambda fid: sort_key(sort, findings[fid], position[fid])

    def sorted_ids(self, sort: str) -> list[str]:
        """Every finding id in `sort` order (ascending); computed once per sort name."""
        ids = self._sorted.get(sort)
        if ids is None:
            ids = self._sorted[sort] = sorted(self.findings, key=self._key(sort))
        return ids

    def text(self, fid: str) -> str:
        found = self._texts.get(fid)
        if found is None:
            found = self._texts[fid] = search_text(self.findings[fid])
        return found

    def arrange(self, filters: Filters, sort: str, reverse: bool) -> list[str]:
        """Ids of the findings to show, filtered and sorted (same result as `arrange`)."""
        base = replace(filters, search="")
        needle = filters.search.casefold()
        last = self._last
        if last and last[:3] == (base, sort, reverse) and last[3] in needle:
            candidates: Any = last[4]  # a longer search only drops rows from the last result
        else:
            ids = self.sorted_ids(sort)
            candidates = reversed(ids) if reverse else ids
        check_base = base.active()
        findings, text = self.findings, self.text
        shown = [
            fid
            for fid in candidates
            if (not needle or needle in text(fid))
            and (not check_base or base.matches(findings[fid]))
        ]
        self._last = (base, sort, reverse, needle, shown)
        return shown

    def replace(self, f: Finding) -> None:
        """Put a changed finding (same id) in place; cached orders move just that id."""
        old = self.findings[f.id]
        pos = self.position[f.id]
        self.reviewed += (f.status in REVIEWED) - (old.status in REVIEWED)
        moved: list[tuple[str, list[str]]] = []
        for sort, ids in self._sorted.items():
            old_key = sort_key(sort, old, pos)
            if old_key != sort_key(sort, f, pos):
                # Keys are unique (they end in the saved position or the id): bisect finds it.
                i = bisect.bisect_left(ids, old_key, key=self._key(sort))
                if i < len(ids) and ids[i] == f.id:
                    ids.pop(i)
                else:  # not where its key says; never expected, but stay correct
                    ids.remove(f.id)
                moved.append((sort, ids))
        self.findings[f.id] = f
        for sort, ids in moved:
            bisect.insort(ids, f.id, key=self._key(sort))
        self._texts.pop(f.id, None)
        self._last = None
