"""The sitemap stage: sitemap.xml with every announced page and its language alternates, and robots.txt."""
