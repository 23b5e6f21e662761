"""What the Content-Security-Policy of the portal forbids in a page, found by parsing it.

The policy allows scripts and styles from the portal's own files only: no ``<script>`` without
``src`` (a JSON data block is not a script), no ``<style>`` element (in inline SVG too), no
``style=""`` attribute, no ``on*=`` event handler and no ``javascript:`` URL.
"""

from __future__ import annotations

from html.parser import HTMLParser

DATA_BLOCKS = {"application/json", "application/ld+json", "text/template"}
REQUIRED_DIRECTIVES = {
    "default-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
REQUIRED_PERMISSIONS = ("camera=()", "microphone=()", "geolocation=()")


class _Scanner(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.findings: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        kind = (attributes.get("type") or "").lower()
        if tag == "script" and not attributes.get("src") and kind not in DATA_BLOCKS:
            self.findings.append("inline <script>")
        if tag == "style":
            self.findings.append("<style> element")
        for name, value in attrs:
            if name == "style":
                self.findings.append(f'<{tag} style="{(value or "")[:40]}">')
            elif name.startswith("on"):
                self.findings.append(f"<{tag} {name}=…>")
            elif name in ("href", "src", "action", "formaction") and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.findings.append(f"<{tag} {name}=javascript:…>")

    handle_startendtag = handle_starttag


def inline_code(html: str) -> list[str]:
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return sorted(set(scanner.findings))


def header_problems(response) -> list[str]:
    problems = []
    policy = response.get("Content-Security-Policy", "")
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    for name, value in REQUIRED_DIRECTIVES.items():
        if directives.get(name) != [value]:
            problems.append(f"CSP {name} is {directives.get(name)}")
    for name in ("script-src", "style-src"):
        sources = directives.get(name, directives.get("default-src", []))
        if "'unsafe-inline'" in sources or "'unsafe-eval'" in sources:
            problems.append(f"CSP {name} allows {sources}")
    permissions = response.get("Permissions-Policy", "")
    missing = [p for p in REQUIRED_PERMISSIONS if p not in permissions]
    problems += [f"Permissions-Policy lacks {p}" for p in missing]
    return problems
