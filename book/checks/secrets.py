"""Secrets in the staged site, found by a maintained scanner: detect-secrets (pinned).

The site checks (``book.checks.site``) run this on every staged text file and notebook, beside
the search for this machine's own paths and variables (``book.checks.leaks``). It finds what
detect-secrets' plugins know (AWS access and secret keys, GitHub, GitLab, Slack tokens and webhook
URLs, JSON web tokens, PyPI, npm, OpenAI, Stripe, SendGrid, Twilio, Discord, Telegram, Azure,
passwords in URLs such as ``postgres://user:password@host``, ``password = "…"`` assignments in
text outputs) plus the plugins of ``book.checks.secret_plugins`` (Hugging Face ``hf_`` tokens,
``.netrc`` passwords, unquoted ``aws_secret_access_key``, Google API keys) and whole private key
blocks (PEM and PGP, across lines: detect-secrets reads one line at a time).

Left out, on purpose: the high-entropy string plugins (they flag every image, hash and source map
of a site), the public IP plugin (an address is no secret), and detect-secrets' "allowlist"
pragma (a lab could print it beside a secret).

detect-secrets runs in memory: its settings are set with ``transient_settings`` and lines are
handed to the function its own ``scan_file`` uses once a file is read. Only lines that one of the
enabled plugins' patterns hits are handed to it; image payloads are blanked first.

A secret is exempt only when the author wrote that exact secret in the course's sources
(``authored_secrets``): a page whose prose mentions ``-----BEGIN RSA PRIVATE KEY-----`` exempts
no key, since a header is no secret.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

from book.checks.secret_lines import LineVerdicts

PLUGINS = Path(__file__).with_name("secret_plugins.py")
CUSTOM = (
    "HuggingFaceTokenDetector",
    "NetrcPasswordDetector",
    "AwsSecretAccessKeyDetector",
    "GoogleApiKeyDetector",
)
DISABLED = {
    "IPPublicDetector",  # an IP address is not a secret
    "PrivateKeyDetector",  # its value is the header line: replaced by PEM below
    "Base64HighEntropyString",  # every image, hash and source map of a site
    "HexHighEntropyString",
    "KeywordDetector",  # enabled only where outputs are text, not in scripts and styles
}
PLURAL = {  # detect-secrets' names that take no article
    "Basic Auth Credentials": "a password in a URL",
    "Secret Keyword": "a password or secret assigned in text",
}
KEYWORD_SUFFIXES = {".html", ".htm", ".ipynb", ".json", ".txt", ".md"}
FILTERS = [  # detect-secrets' own heuristics, less `is_line_allowlisted` (a printable pragma)
    {"path": f"detect_secrets.filters.heuristic.{name}"}
    for name in (
        "is_sequential_string",
        "is_potential_uuid",
        "is_likely_id_string",
        "is_templated_secret",
        "is_prefixed_with_dollar_sign",
        "is_indirect_reference",
        "is_not_alphanumeric_string",
    )
]
PEM = re.compile(
    r"-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY(?: BLOCK)?-----"
    r"([A-Za-z0-9+/=\s:,.\"\\-]{64,20000}?)-----END",
    re.DOTALL,
)
# Image payloads cannot carry a printed secret: blanked (no line removed), they cost no time.
IMAGE = re.compile(
    r"(data:image/[\w.+-]+;base64,|\"image/(?:png|jpeg|gif|webp)\":\s*\")[A-Za-z0-9+/=\\n]{16,}"
)


@dataclass(frozen=True)
class Secret:
    line: int
    kind: str  # detect-secrets' type, e.g. "GitHub Token"
    value: str = field(repr=False)  # compared with the author's secrets; never shown
    text: str = field(repr=False)  # as it stands in the file (to find the cell that printed it)

    @property
    def what(self) -> str:
        if self.kind in PLURAL:
            return PLURAL[self.kind]
        article = "an" if self.kind[:1] in "AEIOU" else "a"
        return f"{article} {self.kind}"


@lru_cache(maxsize=1)
def scanner_key() -> str:
    """What the scan looks for: detect-secrets' version, its settings and our plugins. A
    published file scanned with the same key needs no new scan (``book.checks.site.scan_key``)."""
    digest = hashlib.sha256(version("detect-secrets").encode())
    digest.update(PLUGINS.read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


def _plugins(suffix: str) -> list[dict[str, str]]:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    get_mapping_from_secret_type_to_class.cache_clear()  # cached: let it see ours
    classes: Iterable[type] = get_mapping_from_secret_type_to_class().values()
    names = [c.__name__ for c in classes]
    stock = [{"name": n} for n in names if n not in DISABLED and n not in CUSTOM]
    if suffix in KEYWORD_SUFFIXES:
        stock.append({"name": "KeywordDetector"})
    return stock + [{"name": n, "path": f"file://{PLUGINS}"} for n in CUSTOM]


@lru_cache(maxsize=16)
def _settings(suffix: str) -> dict[str, list[dict[str, str]]]:
    from detect_secrets.settings import transient_settings

    ours = [{"name": n, "path": f"file://{PLUGINS}"} for n in CUSTOM]
    with transient_settings({"plugins_used": ours}):
        plugins = _plugins(suffix)
    return {"plugins_used": plugins, "filters_used": FILTERS}


@lru_cache(maxsize=16)
def _prefilter(suffix: str) -> tuple[re.Pattern[str], ...]:
    """The enabled plugins' own patterns, each run over the whole text: a line none of them
    hits is not handed to detect-secrets (apart, most start with a literal, which ``re`` finds
    fast; joined in one pattern, they ran at half the speed). Compiled with ``re.MULTILINE``:
    run over many lines joined, ``^`` and ``$`` match at each line as they do in the one line
    detect-secrets is handed."""
    from detect_secrets.plugins import keyword
    from detect_secrets.plugins.base import RegexBasedDetector
    from detect_secrets.settings import get_plugins, transient_settings

    found: list[re.Pattern[str]] = []
    with transient_settings(_settings(suffix)):
        for plugin in get_plugins():
            if isinstance(plugin, RegexBasedDetector):
                found.extend(plugin.denylist)
            elif isinstance(plugin, keyword.KeywordDetector):
                found.append(re.compile("|".join(keyword.DENYLIST), re.IGNORECASE))
    return tuple(re.compile(rx.pattern, rx.flags | re.MULTILINE) for rx in found)


def scan_text(text: str, suffix: str = ".html", exempt: Iterable[str] = ()) -> list[Secret]:
    """The secrets in ``text`` (a file's content; ``suffix`` its kind), but those in ``exempt``."""
    exempt = set(exempt)
    found: dict[tuple[int, str], Secret] = {}

    def add(line: int, kind: str, value: str, shown: str) -> None:
        if value and value not in exempt and (line, value) not in found:
            found[(line, value)] = Secret(line, kind, value, shown)

    for m in PEM.finditer(text):
        body = re.sub(r"[^A-Za-z0-9+/=]", "", re.sub(r"\\[nr]", "", m.group(2)))
        first = re.search(r"[A-Za-z0-9+/=]{16,}", m.group(2))
        if len(body) >= 48 and first:
            kind = f"Private Key ({m.group(1).strip() or 'PKCS8'})"
            add(text.count("\n", 0, m.start()) + 1, kind, body, first.group(0))
    clean = IMAGE.sub(lambda m: m.group(1), text)
    lines = clean.split("\n")
    _LINES.prepare(lines, suffix)
    for n, line in enumerate(lines, 1):
        for kind, value in _LINES.secrets(line, suffix):
            add(n, kind, value, value)
    return sorted(found.values(), key=lambda s: (s.line, s.kind))


def remember(path: Path) -> None:
    """Load the verdicts an earlier build saved at ``path`` (``LineVerdicts.load``)."""
    _LINES.load(path)


def keep(path: Path) -> None:
    """Save the verdicts for the next build (``LineVerdicts.save``)."""
    _LINES.save(path)


def _detect(line: str, suffix: str) -> list[tuple[str, str]]:
    from detect_secrets.core.scan import _process_line_based_plugins
    from detect_secrets.settings import transient_settings

    with transient_settings(_settings(suffix)):
        return [
            (s.type, _whole(s.type, line, s.secret_value or ""))
            for s in _process_line_based_plugins([(1, line)], f"page{suffix}")
        ]


_LINES = LineVerdicts(_prefilter, _detect, scanner_key)


def _whole(kind: str, line: str, value: str) -> str:
    """The whole secret: some plugins capture only a prefix (``ghp``), a JWT loses its
    signature (the pattern ends lazily)."""
    if kind == "JSON Web Token":
        m = re.search(re.escape(value) + r"[A-Za-z0-9_=-]*", line)
        return m.group(0) if m else value
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    plugin: type | None = get_mapping_from_secret_type_to_class().get(kind)
    denylist: Iterable[re.Pattern[str]] = getattr(plugin, "denylist", ())
    for rx in denylist:
        for m in rx.finditer(line) if rx.groups else ():
            if m.group(0).startswith(value) and (m.group(1) or "") == value:
                return str(m.group(0))
    return value


@lru_cache(maxsize=4)
def authored_secrets(authored: str) -> frozenset[str]:
    """The secrets the author wrote in the course's sources (``authored_text``): exempt."""
    return frozenset(s.value for s in scan_text(authored, ".md"))
