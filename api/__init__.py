"""The HTTP API for the ministry's systems (FastAPI, served by uvicorn)."""
