"""Real-browser journeys: Chromium driven by Playwright against pytest-django's live server."""
