"""What both client reports share: fonts, styles, page furniture, tables and escaping.

The builders take plain report-data objects (``desktop.services.report_*``), never a Session.
User text always goes through ``para()`` / ``esc()``: ReportLab's Paragraph reads a mini-markup,
so ``<``, ``&`` and tags typed by a user would otherwise be interpreted (``<img src=…>`` would
even load a file); escaped, they print exactly as typed. Long words are split to fit their cell.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import (BaseDocTemplate, CondPageBreak, Flowable, Frame, KeepTogether,
                                NextPageTemplate, PageBreak, PageTemplate, Paragraph, Spacer,
                                Table, TableStyle)

from desktop.services.catalog import PRIORITY_COLOURS
from desktop.services.money import format_money
from desktop.services.report_data import PRIORITY_LABELS, Branding

FONT = "AftercareSans"
FONT_BOLD = "AftercareSans-Bold"

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#616e7c")
RULE = colors.HexColor("#d9e2ec")
BRAND = colors.HexColor("#1d3557")
ACCENT = colors.HexColor("#2a9d8f")
SHADE = colors.HexColor("#f3f6f9")
GOOD = colors.HexColor("#2e7d32")
WARN = colors.HexColor("#ef6c00")
BAD = colors.HexColor("#c62828")
LEVEL_COLOURS = {"ok": GOOD, "warning": WARN, "critical": BAD}

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN


# ------------------------------------------------------------------------------------ fonts
def fonts_folder() -> Path:
    """resources/fonts: from the installed package, the PyInstaller bundle or the checkout."""
    candidates = []
    try:
        from importlib.resources import files
        candidates.append(Path(str(files("desktop.resources") / "fonts")))
    except (ModuleNotFoundError, TypeError):
        pass
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.append(Path(bundle) / "resources" / "fonts")
    candidates.append(Path(__file__).resolve().parents[2] / "resources" / "fonts")
    for folder in candidates:
        if (folder / "DejaVuSans.ttf").is_file():
            return folder
    raise FileNotFoundError("the report font DejaVuSans.ttf is missing from resources/fonts")


_registered = False


def register_fonts() -> None:
    """Embed DejaVu Sans (it has ₹ and every script a client name may use)."""
    global _registered
    if _registered:
        return
    folder = fonts_folder()
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(folder / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT,
                                  boldItalic=FONT_BOLD)
    # Charts start from reportlab.graphics' default state, whose font is Helvetica (not
    # embedded, no ₹): make ours the default so every font in a report is embedded.
    from reportlab.graphics.shapes import STATE_DEFAULTS
    STATE_DEFAULTS["fontName"] = FONT
    _registered = True


# ----------------------------------------------------------------------------------- styles
def _style(name: str, **kw) -> ParagraphStyle:  # noqa: ANN003
    base = dict(fontName=FONT, bulletFontName=FONT, fontSize=9.5, leading=13, textColor=INK,
                splitLongWords=1, wordWrap=None)
    base.update(kw)
    return ParagraphStyle(name, **base)


STYLES = {
    "body": _style("body", spaceAfter=4),
    "small": _style("small", fontSize=8, leading=10.5),
    "muted": _style("muted", fontSize=8.5, leading=11, textColor=MUTED),
    "cell": _style("cell", fontSize=8, leading=10),
    "cell_bold": _style("cell_bold", fontName=FONT_BOLD, fontSize=8, leading=10),
    "cell_right": _style("cell_right", fontSize=8, leading=10, alignment=TA_RIGHT),
    "head": _style("head", fontName=FONT_BOLD, fontSize=8, leading=10, textColor=colors.white),
    "head_right": _style("head_right", fontName=FONT_BOLD, fontSize=8, leading=10,
                         textColor=colors.white, alignment=TA_RIGHT),
    "h1": _style("h1", fontName=FONT_BOLD, fontSize=15, leading=19, textColor=BRAND,
                 spaceBefore=10, spaceAfter=6),
    "h2": _style("h2", fontName=FONT_BOLD, fontSize=11, leading=14, textColor=BRAND,
                 spaceBefore=8, spaceAfter=4),
    "cover_kind": _style("cover_kind", fontName=FONT_BOLD, fontSize=13, leading=17,
                         textColor=ACCENT),
    "cover_client": _style("cover_client", fontName=FONT_BOLD, fontSize=28, leading=34,
                           textColor=BRAND, spaceBefore=6, spaceAfter=6),
    "cover_period": _style("cover_period", fontSize=16, leading=21, textColor=INK),
    "cover_meta": _style("cover_meta", fontSize=10, leading=15, textColor=MUTED),
    "tile_value": _style("tile_value", fontName=FONT_BOLD, fontSize=14, leading=18,
                         textColor=BRAND),
    "tile_label": _style("tile_label", fontSize=7.5, leading=9.5, textColor=MUTED),
    "status": _style("status", fontName=FONT_BOLD, fontSize=13, leading=17,
                     textColor=colors.white),
    "bullet": _style("bullet", leftIndent=10, bulletIndent=0, spaceAfter=2),
}


# --------------------------------------------------------------------------------- escaping
def esc(text: object) -> str:
    """User text as Paragraph markup that prints exactly as typed (line breaks kept)."""
    value = "" if text is None else str(text)
    value = escape(value).replace("\t", "    ")
    return "<br/>".join(value.splitlines()) if "\n" in value or "\r" in value else value


def para(text: object, style: str = "body") -> Paragraph:
    """A paragraph of user (or any) plain text."""
    return Paragraph(esc(text), STYLES[style])


def markup(trusted: str, style: str = "body") -> Paragraph:
    """A paragraph of markup written by the program; user parts must be ``esc()``-ed."""
    return Paragraph(trusted, STYLES[style])


# --------------------------------------------------------------------------------- formats
def day(value: date | datetime | None) -> str:
    if value is None:
        return "–"
    return value.strftime("%d %b %Y")


def day_time(value: datetime | None) -> str:
    if value is None:
        return "–"
    return value.strftime("%d %b %Y, %H:%M")


def money(amount, currency: str = "INR") -> str:  # noqa: ANN001
    return format_money(amount, currency)


def percent(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}%"


class Chip(Flowable):
    """A short label in a table cell: an optional coloured dot, then text (coloured or not).
    Drawn straight on the canvas (no markup is parsed, so nothing needs escaping), which keeps
    tables of thousands of rows fast."""

    def __init__(self, text: str, colour: str, dot: bool, size: float = 8) -> None:
        super().__init__()
        self.text, self.colour, self.dot, self.size = text, colour, dot, size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self.size * 1.25

    def draw(self) -> None:
        canvas = self.canv
        x = 0.0
        if self.dot:
            canvas.setFillColor(colors.HexColor(self.colour))
            radius = self.size * 0.32
            canvas.circle(radius + 0.5, self.size * 0.45, radius, stroke=0, fill=1)
            x = radius * 2 + 3
        canvas.setFillColor(INK if self.dot else colors.HexColor(self.colour))
        canvas.setFont(FONT, self.size)
        canvas.drawString(x, self.size * 0.18, fit(self.text, FONT, self.size,
                                                   max(10.0, self.width - x)))


def priority_chip(priority: str) -> Chip:
    return Chip(PRIORITY_LABELS.get(priority, priority),
                PRIORITY_COLOURS.get(priority, "#616e7c"), dot=True)


STATE_MARKS = {"met": ("✓ Met", "#2e7d32"), "breached": ("✗ Missed", "#c62828"),
               "running": ("… Open", "#616e7c")}


def state_chip(state: str) -> Chip:
    label, colour = STATE_MARKS.get(state, (state, "#616e7c"))
    return Chip(label, colour, dot=False)


# ----------------------------------------------------------------------------------- pieces
def heading(text: str, level: int = 1) -> list[Flowable]:
    """A section heading kept with what follows it."""
    return [CondPageBreak(40 * mm if level == 1 else 25 * mm),
            Paragraph(esc(text), STYLES["h1" if level == 1 else "h2"])]


def empty(sentence: str) -> Paragraph:
    """A section without data says so in words (DESIGN §5)."""
    return markup(f'<font color="#616e7c">{esc(sentence)}</font>', "body")


def data_table(headers: Sequence[str], rows: Sequence[Sequence[object]],
               widths: Sequence[float], right: Sequence[int] = (),
               extra: Sequence[tuple] = ()) -> Table:
    """A table that splits across pages with its header repeated. Strings become wrapped
    paragraphs (escaped); flowables are kept as they are."""
    total = sum(widths)
    scale = CONTENT_WIDTH / total if total > CONTENT_WIDTH else 1.0
    widths = [w * scale for w in widths]
    head = [Paragraph(esc(h), STYLES["head_right" if i in right else "head"])
            for i, h in enumerate(headers)]
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            if isinstance(cell, Flowable):
                cells.append(cell)
                continue
            text = "" if cell is None else str(cell)
            # Short one-line text is drawn as a plain string (fast, never parsed as markup);
            # anything that might not fit becomes a wrapping paragraph.
            if "\n" not in text and stringWidth(text, FONT, 8) <= widths[i] - 9:
                cells.append(text)
            else:
                cells.append(Paragraph(esc(text), STYLES["cell_right" if i in right else "cell"]))
        body.append(cells)
    # splitInRow: a row taller than a page (a very long title or note) splits inside the row
    # instead of failing the whole report with a LayoutError.
    table = Table([head] + body, colWidths=widths, repeatRows=1, splitByRow=1, splitInRow=1,
                  hAlign="LEFT")
    commands = [
        ("BACKGROUND", (0, 0), (-1, 0), BRAND),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONT", (0, 0), (-1, -1), FONT, 8, 10),
        ("TEXTCOLOR", (0, 1), (-1, -1), INK),
        ("TOPPADDING", (0, 0), (-1, -1), 3.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
    ]
    for i in right:
        commands.append(("ALIGN", (i, 1), (i, -1), "RIGHT"))
    commands += list(extra)
    for index in range(2, len(body) + 1, 2):
        commands.append(("BACKGROUND", (0, index), (-1, index), SHADE))
    table.setStyle(TableStyle(commands))
    return table


def bullets(items: Sequence[str], style: str = "bullet") -> list[Paragraph]:
    return [Paragraph(esc(item), STYLES[style], bulletText="•") for item in items]


def tiles(items: Sequence[tuple[str, str]], columns: int = 3) -> Table:
    """Key figures as a grid of tiles: (value, label)."""
    cells = [[Paragraph(esc(value), STYLES["tile_value"]),
              Paragraph(esc(label), STYLES["tile_label"])] for value, label in items]
    rows = []
    for i in range(0, len(cells), columns):
        row = cells[i:i + columns]
        row += [""] * (columns - len(row))
        rows.append(row)
    gap = 4 * mm
    width = (CONTENT_WIDTH - gap * (columns - 1)) / columns
    grid_cols = []
    for c in range(columns):
        grid_cols.append(width)
        if c < columns - 1:
            grid_cols.append(gap)
    grid = []
    for row in rows:
        line = []
        for c, cell in enumerate(row):
            line.append(cell)
            if c < columns - 1:
                line.append("")
        grid.append(line)
    table = Table(grid, colWidths=grid_cols, hAlign="LEFT", splitInRow=1)  # see data_table
    commands = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONT", (0, 0), (-1, -1), FONT),
                ("TOPPADDING", (0, 0), (-1, -1), 7), ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
                ("LEFTPADDING", (0, 0), (-1, -1), 8)]
    for r, row in enumerate(grid):
        for c in range(0, len(row), 2):
            if row[c] != "":
                commands += [("BACKGROUND", (c, r), (c, r), SHADE),
                             ("LINEBEFORE", (c, r), (c, r), 2.5, ACCENT)]
    table.setStyle(TableStyle(commands))
    return KeepTogether([table, Spacer(1, 3 * mm)])


def status_banner(text: str, level: str) -> Table:
    table = Table([[Paragraph(esc(text), STYLES["status"])]], colWidths=[CONTENT_WIDTH],
                  splitInRow=1)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), LEVEL_COLOURS.get(level, BRAND)),
        ("FONT", (0, 0), (-1, -1), FONT),
        ("TOPPADDING", (0, 0), (-1, -1), 8), ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
        ("LEFTPADDING", (0, 0), (-1, -1), 10)]))
    return table


def side_by_side(left: Flowable, right: Flowable, split: float = 0.5) -> Table:
    table = Table([[left, right]], colWidths=[CONTENT_WIDTH * split,
                                               CONTENT_WIDTH * (1 - split)], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("FONT", (0, 0), (-1, -1), FONT),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return table


# ----------------------------------------------------------------------------- the document
@dataclass(frozen=True)
class ReportMeta:
    """What the page furniture shows: title, client, period and the support channels."""

    kind_title: str          # "Monthly maintenance report"
    client_name: str
    period_label: str
    branding: Branding
    emergency_line: bool     # premium: the 24/7 emergency number in the footer


def logo_file(branding: Branding) -> str | None:
    """The logo from Settings when it is a readable local image; never a URL."""
    path = (branding.logo_path or "").strip()
    if not path or "://" in path:
        return None
    candidate = Path(os.path.expanduser(path))
    if candidate.is_file() and candidate.suffix.lower() in (".png", ".jpg", ".jpeg", ".gif"):
        return str(candidate)
    return None


def initials(name: str) -> str:
    words = [w for w in name.replace("-", " ").split() if w[:1].isalnum()]
    letters = "".join(w[0] for w in words[:2]).upper()
    return letters or "A"


def draw_mark(canvas, branding: Branding, x: float, y: float, size: float) -> float:  # noqa: ANN001
    """The agency's logo, or a neat text mark (initials in a rounded square); returns the
    width used. ``y`` is the bottom edge."""
    logo = logo_file(branding)
    if logo:
        try:
            from reportlab.lib.utils import ImageReader
            image = ImageReader(logo)
            iw, ih = image.getSize()
            width = size * iw / ih if ih else size
            width = min(width, size * 4)
            canvas.drawImage(image, x, y, width=width, height=size, mask="auto",
                             preserveAspectRatio=True, anchor="sw")
            return width
        except Exception:  # noqa: BLE001 - a broken logo file falls back to the text mark
            pass
    canvas.saveState()
    canvas.setFillColor(BRAND)
    canvas.roundRect(x, y, size, size, size * 0.2, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    letters = initials(branding.agency_name)
    font_size = size * (0.5 if len(letters) == 1 else 0.4)
    canvas.setFont(FONT_BOLD, font_size)
    canvas.drawCentredString(x + size / 2, y + size / 2 - font_size * 0.35, letters)
    canvas.restoreState()
    return size


def fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` shortened with an ellipsis to fit ``width`` points (a binary search, so a
    pasted essay in the agency's name costs microseconds, not seconds, on every page)."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    text = text[:2000]
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with the ellipsis
        middle = (low + high + 1) // 2
        if pdfmetrics.stringWidth(text[:middle] + "…", font, size) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low] + "…"


def support_line(branding: Branding, emergency: bool) -> str:
    parts = []
    if branding.support_email:
        parts.append(f"Email {branding.support_email}")
    if branding.support_phone:
        hours = f" ({branding.phone_hours})" if branding.phone_hours else ""
        parts.append(f"Phone {branding.support_phone}{hours}")
    elif branding.phone_hours:
        parts.append(f"Phone support {branding.phone_hours}")
    if emergency:
        parts.append(f"24/7 emergency {branding.emergency_phone}" if branding.emergency_phone
                     else "24/7 emergency line")
    if branding.portal_url:
        parts.append(branding.portal_url)
    return "  ·  ".join(parts)


def _canvas_class(meta: ReportMeta):  # noqa: ANN202
    """A canvas that knows the page count when it draws "Page X of Y" (two-pass numbering)."""

    class NumberedCanvas(pdf_canvas.Canvas):
        def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
            if not kwargs.get("initialFontName"):  # no stray Helvetica: every font embedded
                kwargs["initialFontName"] = FONT
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 - ReportLab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                _furniture(self, meta, self._pageNumber, total)
                super().showPage()
            super().save()

    return NumberedCanvas


def _furniture(canvas, meta: ReportMeta, page: int, total: int) -> None:  # noqa: ANN001
    canvas.saveState()
    # footer: support channels and "Page X of Y" on every page
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN, 16 * mm, PAGE_WIDTH - MARGIN, 16 * mm)
    canvas.setFont(FONT, 7.5)
    canvas.setFillColor(MUTED)
    page_text = f"Page {page} of {total}"
    page_width = pdfmetrics.stringWidth(page_text, FONT, 7.5)
    canvas.drawRightString(PAGE_WIDTH - MARGIN, 11.5 * mm, page_text)
    room = CONTENT_WIDTH - page_width - 6 * mm
    canvas.drawString(MARGIN, 11.5 * mm,
                      fit(support_line(meta.branding, meta.emergency_line), FONT, 7.5, room))
    canvas.drawString(MARGIN, 8 * mm, fit(
        f"{meta.branding.agency_name} · {meta.kind_title} · {meta.client_name} · "
        f"{meta.period_label}", FONT, 7, CONTENT_WIDTH))
    if page > 1:  # header on the pages after the cover
        top = PAGE_HEIGHT - 14 * mm
        used = draw_mark(canvas, meta.branding, MARGIN, top - 1.5 * mm, 7 * mm)
        canvas.setFont(FONT_BOLD, 9)
        canvas.setFillColor(BRAND)
        canvas.drawString(MARGIN + used + 3 * mm, top + 1 * mm,
                          fit(meta.branding.agency_name, FONT_BOLD, 9, CONTENT_WIDTH / 2 - used))
        canvas.setFont(FONT, 8)
        canvas.setFillColor(MUTED)
        canvas.drawRightString(PAGE_WIDTH - MARGIN, top + 1 * mm, fit(
            f"{meta.client_name} · {meta.period_label}", FONT, 8, CONTENT_WIDTH / 2))
        canvas.setStrokeColor(RULE)
        canvas.line(MARGIN, top - 3.5 * mm, PAGE_WIDTH - MARGIN, top - 3.5 * mm)
    canvas.restoreState()


def cover(meta: ReportMeta, lines: Sequence[str]) -> list[Flowable]:
    """The cover page's flowables (the mark is drawn by ``_cover_page``)."""
    story: list[Flowable] = [Spacer(1, 70 * mm),
                             Paragraph(esc(meta.kind_title), STYLES["cover_kind"]),
                             Paragraph(esc(meta.client_name), STYLES["cover_client"]),
                             Paragraph(esc(meta.period_label), STYLES["cover_period"]),
                             Spacer(1, 12 * mm)]
    story += [Paragraph(esc(line), STYLES["cover_meta"]) for line in lines]
    story += [NextPageTemplate("body"), PageBreak()]
    return story


def _cover_page(meta: ReportMeta):  # noqa: ANN202
    def draw(canvas, doc) -> None:  # noqa: ANN001
        canvas.saveState()
        canvas.setFillColor(BRAND)
        canvas.rect(0, PAGE_HEIGHT - 12 * mm, PAGE_WIDTH, 12 * mm, stroke=0, fill=1)
        canvas.setFillColor(ACCENT)
        canvas.rect(0, PAGE_HEIGHT - 14 * mm, PAGE_WIDTH, 2 * mm, stroke=0, fill=1)
        used = draw_mark(canvas, meta.branding, MARGIN, PAGE_HEIGHT - 60 * mm, 22 * mm)
        canvas.setFont(FONT_BOLD, 18)
        canvas.setFillColor(BRAND)
        canvas.drawString(MARGIN + used + 6 * mm, PAGE_HEIGHT - 49 * mm,
                          fit(meta.branding.agency_name, FONT_BOLD, 18,
                              CONTENT_WIDTH - used - 6 * mm))
        canvas.setFont(FONT, 9)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN + used + 6 * mm, PAGE_HEIGHT - 56 * mm,
                          fit(support_line(meta.branding, meta.emergency_line), FONT, 9,
                              CONTENT_WIDTH - used - 6 * mm))
        canvas.restoreState()
    return draw


def build_pdf(path: str | os.PathLike, meta: ReportMeta, story: list[Flowable]) -> None:
    """Lay out ``story`` (which starts with ``cover(...)``) into ``path``."""
    register_fonts()
    # The file is ours to open and close: ReportLab left its own handle open when a write
    # failed (a full disk), to be closed whenever the garbage collector came by.
    with open(path, "wb") as out:
        _build_into(out, meta, story)


def _build_into(out, meta: ReportMeta, story: list[Flowable]) -> None:  # noqa: ANN001
    doc = BaseDocTemplate(
        out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=22 * mm,
        bottomMargin=22 * mm, title=f"{meta.kind_title} — {meta.client_name} — "
        f"{meta.period_label}", author=meta.branding.agency_name,
        subject=f"{meta.kind_title} for {meta.client_name}", creator="Aftercare")
    body = Frame(MARGIN, 20 * mm, CONTENT_WIDTH, PAGE_HEIGHT - 20 * mm - 22 * mm, id="body",
                 leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate("cover", [body], onPage=_cover_page(meta)),
                          PageTemplate("body", [body])])
    doc.build(story, canvasmaker=_canvas_class(meta))


