"""One family of domain errors; `config.api_errors` turns them into API responses."""

from rest_framework import status


class ApplicationError(Exception):
    """A domain rule refused the operation. `code` is a stable machine name."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        extra: dict | None = None,
        status_code: int | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.extra = extra or {}
        if status_code is not None:
            self.status_code = status_code
