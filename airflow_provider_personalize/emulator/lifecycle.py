"""Status lifecycles (placeholder while being built)."""


def register_default_transitions() -> None:
    pass
