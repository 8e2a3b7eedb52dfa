"""Login. Generated from specs/auth.spec.md#login."""

from shop.users import User, check_password


class LoginError(Exception):
    pass


def login(user: User, password: str) -> str:
    if not check_password(user, password):
        raise LoginError(f"wrong password for {user.login}")
    from shop.app import create_session

    return create_session(user.login)
