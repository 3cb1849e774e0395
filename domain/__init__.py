"""The OVOP rulebook: models, enums, errors and pure functions.

Nothing here imports Temporal, SQL, SMTP or settings; every rule lives in one place.
"""
