"""Hand-written application module; `create_session` is generated from specs/auth.spec.md#login."""

import secrets

from shop.cart import Cart
from shop.catalog import CATALOG

SESSIONS: dict[str, str] = {}


def create_session(login: str) -> str:
    token = secrets.token_hex(16)
    SESSIONS[token] = login
    return token


def main() -> None:
    cart = Cart(owner="demo")
    cart.add("tea", 2)
    for sku in cart.items:
        print(CATALOG[sku].label())
    print("total:", cart.total_cents())


if __name__ == "__main__":
    main()
