"""Lessons: the worked examples of the course slides and the users' own lesson files."""
