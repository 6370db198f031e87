"""A client's progress across visits: the history table, a comparison of two visits,
and the progress report (a present/ document with its chart as a Figure: an inline SVG,
and its posture photos side by side by date as `data:` URIs, so the HTML has no
external assets).

Takes plain rows (the CLI maps stored visits to them), so this layer knows nothing of
the database.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
from collections.abc import Sequence
from dataclasses import dataclass, field

from cexpert.explain.reassessment import Comparison
from cexpert.present.document import (
    Cell,
    Document,
    Figure,
    Item,
    ItemList,
    Paragraph,
    Picture,
    Section,
    Table,
)
from cexpert.present.html import render_html
from cexpert.present.text import render_text
from cexpert.present.words import program_status_words


@dataclass(frozen=True)
class HistoryRow:
    number: int
    version: int
    date: str
    status: str             # draft | closed
    fms_total: int | None   # None: no complete FMS that visit
    findings: int | None    # movement-assessment findings; None: no result
    referral: bool | None
    program_status: str | None
    kb_hash: str = ""


@dataclass(frozen=True)
class PhotoCell:
    """A posture photo of a visit, for the report: the visit, the view and the image."""

    number: int
    date: str
    view: str        # front | side | back
    media_type: str  # image/jpeg | image/png | image/webp
    data: bytes = field(repr=False)


PHOTO_VIEWS = ("front", "side", "back")
_FORMAT_WORDS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP"}


def _dash(value) -> str:
    return "–" if value is None else str(value)


def history_text(name: str, rows: Sequence[HistoryRow]) -> str:
    lines = [f"{name}: {len(rows)} visit{'s' if len(rows) != 1 else ''}",
             f"{'#':>3}  {'date':<10}  {'FMS':>3}  {'comp.':>5}  {'referral':<8}  "
             f"{'program':<11}  status"]
    for r in rows:
        referral = _dash(None if r.referral is None else ("yes" if r.referral else "no"))
        version = f" (v{r.version})" if r.version > 1 else ""
        lines.append(f"{r.number:>3}  {r.date:<10}  {_dash(r.fms_total):>3}  "
                     f"{_dash(r.findings):>5}  {referral:<8}  {_status(r.program_status):<11}"
                     f"  {r.status}{version}")
    return "\n".join(lines) + "\n"


def _status(status: str | None) -> str:
    return _dash(program_status_words(status) if status else None)


def _short(kb_hash: str) -> str:
    return kb_hash.removeprefix("sha256:")[:12] or "?"


def comparison_text(title: str, c: Comparison) -> str:
    lines = [title,
             f"knowledge base: {_short(c.kb_before)} → {_short(c.kb_after)}"
             + ("" if c.same_rules else " (different rules)")]
    changed = [f for f in c.fms if f.before != f.after or f.side == "both"]
    if c.fms:
        lines.append(f"FMS total: {_dash(c.fms_total[0])} → {_dash(c.fms_total[1])}")
        for f in changed:
            side = "" if f.side == "both" else f" {f.side}"
            lines.append(f"  {f.test}{side}: {_dash(f.before)} → {_dash(f.after)}")
    for label, items in (("resolved", c.resolved), ("new", c.new),
                         ("persisting", c.persisting)):
        lines.append(f"findings {label}: {', '.join(items) if items else 'none'}")
    if c.muscles:
        lines.append("muscles that changed state:")
        lines += [f"  {m.name or m.muscle} [{m.muscle}]: {m.before} → {m.after}"
                  for m in c.muscles]
    else:
        lines.append("muscles that changed state: none")
    status = c.program_status
    lines.append(f"program: {status[0]} → {status[1]}" if status[0] != status[1]
                 else f"program: {status[1]}")
    lines += [f"  + {p}" for p in c.program_added] + [f"  - {p}" for p in c.program_dropped]
    if c.referral[0] != c.referral[1]:
        lines.append(f"referral: {'yes' if c.referral[0] else 'no'} → "
                     f"{'yes' if c.referral[1] else 'no'}")
    return "\n".join(lines) + "\n"


# --- the progress chart ----------------------------------------------------------------
WIDTH, HEIGHT, PAD = 640, 260, 44
FMS_MAX = 21


def _day(date: str) -> int:
    return _dt.date.fromisoformat(date).toordinal()


def chart_svg(rows: Sequence[HistoryRow]) -> str:
    """x = visit date; the FMS total as a line (a visit without a complete FMS is a gap,
    not 0) and the number of movement-assessment findings as bars."""
    dated = [r for r in rows if r.findings is not None or r.fms_total is not None]
    if not dated:
        return ""
    days = [_day(r.date) for r in dated]
    first, span = min(days), max(max(days) - min(days), 1)
    most = max([r.findings or 0 for r in dated] + [1])
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD

    def x(row: HistoryRow) -> float:
        if len(set(days)) == 1:
            return PAD + inner_w / 2
        return PAD + inner_w * (_day(row.date) - first) / span

    def y(value: float, top: float) -> float:
        return HEIGHT - PAD - inner_h * value / top

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'width="{WIDTH}" height="{HEIGHT}" role="img" '
             f'aria-label="FMS total and movement findings by visit date">',
             f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
             f'stroke="#444"/>',
             f'<text x="{PAD}" y="{PAD - 16}" font-size="12">FMS total (of {FMS_MAX}, '
             f'line) · movement findings (bars, of {most})</text>']
    for tick in range(0, FMS_MAX + 1, 7):  # the FMS scale on the left
        parts.append(f'<text x="{PAD - 6}" y="{y(tick, FMS_MAX) + 3:.1f}" font-size="10" '
                     f'text-anchor="end">{tick}</text>')
    for r in dated:
        if r.findings:
            top = y(r.findings, most)
            parts.append(f'<rect class="findings" x="{x(r) - 7:.1f}" y="{top:.1f}" '
                         f'width="14" height="{HEIGHT - PAD - top:.1f}" fill="#bbb">'
                         f'<title>{html.escape(r.date)}: {r.findings} findings</title></rect>')
        parts.append(f'<text x="{x(r):.1f}" y="{HEIGHT - PAD + 16}" font-size="10" '
                     f'text-anchor="middle">{html.escape(r.date)}</text>')
    for segment in _segments(dated):
        points = " ".join(f"{x(r):.1f},{y(r.fms_total, FMS_MAX):.1f}" for r in segment)
        parts.append(f'<polyline class="fms" points="{points}" fill="none" '
                     f'stroke="#1a5fb4" stroke-width="2"/>')
    for r in dated:
        if r.fms_total is not None:
            parts.append(f'<circle cx="{x(r):.1f}" cy="{y(r.fms_total, FMS_MAX):.1f}" r="4" '
                         f'fill="#1a5fb4"><title>{html.escape(r.date)}: FMS {r.fms_total}'
                         f'</title></circle>')
    parts.append("</svg>")
    return "\n".join(parts)


def _segments(rows: Sequence[HistoryRow]) -> list[list[HistoryRow]]:
    """Runs of visits with an FMS total: a visit without one breaks the line."""
    out: list[list[HistoryRow]] = [[]]
    for r in rows:
        if r.fms_total is None:
            out.append([])
        else:
            out[-1].append(r)
    return [s for s in out if s]


def photos_section(photos: Sequence[PhotoCell]) -> Section | None:
    """The posture photos side by side: a row per view (front, side, back), a column per
    visit with a photo, in date order; a visit without that view leaves its cell empty.
    None when there are no photos."""
    if not photos:
        return None
    visits = sorted({(p.date, p.number) for p in photos})
    by = {(p.number, p.view): p for p in photos}
    header = ("View", *(f"{date} (visit {number})" for date, number in visits))
    rows: list[tuple[Cell, ...]] = []
    for view in PHOTO_VIEWS:
        cells: list[Cell] = [view.capitalize()]
        for date, number in visits:
            photo = by.get((number, view))
            cells.append("" if photo is None else Picture(
                photo.media_type, base64.b64encode(photo.data).decode("ascii"),
                f"{view.capitalize()} view, {date} (visit {number})",
                f"{_FORMAT_WORDS.get(photo.media_type, 'image')} photo, "
                f"{size_words(len(photo.data))}"))
        rows.append(tuple(cells))
    return Section("Posture photos", (
        Paragraph("Front, side and back by visit date, oldest first (an empty cell: no "
                  "photo of that view at that visit).", tone="muted"),
        Table(header, tuple(rows))))


def size_words(size: int) -> str:
    """A file's size for a person: 812 bytes, 245 KB, 3.4 MB."""
    if size < 1024:
        return f"{size} byte{'s' if size != 1 else ''}"
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1048576:.1f} MB"


def report(name: str, rows: Sequence[HistoryRow], comparison: str = "",
           today: _dt.date | None = None, photos: Sequence[PhotoCell] = ()) -> Document:
    """The progress report as a document: the chart (a Figure, with the table's words as
    its fallback), the visits, the first-to-latest comparison and the posture photos."""
    today = today or _dt.date.today()
    table = Table(("#", "Date", "FMS", "Findings", "Referral", "Program"),
                  tuple((str(r.number), r.date, _dash(r.fms_total), _dash(r.findings),
                         _dash(None if r.referral is None else ("yes" if r.referral else "no")),
                         _status(r.program_status)) for r in rows))
    sections = []
    chart = chart_svg(rows)
    if chart:
        fallback = tuple(f"{r.date}: FMS {_dash(r.fms_total)}, {_dash(r.findings)} findings"
                         for r in rows)
        sections.append(Section("Progress", (Figure(
            "FMS total by visit date (a gap: no complete FMS that visit) and the number of "
            "movement-assessment findings", fallback, chart),)))
    sections.append(Section("Visits", (table,)))
    if comparison:
        lines = comparison.rstrip("\n").split("\n")
        sections.append(Section("First and latest visit", (
            Paragraph(lines[0]),
            ItemList(tuple(Item(line.strip()) for line in lines[1:]), ordered=False))))
    pictures = photos_section(photos)
    if pictures is not None:
        sections.append(pictures)
    visits = f"{len(rows)} visit{'s' if len(rows) != 1 else ''}"
    return Document(f"Progress: {name}", (f"Report of {today.isoformat()}", visits),
                    tuple(sections))


def report_html(name: str, rows: Sequence[HistoryRow], comparison: str = "",
                today: _dt.date | None = None, photos: Sequence[PhotoCell] = ()) -> str:
    """The progress report as a standalone HTML page (present's renderer, inline CSS,
    the photos inline)."""
    return render_html(report(name, rows, comparison, today, photos))


def report_text(name: str, rows: Sequence[HistoryRow], comparison: str = "",
                today: _dt.date | None = None, photos: Sequence[PhotoCell] = ()) -> str:
    """The progress report as plain text: the chart's and the photos' words stand in."""
    return render_text(report(name, rows, comparison, today, photos))
