"""The weekly chart: median time to claim per kind over the last weeks, and how many fell through.

Rendered headless with matplotlib's Agg canvas (no pyplot, no display, safe in worker threads), from
the series the digest planner stored with the upload, so a retry draws the same picture. matplotlib
is imported when the first chart is drawn, not when Dibs starts.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.insight.stats import Week
from bot.settings import Settings
from bot.settings.labels import kind_label

WIDTH, HEIGHT, DPI = 8.0, 4.5, 100  # 800 × 450 pixels


def series_args(weeks: Sequence[Week]) -> list[dict[str, Any]]:
    """The series as JSON for the outbox row."""
    return [{"start": w.start.isoformat(), "to_claim": w.to_claim, "fell_through": w.fell_through} for w in weeks]


def series_of(args: Sequence[dict[str, Any]]) -> list[Week]:
    """The series back from the outbox row."""
    return [Week(date.fromisoformat(w["start"]), dict(w["to_claim"]), int(w["fell_through"])) for w in args]


def has_data(weeks: Sequence[Week]) -> bool:
    """Whether there is anything to draw (a channel with no claims and nothing fallen through has not)."""
    return any(w.to_claim or w.fell_through for w in weeks)


def render_chart(weeks: Sequence[Week], title: str, settings: Settings | None = None) -> bytes:
    """A PNG: lines of median hours to claim per kind (named by its label), bars of follow-ups that fell through."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    labels = [f"{w.start:%d %b}" for w in weeks]
    positions = list(range(len(weeks)))
    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    claim_axes, fell_axes = figure.subplots(2, 1, sharex=True, height_ratios=[3, 2])
    figure.suptitle(title, fontsize=12)
    kinds = sorted({kind for w in weeks for kind in w.to_claim})
    for kind in kinds:
        hours = [w.to_claim.get(kind, math.nan) for w in weeks]  # a week without claims leaves a gap
        claim_axes.plot(positions, hours, marker="o", label=kind_label(settings, kind))
    claim_axes.set_ylabel("hours to claim\n(median)")
    claim_axes.set_ylim(bottom=0)
    claim_axes.grid(axis="y", alpha=0.3)
    if kinds:
        claim_axes.legend(loc="upper left", fontsize=8, frameon=False)
    else:
        claim_axes.text(0.5, 0.5, "nothing was claimed", ha="center", va="center", transform=claim_axes.transAxes)
    fell = [w.fell_through for w in weeks]
    fell_axes.bar(positions, fell, color="#d9534f")
    fell_axes.set_ylabel("fell through")
    fell_axes.set_ylim(bottom=0, top=max([*fell, 1]) * 1.2)
    fell_axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    fell_axes.set_xticks(positions, labels, fontsize=8)
    fell_axes.set_xlabel("week starting")
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
