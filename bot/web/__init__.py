"""The bot's one HTTP server (SPEC §12): health, metrics and, in webhook mode, Telegram's
updates; the dashboard adds its routes to the same application."""
