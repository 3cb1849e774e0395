"""The `ovop` command's commands, one module per task; `starter.py` puts them together."""
