"""Care: regimen safety rules, calendars, the treatment journal, intake and projections."""
