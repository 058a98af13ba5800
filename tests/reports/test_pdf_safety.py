"""The PDF renderer fetches nothing outside the project's own static files, and user text is
printed literally, never interpreted."""

import pytest

from plans.periods import Month
from reports.documents import render_full_plan
from reports.pdf import RefusedURL, StaticOnlyFetcher, html_to_pdf, static_name_for
from tests.factories import make_action, make_measure, make_plan, make_priority, make_status
from tests.reports.pdf_helpers import Listener, all_text, read_pdf


def test_the_print_stylesheet_and_its_fonts_are_served():
    assert static_name_for("https://pdf.invalid/static/css/print.css") == "css/print.css"
    response = StaticOnlyFetcher().fetch("https://pdf.invalid/static/fonts/DejaVuSansCondensed.ttf")
    assert response.read(4) == b"\x00\x01\x00\x00"  # a TrueType font
    assert response.content_type == "font/ttf"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "http://127.0.0.1:8006/static/css/print.css",
        "https://example.org/static/css/print.css",
        "data:text/css,body{color:red}",
        "data:image/png;base64,iVBORw0KGgo=",
        "https://pdf.invalid/etc/passwd",
        "https://pdf.invalid/static/../../../etc/passwd",
        "https://pdf.invalid/static/%2e%2e/%2e%2e/etc/passwd",
        "https://pdf.invalid/static/css/..%2f..%2f..%2fetc/passwd",
        "https://pdf.invalid/static/fonts/..\\..\\settings.py",
        "https://pdf.invalid/static/css/site.css",
        "https://pdf.invalid/static/js/anything.js",
        "https://pdf.invalid/static/fonts/LICENSE-DejaVu.txt",
        "https://pdf.invalid/static/css/print.css?x=1",
        "https://pdf.invalid/static/fonts/missing.ttf",
        "https://pdf.invalid.example.org/static/css/print.css",
    ],
)
def test_every_other_url_is_refused(url):
    with pytest.raises(RefusedURL):
        StaticOnlyFetcher().fetch(url)


def test_markup_given_straight_to_the_renderer_fetches_nothing():
    """Even HTML that is not escaped (a template mistake) cannot reach a file, a server or a
    static file outside the allowed set."""
    with Listener() as listener:
        html = f"""<!DOCTYPE html><html lang="en-GB"><head><title>T</title>
        <link rel="stylesheet" href="{listener.url}/evil.css">
        <link rel="stylesheet" href="/static/css/site.css"></head><body>
        <p>Before</p>
        <img src="file:///etc/passwd" alt="">
        <img src="{listener.url}/tracker.png" alt="">
        <iframe src="file:///etc/passwd"></iframe>
        <object data="file:///etc/hostname"></object>
        <div style="background: url('{listener.url}/bg.png')">x</div>
        <p>After</p></body></html>"""
        content = html_to_pdf(html).content
    assert listener.requests == []
    text = all_text(content)
    assert "Before" in text and "After" in text
    assert "root:" not in text
    assert "LISTENER-SECRET" not in text


@pytest.mark.django_db
def test_a_corrective_action_with_markup_is_printed_literally_and_fetches_nothing():
    with Listener() as listener:
        plan = make_plan(slug="safety", title="Safety Plan")
        action = make_action(
            make_measure(make_priority(plan)),
            description='Engage <b>specialists</b> <a href="' + listener.url + '/click">here</a>',
            planned=["2009-07"],
        )
        action.corrective_action = (
            f'<img src="file:///etc/passwd"> <img src="{listener.url}/x.png"> '
            f'<link rel="stylesheet" href="{listener.url}/evil.css">'
        )
        action.save()
        make_status(action, "2009-07", "AMBER")
        content = render_full_plan(plan, Month(2009, 7), seconds=None).content
    assert listener.requests == []
    text = " ".join(all_text(content).split())
    assert '<img src="file:///etc/passwd">' in text
    assert "<b>specialists</b>" in text
    assert "root:" not in text
    assert "LISTENER-SECRET" not in text


def test_the_pdf_is_tagged_with_a_title_and_language_and_embeds_its_fonts():
    html = """<!DOCTYPE html><html lang="en-GB"><head><title>Exception Report for July 2009</title>
    <link rel="stylesheet" href="/static/css/print.css"></head><body><p>Text</p></body></html>"""
    reader = read_pdf(html_to_pdf(html).content)
    assert reader.metadata.title == "Exception Report for July 2009"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    fonts = reader.pages[0]["/Resources"]["/Font"]
    descriptors = [
        font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"] for font in fonts.values()
    ]
    assert descriptors and all("/FontFile2" in d for d in descriptors)
    assert all("Report-Sans" in d["/FontName"] for d in descriptors)
    # A4 landscape: 297 x 210 mm
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)


def test_with_production_static_files_the_hashed_stylesheet_and_fonts_are_used(settings, tmp_path):
    """In production the templates name hashed copies (css/print.1a2b3c.css) collected into
    STATIC_ROOT; the fetcher serves those and the fonts are still embedded."""
    from django.core.management import call_command
    from django.template import Context, Template

    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    href = Template("{% load static %}{% static 'css/print.css' %}").render(Context())
    assert href != "/static/css/print.css" and href.startswith("/static/css/print.")
    html = f"""<!DOCTYPE html><html lang="en-GB"><head><title>Hashed</title>
    <link rel="stylesheet" href="{href}"></head><body><p>Text</p></body></html>"""
    reader = read_pdf(html_to_pdf(html).content)
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = [font.get_object()["/BaseFont"] for font in fonts.values()]
    assert names and all("Report-Sans" in name for name in names)
