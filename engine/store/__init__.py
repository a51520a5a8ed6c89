"""Persistence only: tables, sessions, queries. No business rules, no SpiffWorkflow."""
