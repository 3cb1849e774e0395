"""All I/O of the engine: records, email. Classes that receive their dependencies."""
