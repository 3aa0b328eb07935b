"""Shared by every tier: pytest puts this folder on sys.path, so `html_safety` imports anywhere."""
