"""Reports: run an analysis plan, then render the results (HTML, Word, Excel, JSON, figures)."""
