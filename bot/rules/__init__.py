"""Pure rules of the product: clock, schedule and DST, timezones, dates, authors, preferences, searches."""
