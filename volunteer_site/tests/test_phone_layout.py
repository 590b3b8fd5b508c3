"""The wide tables on a 390 px phone (390×844): the roster, the region overview and the
activity form's participant picker stay within the screen. The page itself never scrolls
sideways; a table wider than the screen scrolls inside its own box with the name column
kept in view; and no column is squeezed so narrow that its text breaks one character per
line. Screenshots at 390 and 1280 px go to test-artifacts/."""

import pathlib

import pytest

from conftest import log_in_browser
from volunteer_site.tests.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = pathlib.Path("test-artifacts")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# For each visible table cell of the main content: its text, and how many lines the text
# takes (distinct tops of the text's line boxes). Chinese characters are about 1em wide,
# so a 3-character name over 3 lines is the "one character per line" column.
MEASURE = """(selector) => {
  const doc = document.documentElement;
  const cells = [];
  for (const cell of document.querySelectorAll(selector + ' th, ' + selector + ' td')) {
    if (!cell.getClientRects().length) continue;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    const tops = new Set();
    let text = '';
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const rect of range.getClientRects()) {
        if (rect.width > 0) tops.add(Math.round(rect.top));
      }
      text += node.textContent.replace(/\\s+/g, '');
    }
    if (text) cells.push({text: text, lines: tops.size});
  }
  return {pageWidth: doc.scrollWidth, viewport: doc.clientWidth, cells: cells};
}"""

# The table's scroll box scrolled to its far right: where its first body row's name
# cell (.col-sticky, the last one when there are two) is, and where the box is.
STICKY = """(selector) => {
  const table = document.querySelector(selector);
  const box = table.closest('.table-responsive');
  const scrolls = box.scrollWidth > box.clientWidth;
  box.scrollLeft = box.scrollWidth;
  const cells = table.querySelectorAll('tbody tr:first-child .col-sticky');
  const cell = cells[cells.length - 1].getBoundingClientRect();
  const frame = box.getBoundingClientRect();
  box.scrollLeft = 0;
  return {scrolls: scrolls, left: cell.left, right: cell.right,
          boxLeft: frame.left, boxRight: frame.right};
}"""


def squeezed(cells: list[dict]) -> list[str]:
    """The cells whose text averages fewer than two characters a line."""
    return [
        f"{cell['text']} ({cell['lines']} lines)"
        for cell in cells
        if cell["lines"] > 1 and len(cell["text"]) / cell["lines"] < 2
    ]


def check_fits(page, table: str, name: str) -> None:
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(300)  # site.js makes a scrolling table box focusable on resize
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"phone-{name}-390.png"), full_page=True)
    measured = page.evaluate(MEASURE, table)
    assert measured["cells"], f"no table cells found by {table}"
    assert measured["pageWidth"] <= 390, (
        f"{name}: the page scrolls sideways ({measured['pageWidth']} px on a 390 px screen)"
    )
    assert not (narrow := squeezed(measured["cells"])), f"{name}: one character a line: {narrow}"
    # Scrolled to its far end, the table's box still shows the name column.
    name_cell = page.evaluate(STICKY, table)
    assert name_cell["scrolls"], f"{name}: the table fits; this test expects a scroll box"
    assert name_cell["left"] >= name_cell["boxLeft"] - 1, name_cell
    assert name_cell["right"] <= name_cell["boxRight"] + 1, name_cell
    assert_accessible(page)  # at 390 px too (a scroll box must be reachable by keyboard)
    page.set_viewport_size(DESKTOP)
    page.wait_for_timeout(100)
    page.screenshot(path=str(ARTIFACTS / f"phone-{name}-1280.png"), full_page=True)
    assert not squeezed(page.evaluate(MEASURE, table)["cells"])


def test_the_squeeze_check_can_fail(page):
    """A one-em column of a three-character name is found; a wide one is not."""
    page.set_content(
        '<table id="t"><tr><td style="width:1em">王小明</td>'
        '<td style="width:10em">李四光</td></tr></table>'
    )
    found = squeezed(page.evaluate(MEASURE, "#t")["cells"])
    assert found == ["王小明 (3 lines)"]


@pytest.fixture
def demo(transactional_db):
    from demo.region import demo_region_load
    from demo.team import demo_load
    from demo.team_data import TEAM_SLUG

    demo_load()
    demo_region_load()
    return TEAM_SLUG


def test_the_roster_and_the_participant_picker(live_server, page, demo):
    log_in_browser(page, live_server.url, "secretary", "demo-secretary-2018")
    page.goto(f"{live_server.url}/teams/{demo}/members/")
    check_fits(page, "main table", "roster")
    page.goto(f"{live_server.url}/teams/{demo}/activities/new/")
    check_fits(page, "#participant-table", "picker")


def test_the_region_overview(live_server, page, demo):
    log_in_browser(page, live_server.url, "regionadmin", "demo-region-2018")
    page.goto(f"{live_server.url}/regions/")
    check_fits(page, "#overview-table", "overview")
