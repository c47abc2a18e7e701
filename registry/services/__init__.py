"""The only place that writes SQL. Functions take a session and keyword arguments."""
