"""Analytics faces over the history's rollups: the HTML report, metrics, time estimates."""
