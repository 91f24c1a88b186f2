"""Plain helpers the test modules share (tests/conftest.py describes the layout).

Test modules import from here, never from one another.
"""
