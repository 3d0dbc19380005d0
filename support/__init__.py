"""The support desk's domain: what waits for a person, and a customer's whole story in one timeline.

Keyword-only functions over a session; they read (or flush), never commit, and know nothing of Flask.
"""
