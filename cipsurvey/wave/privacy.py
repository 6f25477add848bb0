"""Pseudonymisation of respondent ids with a keyed hash (HMAC-SHA-256).

The key lives in a file outside every output (by default ``~/.cipsurvey/key``, created on first
use, readable by its owner only). The same key gives the same pseudonym for the same id, so
waves pseudonymised with one key still link; without the key the ids cannot be recovered or
confirmed by hashing guesses.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import pandas as pd

from ..errors import CipsurveyError


def key_path(path: str | Path | None = None) -> Path:
    """Where the key is kept: ``path``; else the file named by the environment variable
    ``CIPSURVEY_KEY_FILE``; else ``~/.cipsurvey/key``."""
    return Path(path or os.environ.get("CIPSURVEY_KEY_FILE")
                or Path.home() / ".cipsurvey" / "key")


def load_key(path: str | Path | None = None, create: bool = True) -> bytes:
    """The key in :func:`key_path` (a hex string); a new random key is written there if it
    is missing (callers that write one say so: see ``cli.options.pseudonym_key``)."""
    path = key_path(path)
    if path.exists():
        text = path.read_text(encoding="ascii").strip()
        try:
            key = bytes.fromhex(text)
        except ValueError:
            raise CipsurveyError("the key file does not hold a hex key", file=path) from None
        if len(key) < 16:
            raise CipsurveyError("the key is shorter than 16 bytes", file=path)
        return key
    if not create:
        raise CipsurveyError("no key file", file=path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key.hex() + "\n")
    return key


def pseudonym(value: str, key: bytes) -> str:
    """The keyed hash (HMAC-SHA256) of one id, as ``P`` and 16 hex digits."""
    return "P" + hmac.new(key, str(value).encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def pseudonymise(values: pd.Series, key: bytes) -> pd.Series:
    """Each id replaced by its keyed hash; missing ids stay missing."""
    return values.map(lambda v: v if pd.isna(v) else pseudonym(v, key))
