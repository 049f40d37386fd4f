"""Test configuration for the whole repository."""

pytest_plugins = ["oreledger.core.testing.fixtures"]
