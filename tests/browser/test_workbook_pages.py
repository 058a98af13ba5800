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
