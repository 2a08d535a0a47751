"""Helpers for the client suite: the server under test, client-version shims and generated fixture files."""
