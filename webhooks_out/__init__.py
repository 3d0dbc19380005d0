"""Outbound webhooks to billers' own systems: endpoints (endpoints.py) and the signed, retried sending (dispatch.py).

Events are queued by `events.emit`; this package registers endpoints and delivers what was queued.
"""
