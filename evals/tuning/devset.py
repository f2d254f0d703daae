"""The dev items every tuning script reads: gold item, question, retrieved evidence, workspace.

Only the dev split is ever loaded here; the demo test split and the real-document set are for
reporting (`reviewer eval`), never for tuning.

Dev items may come from several corpora: `--docs` takes one folder for all gold files, or one
folder per gold file in the same order. Each corpus gets its own eval workspace, so IDF and the
background sample (which the drafter's relative bars read) are per corpus, as in `reviewer eval`.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, overload

from reviewer.banks import all_questions
from reviewer.drafting.extractive import ExtractiveDrafter, ExtractiveParams
from reviewer.evaluation.gold import GoldItem, hide_answers, load_gold
from reviewer.evaluation.runner import corpus_hash, default_workspace, question_for
from reviewer.models import Evidence, Question
from reviewer.workspace import Workspace

D = TypeVar("D", bound=ExtractiveDrafter)


@dataclass
class DevItem:
    item: GoldItem
    question: Question
    evidence: list[Evidence]
    ws: Workspace
    corpus: Path


def dev_parser(description: str | None) -> argparse.ArgumentParser:
    """An argument parser with the --gold and --docs options every tuning script takes."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--gold", type=Path, nargs="+", required=True)
    ap.add_argument(
        "--docs",
        type=Path,
        nargs="+",
        required=True,
        help="one corpus folder for every gold file, or one per gold file in the same order",
    )
    return ap


def add_cache_options(ap: argparse.ArgumentParser, what: str) -> None:
    """--out / --load for a diagnostic whose per-item output is slow to compute (model calls)."""
    ap.add_argument("--out", type=Path, help=f"save the {what} (JSON) here")
    ap.add_argument("--load", type=Path, help=f"report from {what} saved earlier")


def cached_rows(
    args: argparse.Namespace, collect: Callable[[argparse.Namespace], list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """The rows saved with --load, else freshly collected; saved to --out when given."""
    rows: list[dict[str, Any]] = json.loads(args.load.read_text()) if args.load else collect(args)
    if args.out:
        args.out.write_text(json.dumps(rows))
    return rows


def pair_gold_with_docs(gold: list[Path], docs: list[Path]) -> list[tuple[Path, Path]]:
    """(gold file, corpus folder) pairs: one folder shared by all, or one folder per file."""
    if len(docs) == 1:
        return [(g, docs[0]) for g in gold]
    if len(docs) != len(gold):
        raise SystemExit(
            f"--docs: give 1 folder or {len(gold)} (one per gold file), not {len(docs)}"
        )
    return list(zip(gold, docs, strict=True))


def load_dev(gold: list[Path], docs: list[Path], split: str | None = "dev") -> list[DevItem]:
    """The dev items of every gold file, retrieved in the eval workspace of their corpus.

    `split` other than "dev" is for a recorded look at held-out items (None = every item of
    files that have no split), never for tuning."""
    banks = {q.id: q for q in all_questions()}
    spaces: dict[Path, Workspace] = {}
    out = []
    for path, folder in pair_gold_with_docs(gold, docs):
        if folder not in spaces:
            ws = Workspace.open(default_workspace(folder, corpus_hash(folder)))
            ws.ingest([folder])  # unchanged files under the current recipe are skipped
            spaces[folder] = ws
        ws = spaces[folder]
        for item in load_gold(path, split=split):
            q = question_for(hide_answers(item), banks)
            out.append(DevItem(item, q, ws.retrieve(q, scope=item.scope or None), ws, folder))
    return out


@overload
def drafters_for(
    devs: list[DevItem], params: ExtractiveParams | None = None
) -> dict[int, ExtractiveDrafter]: ...
@overload
def drafters_for(
    devs: list[DevItem], params: ExtractiveParams | None = None, *, cls: type[D]
) -> dict[int, D]: ...
def drafters_for(
    devs: list[DevItem],
    params: ExtractiveParams | None = None,
    *,
    cls: type[Any] = ExtractiveDrafter,
) -> dict[int, Any]:
    """One extractive drafter (of `cls`) per workspace, keyed by `id(ws)`, each with its corpus
    statistics."""
    out: dict[int, Any] = {}
    for dev in devs:
        if id(dev.ws) not in out:
            ws = dev.ws
            out[id(ws)] = cls(
                ws.cached_embedder,
                params or ExtractiveParams(),
                idf=ws.idf(),
                background=ws.background_sentences(),
            )
    return out
