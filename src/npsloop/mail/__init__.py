"""Email leaving npsloop: one transport (transport.py) and one reading of what a failure
means (outcome.py, providers.py). Infrastructure beside Django's mail, below every app: it
imports nothing from npsloop, so survey emails, digests and invitations can all use it."""
