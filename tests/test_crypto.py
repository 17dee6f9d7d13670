"""The callback crypto reproduces the hand-checked vectors of shared/wecom/crypto.md §9."""

from __future__ import annotations

import base64
import random
import struct
from typing import Callable

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from bot.errors import CallbackRejected, ConfigError
from bot.wecom.crypto import CallbackCrypto

TOKEN = "TestToken2025"
KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
CORP = "ww0123456789abcdef"
ECHO_A = "5XltAAWvdfK97kdYilpWLOgwuHGBZJ3uTjvbY+kva+pKcLp7cdVj7axuvNVSNIzZCy8tHCR2rJMAMzL30ykhxw=="
ENCRYPT_B = (
    "5XltAAWvdfK97kdYilpWLGt4C+L/JrzE4aeljnjmAdVTa9MxM/AMh6/amski9AtglUvOBCnygc51z1HHtO5TdcqUZgVywFA3BE1fWcCb16rZN"
    "AKkkHJBIWMY2yuhfa1i0TGXVQW7Z33HkVP5csgq1f2prrF7RRTO3WuUvG0WJWl/UMX+rvwoMbo2LQse/B3V2kyOeCT1Lc0QbeY3AE5IOTsGbkp"
    "ZiAJlxjo+P2vnC4ufSGxSQhoHvSUEycBGZdIYPWkF/iY2YbzJtiZQUl/qm8J6Z4qnb7AO7SnQVC8BZ5lcbr+poA4X8lnItMWvIVjRzN4bdlRz1"
    "IWSyTRJv8J5jy5QWWvkVN/bYF+6o0Yu9LP//6ozu8dyfJ//DbzGhHpEeESvDQjc8uknoBBQRpoN1KtI3rOFdwT2A1uQY7B9ULcdvwPdoKC/Ix"
    "pIbU3ayWDA6/ccI8zQFlWB6PvQrGMW7A=="
)


@pytest.fixture
def crypto() -> CallbackCrypto:
    return CallbackCrypto(TOKEN, KEY, CORP)


def test_url_verification_vector_decrypts_to_the_challenge(crypto: CallbackCrypto) -> None:
    crypto.verify("a6695d08f64960a96bf9be96b7b8ba411622a1e5", "1700000000", "8675309", ECHO_A)
    assert crypto.decrypt(ECHO_A) == "echo-4921837465"


def test_inbound_message_vector_verifies_and_decrypts(crypto: CallbackCrypto) -> None:
    crypto.verify("02f76589285ad9647fd2e534942677882a463a07", "1700000001", "1357924680", ENCRYPT_B)
    plain = crypto.decrypt(ENCRYPT_B)
    assert "<Content><![CDATA[report today]]></Content>" in plain
    assert len(plain.encode()) == 289


def test_passive_reply_signature_matches_vector(crypto: CallbackCrypto) -> None:
    encrypt = ("t3HMtzjTyzLUlMuBGlmNF6otg3VJPAYUw4V6Y+u3AdoHXN9STFqpltA3tbmaOGa2P/Jy9j9guie/wSm5x1d7LwojmH"
               "BqPijp+b/xGrHs0Y"
               "AKLT14VJ8Bi5hyzZJNXsZYO6km7rwZUo4KPOxPNVG5/t3davvqxgM8+Wd8VCYV7ChVDHmigivy5cM7PBM62pqKb4CdAB+2eMZMdjWom/S3"
               "Kbmb2HFVMs73gEjvj59euCPglbIOyaI4796La7EU6EDuBOF+Q+AEwXHvgTFdgh9cwXfF51cOrk1Z056plkv+/kRaKJI1jCISAkBbJ3+rq8"
               "rHjqof+r1F6dWHd0CCpZqkBp4dY5VWmQzKu/y24dOTzlFavv267Tt6IBg2iwxgkhfZ")
    assert crypto.sign("1700000005", "5551234", encrypt) == "db8df7bdd18ce491d493a64d4f7b73d211f89fed"
    assert "Report queued" in crypto.decrypt(encrypt)


def test_a_wrong_signature_is_rejected(crypto: CallbackCrypto) -> None:
    with pytest.raises(CallbackRejected):
        crypto.verify("0" * 40, "1700000001", "1357924680", ENCRYPT_B)


def test_a_foreign_corp_id_is_rejected() -> None:
    other = CallbackCrypto(TOKEN, KEY, "wwSomeOtherCorp000")
    with pytest.raises(CallbackRejected):
        other.decrypt(ENCRYPT_B)


@pytest.mark.parametrize("garbage", ["", "not base64!!", "QUJD", "A" * 44])
def test_corrupt_ciphertext_is_rejected_not_crashing(crypto: CallbackCrypto, garbage: str) -> None:
    with pytest.raises(CallbackRejected):
        crypto.decrypt(garbage)


def test_round_trip_of_chinese_text(crypto: CallbackCrypto) -> None:
    encrypt, sig = crypto.seal("<xml><Content>你好，小柚</Content></xml>", "1700000000", "42")
    crypto.verify(sig, "1700000000", "42", encrypt)
    assert crypto.decrypt(encrypt) == "<xml><Content>你好，小柚</Content></xml>"


def test_a_bad_aes_key_names_the_config_key() -> None:
    with pytest.raises(ConfigError, match="wecom.encoding_aes_key"):
        CallbackCrypto(TOKEN, "short", CORP)


def wechatpy_decrypt(crypto: CallbackCrypto, encrypt: str) -> str:
    """The decryption before the own unpack: check the base64 and the length, then wechatpy's
    PrpCrypto.decrypt (which decodes the base64 again), its errors mapped as they were."""
    import binascii

    try:
        raw_len = len(base64.b64decode(encrypt, validate=True))
    except (binascii.Error, ValueError) as exc:
        raise CallbackRejected("ciphertext is not base64") from exc
    if raw_len == 0 or raw_len % 32:
        raise CallbackRejected("ciphertext length is not a multiple of the block size")
    try:
        return str(crypto._prp.decrypt(encrypt, crypto.receive_id))
    except (ValueError, struct.error, UnicodeDecodeError, IndexError) as exc:
        raise CallbackRejected("ciphertext does not decrypt") from exc
    except Exception as exc:
        if type(exc).__name__ == "InvalidCorpIdException":
            raise CallbackRejected("ReceiveId mismatch") from exc
        raise


def outcome(decrypt: Callable[[str], str], encrypt: str) -> str:
    try:
        return "plain:" + decrypt(encrypt)
    except CallbackRejected as exc:
        return f"rejected:{exc}"


def framed(rng: random.Random) -> bytes:
    """A plaintext block stream as WeCom frames it, or bent: a length that lies, a foreign or empty
    ReceiveId, bytes that are not UTF-8, a padding byte of any value."""
    message = rng.choice([b"", "<xml><Content>\u4f60\u597d</Content></xml>".encode(), rng.randbytes(rng.randint(0, 40)),
                          b"\xff\xfe", "\u5c0f\u67da".encode() * rng.randint(1, 9)])
    sender = rng.choice([CORP.encode(), b"", b"wwSomeOtherCorp000", rng.randbytes(rng.randint(1, 8))])
    length = len(message) if rng.random() < 0.7 else rng.randint(0, 80)
    body = rng.randbytes(16) + struct.pack(">I", length) + message + sender
    pad = 32 - len(body) % 32
    tail = bytes([pad]) * pad if rng.random() < 0.7 else rng.randbytes(pad - 1) + bytes([rng.randint(0, 255)])
    return body + tail


def test_the_own_unpack_equals_wechatpys_decrypt_for_good_and_bad_input(crypto: CallbackCrypto) -> None:
    """Every ciphertext gives the same plaintext as wechatpy's decrypt, or the same rejection."""
    rng = random.Random(15)
    key = base64.b64decode(KEY + "=")
    cipher = Cipher(algorithms.AES(key), modes.CBC(key[:16]))
    cases = [ECHO_A, ENCRYPT_B, "", "not base64!!", "QUJD", "A" * 44, ENCRYPT_B[:-4], ENCRYPT_B + " "]
    cases += [crypto.seal(f"<xml><Content>{rng.random()}\u4f60\u597d</Content></xml>", "1", "2")[0] for _ in range(50)]
    for _ in range(2000):
        encryptor = cipher.encryptor()
        cases.append(base64.b64encode(encryptor.update(framed(rng)) + encryptor.finalize()).decode())
    cases += [base64.b64encode(rng.randbytes(32 * rng.randint(1, 4))).decode() for _ in range(500)]
    seen: set[str] = set()
    for encrypt in cases:
        mine = outcome(crypto.decrypt, encrypt)
        assert mine == outcome(lambda e: wechatpy_decrypt(crypto, e), encrypt), encrypt
        seen.add(mine.split(":")[0] if mine.startswith("plain") else mine)
    assert seen == {"plain", "rejected:ciphertext is not base64",
                    "rejected:ciphertext length is not a multiple of the block size",
                    "rejected:ciphertext does not decrypt", "rejected:ReceiveId mismatch"}
