"""From a data snapshot to HTML (the preview) and to PDF (WeasyPrint): one template for both."""
from __future__ import annotations

import gc
import hashlib
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, render_template

from portal.config import ROOT

PRINT_CSS = ROOT / "templates" / "reports" / "pdf" / "print.css"
DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/liberation2"
# Liberation Serif 2.x: Times New Roman metrics and every Vietnamese letter (1.07 lacks ễ, ặ, ư...).
FONT_FILES = {
    ("normal", "normal"): "LiberationSerif-Regular.ttf",
    ("bold", "normal"): "LiberationSerif-Bold.ttf",
    ("normal", "italic"): "LiberationSerif-Italic.ttf",
    ("bold", "italic"): "LiberationSerif-BoldItalic.ttf",
}


class RenderError(RuntimeError):
    pass


@dataclass
class RenderedPdf:
    pdf: bytes
    page_count: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


def font_dir() -> Path:
    return Path(current_app.config.get("REPORT_FONT_DIR", os.environ.get("PORTAL_REPORT_FONT_DIR", DEFAULT_FONT_DIR)))


def font_face_css(url_for_file) -> str:
    """@font-face rules naming the exact files, so fontconfig cannot pick the older 1.07 fonts
    that share the family name."""
    rules = []
    for (weight, style), filename in FONT_FILES.items():
        rules.append(
            '@font-face { font-family: "Report Serif"; font-weight: %s; font-style: %s; src: url("%s"); }'
            % (weight, style, url_for_file(filename))
        )
    return "\n".join(rules)


def pdf_stylesheet_text() -> str:
    directory = font_dir()
    missing = [f for f in FONT_FILES.values() if not (directory / f).is_file()]
    if missing:
        raise RenderError(f"Thiếu phông chữ Liberation Serif 2.x ({', '.join(missing)}) trong {directory}.")
    return font_face_css(lambda name: (directory / name).as_uri()) + "\n" + PRINT_CSS.read_text(encoding="utf-8")


def render_html(kind: str, document: dict, snapshot: dict, css_href: str | None = None) -> str:
    """The report as one HTML document. `css_href` links the stylesheet for a browser preview;
    the PDF gets its stylesheet handed to WeasyPrint instead."""
    return render_template(f"reports/pdf/{kind}.html", doc=document, data=snapshot, css_href=css_href)


# WeasyPrint's layout makes millions of short-lived objects: at Python's default gen-0 threshold
# (700 allocations) the cyclic collector ran 5,885 times for a 3,000-person printout and took
# 7.1 of its 35 s of CPU; with a threshold of 10,000 it ran 349 times for 1.8 s (25.6 s in all),
# and peak memory stayed the same (541 and 543 MB).
RENDER_GC_THRESHOLD = 10_000
_gc_lock = threading.Lock()
_gc_renders = 0
_gc_saved: tuple[int, ...] = ()


@contextmanager
def fewer_collections():
    """Raise the collector's gen-0 threshold while at least one PDF renders in this process (the
    setting is process-wide: report jobs may render in several threads at once), then restore it."""
    global _gc_renders, _gc_saved
    with _gc_lock:
        if _gc_renders == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(max(RENDER_GC_THRESHOLD, _gc_saved[0]), *_gc_saved[1:])
        _gc_renders += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_renders -= 1
            if _gc_renders == 0:
                gc.set_threshold(*_gc_saved)


def html_to_pdf(html: str) -> RenderedPdf:
    from weasyprint import CSS, HTML

    with fewer_collections():
        stylesheet = CSS(string=pdf_stylesheet_text(), base_url=str(PRINT_CSS.parent))
        rendered = HTML(string=html, base_url=str(PRINT_CSS.parent)).render(stylesheets=[stylesheet])
        # A fixed identifier and no creation date: the same snapshot gives the same bytes.
        pdf = rendered.write_pdf(pdf_identifier=b"portal-report", uncompressed_pdf=False)
    return RenderedPdf(pdf=pdf, page_count=len(rendered.pages))
