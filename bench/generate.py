# ruff: noqa: E501 - the sentence pools and Hugo templates are data, one item per line
"""Deterministic bilingual school-blog posts for the benchmarks, as polypub content and as Hugo.

The same seed and count always give the same bytes. Posts look like content/posts/*.md:
YAML front matter (title, author, description, date, project, sometimes lang and images),
then about 4 KB of Markdown with headings, paragraphs, bullet lists, bold text, links and
a code span. Half are Spanish and half English; every second post leaves `lang` out so
that language detection runs as it does for a teacher's upload.

Paragraphs are drawn sentence by sentence from per-language pools, so every paragraph is
unique (each one is a translation-memory entry of its own, as in a real blog); list items
come from a smaller pool and repeat across posts, as teachers' checklists do.
"""

from __future__ import annotations

import random
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

SEED = 6

AUTHORS = (
    "IES Abastos",
    "Departamento de Biología",
    "Laura Martínez",
    "Javier Soler",
    "Club de Programación",
    "Anna Ferrer",
    "Departamento de Inglés",
    "Marc Ribes",
    "Biblioteca del centro",
    "Equipo Erasmus+",
    "Lucía Gómez",
    "Pablo Navarro",
)
PROJECTS = (
    "proyecto-1",
    "proyecto-2",
    "proyecto-3",
    "huerto-europeo",
    "coding-club",
    "radio-escolar",
    "green-schools",
    "erasmus-days",
)
IMAGES = (
    "/assets/images/uploads/izquierda_ES.png",
    "/assets/images/uploads/erasmusdays_logo_2021_sin_fechas.jpg",
    "/assets/images/uploads/images.png",
)
LINKS = (
    "https://www.etwinning.net/en/pub/index.htm",
    "https://erasmus-plus.ec.europa.eu/",
    "https://en.wikipedia.org/wiki/Erasmus_Programme",
    "https://www.etwinning.es/en/",
    "https://school-education.ec.europa.eu/en",
)
CODE = ("humedad=42", "print('hola')", "git commit", "temperatura=18", "for i in range(5)")

SENTENCES = {
    "en": (
        "This term our students worked with a partner school in Finland on a shared project.",
        "Every week the groups met online to compare their results and plan the next steps.",
        "The teachers prepared short activities so that everyone could take part from the start.",
        "We learned that working in another language is easier when the goal is clear.",
        "The students recorded short videos explaining their experiments to their partners.",
        "Our partners in Portugal sent us photos of their school garden and their tomatoes.",
        "At the end of each session the students wrote a short summary in their notebooks.",
        "The project helped us to improve our digital skills and our confidence in English.",
        "Families were invited to the final presentation in the school library.",
        "We used a shared spreadsheet to collect the measurements from both schools.",
        "Some students were nervous at first, but they soon enjoyed the video calls.",
        "The visit to the science museum was the highlight of the second month.",
        "Our class designed a poster that now hangs in the main corridor of the school.",
        "The local newspaper published a short article about the exchange.",
        "We compared the weather in both cities and discussed why the results were different.",
        "Every student kept a diary with new words they learned during the project.",
        "The music department prepared a song that both schools sang together online.",
        "We are already planning a new activity with our partners for next spring.",
        "The older students helped the younger ones to prepare their presentations.",
        "A group of teachers travelled to Italy to learn new methods for the classroom.",
        "The robots we built could follow a black line and avoid small obstacles.",
        "Recycling at school has improved since the students started the green patrol.",
        "The radio programme was broadcast on Friday morning for the whole school.",
        "We discovered that our partners also celebrate a festival in the autumn.",
        "Working in teams taught us to listen to each other and share the tasks.",
        "The headteacher thanked the families for their support during the project.",
        "Students from both countries wrote a short story together, one chapter each.",
        "The photographs from the trip are now on display in the school entrance.",
        "We measured how much water the garden needed during the hottest weeks.",
        "Our partners taught us some words in Finnish, which turned out to be very difficult.",
        "The final survey showed that most students want to repeat the experience.",
        "Each class chose a representative to speak at the closing ceremony.",
    ),
    "es": (
        "Este trimestre nuestro alumnado ha trabajado con un colegio de Finlandia en un proyecto común.",
        "Cada semana los grupos se reunían en línea para comparar resultados y planificar los siguientes pasos.",
        "El profesorado preparó actividades cortas para que todo el mundo pudiera participar desde el principio.",
        "Hemos aprendido que trabajar en otro idioma es más fácil cuando el objetivo está claro.",
        "Los alumnos grabaron vídeos cortos para explicar sus experimentos a sus compañeros.",
        "Nuestros socios de Portugal nos enviaron fotos de su huerto escolar y de sus tomates.",
        "Al final de cada sesión el alumnado escribía un breve resumen en su cuaderno.",
        "El proyecto nos ha ayudado a mejorar nuestras competencias digitales y la confianza en inglés.",
        "Las familias fueron invitadas a la presentación final en la biblioteca del instituto.",
        "Usamos una hoja de cálculo compartida para reunir las medidas de los dos centros.",
        "Algunos estudiantes estaban nerviosos al principio, pero pronto disfrutaron de las videollamadas.",
        "La visita al museo de ciencias fue lo mejor del segundo mes.",
        "Nuestra clase diseñó un cartel que ahora cuelga en el pasillo principal del instituto.",
        "El periódico local publicó un breve artículo sobre el intercambio.",
        "Comparamos el tiempo de las dos ciudades y hablamos de por qué los resultados eran distintos.",
        "Cada estudiante llevaba un diario con las palabras nuevas que aprendía durante el proyecto.",
        "El departamento de música preparó una canción que los dos centros cantaron juntos en línea.",
        "Ya estamos preparando una nueva actividad con nuestros socios para la próxima primavera.",
        "Los alumnos mayores ayudaron a los más pequeños a preparar sus presentaciones.",
        "Un grupo de profesores viajó a Italia para aprender nuevos métodos para el aula.",
        "Los robots que construimos podían seguir una línea negra y esquivar pequeños obstáculos.",
        "El reciclaje en el instituto ha mejorado desde que el alumnado creó la patrulla verde.",
        "El programa de radio se emitió el viernes por la mañana para todo el centro.",
        "Descubrimos que nuestros socios también celebran una fiesta en otoño.",
        "Trabajar en equipo nos ha enseñado a escucharnos y a repartir las tareas.",
        "La directora agradeció a las familias su apoyo durante todo el proyecto.",
        "Estudiantes de los dos países escribieron juntos un cuento, un capítulo cada uno.",
        "Las fotografías del viaje se exponen ahora en la entrada del instituto.",
        "Medimos cuánta agua necesitaba el huerto durante las semanas más calurosas.",
        "Nuestros socios nos enseñaron algunas palabras en finés, que resultaron muy difíciles.",
        "La encuesta final mostró que la mayoría del alumnado quiere repetir la experiencia.",
        "Cada clase eligió a una persona representante para hablar en la clausura.",
    ),
}
ITEMS = {
    "en": (
        "Improved our ICT skills",
        "Expanded our professional network",
        "Developed greater intercultural understanding",
        "Gained confidence in speaking English",
        "Learned to plan a project step by step",
        "Shared good practices with other teachers",
        "Used new digital tools in the classroom",
        "Worked in international teams",
        "Presented our results to the families",
        "Wrote a shared diary with our partners",
        "Organised a video call every week",
        "Recorded a podcast about the project",
        "Measured the temperature every morning",
        "Planted tomatoes, lettuces and beans",
        "Designed a poster for the school corridor",
        "Compared traditions from both countries",
    ),
    "es": (
        "Mejoramos nuestras competencias digitales",
        "Ampliamos nuestra red profesional",
        "Desarrollamos una mayor comprensión intercultural",
        "Ganamos confianza al hablar en inglés",
        "Aprendimos a planificar un proyecto paso a paso",
        "Compartimos buenas prácticas con otros docentes",
        "Usamos nuevas herramientas digitales en el aula",
        "Trabajamos en equipos internacionales",
        "Presentamos los resultados a las familias",
        "Escribimos un diario compartido con nuestros socios",
        "Organizamos una videollamada cada semana",
        "Grabamos un pódcast sobre el proyecto",
        "Medimos la temperatura cada mañana",
        "Plantamos tomates, lechugas y judías",
        "Diseñamos un cartel para el pasillo del instituto",
        "Comparamos tradiciones de los dos países",
    ),
}
HEADINGS = {
    "en": (
        "What we did",
        "Our partners",
        "What we learned",
        "Next steps",
        "The activities",
        "Results",
        "How it started",
        "Thank you",
    ),
    "es": (
        "Qué hicimos",
        "Nuestros socios",
        "Qué aprendimos",
        "Próximos pasos",
        "Las actividades",
        "Resultados",
        "Cómo empezó",
        "Gracias",
    ),
}
TITLE_TOPICS = {
    "en": (
        "Our school garden",
        "The coding club",
        "A week in Finland",
        "The school radio",
        "Green schools",
        "Erasmus+ days",
        "Science with our partners",
        "A shared story",
    ),
    "es": (
        "Nuestro huerto escolar",
        "El club de programación",
        "Una semana en Finlandia",
        "La radio del instituto",
        "Centros sostenibles",
        "Los Erasmus+ days",
        "Ciencia con nuestros socios",
        "Un cuento compartido",
    ),
}
TITLE_SUFFIX = {"en": "part", "es": "parte"}
INTRO = {
    "en": ("Hello everyone!", "Great news from our class!", "Here is our latest update!"),
    "es": ("¡Hola a todos!", "¡Buenas noticias de nuestra clase!", "¡Aquí va nuestra novedad!"),
}


@dataclass(frozen=True)
class GeneratedPost:
    """One post: its file name (without .md), its language and its Markdown."""

    name: str
    lang: str
    declare_lang: bool
    title: str
    description: str
    author: str
    project: str
    date: str
    images: tuple[str, ...]
    body: str

    def markdown(self) -> str:
        """The post as a teacher uploads it (polypub's content contract)."""
        lines = [
            "---",
            f"title: {_yaml(self.title)}",
            f"author: {_yaml(self.author)}",
            f"description: {_yaml(self.description)}",
            f"date: {self.date}",
            f"project: {self.project}",
        ]
        if self.declare_lang:
            lines.append(f"lang: {self.lang}")
        if self.images:
            lines.append("images:")
            lines += [f"  - {image}" for image in self.images]
        lines.append("---")
        return "\n".join(lines) + "\n" + self.body

    def hugo_markdown(self) -> str:
        """The same post for Hugo: taxonomies as lists, the language in the file name."""
        lines = [
            "---",
            f"title: {_yaml(self.title)}",
            f"description: {_yaml(self.description)}",
            f"date: {self.date}",
            f"authors: [{_yaml(self.author)}]",
            f"projects: [{self.project}]",
            f"translationKey: {self.name}",
        ]
        if self.images:
            lines.append("images:")
            lines += [f"  - {image}" for image in self.images]
        lines.append("---")
        return "\n".join(lines) + "\n" + self.body


def _yaml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _paragraph(rng: random.Random, lang: str, sentences: int) -> str:
    return " ".join(rng.sample(SENTENCES[lang], sentences))


def _body(rng: random.Random, lang: str, index: int) -> str:
    """About 4 KB of Markdown: intro, three sections, one link and one code span."""
    out = [f"**{rng.choice(INTRO[lang])}**", ""]
    headings = rng.sample(HEADINGS[lang], 3)
    link_at, code_at = rng.randrange(3), rng.randrange(3)
    for section, heading in enumerate(headings):
        out += [f"## {heading}", ""]
        first = _paragraph(rng, lang, 6)
        if section == link_at:
            label = "more information" if lang == "en" else "más información"
            first += f" ([{label}]({rng.choice(LINKS)}))"
        out += [first, ""]
        for item in rng.sample(ITEMS[lang], 4):
            # Every other item bold: inline markup survives translation as placeholders.
            out.append(f"- **{item}**." if rng.random() < 0.5 else f"- {item}.")
        out.append("")
        second = _paragraph(rng, lang, 4)
        if section == code_at:
            word = "The sensor writes" if lang == "en" else "El sensor escribe"
            second += f" {word} `{rng.choice(CODE)}` (#{index})."
        out += [second, ""]
    out += [_paragraph(rng, lang, 5), ""]
    return "\n".join(out)


def generate_posts(count: int, seed: int = SEED) -> list[GeneratedPost]:
    """`count` posts, alternately Spanish and English, newest last, the same for a seed."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    start = datetime(2022, 9, 1, 9, 0, tzinfo=UTC)
    posts = []
    for index in range(count):
        lang = "es" if index % 2 == 0 else "en"
        topic = rng.choice(TITLE_TOPICS[lang])
        title = f"{topic}, {TITLE_SUFFIX[lang]} {index + 1}"
        description = _paragraph(rng, lang, 1)
        when = start + timedelta(hours=7 * index, minutes=rng.randrange(60))
        images = tuple(rng.sample(IMAGES, rng.randrange(3))) if index % 3 == 0 else ()
        posts.append(
            GeneratedPost(
                name=f"post-{index + 1:05d}",
                lang=lang,
                declare_lang=index % 4 < 2,
                title=title,
                description=description,
                author=rng.choice(AUTHORS),
                project=rng.choice(PROJECTS),
                date=when.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                images=images,
                body=_body(rng, lang, index),
            )
        )
    return posts


def write_polypub_content(
    posts: list[GeneratedPost], dest: Path, *, template_content: Path | None = None
) -> Path:
    """`dest/posts/*.md`, plus the repo's content/assets and content/config when given."""
    (dest / "posts").mkdir(parents=True, exist_ok=True)
    for post in posts:
        (dest / "posts" / f"{post.name}.md").write_text(post.markdown(), encoding="utf-8")
    if template_content is not None:
        for folder in ("assets", "config"):
            if (template_content / folder).is_dir():
                shutil.copytree(template_content / folder, dest / folder, dirs_exist_ok=True)
    return dest


# A minimal Hugo theme with the same pages as polypub's: paginated language homes,
# post pages with a language switcher and hreflang alternates, project and author
# pages, Atom-like feeds (Hugo's RSS) and a multilingual sitemap.
HUGO_CONFIG = """\
baseURL = "https://example.org/"
title = "Polyglot Press"
defaultContentLanguage = "es"
defaultContentLanguageInSubdir = true
disableKinds = ["section"]
enableRobotsTXT = true
paginate = 10

[taxonomies]
  project = "projects"
  author = "authors"

[permalinks]
  posts = "/posts/:filename/"

[languages]
  [languages.es]
    languageName = "Español"
    weight = 1
  [languages.en]
    languageName = "English"
    weight = 2

[outputs]
  home = ["HTML", "RSS"]
  taxonomy = ["HTML"]
  term = ["HTML"]
"""

HUGO_BASEOF = """\
<!doctype html>
<html lang="{{ .Language.Lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ .Title }} · {{ site.Title }}{{ end }}</title>
<meta name="description" content="{{ with .Description }}{{ . }}{{ else }}{{ .Title }}{{ end }}">
<link rel="canonical" href="{{ .Permalink }}">
{{ range .AllTranslations }}<link rel="alternate" hreflang="{{ .Language.Lang }}" href="{{ .Permalink }}">
{{ end }}<link rel="alternate" hreflang="x-default" href="{{ .Permalink }}">
<link rel="stylesheet" href="/static/site.css">
</head>
<body>
<header><a href="{{ "" | relLangURL }}">{{ site.Title }}</a>
<nav>{{ range .Translations }}<a href="{{ .RelPermalink }}" hreflang="{{ .Language.Lang }}">{{ .Language.LanguageName }}</a>{{ end }}</nav>
</header>
<main>{{ block "main" . }}{{ end }}</main>
<footer>{{ range site.Languages }}<a href="/{{ .Lang }}/">{{ .LanguageName }}</a> {{ end }}</footer>
</body>
</html>
"""

HUGO_SINGLE = """\
{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p class="meta">{{ with .Params.authors }}{{ range . }}<a href="{{ (printf "authors/%s" (urlize .)) | relLangURL }}">{{ . }}</a>{{ end }}{{ end }}
<time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time>
{{ range .Params.projects }}<a href="{{ (printf "projects/%s" (urlize .)) | relLangURL }}">{{ . }}</a>{{ end }}</p>
{{ range .Params.images }}<img src="{{ . }}" alt="{{ $.Title }}">{{ end }}
{{ .Content }}
</article>
{{ end }}
"""

HUGO_LIST = """\
{{ define "main" }}
<h1>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ .Title }}{{ end }}</h1>
{{ $pages := where site.RegularPages "Type" "posts" }}
{{ if not .IsHome }}{{ $pages = .Pages }}{{ end }}
{{ $pager := .Paginate $pages }}
<ul>
{{ range $pager.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>
<time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time>
{{ with .Description }}<p>{{ . }}</p>{{ end }}</li>
{{ end }}
</ul>
{{ with $pager.Prev }}<a rel="prev" href="{{ .URL }}">&larr;</a>{{ end }}
{{ with $pager.Next }}<a rel="next" href="{{ .URL }}">&rarr;</a>{{ end }}
{{ end }}
"""


def write_hugo_site(
    posts: list[GeneratedPost], dest: Path, *, template_content: Path | None = None
) -> Path:
    """A Hugo multilingual site with every post in both languages (x.es.md and x.en.md).

    Hugo gets the original text in both files: it does not translate, so the second
    language is the same amount of Markdown to render as polypub's translated page.
    """
    (dest / "content" / "posts").mkdir(parents=True, exist_ok=True)
    layouts = dest / "layouts" / "_default"
    layouts.mkdir(parents=True, exist_ok=True)
    (dest / "config.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    (layouts / "baseof.html").write_text(HUGO_BASEOF, encoding="utf-8")
    (layouts / "single.html").write_text(HUGO_SINGLE, encoding="utf-8")
    (layouts / "list.html").write_text(HUGO_LIST, encoding="utf-8")
    for post in posts:
        text = post.hugo_markdown()
        for lang in ("es", "en"):
            (dest / "content" / "posts" / f"{post.name}.{lang}.md").write_text(
                text, encoding="utf-8"
            )
    if template_content is not None and (template_content / "assets").is_dir():
        shutil.copytree(template_content / "assets", dest / "static" / "assets", dirs_exist_ok=True)
    return dest


_PLAIN_PARAGRAPH = re.compile(r"^[A-Za-zÁÉÍÓÚáéíóúÑñ¡¿][^\n]{40,}$")


def edit_one_paragraph(markdown: str, words: str = " It was a great success.") -> tuple[str, str]:
    """The post with its first plain paragraph extended; returns (new text, new paragraph).

    A plain paragraph is a line of prose (not a heading, list item, bold line or front
    matter) of at least 40 characters; `words` is appended to it.
    """
    head, sep, body = _split_front_matter(markdown)
    lines = body.split("\n")
    for at, line in enumerate(lines):
        if _PLAIN_PARAGRAPH.match(line) and not line.startswith(("- ", "* ")):
            lines[at] = line + words
            return head + sep + "\n".join(lines), lines[at]
    raise ValueError("no plain paragraph to edit")


def _split_front_matter(markdown: str) -> tuple[str, str, str]:
    if markdown.startswith("---\n"):
        end = markdown.index("\n---\n", 4) + len("\n---\n")
        return markdown[:end], "", markdown[end:]
    return "", "", markdown
