"""Coursework tests and their data (see README.md); not part of the library."""
