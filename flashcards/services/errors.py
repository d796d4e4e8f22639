"""Domain errors that services raise and views map onto responses."""

from __future__ import annotations


class ServiceError(Exception):
    """Base class: the message is safe to show to the user."""


class NotFound(ServiceError):
    pass


class StaleCard(ServiceError):
    """The card changed since the page that posted this was rendered."""

    def __init__(self, card_id: int, current_version: int) -> None:
        self.card_id = card_id
        self.current_version = current_version
        super().__init__(
            "This card has changed since you opened it (perhaps it was graded in another tab), "
            "so this grade was not applied."
        )


class NothingToUndo(ServiceError):
    pass
