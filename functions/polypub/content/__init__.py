"""Pure content core: posts, Markdown, segments, language."""
