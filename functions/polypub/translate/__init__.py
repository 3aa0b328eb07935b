"""Machine translation: engine, memory keys, providers."""
