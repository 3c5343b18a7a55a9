import hashlib
import hmac

SIGNING_KEY = b"example-signing-key-not-for-production"


def sign(user, expires_at):
    message = f"{user}:{expires_at}".encode()
    return hmac.new(SIGNING_KEY, message, hashlib.sha256).hexdigest()


def issue(user, expires_at):
    """A token for user, valid until expires_at (Unix seconds)."""
    return f"{user}:{expires_at}:{sign(user, expires_at)}"


def verify(token, now):
    """The user a token names, or None when it is malformed, forged or expired."""
    try:
        user, expires_at, signature = token.split(":")
    except ValueError:
        return None
    if not hmac.compare_digest(signature, sign(user, expires_at)):
        return None
    if expires_at < str(now):
        return None
    return user
