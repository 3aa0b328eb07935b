"""Jekyll, Hugo and WordPress constructs in a body: resolved as their authors meant, or named."""

from __future__ import annotations

from html_safety import active_content
from polypub.content.errors import TemplateLeftOutWarning
from polypub.content.markdown import body_warnings, render_body
from polypub.content.sanitize import sanitize_html
from polypub.content.segments import segment_body

EMBED = '<iframe class="video" src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"'


def page(body: str) -> str:
    return sanitize_html(render_body(body))


def test_site_base_url_inside_markdown_image_syntax_is_the_sites_root() -> None:
    body = "![Our lab]({{ site.baseurl }}/assets/img/lab.png)\n"
    assert page(body) == '<p><img src="/assets/img/lab.png" alt="Our lab"></p>\n'
    assert body_warnings(body) == ()


def test_site_url_and_the_url_filters_give_root_relative_paths() -> None:
    body = (
        '[a]({{ site.url }}/assets/x.pdf) [b]({{ "/about/" | relative_url }}) '
        "[c]({{ 'docs/y.pdf' | absolute_url }}) [d]({{ \"/z\" | prepend: site.baseurl }})\n"
    )
    html = page(body)
    for href in ("/assets/x.pdf", "/about/", "/docs/y.pdf", "/z"):
        assert f'href="{href}"' in html
    assert "{{" not in html


def test_hugo_youtube_and_vimeo_shortcodes_are_the_same_embeds_as_html() -> None:
    body = (
        '{{< youtube dQw4w9WgXcQ >}}\n\n{{< youtube id="dQw4w9WgXcQ" >}}\n\n'
        "{{% vimeo 76979871 %}}\n"
    )
    html = page(body)
    assert html.count(EMBED) == 2
    assert 'src="https://player.vimeo.com/video/76979871?dnt=1"' in html
    assert body_warnings(body) == ()


def test_a_shortcode_with_a_hostile_id_is_left_out_not_embedded() -> None:
    body = '{{< youtube "x\\" onload=\\"alert(1)" >}}\n\nText.\n'
    html = page(body)
    assert active_content(html) == []
    assert "iframe" not in html
    (warning,) = body_warnings(body)
    assert isinstance(warning, TemplateLeftOutWarning)


def test_raw_unwraps_and_keeps_its_content_as_written_and_untranslated() -> None:
    body = "In Liquid, {% raw %}{{ page.title }}{% endraw %} prints the title.\n"
    assert page(body) == "<p>In Liquid, {{ page.title }} prints the title.</p>\n"
    (segment,) = segment_body(body).segments
    assert segment.text == "In Liquid, <x1/> prints the title."
    assert body_warnings(body) == ()


def test_highlight_becomes_a_code_block_untouched() -> None:
    body = '{% highlight python linenos %}\nprint("{{ x }}")\n{% endhighlight %}\n\nDone.\n'
    html = page(body)
    assert '<pre><code class="language-python">print("{{ x }}")\n</code></pre>' in html
    assert [s.text for s in segment_body(body).segments] == ["Done."]


def test_constructs_in_code_are_code() -> None:
    body = "Write `{{ site.baseurl }}` and:\n\n```\n{% include nav.html %}\n{{< gist x >}}\n```\n"
    html = page(body)
    assert "<code>{{ site.baseurl }}</code>" in html
    assert "{% include nav.html %}\n{{&lt; gist x &gt;}}" in html
    assert body_warnings(body) == ()


def test_links_to_other_posts_stay_in_the_readers_language() -> None:
    body = (
        "[a]({% post_url 2019-10-01-robots %}) [b]({% link _posts/2020-01-02-lab.md %}) "
        '[c]({{< ref "posts/garden.md" >}})\n'
    )
    html = page(body)
    for slug in ("robots", "lab", "garden"):
        assert f'href="../{slug}/"' in html  # from /<lang>/posts/<this>/ to its sibling


def test_includes_that_show_a_video_or_a_picture_are_understood() -> None:
    body = (
        '{% include youtube.html id="dQw4w9WgXcQ" %}\n\n'
        '{% include image.html url="/assets/a.png" description="The lab" %}\n'
    )
    html = page(body)
    assert EMBED in html
    assert '<figure><img src="/assets/a.png" alt="The lab"><figcaption>The lab</figcaption>' in html


def test_unknown_constructs_are_left_out_and_named_the_post_still_renders() -> None:
    body = (
        "{% include toc.html %}\n\nHello {{ page.author }}.\n\n"
        "{{< gist user 123 >}}\n\n{% if x %}kept text{% endif %}\n"
    )
    html = page(body)
    assert "{" not in html
    assert "}" not in html
    assert "<p>Hello .</p>" in html
    assert "kept text" in html
    (warning,) = body_warnings(body)
    assert warning.code == "template-left-out"
    for named in ("{% include toc.html %}", "{{ page.author }}", "{{< gist user 123 >}}"):
        assert named in str(warning)


def test_a_wordpress_caption_is_a_figure_with_a_translatable_caption() -> None:
    body = (
        '[caption id="attachment_7" align="aligncenter" width="300"]<img class="wp-image-7" '
        'src="/assets/p.jpg" alt="Pupils" width="300" height="200" /> Pupils in the lab'
        "[/caption]\n\nNext.\n"
    )
    html = page(body)
    assert '<figure><img src="/assets/p.jpg" alt="Pupils" width="300" height="200">' in html
    assert "<figcaption>Pupils in the lab</figcaption>\n</figure>" in html
    texts = [s.text for s in segment_body(body).segments]
    assert texts == ["Pupils", "Pupils in the lab", "Next."]


def test_a_wordpress_embed_of_a_video_is_the_embed() -> None:
    body = "[embed]https://www.youtube.com/watch?v=dQw4w9WgXcQ[/embed]\n"
    assert EMBED in page(body)


def test_a_lone_brace_pair_in_prose_is_not_a_construct_too_far() -> None:
    body = "Sets are written {1, 2}; a dict is {'a': 1}.\n"
    assert page(body) == "<p>Sets are written {1, 2}; a dict is {'a': 1}.</p>\n"
    assert body_warnings(body) == ()


def test_kramdown_and_goldmark_attribute_lists_are_styling_and_go_quietly() -> None:
    body = (
        "* TOC\n{:toc}\n\n## Our trip {#trip}\n\n"
        '[the map](/map.pdf){:target="_blank"} and a note.\n{: .note}\n'
    )
    html = page(body)
    assert "{" not in html
    assert "TOC" not in html
    assert "<h2>Our trip</h2>" in html
    assert '<a href="/map.pdf">the map</a> and a note.' in html
    assert body_warnings(body) == ()


def test_a_picture_path_with_spaces_and_a_template_tag_is_a_picture_not_raw_markdown() -> None:
    body = (
        "![Una foto]({{ site.baseurl }}/assets/img/mi foto.png) y "
        "[la guía](/assets/guía de riego.pdf).\n"
    )
    html = page(body)
    assert '<img src="/assets/img/mi%20foto.png" alt="Una foto">' in html
    assert 'href="/assets/gu%C3%ADa%20de%20riego.pdf"' in html
    (segment, alt) = segment_body(body).segments
    assert segment.text == "<x1/> y <g1>la guía</g1>."
    assert alt.text == "Una foto"


def test_wordpress_media_and_code_shortcodes_and_markdown_links_named_like_them() -> None:
    body = (
        "See the [code](https://x.org) and the [video][1].\n\n"
        '[code language="python"]\nprint("[video]")\n[/code]\n\n'
        '[video src="/assets/v.mp4"] [audio mp3="/assets/a.mp3"][/audio] [gallery ids="1,2"]\n\n'
        "[youtube https://www.youtube.com/watch?v=dQw4w9WgXcQ]\n\n[1]: https://x.org/v\n"
    )
    html = page(body)
    assert '<a href="https://x.org">code</a> and the <a href="https://x.org/v">video</a>' in html
    assert '<pre><code class="language-python">print("[video]")\n</code></pre>' in html
    assert '<video src="/assets/v.mp4" controls="" preload="metadata"></video>' in html
    assert '<audio src="/assets/a.mp3" controls="" preload="metadata"></audio>' in html
    assert EMBED in html
    (warning,) = body_warnings(body)
    assert str(warning).startswith('left out of the page: [gallery ids="1,2"].')


def test_a_figure_with_a_paragraph_long_caption_and_links_in_it_is_a_figure() -> None:
    # As in tests/corpus/fisiquimicamente (nieve): a 600-character title with links.
    words = "Diferentes formas de copos de nieve captadas en el laboratorio. " * 10
    body = (
        f'{{{{< figure src="copos.jpg" title="{words}Fuente: el [Dr. Libbrecht]'
        '(https://www.its.caltech.edu/~atomic/)." lightbox="true" >}}\n'
    )
    html = page(body)
    assert "{{" not in html
    assert "](" not in html
    assert '<a href="https://www.its.caltech.edu/~atomic/">Dr. Libbrecht</a>' in html
    assert 'alt="Diferentes formas' in html
    assert "[Dr. Libbrecht]" not in html
    assert body_warnings(body) == ()
