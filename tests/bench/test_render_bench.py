"""Payment-document rendering speed (`make bench`; prints figures, asserts only correctness).

- render_pdf of N distinct RU documents (account and amount vary, so every QR differs) on one
  process, and on both cores with a spawn Pool(2);
- the "bare engine": ReportLab drawing the same strings at the same places and the same QR
  matrix, replayed from a recording, with no DocumentView, formatting or layout logic — our
  time over its time is the cost of our code (goal: within 1.5×);
- render_pdfs: N documents in one merged print file (fonts embedded once);
- segno: QR creation with the fixed mask against segno's best-mask search;
- render_docx: letters per second.
Goal: ≥ 100 PDFs/s on two cores. Set BENCH_RENDER_N to change N (default 300)."""

import dataclasses
import io
import multiprocessing
import os
import re
import time

import segno
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from core.documents.pdf import REGULAR, register_fonts
from invoicing.document_view import DocumentView, sample_document_view
from invoicing.rendering import build_sheet
from invoicing.rendering.docx import render_docx
from invoicing.rendering.pdf import PagePainter, render_pdf, render_pdfs

N = int(os.environ.get("BENCH_RENDER_N", "300"))
DOCX_N = 30


def document(index: int) -> DocumentView:
    """The sample RU document for account 100200300 + index, with an amount that differs."""
    view = sample_document_view("RU")
    first = view.suppliers[0]
    line = dataclasses.replace(first.lines[0], amount=first.lines[0].amount + 37 * index)
    first = dataclasses.replace(
        first, lines=(line, *first.lines[1:]), amount_due=first.amount_due + 37 * index
    )
    account = str(100200300 + index)
    due = view.amount_due + 37 * index
    payload = view.qr_payload.replace(f"Sum={view.amount_due}", f"Sum={due}")
    payload = payload.replace("100200300", account)
    return dataclasses.replace(
        view,
        suppliers=(first, *view.suppliers[1:]),
        amount_due=due,
        account_number=account,
        number=f"{account}-202610",
        qr_payload=payload,
    )


def rate(count: int, seconds: float) -> str:
    each = seconds / count * 1000
    return f"{count} in {seconds:.2f} s = {count / seconds:.1f}/s ({each:.1f} ms each)"


# --- workers (module level: the spawn Pool imports this module) ---------------------------------


def _warm_worker() -> None:
    """A render worker is a process of the app: Django is set up (the documents' texts come from
    its gettext catalogs), the fonts registered and the engine warmed."""
    import django

    django.setup()
    register_fonts()
    render_pdf(document(0))


def _render_size(view: DocumentView) -> int:
    return len(render_pdf(view))


# --- the bare engine ----------------------------------------------------------------------------


class _Recorder:
    """Stands in for the canvas and its text object and records every drawing call."""

    def __init__(self, ops, target="canvas"):
        self._ops, self._target = ops, target

    def beginText(self):
        return _Recorder(self._ops, "text")

    def __getattr__(self, name):
        def record(*args, **kwargs):
            self._ops.append((self._target, name, args, kwargs))

        return record


_RUNS = re.compile(rb"\x01+")


def record(view: DocumentView) -> tuple[list, str]:
    """What our renderer draws for `view`, as plain calls with their final strings and
    coordinates, and the QR payload (the bare engine encodes it itself)."""
    ops: list = []
    PagePainter(_Recorder(ops), build_sheet(view)).draw()
    return ops, view.qr_payload


def bare_pdf(ops: list, payload: str) -> bytes:
    """ReportLab alone: replays the recorded calls; the QR is encoded by segno with the same
    settings and drawn from its matrix as runs of rectangles."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, initialFontName=REGULAR, initialFontSize=8)
    text = canvas.beginText()
    for target, name, args, kwargs in ops:
        if name == "addLiteral":  # the QR: keep the placement, draw the freshly encoded matrix
            qr = segno.make_qr(payload, error="m", boost_error=False, mask=0, encoding="utf-8")
            placement = args[0].split("\n", 1)[0]
            runs = "".join(
                f"{m.start()} {r} {m.end() - m.start()} 1 re\n"
                for r, row in enumerate(qr.matrix)
                for m in _RUNS.finditer(row)
            )
            canvas.addLiteral(f"{placement}\n{runs}f")
        elif name == "drawText":
            canvas.drawText(text)
        else:
            getattr(text if target == "text" else canvas, name)(*args, **kwargs)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# --- the benchmark ------------------------------------------------------------------------------


def test_render_benchmark():
    register_fonts()
    views = [document(index) for index in range(N)]
    assert len({view.qr_payload for view in views}) == N
    render_pdf(views[0])  # warm: imports, font parsing

    started = time.perf_counter()
    pdfs = [render_pdf(view) for view in views]
    single = time.perf_counter() - started
    assert all(pdf.startswith(b"%PDF-") and pdf.count(b"/Type /Page\n") == 1 for pdf in pdfs)
    size = sum(map(len, pdfs)) / N / 1024
    print(f"\nrender_pdf, one process: {rate(N, single)}; {size:.0f} KiB each")

    with multiprocessing.get_context("spawn").Pool(2, initializer=_warm_worker) as pool:
        pool.map(_render_size, views[:4])  # both workers are up and warm
        started = time.perf_counter()
        sizes = pool.map(_render_size, views, chunksize=10)
        two = time.perf_counter() - started
    assert len(sizes) == N and all(size > 10_000 for size in sizes)
    print(f"render_pdf, Pool(2) spawn: {rate(N, two)} (goal ≥ 100/s)")

    recordings = [record(view) for view in views]
    bare_pdf(*recordings[0])
    started = time.perf_counter()
    bare = [bare_pdf(ops, payload) for ops, payload in recordings]
    bare_time = time.perf_counter() - started
    assert all(pdf.startswith(b"%PDF-") for pdf in bare)
    print(f"bare ReportLab, same strings and QR matrix: {rate(N, bare_time)}")
    print(f"ours / bare: {single / bare_time:.2f}× (goal ≤ 1.5×)")

    started = time.perf_counter()
    merged = render_pdfs(views)
    merged_time = time.perf_counter() - started
    assert merged.count(b"/Type /Page\n") == N
    size = len(merged) / N / 1024
    print(
        f"render_pdfs, one merged print file: {rate(N, merged_time)} pages, {size:.0f} KiB a page"
    )

    payloads = [view.qr_payload + "|Q" for view in views[:100]]
    started = time.perf_counter()
    for payload in payloads:
        segno.make_qr(payload, error="m", boost_error=False, mask=0, encoding="utf-8")
    fixed = time.perf_counter() - started
    started = time.perf_counter()
    for payload in payloads:
        segno.make_qr(payload, error="m", boost_error=False, encoding="utf-8")
    chosen = time.perf_counter() - started
    version = segno.make_qr(payloads[0], error="m", boost_error=False, mask=0).version
    print(
        f"segno make_qr (version {version}):"
        f" fixed mask {fixed / 100 * 1000:.1f} ms, best-mask search {chosen / 100 * 1000:.1f} ms"
        f" ({chosen / fixed:.1f}×)"
    )

    render_docx(views[0])
    started = time.perf_counter()
    letters = [render_docx(view) for view in views[:DOCX_N]]
    docx_time = time.perf_counter() - started
    assert all(letter.startswith(b"PK") for letter in letters)
    print(f"render_docx: {rate(DOCX_N, docx_time)}")
