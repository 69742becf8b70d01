"""The bot's one HTTP server: health, metrics and, in webhook mode, Telegram's
updates; the dashboard adds its routes to the same application."""
