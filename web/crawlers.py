"""Link-preview crawlers: the bots chat apps and social sites send to draw a card for a pasted link.

They are not the customer: they get the payment page from the stored bill, with no live fetch from the
biller and no "opened" counted (which would suppress "only if the link was not opened" reminder steps).
"""

from __future__ import annotations

import re
from functools import lru_cache

# The preview fetchers of chat apps, social networks and search engines, as regular expressions matched
# case-insensitively anywhere in the User-Agent. In-app browsers of the same apps (FBAN/FBAV, Snapchat, Line)
# carry people, not crawlers, and must not match: WhatsApp's fetcher is matched only at the very start.
LINK_PREVIEW_AGENTS = (
    r"^WhatsApp/",
    r"TelegramBot",
    r"facebookexternalhit",
    r"Facebot",
    r"meta-externalagent",
    r"Twitterbot",
    r"Slackbot",
    r"Slack-ImgProxy",
    r"LinkedInBot",
    r"Googlebot",
    r"Google-InspectionTool",
    r"AdsBot-Google",
    r"bingbot",
    r"BingPreview",
    r"Discordbot",
    r"SkypeUriPreview",
    r"redditbot",
    r"Pinterestbot",
    r"Applebot",
    r"Iframely",
    r"Embedly",
    r"vkShare",
    r"KakaoTalk-Scrap",
    r"YandexBot",
    r"DuckDuckBot",
)
_PATTERN = re.compile("|".join(f"(?:{agent})" for agent in LINK_PREVIEW_AGENTS), re.IGNORECASE)


# Most views come from a few hundred User-Agents (the same phones and browsers): each is matched once, not per view.
@lru_cache(maxsize=1024)
def is_link_preview(user_agent: str) -> bool:
    """Whether the User-Agent is a known link-preview crawler rather than a person's browser."""
    return bool(_PATTERN.search(user_agent))
