"""The issue's bad uploads (fixture in tests/fixtures/posts -> the code the teacher reads)."""

BAD_POSTS = {
    "windows-1252.md": "not-utf8",
    "utf16.md": "not-utf8",
    "invalid-yaml.md": "invalid-yaml",
    "front-matter-list.md": "front-matter-not-mapping",
    "front-matter-string.md": "front-matter-not-mapping",
    "alias-bomb.md": "front-matter-too-complex",
    "missing-title.md": "missing-title",
    "empty-title.md": "missing-title",
    "bad-date.md": "invalid-field",
    "lang-no.md": "invalid-field",
    "slug-traversal.md": "invalid-slug",
    "slug-backslash.md": "invalid-slug",
    "slug-drive-letter.md": "invalid-slug",
    "image-outside-assets.md": "invalid-field",
}
