"""detect-secrets plugins for formats detect-secrets 1.5.0 does not know (``book.checks.secrets``).

detect-secrets loads this file by its path (``{"name": ..., "path": "file://..."}``), so it must
stand alone: it imports nothing from ``book``. No leading word boundary on purpose: a lab may print
a token glued to a word (``mytokenhf_…``).
"""

import re

from detect_secrets.plugins.base import RegexBasedDetector

_END = r"[^\s\"'\\<>&]+"  # a value ends at white space, a JSON escape or HTML markup


class HuggingFaceTokenDetector(RegexBasedDetector):
    secret_type = "Hugging Face Token"
    denylist = (re.compile(r"hf_[A-Za-z0-9]{34}(?![A-Za-z0-9])"),)


class NetrcPasswordDetector(RegexBasedDetector):
    """``machine example.org login bob password hunter2`` (a ``.netrc`` line)."""

    secret_type = "Netrc Password"
    denylist = (re.compile(r"\blogin\s+\S+\s+password\s+(" + _END + ")"),)


class AwsSecretAccessKeyDetector(RegexBasedDetector):
    """Unquoted ``aws_secret_access_key = …`` (the credentials file's form); detect-secrets'
    own AWSKeyDetector finds only the quoted form."""

    secret_type = "AWS Secret Access Key"
    denylist = (
        re.compile(
            r"aws_?secret_?access_?key\W{0,6}([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])",
            re.IGNORECASE,
        ),
    )


class GoogleApiKeyDetector(RegexBasedDetector):
    secret_type = "Google API Key"
    denylist = (re.compile(r"AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])"),)
