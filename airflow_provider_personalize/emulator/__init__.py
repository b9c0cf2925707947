"""A local Amazon Personalize service: a moto extension (being built)."""
