"""The simulator: the event engine and its day-by-day reference, observation of the
engine's event log, ``simulate()`` for one person, ``batch`` for many people side by side,
and the ``Trajectory`` result."""
