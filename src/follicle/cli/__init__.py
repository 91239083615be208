"""The ``follicle`` command line: one module per face, each a thin front end.

Every command parses its options, calls one library verb and prints the result; the
logic lives in the library so the web app can call the same verbs. ``root`` holds the
app, the lazy command registry and ``main`` (the console script); the other modules
(``simulate``, ``trials``, ``measure``, ``care``, ``intake``, ``journal``, ``project``,
``report``) each define ``register(app)``.
"""

from follicle.cli.root import (
    COMMAND_MODULES,
    EXIT_BAD_INPUT,
    EXIT_FINDING,
    EXIT_INTERNAL_ERROR,
    EXIT_OK,
    LAZY_COMMANDS,
    app,
    loaded_app,
    main,
    reflow_help,
    registered_app,
)

__all__ = [
    "COMMAND_MODULES",
    "EXIT_BAD_INPUT",
    "EXIT_FINDING",
    "EXIT_INTERNAL_ERROR",
    "EXIT_OK",
    "LAZY_COMMANDS",
    "app",
    "loaded_app",
    "main",
    "reflow_help",
    "registered_app",
]
