"""lvsi's log messages go to Python's logging, logger "lvsi"."""
import logging

from . import _lvsi

logger = logging.getLogger("lvsi")

# lvsi's levels (trace, debug, info, warning, error) as Python's.
_LEVELS = [5, logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR]
_NAMES = ((logging.DEBUG, "debug"), (logging.INFO, "info"), (logging.WARNING, "warning"), (logging.ERROR, "error"))


def _sink(level, message):
    logger.log(_LEVELS[min(level, len(_LEVELS) - 1)], message)


def sync_level():
    """Makes lvsi produce only the messages the "lvsi" logger lets through
    (lvsi does not build the others at all)."""
    effective = logger.getEffectiveLevel()
    name = "trace" if effective < logging.DEBUG else "off"
    for value, level_name in _NAMES:
        if effective <= value:
            name = level_name
            break
    _lvsi._set_log_level(name)


def install():
    _lvsi._set_log_sink(_sink)
    sync_level()
