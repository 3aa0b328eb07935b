"""Shared test helpers: stacks, posts, services, fake translators, provider stubs."""
