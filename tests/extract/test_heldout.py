"""Evaluation of the extractor on the project's own annotated sets (tests/extract/data/).

The sets were written independently of the dev set, following the annotation
guideline (EXTRACTION.md), to catch an extractor tuned to the dev set:
`heldout.jsonl` (60 documents; its error list was later used to fix general
rules) and `blind.jsonl` (50 documents, scored blind: F1 0.955 before anyone
read its errors). Scoring mirrors eval/score.py: micro P/R/F1 over
per-document sets of (kind, value) pairs, agency-set F1, and qualifier /
attribution accuracy over matched figures. The floors are regression floors
just under the scores at the time they were set, not targets.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


def _floors(figures_f1: float, country_acc: float | None = None) -> dict[str, float]:
    """The floors of a set: its figures F1 (and country accuracy), the rest shared."""
    floors = {
        "figures_f1": figures_f1,
        "agencies_f1": 0.98,
        "qualifier_acc": 0.95,
        "attribution_acc": 0.90,
    }
    if country_acc is not None:
        floors["country_acc"] = country_acc
    return floors


SETS = {
    # name: (documents, floors)
    "heldout": (60, _floors(0.95)),
    "blind": (50, _floors(0.93)),
    # Written by helpers that never read the extractor (stops 17-18): reports like the
    # dev set (D), country traps (C2), and reports, alerts and traps (E). Scored blind
    # first (F1 0.917, 0.952, 0.896), then their errors were used to fix general rules.
    "blind_d": (40, _floors(0.96, country_acc=0.96)),
    "blind_c2": (20, _floors(0.94, country_acc=0.92)),
    "blind_e": (40, _floors(0.96, country_acc=0.96)),
}


def _load(name: str) -> list[dict]:
    with (DATA / f"{name}.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def _acronyms(names) -> set[str]:
    return {a for a in names if a and a.upper() not in ("UN", "UNITED NATIONS")}


#: The fields of a matched figure compared with the gold one.
_COMPARED = ("qualifier", "agency", "country")


def _share(right: int, seen: int, *, empty: float) -> float:
    return right / seen if seen else empty


def _score(docs: list[dict], extract) -> tuple[dict, list[str]]:
    tp = fp = fn = 0
    atp = afp = afn = 0
    matched = dict.fromkeys(_COMPARED, (0, 0))  # field: (right, compared)
    errors: list[str] = []
    for d in docs:
        did = d["id"]
        report = extract(d["text"])
        gold_figs = {(g["kind"], int(g["value"])): g for g in d["gold"]["figures"]}
        pred_figs: dict[tuple[str, int], object] = {}
        for f in report.figures:
            try:
                pred_figs.setdefault((f.kind, int(f.value)), f)
            except (TypeError, ValueError):
                continue
        for key, g in gold_figs.items():
            p = pred_figs.get(key)
            if p is None:
                fn += 1
                errors.append(f"MISS   {did}: {key[0]} {key[1]}")
                continue
            tp += 1
            for field in _COMPARED:
                if field in g:
                    right, seen = matched[field]
                    got = getattr(p, field) or None
                    matched[field] = (right + (got == (g[field] or None)), seen + 1)
                    if got != (g[field] or None):
                        errors.append(
                            f"{field.upper():9} {did}: {key[0]} {key[1]} gold={g[field]} got={got}"
                        )
        if not d.get("recall_only"):
            for key in pred_figs.keys() - gold_figs.keys():
                fp += 1
                errors.append(f"FALSE  {did}: {key[0]} {key[1]}")
            ga = _acronyms(d["gold"].get("agencies", []))
            pa = _acronyms(a.acronym for a in report.agencies)
            atp += len(ga & pa)
            afp += len(pa - ga)
            afn += len(ga - pa)
            errors += [f"AGENCY-MISS  {did}: {a}" for a in sorted(ga - pa)]
            errors += [f"AGENCY-FALSE {did}: {a}" for a in sorted(pa - ga)]
    metrics = {
        "figures_f1": _prf(tp, fp, fn)[2],
        "agencies_f1": _prf(atp, afp, afn)[2],
        "qualifier_acc": _share(*matched["qualifier"], empty=0.0),
        "attribution_acc": _share(*matched["agency"], empty=0.0),
        "country_acc": _share(*matched["country"], empty=1.0),
    }
    return metrics, errors


@pytest.mark.parametrize("name", sorted(SETS))
def test_gold_is_well_formed(name: str):
    docs = _load(name)
    assert len(docs) == SETS[name][0]
    assert len({d["id"] for d in docs}) == len(docs)
    for d in docs:
        for g in d["gold"]["figures"]:
            assert g["qualifier"] in ("exact", "about", "at_least", "at_most", "range"), d["id"]
            assert (g["qualifier"] == "range") == (g["high"] is not None), d["id"]
            assert g["unit"] in ("people", "households"), d["id"]
            assert g["agency"] is None or g["agency"] in d["gold"]["agencies"], d["id"]


@pytest.mark.parametrize("name", sorted(SETS))
def test_scores_above_floors(name: str):
    from notifier.extract import extract  # noqa: PLC0415 (import inside the test, as the brief asks)

    metrics, errors = _score(_load(name), extract)
    summary = " ".join(f"{k}={v:.3f}" for k, v in metrics.items())
    print(summary)
    floors = SETS[name][1]
    assert all(metrics[k] >= floor for k, floor in floors.items()), (
        summary + "\n" + "\n".join(errors)
    )
