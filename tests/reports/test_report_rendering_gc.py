"""PDFs render with fewer passes of Python's cyclic collector (portal.reports.rendering): the
gen-0 threshold is raised while any render runs in the process and restored after the last one,
also when a render fails or several overlap in threads."""
import gc
import threading

import pytest
import weasyprint

from portal.reports import rendering


@pytest.fixture(autouse=True)
def default_threshold():
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*saved)


def test_threshold_raised_while_rendering_and_restored_after_a_failure():
    with pytest.raises(RuntimeError):
        with rendering.fewer_collections():
            assert gc.get_threshold() == (rendering.RENDER_GC_THRESHOLD, 10, 10)
            raise RuntimeError("render failed")
    assert gc.get_threshold() == (700, 10, 10)


def test_overlapping_renders_restore_only_when_the_last_one_ends():
    first_in, release = threading.Event(), threading.Event()
    seen = []

    def long_render():
        with rendering.fewer_collections():
            first_in.set()
            release.wait(5)

    thread = threading.Thread(target=long_render)
    thread.start()
    first_in.wait(5)
    with rendering.fewer_collections():
        seen.append(gc.get_threshold()[0])
    seen.append(gc.get_threshold()[0])  # the first render still runs
    release.set()
    thread.join(5)
    assert seen == [rendering.RENDER_GC_THRESHOLD, rendering.RENDER_GC_THRESHOLD]
    assert gc.get_threshold() == (700, 10, 10)


def test_a_higher_threshold_set_by_the_operator_is_kept():
    gc.set_threshold(50_000, 10, 10)
    with rendering.fewer_collections():
        assert gc.get_threshold()[0] == 50_000
    assert gc.get_threshold() == (50_000, 10, 10)


def test_weasyprint_lays_out_the_pdf_under_the_raised_threshold(app, monkeypatch):
    seen = []
    original = weasyprint.HTML.render

    def render(self, *args, **kwargs):
        seen.append(gc.get_threshold()[0])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "render", render)
    with app.app_context():
        result = rendering.html_to_pdf("<html><body><p>Danh sách người dân: Nguyễn Văn Đức</p></body></html>")
    assert result.pdf.startswith(b"%PDF") and result.page_count == 1
    assert seen == [rendering.RENDER_GC_THRESHOLD]
    assert gc.get_threshold() == (700, 10, 10)
