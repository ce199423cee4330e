"""The secret scan (detect-secrets, book.checks.secrets): every format of issue 22 is found in a
page and in a notebook download, masked when shown; only the author's exact secret is exempt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from book.checks.leaks import machine_needles
from book.checks.secrets import authored_secrets, scan_text
from book.checks.site import leak_errors

# Shapes of real credentials, made up (split so that no scanner flags this file as a leak).
AWS_ID = "AKIA" + "Q3EGRT7VXN2WMPLH"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYzq8Tn4Vd2Q"
GHP = "ghp_" + "r4Nd0mT0k3nV4lu3Xq9Lm2Pz8Ks7Jw6Hy5Gt"
SLACK = "xoxb-" + "2048613512-1120453961234-a8sK2mP0qLz9XwT4vB7nRcYe"
WEBHOOK = "https://hooks.slack.com/services/" + "T0A1B2C3D/B9Z8Y7X6W/q8Ws3Lp0Mz7Kx2Nv5Bc4Rt1Y"
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ."
    "kR8vX2mQ9pL4sT7wZ1nB6cF3hJ0dG5yA8eU2iO4rW7q"
)
HF = "hf_" + "aB3dE5gH7jK9mN1pQ3sT5vW7yZ0bC2eF4h"
PYPI = "pypi-" + (
    "AgEIcHlwaS5vcmcCJGE4ZDk3YjMtNWU2Ny00MjQ5LWI3N2EtM2Q0ZTFkOGE5OTk4AAIqWzMsImZhZjg1NjA0LTIz"
)
DB_PASS = "s3cr3tPass"
DB_URL = "postgres://user:" + DB_PASS + "@db:5432/x"
NETRC_PASS = "hunter2xyz"
NETRC = "machine example.com login bob password " + NETRC_PASS
GOOGLE = "AIza" + "SyD4x9Qw2Ek7Rt5Yu1Io3Pa6Sd8Fg0Hj2Kl"
RSA_BODY = [
    "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun",
    "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK",
]
BEGIN, END = "-----BEGIN ", "-----END "
RSA = f"{BEGIN}RSA PRIVATE KEY-----\n" + "\n".join(RSA_BODY) + f"\n{END}RSA PRIVATE KEY-----"
PEM = f"{BEGIN}PRIVATE KEY-----\n" + "\n".join(RSA_BODY) + f"\n{END}PRIVATE KEY-----"
PGP = (
    f"{BEGIN}PGP PRIVATE KEY BLOCK-----\n\n"
    "lQOYBGXk3qIBCADc7V1nq9Zp3Lm8Rt2Ws6Yb0Hd4Kf7Jg1Xc5Nv9Qa2Me8Tu3Oi\n"
    "Pz6Ly4Kr1Jx0Hw9Gv8Fu7Et6Ds5Cr4Bq3Ap2Zo1Yn0Xm9Wl8Vk7Uj6Ti5Sh4Rg3\n=Xy7q\n"
    f"{END}PGP PRIVATE KEY BLOCK-----"
)

CASES = {  # name: (what a lab printed, the kind found, the secret)
    "aws access key": (f"AWS_ACCESS_KEY_ID={AWS_ID}", "AWS Access Key", AWS_ID),
    "aws secret key": (
        f"aws_secret_access_key = {AWS_SECRET}",
        "AWS Secret Access Key",
        AWS_SECRET,
    ),
    "github": (f"token: {GHP}", "GitHub Token", GHP),
    "slack bot": (SLACK, "Slack Token", SLACK),
    "slack webhook": (WEBHOOK, "Slack Token", WEBHOOK),
    "jwt": (f"Authorization: Bearer {JWT}", "JSON Web Token", JWT),
    "rsa key": (RSA, "Private Key (RSA)", "".join(RSA_BODY)),
    "pem key": (PEM, "Private Key (PKCS8)", "".join(RSA_BODY)),
    "pgp key": (PGP, "Private Key (PGP)", None),
    "hugging face": (f"HF_TOKEN {HF}", "Hugging Face Token", HF),
    "pypi": (PYPI, "PyPI Token", PYPI),
    "database url": (DB_URL, "Basic Auth Credentials", DB_PASS),
    "netrc": (NETRC, "Netrc Password", NETRC_PASS),
    "google": (f"key={GOOGLE}", "Google API Key", GOOGLE),
    "github glued to a word": (f"token{GHP}", "GitHub Token", GHP),
    "aws glued to a word": (f"key{AWS_ID}", "AWS Access Key", AWS_ID),
    "hf glued to a word": (f"mytoken{HF}", "Hugging Face Token", HF),
}


def page(printed: str, prose: str = "Some prose.") -> str:
    """A staged page: prose, then a cell's printed output."""
    return (
        f'<html><body><main><p>{prose}</p>\n<div class="cell_output docutils container">'
        f'<div class="output stream highlight-myst-ansi notranslate"><div class="highlight">'
        f"<pre><span></span>{printed}\n</pre></div></div></div></main></body></html>\n"
    )


def notebook(printed: str) -> str:
    out = {"name": "stdout", "output_type": "stream", "text": printed.splitlines(keepends=True)}
    cell = {"cell_type": "code", "source": ["print(x)"], "outputs": [out], "metadata": {}}
    return json.dumps({"cells": [cell], "nbformat": 4, "nbformat_minor": 5}, indent=1)


@pytest.mark.parametrize("form", ["page", "notebook", "notebook on one line"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_each_format_is_found(name, form):
    printed, kind, value = CASES[name]
    if form == "page":
        text, suffix = page(printed), ".html"
    else:
        text, suffix = notebook(printed), ".ipynb"
        if form == "notebook on one line":  # the whole file one line, newlines escaped
            text = json.dumps(json.loads(text))
    found = [s for s in scan_text(text, suffix) if s.kind == kind]
    assert found, f"{name} not found in a {form}: {scan_text(text, suffix)}"
    if value is not None:
        assert value in {s.value for s in found}


def test_a_secret_is_never_in_its_repr():
    (found,) = scan_text(page(HF))
    assert HF not in repr(found) and found.what == "a Hugging Face Token"


def test_only_the_exact_secret_is_exempt():
    text = page(GHP)
    assert scan_text(text, exempt={GHP}) == []
    assert scan_text(text, exempt={GHP[:-1], "ghp", GHP + "x"})


def test_prose_mentioning_a_key_header_exempts_no_key():
    prose = f"Never print a key: it starts with {BEGIN}RSA PRIVATE KEY-----, and ..."
    assert authored_secrets(prose) == frozenset()  # a header alone is no secret
    found = scan_text(page(RSA, prose=prose), exempt=authored_secrets(prose))
    assert [(s.kind, s.line) for s in found] == [("Private Key (RSA)", 2)]  # the output's line


def test_the_authors_own_example_secret_is_exempt_and_no_other():
    source = f"An example (a revoked demo token): `{SLACK}`"
    found = scan_text(page(f"{SLACK}\n{GHP}", prose=source), exempt=authored_secrets(source))
    assert [s.kind for s in found] == ["GitHub Token"]


def test_a_printed_allowlist_pragma_hides_nothing():
    assert scan_text(page(f"{GHP}  # pragma: allowlist secret"))


def test_ordinary_outputs_are_no_secrets():
    printed = (
        "sha256 2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881\n"
        "uuid 00000000-0000-0000-0000-000000000005 url https://example.com/a?b=c\n"
        "password = os.environ['DB_PASSWORD']  {'session': 'eyJ-not-a-jwt'}\n"
        "192.168.1.10 10.0.0.1 [[0.63696169 0.26978671 0.04097352]]\n"
        '<img src="data:image/png;base64,' + "iVBORw0KGgoAAAANSUhEUgAA" * 40 + '"/>'
    )
    assert scan_text(page(printed)) == []
    assert scan_text(notebook(printed), ".ipynb") == []


def course(tmp_path: Path, prose: str) -> Path:
    root = tmp_path / "course"
    root.mkdir()
    (root / "_config.yml").write_text("title: A course\n")
    (root / "_toc.yml").write_text("format: jb-book\nroot: intro\n")
    (root / "intro.md").write_text(f"# Intro\n\n{prose}\n")
    return root


def staged(tmp_path: Path, printed: str, prose: str) -> Path:
    site = tmp_path / "site"
    site.mkdir(parents=True)
    (site / "intro.html").write_text(page(printed, prose=prose))
    return site


def test_site_scan_names_the_page_and_masks_the_secret(tmp_path):
    prose = f"Keys start with {BEGIN}RSA PRIVATE KEY----- and live in /home/ubuntu/.ssh"
    root = course(tmp_path, prose)
    site = staged(tmp_path, f"{RSA}\n{HF}", prose)
    needles = machine_needles(root, environ={}, home="/home/ubuntu", host="ridge")
    errors = leak_errors(site, root, needles=needles)
    messages = sorted(e.message for e in errors)
    assert messages == [
        f"contains a Hugging Face Token ({HF[:4]}…{HF[-2:]})",
        f"contains a Private Key (RSA) ({RSA_BODY[0][:4]}…{RSA_BODY[0][-2:]})",
    ]
    assert sorted(e.path for e in errors) == ["../site/intro.html:2", "../site/intro.html:6"]
    assert HF not in str([e.format() for e in errors])


def test_a_path_is_exempt_only_when_the_author_wrote_it_whole(tmp_path):
    prose = "Never print what is in /home/ubuntu/.ssh, the keys folder."
    root = course(tmp_path, prose)
    needles = machine_needles(root, environ={}, home="/home/ubuntu", host="ridge")
    site = staged(tmp_path, "/home/ubuntu/.ssh", prose)
    assert leak_errors(site, root, needles=needles) == []  # the author's own words
    site = staged(tmp_path / "2", "/home/ubuntu/.ssh/id_ed25519", prose)
    (error,) = leak_errors(site, root, needles=needles)
    assert error.message == "contains the home folder (/home/ubuntu)"


def test_lines_found_clean_are_remembered_between_builds_and_secrets_never(tmp_path, monkeypatch):
    """The scan keeps the hashes of clean lines (and the plugins' patterns) for the next build:
    a line seen before is not searched again, a secret is found every time, and a memory saved
    for another scanner is not used."""
    from book.checks import secret_lines, secrets

    def verdicts():
        return secrets.LineVerdicts(secrets._prefilter, secrets._detect, secrets.scanner_key)

    memory = tmp_path / ".scan-memory"
    text = page(f"{GHP}\n{AWS_ID}", prose="Some prose the next build shows again.")
    first = verdicts()
    monkeypatch.setattr(secrets, "_LINES", first)
    found = {s.kind for s in secrets.scan_text(text)}
    assert {"GitHub Token", "AWS Access Key"} <= found
    first.save(memory)

    second = verdicts()  # the next build, a new process
    second.load(memory)
    monkeypatch.setattr(secrets, "_LINES", second)
    searched: list[str] = []
    real = secret_lines._compiled

    def spy(patterns):
        searched.append("searched")
        return real(patterns)

    monkeypatch.setattr(secret_lines, "_compiled", spy)
    clean_only = "\n".join(
        line for line in text.split("\n") if GHP not in line and AWS_ID not in line
    )
    assert secrets.scan_text(clean_only) == []
    assert searched == [], "lines a build found clean were searched again"
    assert {s.kind for s in secrets.scan_text(text)} == found  # the secrets' lines: searched
    assert searched

    (tmp_path / "other").write_bytes(
        memory.read_bytes().replace(secrets.scanner_key().encode(), b"0" * 64)
    )
    third = verdicts()
    third.load(tmp_path / "other")
    assert third.clean == {} and third.patterns == {}
