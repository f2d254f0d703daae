"""Confusion matrix of the extractive drafter on dev items for one parameter setting.

    python -m evals.tuning.confusion --gold ... --docs corpora/demo --set support_z=3.5,topic=0.2
Dev split only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from evals.tuning.devset import dev_parser, drafters_for, load_dev
from reviewer.drafting.extractive import ExtractiveParams
from reviewer.models import Verdict


def parse_set(text: str) -> dict[str, float | int | bool]:
    out: dict[str, float | int | bool] = {}
    for part in filter(None, text.split(",")):
        name, value = part.split("=")
        out[name] = int(value) if value.isdigit() else float(value)
    return out


def main() -> None:
    ap = dev_parser(__doc__)
    ap.add_argument("--set", default="")
    args = ap.parse_args()
    devs = load_dev(args.gold, args.docs)
    drafters = drafters_for(devs, replace(ExtractiveParams(), **parse_set(args.set)))
    counts: Counter[tuple[str, str]] = Counter()
    for dev in devs:
        d = drafters[id(dev.ws)].draft(dev.question, dev.evidence)
        counts[(dev.item.verdict.value, d.verdict.value)] += 1
    names = [v.value for v in Verdict]
    print("gold \\ drafted".ljust(24) + "".join(n[:11].rjust(13) for n in names))
    for g in names:
        print(g.ljust(24) + "".join(str(counts[(g, p)]).rjust(13) for p in names))
    right = sum(counts[(n, n)] for n in names)
    print(f"accuracy {right}/{len(devs)}")


if __name__ == "__main__":
    main()
