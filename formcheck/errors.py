"""The one exception type for problems a user can cause and fix."""


class FormcheckError(Exception):
    """A problem with the user's input or setup, carrying one sentence that says what to do.

    The CLI prints the message alone (no traceback) and exits with ``exit_code``.
    """

    exit_code = 2

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    @property
    def message(self) -> str:
        return str(self.args[0])
