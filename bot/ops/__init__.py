"""Operating the bot: Prometheus metrics, health and readiness over HTTP, JSON logs without
secrets, and telling a rejected platform token apart from other start-up failures."""
