"""Test helpers: a real PostgreSQL on loopback, fresh databases, HTTP helpers, tokens."""
