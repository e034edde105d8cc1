"""Sealing: authenticated encryption of one stored document (AES-256-GCM, `cryptography`).

A sealed document is a short plain header line, a random 96-bit nonce and the ciphertext
with its tag:

    peercoach-sealed:1:<key id>\\n <nonce> <ciphertext + tag>

The header says what the file is and which key sealed it (so `rekey` and an old key can be
told apart without trying every key). The associated data is the header plus a label naming
whose document it is (a leader's file name, or their key in a database): a file copied onto
another leader's name, or a header edited to point at another key, does not open. Any store
(the TinyDB files here, PostgreSQL later) seals bytes and opens bytes; it never sees a key.

Plain documents (written before sealing existed) are still read, and are sealed on their next
write or by `peercoach rekey`.
"""

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bot.crypto.keys import SETTING, DataKey, KeyRing, key_file, local_keys
from bot.errors import StorageError

MAGIC = b"peercoach-sealed:"
VERSION = b"1"
NONCE_BYTES = 12
HEADER_BYTES = len(MAGIC) + len(VERSION) + 1 + 8 + 1  # magic, version, ':', key id, '\n'


class KeyMismatchError(StorageError):
    """No configured key opens stored data: the operator gave the wrong key, or none."""

    def __init__(self, where: str, key_id: str, ring: KeyRing) -> None:
        self.where = where
        given = ", ".join(k.id for k in ring.keys)
        super().__init__(
            f"no key in {ring.source} (key id {given}) opens {where}, which was sealed with key "
            f"id {key_id}: set {SETTING} to the key the data was written with (several may be "
            "given, comma-separated, newest first); nothing was changed"
        )


class SealError(ValueError):
    """A sealed document that does not open with its own key: damaged or moved."""


class Sealer:
    """Seals with the newest key of a ring; opens with whichever key sealed."""

    def __init__(self, ring: KeyRing) -> None:
        self.ring = ring
        self._ciphers = {key.id: AESGCM(key.secret) for key in ring.keys}
        self._header = _header(ring.newest)

    def seal(self, plain: bytes, label: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        header = self._header
        sealed = self._ciphers[self.ring.newest.id].encrypt(nonce, plain, header + label.encode())
        return b"".join((header, nonce, sealed))

    def open(self, stored: bytes, label: str, where: str) -> bytes:
        """The plain document; `stored` as it is if it was never sealed. KeyMismatchError if
        no key of the ring sealed it, SealError if it does not open with the one that did."""
        if not is_sealed(stored):
            return stored
        key_id = sealed_by(stored)
        if key_id is None:
            raise SealError("its sealed header is not one this peercoach knows")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise KeyMismatchError(where, key_id, self.ring)
        header, body = stored[:HEADER_BYTES], stored[HEADER_BYTES + NONCE_BYTES :]
        nonce = stored[HEADER_BYTES : HEADER_BYTES + NONCE_BYTES]
        try:
            return cipher.decrypt(nonce, body, header + label.encode())
        except InvalidTag:
            raise SealError(
                "it does not open with the key that sealed it: it is damaged, or it was "
                "copied from another leader's file"
            ) from None

    def is_current(self, stored: bytes) -> bool:
        """Sealed with the newest key: nothing for `rekey` to do."""
        return stored.startswith(self._header)


def is_sealed(stored: bytes) -> bool:
    return stored.startswith(MAGIC)


def sealed_by(stored: bytes) -> str | None:
    """The key id in a sealed document's header; None if the header is not well-formed."""
    header = stored[:HEADER_BYTES]
    if len(header) < HEADER_BYTES or not header.endswith(b"\n"):
        return None
    if header[len(MAGIC) : len(MAGIC) + len(VERSION) + 1] != VERSION + b":":
        return None
    key_id = header[len(MAGIC) + len(VERSION) + 1 : -1]
    if len(stored) < HEADER_BYTES + NONCE_BYTES + 16:  # the tag alone is 16 bytes
        return None
    try:
        return key_id.decode("ascii")
    except UnicodeDecodeError:
        return None


def _header(key: DataKey) -> bytes:
    return MAGIC + VERSION + b":" + key.id.encode("ascii") + b"\n"


def local_sealer() -> "Sealer":
    """Sealing with the local key file's keys (created on first use): the console's, and
    what stores built without explicit keys (tests, benchmarks) use."""
    return Sealer(local_keys(key_file(os.environ))[0])
