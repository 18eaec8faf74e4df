"""lvsi's exceptions: one hierarchy under :class:`Error`, each class also a
subclass of the built-in exception Python code would catch for it."""


class Error(Exception):
    """Any error lvsi raises (the message names the file and the problem)."""


class IoError(Error, OSError):
    """A file or folder could not be read or written."""


class MissingFileError(IoError, FileNotFoundError):
    """A file or folder that must exist does not."""


class OutputError(IoError):
    """A file could not be written (full disk, read-only, or it is an input);
    what it held before is left as it was."""


class FormatError(IoError, ValueError):
    """A file exists but its format is unsupported, corrupt or truncated."""


class ManifestError(IoError, ValueError):
    """A cohort manifest (CSV) is malformed."""


class InputError(Error, ValueError):
    """Input data that cannot be used."""


class DataError(InputError):
    """Values that cannot be used (an empty mask, NaN in the ROI, ...)."""


class GeometryError(InputError):
    """Image and mask grids that do not match."""


class InvalidArgument(Error, ValueError):
    """An argument or setting out of range, named in the message."""


class ModelError(Error):
    """A model that cannot be trained, loaded or applied."""
