"""Figures: what was measured, against which goal, printed as a table and saved as JSON."""
from __future__ import annotations

import json
import operator
from dataclasses import asdict, dataclass
from pathlib import Path

OPS = {">=": operator.ge, "<=": operator.le, "==": operator.eq}
MISSING = "not measured: feature missing"


@dataclass
class Figure:
    name: str
    value: float | None
    unit: str
    goal: str | None      # e.g. ">= 300", "<= 150"; None for a reference (limit) figure
    db: str
    note: str = ""

    @property
    def met(self) -> bool | None:
        if self.value is None or not self.goal:
            return None
        op, _, threshold = self.goal.partition(" ")
        return OPS[op](self.value, float(threshold))


class Results:
    def __init__(self):
        self.figures: list[Figure] = []

    def add(self, name, value, unit, goal, db, note="") -> Figure:
        fig = Figure(name, None if value is None else round(float(value), 3), unit, goal, db, note)
        self.figures.append(fig)
        print(f"  {fig.name} [{db}]: {_value(fig)} {fig.unit}  goal {fig.goal or '-'}  {_met(fig)}  {note}", flush=True)
        return fig

    def missing(self, name, unit, goal, db, what="") -> Figure:
        return self.add(name, None, unit, goal, db, MISSING + (f" ({what})" if what else ""))

    def table(self) -> str:
        rows = [("figure", "value", "unit", "goal", "met?", "db", "note")]
        for f in self.figures:
            rows.append((f.name, _value(f), f.unit, f.goal or "-", _met(f), f.db, f.note))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
        lines = []
        for n, row in enumerate(rows):
            cells = [c.ljust(w) if i == 0 else c.rjust(w) if i == 1 else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))]
            lines.append("  ".join(cells) + ("  " + row[-1] if row[-1] else ""))
            if n == 0:
                lines.append("  ".join("-" * w for w in widths))
        return "\n".join(lines)

    def markdown(self) -> str:
        lines = ["| figure | value | unit | goal | met? | db | note |", "|---|---:|---|---|---|---|---|"]
        for f in self.figures:
            lines.append(f"| {f.name} | {_value(f)} | {f.unit} | {f.goal or '—'} | {_met(f)} | {f.db} | {f.note} |")
        return "\n".join(lines)

    def save(self, path: Path) -> None:
        """A JSON list, one entry per figure (plus whether its goal was met and any note)."""
        entries = []
        for f in self.figures:
            entry = {k: v for k, v in asdict(f).items() if k in ("name", "value", "unit", "goal", "db")}
            entry["met"] = f.met
            if f.note:
                entry["note"] = f.note
            entries.append(entry)
        path.write_text(json.dumps(entries, ensure_ascii=False, indent=2) + "\n",
                        encoding="utf-8")


def _value(f: Figure) -> str:
    if f.value is None:
        return "—"
    if abs(f.value) >= 100:
        return f"{f.value:,.0f}"
    return f"{f.value:.3g}" if abs(f.value) < 10 else f"{f.value:.1f}"


def _met(f: Figure) -> str:
    return {True: "yes", False: "NO", None: "-"}[f.met]
