"""Pure site core: URL rules, page rendering, listings, sitemap, feeds."""
