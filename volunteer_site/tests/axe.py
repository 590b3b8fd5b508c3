"""axe-core in the browser tests: the page's accessibility problems, as a test can read them.

axe-core is an npm devDependency (node_modules/axe-core/axe.min.js). Its source is handed
to ``page.evaluate``, which runs it through the DevTools protocol: no ``<script>`` element is
added, so the site's Content-Security-Policy (no inline scripts) is neither broken nor
loosened, and the ``page`` fixture's CSP watch stays on. Use::

    from volunteer_site.tests.axe import assert_accessible

    page.goto(...)
    assert_accessible(page)  # fails with each rule, its help and the offending selectors

or ``axe_violations(page)`` for the raw list (e.g. to check one rule is gone).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# WCAG 2.0 and 2.1, levels A and AA, plus axe's best practices (heading order, landmarks,
# one main, page has a heading one, ...), as issue 15 asks.
TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice")


@cache
def _axe_source() -> str:
    if not AXE_JS.exists():
        raise AssertionError(f"{AXE_JS} is missing: run `npm ci` (axe-core is a devDependency)")
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page, *, rules: list[str] | None = None) -> list[dict]:
    """axe-core's violations on the page as it is now: one dict per rule broken (``id``,
    ``impact``, ``help``, ``helpUrl``, ``nodes`` each with ``target`` selectors, ``html``
    and ``failureSummary``). ``rules`` runs only those rule ids; otherwise every rule
    tagged WCAG 2 / 2.1 A or AA or best-practice."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # A script evaluated as it is: axe's own UMD wrapper sets window.axe.
        page.evaluate(_axe_source() + "\n;undefined")
    if rules:
        options = {"runOnly": {"type": "rule", "values": list(rules)}}
    else:
        options = {"runOnly": {"type": "tag", "values": list(TAGS)}}
    options["resultTypes"] = ["violations"]
    return page.evaluate(
        "async (options) => (await window.axe.run(document, options)).violations", options
    )


def axe_report(violations: list[dict], *, url: str = "") -> str:
    """The violations as a person reads them: per rule its id, impact and help, then
    each offending element's selector, its HTML and what to fix."""
    lines = [f"{len(violations)} axe-core violation(s){' on ' + url if url else ''}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact') or 'n/a'}): {violation['help']}"
            f" <{violation.get('helpUrl', '')}>"
        )
        for node in violation["nodes"]:
            selector = " ".join(
                ">>".join(part) if isinstance(part, list) else part for part in node["target"]
            )
            lines.append(f"    {selector}")
            lines.append(f"      {node.get('html', '')[:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


def assert_accessible(page, *, rules: list[str] | None = None) -> None:
    """Fail, with ``axe_report``, unless axe-core finds no violation on the page."""
    violations = axe_violations(page, rules=rules)
    assert not violations, axe_report(violations, url=page.url)
