"""Test configuration for the whole repository."""

pytest_plugins = ["testkit.fixtures"]
