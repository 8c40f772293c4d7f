"""Chat platform adapters. Each platform is one package here exposing
`from_settings(settings, core) -> Adapter | None` (see bot/core/transport.py and
docs/adapters.md); `bot.app.build_adapters` finds them. `console.py` is the terminal chat."""
