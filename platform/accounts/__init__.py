"""Accounts, roles, supervision scopes, sessions and the audit log.

Who may do what is decided in :mod:`etalase.platform.accounts.authz`, once, for every feature.
"""
