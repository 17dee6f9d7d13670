"""The callback crypto reproduces the hand-checked vectors of shared/wecom/crypto.md §9."""

from __future__ import annotations

from typing import Callable

import pytest

from bot.errors import CallbackRejected, ConfigError
from bot.wecom.crypto import CallbackCrypto, aes_key

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


def _wechatpy_decrypt(crypto: CallbackCrypto, encrypt: str) -> str:
    """The decrypt before the own unpack: the length check on one base64 decode, then wechatpy's PrpCrypto
    (which decodes again), its errors mapped to the same rejections."""
    import base64
    import binascii
    import struct

    from wechatpy.enterprise.crypto import PrpCrypto

    try:
        raw_len = len(base64.b64decode(encrypt, validate=True))
    except (binascii.Error, ValueError) as exc:
        raise CallbackRejected("ciphertext is not base64") from exc
    if raw_len == 0 or raw_len % 32:
        raise CallbackRejected("ciphertext length is not a multiple of the block size")
    try:
        return str(PrpCrypto(aes_key(KEY)).decrypt(encrypt, crypto.receive_id))
    except (ValueError, struct.error, UnicodeDecodeError, IndexError) as exc:
        raise CallbackRejected("ciphertext does not decrypt") from exc
    except Exception as exc:
        if type(exc).__name__ == "InvalidCorpIdException":
            raise CallbackRejected("ReceiveId mismatch") from exc
        raise


def _outcome(decrypt: Callable[[CallbackCrypto, str], str], crypto: CallbackCrypto, encrypt: str) -> str:
    try:
        return "plain:" + decrypt(crypto, encrypt)
    except CallbackRejected as exc:
        return f"rejected:{exc}"


def test_own_unpack_equals_wechatpy_on_good_and_corrupt_ciphertexts(crypto: CallbackCrypto) -> None:
    """Every ciphertext, sealed or damaged, gets the plaintext or the rejection wechatpy's path gave."""
    import base64
    import random

    rng = random.Random(15)
    foreign = CallbackCrypto(TOKEN, KEY, "wwSomeOtherCorp000")
    texts = ["", "x", "<xml><Content>你好，小柚</Content></xml>", "a" * 1000, "表情😀" * 37]
    texts += ["".join(chr(rng.randrange(32, 0x9FFF)) for _ in range(rng.randrange(0, 300))) for _ in range(60)]
    bodies = [ECHO_A, ENCRYPT_B, "", "not base64!!", "QUJD", "A" * 44, "5Xlt AAWv", "你好"]
    for text in texts:
        sealed = crypto.encrypt(text)
        raw = bytearray(base64.b64decode(sealed))
        bodies += [sealed, foreign.encrypt(text), sealed[:-4], sealed + "AAAA"]
        for _ in range(4):  # flipped bits: a garbled length, padding or ReceiveId
            damaged = bytearray(raw)
            damaged[rng.randrange(len(damaged))] ^= 1 << rng.randrange(8)
            bodies.append(base64.b64encode(bytes(damaged)).decode())
    bodies += [base64.b64encode(rng.randbytes(32 * rng.randrange(1, 6))).decode() for _ in range(200)]
    kinds = set()
    for body in bodies:
        ours, theirs = _outcome(CallbackCrypto.decrypt, crypto, body), _outcome(_wechatpy_decrypt, crypto, body)
        assert ours == theirs, body
        kinds.add(ours.split(":")[0] if ours.startswith("plain") else ours)
    for text in texts:
        assert crypto.decrypt(crypto.encrypt(text)) == text
    assert kinds >= {"plain", "rejected:ciphertext is not base64", "rejected:ReceiveId mismatch",
                     "rejected:ciphertext length is not a multiple of the block size",
                     "rejected:ciphertext does not decrypt"}
