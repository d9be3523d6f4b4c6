"""Errors that reach the user: each names the file (or input) and the reason."""


class PolicyQAError(Exception):
    """Base class: the CLI prints the message to stderr and exits non-zero."""


class LoadError(PolicyQAError):
    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class ChoiceError(PolicyQAError, ValueError):
    """An unknown value for an enumeration (a mode, a role); the message lists the valid ones."""
