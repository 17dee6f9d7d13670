"""The access-token store's key (bot/wecom/tokens.py `token_key`, memoised): a token stored by an earlier
version or another replica is found again under the same key, and each secret keeps its own."""

from __future__ import annotations

import hashlib

from bot.wecom.tokens import token_key


def test_the_key_is_the_stored_rows_key_for_every_secret() -> None:
    for corp, secret in [("ww0123456789abcdef", "app-secret"), ("ww0123456789abcdef", "kf-secret"),
                         ("wwOtherCorp", "app-secret"), ("ww0123456789abcdef", "jsapi_ticket:agent:1000002")]:
        expected = hashlib.sha256(f"{corp}:{secret}".encode()).hexdigest()
        assert token_key(corp, secret) == expected
        assert token_key(corp, secret) == expected  # asked again (memoised), the same key


def test_each_secret_and_corp_has_its_own_key() -> None:
    keys = {token_key(corp, secret) for corp in ("wwA", "wwB") for secret in ("app", "contact", "kf", "")}
    assert len(keys) == 8
