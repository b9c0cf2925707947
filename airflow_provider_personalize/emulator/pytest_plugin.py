"""pytest fixtures for the Personalize emulator (being built)."""
