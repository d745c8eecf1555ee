"""Training of the reader model (needs the `train` extra: torch). Never imported by the runtime."""
