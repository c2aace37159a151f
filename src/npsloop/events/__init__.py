"""The event log: one row for every change the outside world may want to hear about."""
