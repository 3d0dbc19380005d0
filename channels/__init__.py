"""Outbound messages: templates, the outbox, and the providers that deliver them."""
