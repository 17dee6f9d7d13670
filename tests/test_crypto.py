"""The callback crypto reproduces the hand-checked vectors of shared/wecom/crypto.md §9."""

from __future__ import annotations

import pytest

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
