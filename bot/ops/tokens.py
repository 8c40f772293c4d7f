"""A chat platform that rejects the bot's token, told apart from other start-up failures by the
exception's type (the SDKs are not imported here), and reported without the token: the
python-telegram-bot exception quotes it."""

from __future__ import annotations

# (module prefix, exception class name) -> platform
_REJECTIONS = {
    ("telegram", "InvalidToken"): "telegram",
    ("discord", "LoginFailure"): "discord",
}
VARIABLES = {"telegram": "TUTORBOT_TELEGRAM__TOKEN", "discord": "TUTORBOT_DISCORD__TOKEN"}


def rejected_platform(error: BaseException) -> str | None:
    """The platform whose token `error` (or what it was raised from) says was rejected."""
    seen: BaseException | None = error
    while seen is not None:
        for kind in type(seen).__mro__:
            root = kind.__module__.split(".", 1)[0]
            platform = _REJECTIONS.get((root, kind.__name__))
            if platform is not None:
                return platform
        seen = seen.__cause__ or seen.__context__
    return None


def rejection_message(platform: str) -> str:
    return (
        f"tutorbot: {platform.capitalize()} rejected the bot token ({VARIABLES[platform]}): "
        "it is wrong or was revoked. Set the current token and start again."
    )
