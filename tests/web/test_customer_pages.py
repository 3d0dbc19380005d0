"""Customer pages compiled once per language, with their plain texts translated in (web.i18n.PretranslatedTexts)."""

from __future__ import annotations

import pytest

from web.i18n import customer_pages

# Texts with and without variables, in text and in attributes, inside expressions, with characters that escaping
# or %-formatting would change, and a `_` that belongs to something else.
TEMPLATE = """\
<h2>{{ _("Your bill") }}</h2><span title="{{ _('Verified biller') }}">{{ gettext("Status") }}</span>
<p>{{ _("Bill for %(name)s", name=name) }}</p>
<dd>{{ {"paid": _("Paid"), "due": _("Due")}[state] }}</dd>
<p>{{ _("Take 100%% & <more>") }} {{ other._("Your bill") }}</p>
{% for app in apps %}{{ _("your app") }}{% endfor %}"""


class Other:
    def _(self, text: str) -> str:
        return f"other {text}"


def render(environment, strings, calls: list[str]) -> str:
    def counted(text, **variables):
        calls.append(text)
        return strings.gettext(text, **variables)

    context = {"name": "<Ravi>", "state": "paid", "other": Other(), "apps": [1, 2]}
    return environment.from_string(TEMPLATE).render(_=counted, gettext=counted, **context)


@pytest.mark.parametrize("language", ["en", "hi", "bn"])
def test_plain_texts_are_translated_once_when_the_page_is_compiled(app, language):
    with app.test_request_context(f"/p/x?lang={language}"):
        pages = customer_pages()
        per_view: list[str] = []
        compiled = render(pages.environment, pages.strings, per_view)
        looked_up: list[str] = []
        expected = render(app.jinja_env, pages.strings, looked_up)

    assert compiled == expected
    assert per_view == ["Bill for %(name)s"]  # only the text with a variable is looked up on each view
    assert len(looked_up) == 9


def test_each_language_has_its_own_compiled_pages(app):
    with app.test_request_context("/p/x?lang=hi"):
        hindi = customer_pages()
        assert customer_pages() is hindi
    with app.test_request_context("/p/x?lang=bn"):
        bengali = customer_pages()
    assert bengali.environment is not hindi.environment
    assert "आपका बिल" in hindi.environment.from_string('{{ _("Your bill") }}').render()
    assert "আপনার বিল" in bengali.environment.from_string('{{ _("Your bill") }}').render()
