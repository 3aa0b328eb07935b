"""Polyglot Press: Markdown posts in a bucket become a bilingual static site."""

__version__ = "0.1.0"
