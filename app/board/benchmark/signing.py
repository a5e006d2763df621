"""Ed25519 signatures for benchmarking files.

What is signed is the file's ``payload`` in one canonical form (JSON with sorted keys, no
spaces, UTF-8), so a file re-indented by an editor still verifies, and any changed figure does
not. The key is BENCHMARK_SIGNING_KEY (config.py): the 32-byte private key in URL-safe base64.
The fingerprint is "sha256:" and the hex SHA-256 of the raw 32-byte public key; councils can
read it to each other to confirm a file is really from whom it says.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from flask import current_app

ALGORITHM = "Ed25519"


class SigningKeyMissing(Exception):
    """No usable BENCHMARK_SIGNING_KEY: nothing can be signed."""


def canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.encode() + b"=" * (-len(text) % 4))


def new_key() -> str:
    """A fresh private key in the form BENCHMARK_SIGNING_KEY takes."""
    raw = Ed25519PrivateKey.generate().private_bytes(
        Encoding.Raw, PrivateFormat.Raw, NoEncryption()
    )
    return _b64(raw)


def signing_key() -> Ed25519PrivateKey:
    text = current_app.config.get("BENCHMARK_SIGNING_KEY") or ""
    if not text:
        raise SigningKeyMissing(
            "Set BENCHMARK_SIGNING_KEY to sign benchmarking files "
            "(`flask benchmark new-key` prints a new one)"
        )
    try:
        raw = _unb64(text.strip())
        if len(raw) != 32:
            raise ValueError
        return Ed25519PrivateKey.from_private_bytes(raw)
    except (ValueError, binascii.Error) as error:
        raise SigningKeyMissing(
            "BENCHMARK_SIGNING_KEY is not a key: it must be 32 bytes in URL-safe base64 "
            "(`flask benchmark new-key` prints a new one)"
        ) from error


def public_key_text(key: Ed25519PublicKey) -> str:
    return _b64(key.public_bytes(Encoding.Raw, PublicFormat.Raw))


def fingerprint(public_key: str) -> str:
    return "sha256:" + hashlib.sha256(_unb64(public_key)).hexdigest()


def sign(payload: dict[str, Any]) -> dict[str, str]:
    """The signature block for ``payload``, under this install's key."""
    key = signing_key()
    public = public_key_text(key.public_key())
    return {
        "algorithm": ALGORITHM,
        "public_key": public,
        "fingerprint": fingerprint(public),
        "value": _b64(key.sign(canonical(payload))),
    }


def verify(payload: dict[str, Any], signature: dict[str, str]) -> bool:
    """Whether ``signature`` is a good Ed25519 signature of ``payload`` by its own public key,
    and its fingerprint is that key's."""
    try:
        public = Ed25519PublicKey.from_public_bytes(_unb64(signature["public_key"]))
        public.verify(_unb64(signature["value"]), canonical(payload))
    except (InvalidSignature, ValueError, binascii.Error, KeyError):
        return False
    return signature.get("fingerprint") == fingerprint(signature["public_key"])
