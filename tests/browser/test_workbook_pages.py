from pathlib import Path

from tests.browser.conftest import axe_violations, log_in

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "bromsgrove-2007-08.xlsx"


def test_performance_imports_the_2007_08_plan_and_downloads_it(demo_site, page, tmp_path):
    log_in(page, demo_site.url, "performance")
    page.get_by_role("link", name="Import a plan").click()
    assert page.locator("h1").inner_text() == "Import a plan workbook"
    assert axe_violations(page) == []

    # A file that is not a workbook: the error summary links to the field.
    bad = tmp_path / "plan.xlsx"
    bad.write_text("Priority,Measure,Ref\n")
    page.set_input_files("#id_file", str(bad))
    page.get_by_role("button", name="Upload and preview").click()
    assert "There is a problem" in page.locator(".error-summary").inner_text()
    assert axe_violations(page) == []

    page.set_input_files("#id_file", str(FIXTURE))
    page.fill("#id_slug", "bromsgrove-2007-08")
    page.get_by_role("button", name="Upload and preview").click()
    assert page.locator("h1").inner_text() == "Preview of the import"
    assert "22 priorities, 67 measures, 291 actions" in page.locator(".facts").inner_text()
    assert axe_violations(page) == []

    page.get_by_role("button", name="Import this plan").click()
    assert page.locator("h1").inner_text() == "Improvement Plan 2007/08"
    assert "Created plan bromsgrove-2007-08" in page.locator(".messages").inner_text()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download this plan as Excel (.xlsx)").click()
    assert download.value.suggested_filename == "bromsgrove-2007-08.xlsx"


def _sideways(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_the_demo_plans_indicators_export_and_reimport_unchanged(demo_site, page, tmp_path):
    """Issue 17's "the workbook exports and re-imports the indicators unchanged", as the
    performance team does it: download the plan, upload it into the same plan, read the preview
    (at desk and phone width), confirm."""
    log_in(page, demo_site.url, "performance")
    page.goto(f"{demo_site.url}/plans/bromsgrove-2009-10/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this plan as Excel (.xlsx)").click()
    saved = tmp_path / "bromsgrove-2009-10.xlsx"
    download.value.save_as(saved)

    page.get_by_role("link", name="Import a plan").click()
    page.set_input_files("#id_file", str(saved))
    page.select_option("#id_plan", label="Improvement Plan 2009/10")
    page.get_by_role("button", name="Upload and preview").click()
    assert page.locator("h1").inner_text() == "Preview of the import"
    assert "94 actions, 11 indicators" in page.locator(".facts").inner_text()
    outcome = page.locator("ul", has_text="To change:").inner_text()
    assert "To change: 0 priorities, 0 measures, 0 actions, 0 statuses, 0 indicators, 0 actuals." in outcome
    assert (
        "To leave as they are: 16 priorities, 45 measures, 94 actions, 83 statuses, 11 indicators, 10 actuals."
        in outcome
    )
    footfall = page.get_by_role("row", name="TC2")
    assert footfall.inner_text().split("\t") == [
        "TC2", "Town centre footfall (average weekly count)", "CP1", "Higher is better", "21,000", "0"
    ]  # fmt: skip
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert _sideways(page) <= 0
    page.screenshot(path=str(tmp_path / "preview-390.png"), full_page=True)

    page.get_by_role("button", name="Import this plan").click()
    assert "Changed: 0 priorities, 0 measures, 0 actions, 0 statuses, 0 indicators, 0 actuals." in (
        page.locator(".messages").inner_text()
    )
