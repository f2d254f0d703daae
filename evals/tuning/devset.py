"""The dev items every tuning script reads: gold item, question and retrieved evidence.

Only the dev split is ever loaded here; the demo test split and the real-document set are for
reporting (`reviewer eval`), never for tuning.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from reviewer.banks import all_questions
from reviewer.evaluation.gold import GoldItem, hide_answers, load_gold
from reviewer.evaluation.runner import corpus_hash, default_workspace, question_for
from reviewer.models import Evidence, Question
from reviewer.workspace import Workspace


@dataclass
class DevItem:
    item: GoldItem
    question: Question
    evidence: list[Evidence]


def dev_parser(description: str | None) -> argparse.ArgumentParser:
    """An argument parser with the --gold and --docs options every tuning script takes."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--gold", type=Path, nargs="+", required=True)
    ap.add_argument("--docs", type=Path, required=True)
    return ap


def load_dev(gold: list[Path], docs: Path) -> tuple[Workspace, list[DevItem]]:
    """The eval workspace for `docs` (ingested on first use) and its dev items, retrieved."""
    ws = Workspace.open(default_workspace(docs, corpus_hash(docs)))
    ws.ingest([docs])  # unchanged files under the current recipe are skipped
    banks = {q.id: q for q in all_questions()}
    out = []
    for path in gold:
        for item in load_gold(path, split="dev"):
            q = question_for(hide_answers(item), banks)
            out.append(DevItem(item, q, ws.retrieve(q, scope=item.scope or None)))
    return ws, out
