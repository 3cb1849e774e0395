"""`make bench`: the engine's cost, measured against bare Temporal in the same run."""
