"""WeCom callback crypto: msg_signature (SHA1) and AES-256-CBC framing (shared/wecom/crypto.md).

Encryption is wechatpy's WeCom PrpCrypto. Decryption unpacks the frame itself, exactly as
PrpCrypto does (random(16) | length, network order | message | ReceiveId, PKCS#7-padded, AES-256-CBC
with the key's first 16 bytes as IV), so the ciphertext is base64-decoded once: the length check
and PrpCrypto each decoded it (tests/test_crypto.py compares both on good and corrupt input). The
signature check is ours because it must be constant-time, and the XML around the ciphertext is
parsed by bot.wecom.xml (defusedxml), never by wechatpy's xmltodict path.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import string
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from wechatpy.enterprise.crypto import PrpCrypto

from bot.errors import CallbackRejected, ConfigError

_NONCE_ALPHABET = string.ascii_letters + string.digits


def msg_signature(token: str, timestamp: str, nonce: str, encrypt: str) -> str:
    """SHA1 hex over the four values sorted and concatenated (crypto.md §3)."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypt])).encode()).hexdigest()


def random_nonce(length: int = 10) -> str:
    return "".join(secrets.choice(_NONCE_ALPHABET) for _ in range(length))


def aes_key(encoding_aes_key: str) -> bytes:
    if len(encoding_aes_key) != 43 or not encoding_aes_key.isalnum() or not encoding_aes_key.isascii():
        raise ConfigError("wecom.encoding_aes_key", "must be 43 letters or digits")
    try:
        key = base64.b64decode(encoding_aes_key + "=")
    except binascii.Error as exc:
        raise ConfigError("wecom.encoding_aes_key", "is not valid base64") from exc
    if len(key) != 32:
        raise ConfigError("wecom.encoding_aes_key", "must decode to 32 bytes")
    return key


class CallbackCrypto:
    """Signs, verifies, encrypts and decrypts for one callback receiver (token, key, receive id)."""

    def __init__(self, token: str, encoding_aes_key: str, receive_id: str) -> None:
        self.token = token
        self.receive_id = receive_id
        key = aes_key(encoding_aes_key)
        self._prp = PrpCrypto(key)
        self._cipher = Cipher(algorithms.AES(key), modes.CBC(key[:16]))  # PrpCrypto's own (WeChatCipher)

    def sign(self, timestamp: str, nonce: str, encrypt: str) -> str:
        return msg_signature(self.token, timestamp, nonce, encrypt)

    def verify(self, signature: str, timestamp: str, nonce: str, encrypt: str) -> None:
        expected = self.sign(timestamp, nonce, encrypt)
        if not hmac.compare_digest(expected.encode(), signature.lower().encode()):
            raise CallbackRejected("msg_signature mismatch")

    def encrypt(self, plaintext: str) -> str:
        out = self._prp.encrypt(plaintext, self.receive_id)
        return out.decode() if isinstance(out, bytes) else out

    def decrypt(self, encrypt: str) -> str:
        """Plaintext of a ciphertext; any corruption or a foreign ReceiveId is a CallbackRejected."""
        try:
            raw = base64.b64decode(encrypt, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise CallbackRejected("ciphertext is not base64") from exc
        if not raw or len(raw) % 32:
            raise CallbackRejected("ciphertext length is not a multiple of the block size")
        try:
            decryptor = self._cipher.decryptor()
            plain = decryptor.update(raw) + decryptor.finalize()
            content = plain[16:-plain[-1]]  # the random prefix off, the PKCS#7 padding as its last byte says
            (length,) = struct.unpack(">I", content[:4])  # struct.error when too short, as in PrpCrypto
            message = content[4:length + 4].decode()
            receive_id = content[length + 4:].decode()
        except (ValueError, struct.error, UnicodeDecodeError, IndexError) as exc:
            raise CallbackRejected("ciphertext does not decrypt") from exc
        if receive_id != self.receive_id:
            raise CallbackRejected("ReceiveId mismatch")
        return message

    def seal(self, plaintext: str, timestamp: str, nonce: str) -> tuple[str, str]:
        """(encrypt, msg_signature) for a plaintext, as WeCom or a passive reply sends it."""
        encrypt = self.encrypt(plaintext)
        return encrypt, self.sign(timestamp, nonce, encrypt)
