"""Per-staff console passwords (only with `[console] password_login = true`, for a corp without a
trusted domain for WeCom sign-in): scrypt hashes, a minimum strength, constant-time checks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

N, R, P = 2 ** 14, 8, 1  # scrypt cost: ~20 ms and 16 MB per check
MIN_LENGTH = 10
COMMON = frozenset({"password123", "1234567890", "qwertyuiop", "wanzi12345", "admin12345", "abcdefghij",
                    "1qaz2wsx3edc", "iloveyou12", "88888888888", "a123456789"})


def weakness(password: str, userid: str) -> str:
    """Why a password is too weak (in Chinese, for the member), or "" when it is fine."""
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 位"
    if password.isdigit() or password.isalpha():
        return "密码需同时包含字母和数字（或符号）"
    if len(set(password)) < 4 or password.lower() in COMMON or userid.lower() in password.lower():
        return "密码太容易猜到，请换一个"
    return ""


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode(), salt=salt, n=N, r=R, p=P, dklen=32)
    return "$".join(["scrypt", str(N), str(R), str(P), base64.b64encode(salt).decode(), base64.b64encode(key).decode()])


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(base64.b64decode(key)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(key))
