"""The quiver.cluster tests: a package, so that its conftest does not shadow
python/tests/conftest.py when both suites are collected together."""
