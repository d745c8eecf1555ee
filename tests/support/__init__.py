"""Helpers shared by several test packages (fixtures stay in `conftest.py` files; nothing imports those)."""
