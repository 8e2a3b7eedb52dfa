"""Registered users. Generated from specs/users.spec.md#user-model."""

import hashlib
import hmac
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class User:
    login: str
    salt: bytes
    password_hash: bytes


def hash_password(password: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 100_000)


def register(login: str, password: str) -> User:
    salt = os.urandom(16)
    return User(login, salt, hash_password(password, salt))


def check_password(user: User, password: str) -> bool:
    return hmac.compare_digest(user.password_hash, hash_password(password, user.salt))
