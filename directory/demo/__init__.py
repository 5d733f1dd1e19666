"""Demo data for a believable demo area (placeholder until the demo set lands)."""


def seed_demo() -> str:
    raise NotImplementedError
