"""WeCom callback crypto: msg_signature (SHA1) and AES-256-CBC framing (shared/wecom/crypto.md).

Encryption is wechatpy's WeCom PrpCrypto; decryption unpacks the same framing itself (the same
steps and errors as PrpCrypto.decrypt, tests/test_crypto.py compares them) so the ciphertext is
base64-decoded once, not once to check it and again inside wechatpy. The signature check is ours
because it must be constant-time, and the XML around the ciphertext is parsed by bot.wecom.xml
(defusedxml's defences), never by wechatpy's xmltodict path.
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
        self._cipher = Cipher(algorithms.AES(key), modes.CBC(key[:16]))  # as wechatpy's WeChatCipher

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
            return self._unpack(raw)
        except (ValueError, struct.error, UnicodeDecodeError, IndexError) as exc:
            raise CallbackRejected("ciphertext does not decrypt") from exc

    def _unpack(self, raw: bytes) -> str:
        """wechatpy's BasePrpCrypto._decrypt on the decoded bytes: AES-CBC, the last byte taken as
        the padding's length unchecked, 16 random bytes, a 4-byte big-endian length, the message, the
        ReceiveId (each decoded as UTF-8, as wechatpy's to_text does)."""
        decryptor = self._cipher.decryptor()
        plain = decryptor.update(raw) + decryptor.finalize()
        content = plain[16:-plain[-1]]
        length, = struct.unpack(">I", content[:4])
        text = content[4:length + 4].decode()
        if content[length + 4:].decode() != self.receive_id:
            raise CallbackRejected("ReceiveId mismatch")
        return text

    def seal(self, plaintext: str, timestamp: str, nonce: str) -> tuple[str, str]:
        """(encrypt, msg_signature) for a plaintext, as WeCom or a passive reply sends it."""
        encrypt = self.encrypt(plaintext)
        return encrypt, self.sign(timestamp, nonce, encrypt)
