"""quiver's exceptions: one hierarchy under quiver.Error, one class per kind of failure.

The engine's messages are kept as it gives them: they say what was expected and what was
found. Each class also derives from the built-in exception a Python programmer would expect
(ValueError for InvalidArgument, KeyError-free NotFound, OSError for IOError), so generic
handlers keep working.
"""


class Error(Exception):
    """Base class of every error the quiver engine reports."""

    def __str__(self) -> str:  # KeyError-style quoting never applies: the message as given
        return str(self.args[0]) if self.args else ""


class NotFound(Error, LookupError):
    """The thing asked for does not exist (a record id, a model, a tokenizer)."""


class InvalidArgument(Error, ValueError):
    """An argument or the input data is not what the call accepts; nothing was written."""


class Corruption(Error):
    """The database's stored data is damaged (checksums, missing or inconsistent entries)."""


class Busy(Error):
    """Another process (or another open handle) holds the database for writing."""


class NotSupported(Error):
    """The call cannot work here: a read-only database, a newer format, a model kind."""


class Cancelled(Error):
    """A long call stopped early because its progress callable asked it to; what it committed
    stays committed, and running it again finishes the job."""


class IOError(Error, OSError):  # noqa: A001 - quiver.IOError, an OSError like the built-in
    """Reading or writing a file failed."""


__all__ = ["Error", "NotFound", "InvalidArgument", "Corruption", "Busy", "NotSupported",
           "Cancelled", "IOError"]
