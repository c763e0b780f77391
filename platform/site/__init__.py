"""The public village site: appearance (themes), redirects, search, feeds, caching."""
