"""tutorbot package."""
